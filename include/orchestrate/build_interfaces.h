// What the Builder (RunPhases, src/run_internal.h) receives instead of
// calling the outside world itself, as Ninja's Builder receives a
// CommandRunner and a DiskInterface: a store (the repository, the cache,
// the workspace's files), a phase runner (worker threads running commands)
// and a clock. Production implementations wrap the real thing
// (git_build_store.cc, thread_phase_runner.cc, BuildClock::System);
// tests/support/fake_build.h has fakes that run a build in milliseconds.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "orchestrate/cache.h"
#include "orchestrate/graph.h"
#include "orchestrate/integration.h"
#include "orchestrate/phase_execution.h"
#include "orchestrate/planner.h"
#include "orchestrate/run_state.h"
#include "orchestrate/workspace.h"

namespace orchestrate {

/// Steady time for durations and waits, wall time for what is shown and saved.
class BuildClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~BuildClock() = default;
  virtual TimePoint Now() const = 0;
  virtual std::time_t WallNow() const = 0;
  /// The system's clocks.
  static BuildClock& System();
};

/// A phase's worker ended.
struct PhaseEnd {
  int phase = -1;
  PhaseOutcome outcome;
};

/// Runs phases concurrently (Ninja's CommandRunner). Used from the Builder's
/// thread only; `emit` may be called from any thread (the Builder serializes).
class PhaseRunner {
 public:
  virtual ~PhaseRunner() = default;
  /// Starts phase `phase` with `job`; its end comes back from Wait.
  virtual void Start(int phase, PhaseJob job, EmitFn emit) = 0;
  /// Waits up to `timeout` for started phases to end; returns those that
  /// did, possibly none. This is where a run waits.
  virtual std::vector<PhaseEnd> Wait(std::chrono::milliseconds timeout) = 0;
  /// Asks every running phase to stop; their ends still come from Wait.
  virtual void Cancel() = 0;
  /// Cancels and waits for every running phase, dropping their ends.
  virtual void Abort() = 0;
};

/// Everything else a run reads or changes: the workspace (.orchestrate),
/// the repository (through libgit2) and the result cache.
class BuildStore {
 public:
  virtual ~BuildStore() = default;

  // --- the workspace ----------------------------------------------------------
  /// Prepares .orchestrate/ and takes the run lock. Throws UsageError when
  /// another run holds it.
  virtual void Lock() = 0;
  /// Releases the lock now (a run whose memory is left to the exit).
  virtual void Unlock() = 0;
  virtual RunState LoadState() = 0;
  /// Throws InfraError when the file cannot be written.
  virtual void SaveState(const RunState& state) = 0;
  /// Reaps what a killed run left behind (process groups, worktree debris);
  /// returns what it did, one line each.
  virtual std::vector<std::string> Recover() = 0;
  /// Names of the worktrees on disk.
  virtual std::vector<std::string> Worktrees() = 0;
  /// Hooks that record the process groups of the phase in job slot `slot`
  /// for crash recovery (recovery.h); `marker` is the run's environment entry.
  virtual ProcessHooks RecordProcessGroups(int slot, const std::string& marker) = 0;
  /// A prompt file's text. Throws InfraError when it cannot be read.
  virtual std::string ReadPromptFile(const std::string& path) = 0;
  /// The last `lines` lines of a phase's log.
  virtual std::string LogTail(const std::string& phase, int lines) = 0;

  // --- the repository --------------------------------------------------------
  virtual std::optional<ObjectId> ResolveCommit(const std::string& rev) = 0;
  /// The repository is a shallow clone (explains a base that cannot be found).
  virtual bool IsShallow() = 0;
  /// The user's checkout has uncommitted changes besides the manifest files.
  virtual bool HasUncommittedChanges() = 0;
  virtual ObjectId TreeOf(const ObjectId& commit) = 0;
  /// MergeInput (integration.h): `deps` are the direct ones; `closure`
  /// gives every transitive one with its input, when asked.
  virtual MergeOutcome MergeInput(const ObjectId& base, const std::vector<PhaseResult>& deps,
                                  const DepClosure& closure) = 0;
  virtual MergeOutcome MergeTarget(const ObjectId& base,
                                   const std::vector<PhaseResult>& results) = 0;
  /// Throws UsageError when `target` must not be moved (integration.h).
  virtual void CheckTarget(const std::string& target) = 0;
  virtual void UpdateTarget(const std::string& target, const ObjectId& commit) = 0;

  // --- the cache -----------------------------------------------------------------
  /// Readies Decide and PlanAll for this run (planner.h).
  virtual void StartPlanning(const Graph& graph, const RunState& state, const ObjectId& base,
                             const PlannerOptions& options) = 0;
  virtual PhaseDecision Decide(int phase, std::span<const DepResult> deps) = 0;
  virtual std::vector<PhaseDecision> PlanAll(const std::vector<int>& selected) = 0;
  /// Stores a succeeded phase's record (ResultCache::Store).
  virtual void StoreRecord(const Record& record, bool replace) = 0;
  /// A person's decision on `result` of `phase` (approval.h), if any.
  virtual std::optional<Decision> DecisionOn(const std::string& phase, const ObjectId& result) = 0;
  /// Where the cache reports records it ignores; null: nowhere.
  virtual void SetWarningSink(std::function<void(const std::string&)> sink) = 0;
  /// Saves what the cache learnt during the run (the record index).
  virtual void Flush() = 0;
};

/// The store of `project`, the real repository and cache.
std::unique_ptr<BuildStore> MakeGitBuildStore(Project& project);
/// Runs each phase on its own thread with ExecutePhase.
std::unique_ptr<PhaseRunner> MakeThreadPhaseRunner();

}  // namespace orchestrate
