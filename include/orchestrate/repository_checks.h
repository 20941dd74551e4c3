// What a repository's git set-up means for a run, checked once at its start:
// features orchestrate's own git work (libgit2) does not provide.
#pragma once

#include <string>
#include <vector>

#include "orchestrate/git.h"

namespace orchestrate {

/// One line each for set-ups whose effect on orchestrate's commits the user
/// should know about, or nothing: commit.gpgsign (orchestrate's commits are
/// not signed), git hooks (orchestrate's commits and checkouts do not run
/// them), a shallow clone (merges needing missing history fail).
std::vector<std::string> RepositoryCaveats(Repo& repo);

/// Throws UsageError when the repository's root .gitattributes or
/// .git/info/attributes assign a `filter=NAME` whose driver is configured
/// with a clean, smudge or process command (git-lfs, git-crypt): libgit2
/// runs no external filter, so phases would see and commit unfiltered
/// content (pointer text, ciphertext, raw large files).
void RefuseExternalFilters(Repo& repo);

}  // namespace orchestrate
