// Git features orchestrate's commits do not have: signing, hooks, external
// clean/smudge filters. Each is said once per run
// (or, for filters, refused) instead of being silently skipped.
#include "orchestrate/repository_checks.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "file_io.h"
#include "orchestrate/error.h"

namespace fs = std::filesystem;

namespace orchestrate {
namespace {

// Names of the hooks present in `dir` (executable, not git's *.sample files).
std::vector<std::string> HooksIn(const fs::path& dir) {
  std::vector<std::string> hooks;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".sample") || !entry.is_regular_file(ec)) continue;
    if (access(entry.path().c_str(), X_OK) == 0) hooks.push_back(name);
  }
  std::sort(hooks.begin(), hooks.end());
  return hooks;
}

fs::path HooksDir(Repo& repo) {
  std::string configured = repo.ConfigString("core.hooksPath").value_or("");
  if (configured.empty()) return fs::path(repo.commondir()) / "hooks";
  if (configured.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : "") / configured.substr(2);
  }
  fs::path path(configured);
  return path.is_absolute() ? path : fs::path(repo.workdir()) / path;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Records, for each `filter=NAME` that `text` (an attributes file) assigns,
// the first file seen assigning it.
void CollectFilters(const std::string& text, const std::string& file,
                    std::map<std::string, std::string>* filters) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string word;
    words >> word;  // the pattern
    while (words >> word)
      if (word.rfind("filter=", 0) == 0) filters->emplace(word.substr(7), file);
  }
}

void CollectFiltersIn(const fs::path& file, const std::string& shown,
                      std::map<std::string, std::string>* filters) {
  if (std::optional<std::string> text = ReadWholeFile(file.string()))
    CollectFilters(*text, shown, filters);
}

// The attributes file that applies to every repository of this user:
// core.attributesFile, else $XDG_CONFIG_HOME/git/attributes or
// ~/.config/git/attributes.
fs::path GlobalAttributes(Repo& repo) {
  const char* home = std::getenv("HOME");
  std::string configured = repo.ConfigString("core.attributesFile").value_or("");
  if (configured.starts_with("~/")) return fs::path(home ? home : "") / configured.substr(2);
  if (!configured.empty()) return configured;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return fs::path(xdg) / "git" / "attributes";
  return fs::path(home ? home : "") / ".config" / "git" / "attributes";
}

}  // namespace

std::vector<std::string> RepositoryCaveats(Repo& repo) {
  std::vector<std::string> caveats;
  if (repo.ConfigBool("commit.gpgsign"))
    caveats.push_back(
        "commit.gpgsign is set, but orchestrate's commits (phase results, merges, the target "
        "branch) are not signed; your own commits still are. Sign the target's commits before "
        "publishing them if your project requires signatures");
  std::vector<std::string> hooks = HooksIn(HooksDir(repo));
  if (!hooks.empty())
    caveats.push_back("this repository has git hooks (" + JoinNames(hooks) +
                      "), which orchestrate's own commits and checkouts do not run; run such "
                      "checks as a phase's `verify` commands");
  return caveats;
}

void RefuseExternalFilters(Repo& repo) {
  // name -> (kind, command) of every driver with an external command; none
  // configured (the usual case) costs no look at any attributes file.
  std::map<std::string, std::pair<std::string, std::string>> drivers;
  for (const auto& [key, command] : repo.ConfigMatching("^filter\\..+\\.(clean|smudge|process)$")) {
    size_t last_dot = key.rfind('.');
    drivers.emplace(key.substr(7, last_dot - 7), std::make_pair(key.substr(last_dot + 1), command));
  }
  if (drivers.empty()) return;
  // Every attributes file git would read: each .gitattributes in the
  // checked-out commit (at any depth), the work tree's root one (perhaps
  // not committed yet), info/attributes and the user's global file.
  std::map<std::string, std::string> named;  // filter -> the file assigning it
  if (std::optional<ObjectId> head = repo.HeadCommit()) {
    repo.WalkTree(repo.TreeOf(*head), [&](const std::string& path, const ObjectId& blob) {
      if (path == ".gitattributes" || path.ends_with("/.gitattributes"))
        CollectFilters(repo.ReadBlob(blob), path, &named);
    });
  }
  CollectFiltersIn(fs::path(repo.workdir()) / ".gitattributes", ".gitattributes", &named);
  CollectFiltersIn(fs::path(repo.commondir()) / "info" / "attributes", ".git/info/attributes",
                   &named);
  fs::path global = GlobalAttributes(repo);
  CollectFiltersIn(global, global.string(), &named);
  for (const auto& [name, file] : named) {
    auto driver = drivers.find(name);
    if (driver == drivers.end()) continue;
    const auto& [kind, command] = driver->second;
    throw UsageError(
        file + " assigns filter=" + name + ", whose " + kind + " command (`" + command +
        "`) orchestrate cannot run: its worktrees are written and committed by libgit2, which "
        "runs no external filter, so phases would see and commit unfiltered content (for "
        "git-lfs: pointer files instead of the real files, and new large files committed "
        "raw). orchestrate does not support repositories with such filters yet");
  }
}

std::string UnresolvedBaseMessage(const std::string& rev, bool shallow_clone) {
  std::string text = "cannot resolve base '" + rev + "' to a commit (check settings.base or --base";
  if (shallow_clone)
    return text +
           "; this is a shallow clone, whose history may not reach it: fetch deeper with "
           "`git fetch --deepen N` or `git fetch --unshallow`)";
  return text + "; a new repository needs a first commit)";
}

}  // namespace orchestrate
