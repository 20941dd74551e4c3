// The environment variables through which git finds a repository. A phase
// must not inherit them: with GIT_DIR or GIT_INDEX_FILE set by whoever
// started orchestrate (a git hook, an editor, `git rebase -x`), a phase's
// `git commit` would land in the user's repository and index instead of the
// phase's worktree. The list is git's own `local_repo_env` (environment.c),
// plus GIT_CEILING_DIRECTORIES and GIT_DISCOVERY_ACROSS_FILESYSTEM, which
// change how a worktree is found.
#include "orchestrate/repository_environment.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace orchestrate {
namespace {

constexpr std::array<std::string_view, 19> kRepositoryVariables = {
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
    "GIT_DIR",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_GRAFT_FILE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_NAMESPACE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX",
    "GIT_REPLACE_REF_BASE",
    "GIT_SHALLOW_FILE",
    "GIT_WORK_TREE",
};

bool IsRepositoryVariable(std::string_view entry) {
  std::string_view name = entry.substr(0, entry.find('='));
  // GIT_CONFIG_KEY_<n>/GIT_CONFIG_VALUE_<n> mean nothing without
  // GIT_CONFIG_COUNT; they go with it.
  if (name.starts_with("GIT_CONFIG_KEY_") || name.starts_with("GIT_CONFIG_VALUE_")) return true;
  return std::find(kRepositoryVariables.begin(), kRepositoryVariables.end(), name) !=
         kRepositoryVariables.end();
}

}  // namespace

std::vector<std::string> WithoutRepositoryVariables(std::vector<std::string> env) {
  std::erase_if(env, [](const std::string& entry) { return IsRepositoryVariable(entry); });
  return env;
}

}  // namespace orchestrate
