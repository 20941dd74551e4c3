// Decides, for each phase, whether its recorded result can be reused
// (fresh) or it must run (stale), and why. Shared by `plan`, `run`,
// `status` and `explain`. Reads git trees and cache records; writes nothing.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "orchestrate/approval.h"
#include "orchestrate/cache.h"
#include "orchestrate/git.h"
#include "orchestrate/graph.h"
#include "orchestrate/run_state.h"

namespace orchestrate {

/// What a phase will do and why.
struct PhaseDecision {
  int phase = -1;
  /// The state the plan gives the phase, one of: kStale (it runs), kFresh
  /// (its record stands in), kBlocked (a dependency will not give it a
  /// result: it awaits approval, or is blocked itself) and
  /// kAwaitingApproval (its recorded result stands, but a person has not
  /// approved it yet: `approval = true`).
  PhaseState action = PhaseState::kStale;
  std::string reason;  ///< for kStale: why ("never run", "command changed", ...)
  std::string key;     ///< empty when a dependency must run first
  /// What the key was hashed from; for a fresh phase only with
  /// PlannerOptions::components_of_fresh.
  KeyComponents components;
  std::optional<Record> record;  ///< the reused record when fresh (or awaiting approval)
  /// kRun after a person rejected the recorded result: the text for its
  /// first attempt's ORCHESTRATE_FEEDBACK_FILE. Its success replaces that
  /// record (same key).
  std::string rejection;
};

/// What `plan` calls the decision: "run" for kStale, else the state's name.
std::string_view PlanAction(PhaseState action);

/// SPEC section 3 item 8, for a phase with `approval = true` whose record
/// `d` would reuse (kFresh): approved, it stays fresh; undecided, it awaits
/// approval; rejected, it runs again with the rejection's text. Does
/// nothing to other decisions.
void ApplyApproval(const Phase& phase, const std::optional<Decision>& decision, PhaseDecision* d);

struct PlannerOptions {
  std::set<std::string> force;  ///< --force PHASE
  bool always = false;          ///< -B/--always
  /// Fresh decisions keep their key components too (`explain`); a run
  /// needs them only for the phases that run.
  bool components_of_fresh = false;
};

class Planner {
 public:
  /// Reads prompt files (relative to the manifest) and the environment now,
  /// as the run starts. Throws UsageError when a prompt cannot be read.
  Planner(const Graph& graph, Repo& repo, ResultCache& cache, const RunState& state,
          const ObjectId& base_commit, PlannerOptions options);

  /// The decision for phase `p` whose dependencies' results are known.
  PhaseDecision Decide(int p, std::span<const DepResult> deps);

  /// A dry run over `selected` (topo order): fresh phases feed their
  /// recorded result trees to dependents; a dependent of a phase that must
  /// run is itself "run" with reason "dependency X will run"; a dependent
  /// of one awaiting approval (or blocked) is blocked.
  std::vector<PhaseDecision> PlanAll(const std::vector<int>& selected);

  const ObjectId& base_tree() const { return base_tree_; }

 private:
  std::string WhyStale(const Phase& phase, const KeyComponents& now, const std::string& key);
  /// ": a, b and 3 more": the paths that differ between the base commit
  /// `then` and this run's base; "" when that cannot be told.
  std::string BaseChanges(const ObjectId& then);
  /// Leaves the manifest, prompt files and directories of prompts out of
  /// the base content.
  void ExcludeOwnFiles();
  /// `path` is one of own_files_ or inside one of its directories.
  bool IsOwnFile(const std::string& path) const;
  /// The content id of a dependency's result tree (ContentIdExcluding),
  /// computed once per tree: many phases share their dependencies.
  const ObjectId& ContentId(const ObjectId& tree);

  const Graph& graph_;
  Repo& repo_;
  ResultCache& cache_;
  const RunState& state_;
  PlannerOptions options_;
  ObjectId base_tree_;
  KeyInputs inputs_;  ///< deps: of the phase being decided
  KeyText key_text_;  ///< of the phase being decided
  std::unordered_map<ObjectId, ObjectId> content_ids_;
  /// Repository paths of the manifest, the prompts and their directories.
  std::set<std::string> own_files_;
  std::vector<std::pair<std::string, ObjectId>> base_files_;
};

}  // namespace orchestrate
