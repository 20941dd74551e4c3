// The environment a phase's commands get, as far as git is concerned.
#pragma once

#include <string>
#include <vector>

namespace orchestrate {

/// `env` ("KEY=VALUE" entries) without the variables that tell git where a
/// repository, its index or its objects are (GIT_DIR, GIT_WORK_TREE,
/// GIT_INDEX_FILE, ...: git's own `local_repo_env` list), so that a phase's
/// git commands find the phase's worktree, never the user's checkout.
std::vector<std::string> WithoutRepositoryVariables(std::vector<std::string> env);

}  // namespace orchestrate
