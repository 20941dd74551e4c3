// Git features orchestrate's commits do not have: signing, hooks, external
// clean/smudge filters; and shallow history. Each is said once per run
// (or, for filters, refused) instead of being silently skipped.
#include "orchestrate/repository_checks.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

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

// The filter drivers named by `filter=NAME` in an attributes file.
void CollectFilters(const fs::path& file, std::set<std::string>* filters) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string word;
    words >> word;  // the pattern
    while (words >> word)
      if (word.rfind("filter=", 0) == 0) filters->insert(word.substr(7));
  }
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
  if (repo.IsShallow())
    caveats.push_back(
        "this repository is a shallow clone: if the run stops with \"object not found\", the "
        "history it needs is missing; run `git fetch --unshallow` (or fetch deeper) first");
  return caveats;
}

void RefuseExternalFilters(Repo& repo) {
  std::set<std::string> filters;
  CollectFilters(fs::path(repo.workdir()) / ".gitattributes", &filters);
  CollectFilters(fs::path(repo.commondir()) / "info" / "attributes", &filters);
  if (filters.empty()) return;
  for (const std::string& name : filters) {
    for (const char* kind : {"process", "clean", "smudge"}) {
      std::string command = repo.ConfigString("filter." + name + "." + kind).value_or("");
      if (command.empty()) continue;
      throw UsageError(
          ".gitattributes assigns filter=" + name + ", whose " + kind + " command (`" + command +
          "`) orchestrate cannot run: its worktrees are written and committed by libgit2, which "
          "runs no external filter, so phases would see and commit unfiltered content (for "
          "git-lfs: pointer files instead of the real files, and new large files committed "
          "raw). orchestrate does not support repositories with such filters yet");
    }
  }
}

}  // namespace orchestrate
