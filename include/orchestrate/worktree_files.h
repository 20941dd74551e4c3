// Putting the user's untracked files into a phase's worktree
// (settings.worktree_copy and worktree_link) without ever writing outside it.
#pragma once

#include <string>

#include "orchestrate/manifest.h"

namespace orchestrate {

/// Copies each `settings.worktree_copy` entry from `repo_root` into
/// `worktree` (directories recursively) and symlinks each
/// `settings.worktree_link` entry. Entries missing from `repo_root` are
/// skipped. A destination, or a directory on the way to it, that is a
/// symbolic link in the worktree (a phase may have committed one, pointing
/// anywhere) is never written through: throws PhaseFailure naming it.
/// Throws std::filesystem::filesystem_error when a copy fails.
void CopyAndLinkIntoWorktree(const std::string& repo_root, const std::string& worktree,
                             const Settings& settings);

}  // namespace orchestrate
