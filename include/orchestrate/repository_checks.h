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
/// them).
std::vector<std::string> RepositoryCaveats(Repo& repo);

/// Throws UsageError when an attributes file git would read (any
/// .gitattributes of the checked-out commit, the work tree's root one,
/// .git/info/attributes, the user's global file) assigns a `filter=NAME`
/// whose driver is configured with a clean, smudge or process command
/// (git-lfs, git-crypt): libgit2 runs no external filter, so phases would
/// see and commit unfiltered content (pointer text, ciphertext, raw large
/// files). Reads no attributes file when no such driver is configured.
void RefuseExternalFilters(Repo& repo);

/// The message for a base revision `rev` that names no commit; in a
/// shallow clone it says that the history may be missing and how to fetch it.
std::string UnresolvedBaseMessage(const std::string& rev, bool shallow_clone);

}  // namespace orchestrate
