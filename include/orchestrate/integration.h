// Merging results without a checkout: a phase's input (the base merged
// with its dependencies' results) and the target branch (the base merged
// with every result, in dependency order).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "orchestrate/git.h"

namespace orchestrate {

/// A named result commit.
struct PhaseResult {
  std::string phase;
  ObjectId commit;
  ObjectId input;                 ///< what the phase started from; empty when unknown
  std::vector<std::string> deps;  ///< its dependencies (for MergeTarget)
};

/// Merging stopped at `phase`: these paths conflict with what came before.
struct MergeFailure {
  std::string phase;
  std::vector<std::string> paths;
};

struct MergeOutcome {
  ObjectId commit;                     ///< valid when failures is empty
  std::vector<MergeFailure> failures;  ///< for inputs: the first; for targets: all
};

/// The base merged with each result in order. Deterministic: the same
/// inputs give the same commit id. Stops at the first conflict.
MergeOutcome MergeInput(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& deps);

/// The target: like MergeInput but a conflicting result is skipped so that
/// every conflict is found. A result whose input is known and whose deps are
/// all merged already is merged with its input as the merge base, without
/// walking history, so merging n results costs O(n), not O(n^2).
MergeOutcome MergeTarget(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& results);

/// Throws UsageError when `target` must not be moved: it holds commits
/// orchestrate did not write, or it is the branch the user has checked out.
void CheckTarget(Repo& repo, const std::string& target);

/// Moves `target` to `commit` and remembers it as orchestrate's own.
void UpdateTarget(Repo& repo, const std::string& target, const ObjectId& commit);

}  // namespace orchestrate
