// Rules for single values of the manifest that hostile or mistaken input
// reaches: paths that must stay inside the repository, environment variable
// names, names equal except for case, and characters toml++ 3.3 mishandles.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "manifest_internal.h"

namespace orchestrate::manifest_internal {
namespace {

// The '/'-separated components of `path`, empty ones (from "a//b") kept.
std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

bool HasComponent(std::string_view path, std::string_view component) {
  std::vector<std::string_view> parts = Components(path);
  return std::find(parts.begin(), parts.end(), component) != parts.end();
}

// Whether every component of `path` is "." or empty: the repository itself.
bool IsRepositoryRoot(std::string_view path) {
  std::vector<std::string_view> parts = Components(path);
  return std::all_of(parts.begin(), parts.end(),
                     [](std::string_view p) { return p.empty() || p == "."; });
}

std::string ToLower(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

std::string RepoPathProblem(std::string_view key, std::string_view path) {
  std::string entry = "'" + std::string(key) + "' entry '" + std::string(path) + "'";
  if (path.find('\0') != std::string_view::npos)
    return "'" + std::string(key) + "' entries must not contain a NUL character";
  if (path.empty() || IsRepositoryRoot(path))
    return entry + " names the repository itself: list the files or directories to " +
           (key == "worktree_copy" ? "copy" : "link");
  if (path.front() == '/')
    return entry + " is an absolute path: entries are relative to the repository root";
  if (HasComponent(path, ".."))
    return entry + " leaves the repository: '..' is not allowed in these paths";
  if (HasComponent(path, ".git"))
    return entry + " reaches into git's own files: '.git' is not allowed in these paths";
  if (Components(path).front() == ".orchestrate")
    return entry + " is inside .orchestrate/, which holds the worktrees themselves";
  return "";
}

std::string InputPatternProblem(std::string_view pattern) {
  std::string_view path = pattern.starts_with('!') ? pattern.substr(1) : pattern;
  std::string entry = "'inputs' pattern '" + std::string(pattern) + "'";
  if (path.empty()) return entry + " is empty: it would match nothing";
  if (path.front() == '/')
    return entry + " is an absolute path: patterns are relative to the repository root, so " +
           "it would match nothing";
  if (HasComponent(path, ".."))
    return entry + " contains '..': patterns match paths inside the repository, so it would " +
           "match nothing";
  if (HasComponent(path, "."))
    return entry + " contains a '.' component: write the path without './'";
  return "";
}

std::string EnvNameProblem(std::string_view key, std::string_view name) {
  std::string where = "'" + std::string(key) + "'";
  if (name.empty()) return where + " has an empty variable name";
  if (name.find('\0') != std::string_view::npos)
    return where + " variable names must not contain a NUL character";
  if (name.find('=') != std::string_view::npos)
    return where + " variable name '" + std::string(name) +
           "' contains '=': a name ends at the first '='";
  return "";
}

std::string EnvValueProblem(std::string_view name, std::string_view value) {
  if (value.find('\0') == std::string_view::npos) return "";
  return "'env' value of '" + std::string(name) +
         "' contains a NUL character, which no environment variable can hold";
}

std::string PromptPathProblem(std::string_view path) {
  if (!path.starts_with('/')) return "";
  return "prompt file '" + std::string(path) +
         "' is an absolute path: 'prompt' is relative to the manifest's directory (a file "
         "outside it can be reached with '../')";
}

std::string CaseCollisions::Add(std::string_view kind, std::string_view name) {
  auto [it, added] = first_.try_emplace(ToLower(name), name);
  if (added || it->second == name) return "";
  return std::string(kind) + " name '" + std::string(name) + "' differs from " + std::string(kind) +
         " '" + std::string(it->second) +
         "' only in case: names become branch and directory names, which collide on "
         "case-insensitive file systems (macOS, Windows); rename one";
}

std::optional<Diagnostic> UnsupportedCharacter(std::string_view text) {
  // U+FC36..U+FEFE are EF B0 B6 .. EF BB BE in UTF-8.
  const char* begin = text.data();
  const char* end = begin + text.size();
  for (const char* p = begin; (p = static_cast<const char*>(std::memchr(p, '\xEF', end - p)));
       ++p) {
    if (end - p < 3) break;
    unsigned code = (0xFu << 12) | (static_cast<unsigned char>(p[1]) & 0x3Fu) << 6 |
                    (static_cast<unsigned char>(p[2]) & 0x3Fu);
    bool continuation = (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80;
    if (!continuation || code < 0xFC36 || code > 0xFEFE) continue;
    std::string_view before(begin, p - begin);
    size_t line_start = before.rfind('\n') + 1;  // npos + 1 == 0
    int column = 1;
    for (size_t i = line_start; i < before.size(); ++i)
      if ((before[i] & 0xC0) != 0x80) ++column;  // count code points, not bytes
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04X", code);
    return Diagnostic{
        "",
        {static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1, column},
        std::string("character U+") + hex +
            " is not accepted in a manifest (the TOML parser mishandles "
            "U+FC36-U+FEFE); inside a \"string\" write it as \\u" +
            hex};
  }
  return std::nullopt;
}

}  // namespace orchestrate::manifest_internal
