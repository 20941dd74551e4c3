// Merging results without a checkout: a phase's input (the base merged
// with its dependencies' results) and the target branch (the base merged
// with every result, in dependency order).
#pragma once

#include <functional>
#include <optional>
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
  /// Targets: the merged phases whose results changed those paths.
  std::vector<std::string> conflicts_with;
  /// Targets: set when `phase` itself merged cleanly but depends on this
  /// phase, which was left out (paths and conflicts_with are then empty).
  std::string left_out_with;
};

struct MergeOutcome {
  ObjectId commit;                     ///< valid when failures is empty
  std::vector<MergeFailure> failures;  ///< for inputs: the first; for targets: all
};

/// A phase's input: the base merged with each of its deps' results in
/// order (git's merge base each time). Deterministic: the same inputs give
/// the same commit id. Stops at the first conflict, but first tries the
/// way the target merges (MergeTarget): what `closure` returns (every
/// transitive dependency in dependency order, with its recorded input and
/// deps; asked for only then) merged onto the inputs. git's merge base of two deps' results can
/// predate content both hold: a dependency that re-ran to the same tree (early cutoff) leaves one
/// dependent built on its old commit and another on its new one, and the pairwise merge sees the
/// same file added twice.
using DepClosure = std::function<std::vector<PhaseResult>()>;
MergeOutcome MergeInput(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& deps,
                        const DepClosure& closure = nullptr);

/// Remembers recent target merges (.orchestrate/target_memo): a digest of
/// everything a merge depends on -> the commit it gave. Merges are
/// deterministic, so a run whose results are those of an earlier run (a
/// no-op) takes the earlier commit instead of merging every result again.
/// A missing or damaged file is an empty memo.
class TargetMemo {
 public:
  /// Entries kept: the most recent ones.
  static constexpr size_t kMaxEntries = 16;
  explicit TargetMemo(std::string path) : path_(std::move(path)) {}

  /// The digest of merging `results` onto `base`.
  static std::string Digest(const ObjectId& base, const std::vector<PhaseResult>& results);
  std::optional<ObjectId> Find(const std::string& digest) const;
  /// Records `digest` -> `commit`. Throws InfraError when it cannot write.
  void Remember(const std::string& digest, const ObjectId& commit);

 private:
  std::vector<std::pair<std::string, ObjectId>> Load() const;
  std::string path_;
};

/// The target: like MergeInput but a conflicting result is left out, with
/// every result that depends on it, and the rest is still merged (SPEC 3.5). A result whose input
/// is known and whose deps are all merged already is merged with its input as the merge base,
/// without walking history, so merging n results costs O(n), not O(n^2). With a `memo`, the same
/// merge done before costs one lookup.
MergeOutcome MergeTarget(Repo& repo, const ObjectId& base, const std::vector<PhaseResult>& results,
                         TargetMemo* memo = nullptr);

/// Throws UsageError when `target` must not be moved: it holds commits
/// orchestrate did not write, or it is the branch the user has checked out.
void CheckTarget(Repo& repo, const std::string& target);

/// Moves `target` to `commit` and remembers it as orchestrate's own.
void UpdateTarget(Repo& repo, const std::string& target, const ObjectId& commit);

}  // namespace orchestrate
