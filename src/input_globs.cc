// `inputs` globs (SPEC section 4): gitignore-like patterns on paths relative
// to the repository root. See docs/caching.md for the exact rules.
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/cache.h"

namespace orchestrate {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Matches `c` against the bracket expression starting at glob[i] ('[').
// Sets `next` past the closing ']'. Returns false with next == i when the
// bracket is not closed (then '[' is a literal character).
bool MatchBracket(std::string_view glob, size_t i, char c, size_t* next) {
  size_t j = i + 1;
  bool negated = j < glob.size() && (glob[j] == '!' || glob[j] == '^');
  if (negated) ++j;
  bool matched = false;
  for (bool first = true; j < glob.size() && (first || glob[j] != ']'); first = false) {
    char lo = glob[j];
    char hi = lo;
    if (j + 2 < glob.size() && glob[j + 1] == '-' && glob[j + 2] != ']') {
      hi = glob[j + 2];
      j += 2;
    }
    if (lo <= c && c <= hi) matched = true;
    ++j;
  }
  if (j >= glob.size()) {
    *next = i;
    return false;
  }
  *next = j + 1;
  return matched != negated;
}

// Matches one character-level element of `glob` at `gi` against `c`;
// advances `gi` past it. `*` is handled by the caller.
bool MatchOne(std::string_view glob, size_t* gi, char c) {
  char g = glob[*gi];
  if (g == '?') {
    ++*gi;
    return true;
  }
  if (g == '[') {
    size_t next;
    if (MatchBracket(glob, *gi, c, &next)) {
      *gi = next;
      return true;
    }
    if (next != *gi) return false;  // a closed bracket that did not match
  }
  if (g == '\\' && *gi + 1 < glob.size()) g = glob[++*gi];
  ++*gi;
  return g == c;
}

// `*`, `?`, `[...]` and `\x` within one path component. Greedy with
// backtracking to the last `*`: O(len(glob) * len(name)).
bool MatchComponent(std::string_view glob, std::string_view name) {
  size_t gi = 0, ni = 0;
  size_t star_gi = std::string_view::npos, star_ni = 0;
  while (ni < name.size()) {
    if (gi < glob.size() && glob[gi] == '*') {
      star_gi = ++gi;
      star_ni = ni;
      continue;
    }
    size_t probe = gi;
    if (gi < glob.size() && MatchOne(glob, &probe, name[ni])) {
      gi = probe;
      ++ni;
      continue;
    }
    if (star_gi == std::string_view::npos) return false;
    gi = star_gi;
    ni = ++star_ni;
  }
  while (gi < glob.size() && glob[gi] == '*') ++gi;
  return gi == glob.size();
}

// Component-wise match; a `**` component matches zero or more components,
// except as the last component, where it matches one or more ("src/**" is
// everything inside src).
// Matches pat[pi..] against path[si..end).
bool MatchComponents(const std::vector<std::string_view>& pat, size_t pi,
                     const std::vector<std::string_view>& path, size_t si, size_t end) {
  if (pi == pat.size()) return si == end;
  if (pat[pi] == "**") {
    size_t min_skip = pi + 1 == pat.size() ? 1 : 0;
    for (size_t k = si + min_skip; k <= end; ++k)
      if (MatchComponents(pat, pi + 1, path, k, end)) return true;
    return false;
  }
  return si < end && MatchComponent(pat[pi], path[si]) &&
         MatchComponents(pat, pi + 1, path, si + 1, end);
}

// One pattern, already stripped of its leading '!'. It matches the path
// itself or any directory above it ("src" selects everything under src);
// a trailing '/' restricts it to directories.
bool MatchPattern(std::string_view pattern, const std::vector<std::string_view>& path) {
  bool dir_only = !pattern.empty() && pattern.back() == '/';
  std::vector<std::string_view> pat = SplitPath(pattern);
  if (pat.empty()) return false;
  size_t longest = dir_only ? path.size() - 1 : path.size();
  for (size_t len = 1; len <= longest; ++len)
    if (MatchComponents(pat, 0, path, 0, len)) return true;
  return false;
}

}  // namespace

bool MatchesInputs(const std::vector<std::string>& patterns, const std::string& path) {
  std::vector<std::string_view> parts = SplitPath(path);
  if (parts.empty()) return false;
  bool selected = false;
  for (const std::string& pattern : patterns) {
    bool exclude = !pattern.empty() && pattern[0] == '!';
    std::string_view body = exclude ? std::string_view(pattern).substr(1) : pattern;
    if (MatchPattern(body, parts)) selected = !exclude;
  }
  return selected;
}

}  // namespace orchestrate
