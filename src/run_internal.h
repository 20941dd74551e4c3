// Private to src/: the Builder behind RunPhases (runner.h), declared here so
// its parts can live in separate files: runner.cc (setting up, the loop,
// starting phases) and run_completion.cc (a phase ended, the end of the run).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <map>
#include <mutex>

#include "orchestrate/build.h"
#include "orchestrate/build_interfaces.h"
#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "orchestrate/integration.h"
#include "orchestrate/phase_execution.h"
#include "orchestrate/planner.h"
#include "orchestrate/process.h"
#include "orchestrate/recovery.h"
#include "orchestrate/requeue_wait.h"
#include "orchestrate/run_state.h"
#include "orchestrate/runner.h"
#include "orchestrate/scheduler.h"
#include "orchestrate/worktree_pool.h"

namespace orchestrate::run_internal {

using Clock = std::chrono::steady_clock;

/// Local wall-clock time `seconds` after `now`, "14:05:09".
inline std::string ClockTimeIn(std::time_t now, double seconds) {
  std::time_t when = now + static_cast<std::time_t>(std::ceil(seconds));
  std::tm local{};
  localtime_r(&when, &local);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

/// "a, b and c"; `none` when `names` is empty.
inline std::string JoinNames(const std::vector<std::string>& names, const std::string& none) {
  if (names.empty()) return none;
  std::string out = names[0];
  for (size_t i = 1; i < names.size(); ++i)
    out += (i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

class Run {
 public:
  /// `interrupt` is 0 until a signal asks the run to stop, then its number.
  Run(const Manifest& manifest, const Workspace& workspace, const RunOptions& options,
      EventSink& sink, BuildStore& store, PhaseRunner& runner, const BuildClock& clock,
      const std::atomic<int>& interrupt)
      : manifest_(manifest),
        ws_(workspace),
        options_(options),
        sink_(sink),
        store_(store),
        runner_(runner),
        clock_(clock),
        interrupt_(interrupt),
        build_(manifest_),
        graph_(build_.graph()) {
    // Records the cache ignores (inconsistent, badly signed) are named in
    // the run's output.
    store_.SetWarningSink([this](const std::string& warning) { Notice(warning, true); });
  }

  ~Run() {
    store_.SetWarningSink(nullptr);
    runner_.Abort();
  }
  int Execute();

 private:
  // --- before anything runs --------------------------------------------------
  void Setup();
  // Reaps what a killed run left behind: process groups and worktree debris.
  void Recover();
  void ResolveBase();
  void Select();
  // --only: the named phases run on their dependencies' recorded results.
  void SelectOnly();

  // --- events ------------------------------------------------------------------
  double Now() const { return std::chrono::duration<double>(clock_.Now() - started_).count(); }
  void Emit(Event e);
  void Notice(const std::string& text, bool warning = false);
  void FlushNotices();
  void EmitRunStarted();
  const std::string& Name(int p) const { return graph_.node(p).phase->name; }
  void SaveState();
  // The state file holds every phase, so rewriting it at each start and end made
  // a run O(n^2). A change is written at once when the last write is older
  // than save_interval_ (10x its cost, at least 100 ms), else when that is.
  void StateChanged();
  void SaveStateIfDue();
  std::chrono::milliseconds WaitLimit() const;

  // --- the loop ------------------------------------------------------------------
  void Loop();
  void CheckSignal();
  void StopEverything();
  std::vector<std::string> DepNames(int p) const;
  // Every transitive dependency of `p`, in dependency order, with its input:
  // what MergeInput merges as the target does when the direct merge conflicts.
  std::vector<PhaseResult> TransitiveDeps(int p) const;
  std::vector<DepResult> DepResults(int p) const;
  // Until nothing is ready: a fresh phase makes its dependents ready at once,
  // so a fresh graph is decided in one pass instead of a wait per layer.
  void EvaluateReady();
  void Evaluate(int p);
  // The phase's recorded result stands in for running it.
  void UseRecord(int p, Record&& record);
  void AcceptFresh(int p, Record&& record);
  // Its result (recorded earlier, or just now) waits for a person's
  // approval: not in the target, its dependents blocked.
  void AwaitApproval(int p, Record&& record);
  void AwaitApproval(int p);
  int FreeJobSlot() const;
  void StartRunnable();
  void InputConflict(int p, const std::vector<PhaseResult>& deps, const MergeFailure& f);
  PhaseJob MakeJob(int p, const ObjectId& input);
  std::string PromptOf(const Phase& phase);
  void Launch(int p, const ObjectId& input);
  // settings.budget_usd is spent and `p` is an agent phase: it must not start.
  bool OverBudget(int p) const;
  void SkipForBudget(int p);
  void WaitForCompletions(std::chrono::milliseconds timeout);

  // --- a phase ended ---------------------------------------------------------------
  void Completed(int p, PhaseOutcome o);
  // The most recent saves of a phase's work, for `status` and `log`.
  void RememberSaved(const std::string& phase, const std::string& ref);
  void RecordSuccess(int p, const PhaseOutcome& o);
  void Blocked(int b, int by);
  void Requeue(int p, const PhaseOutcome& o);
  // Adds what an execution of `p` reported to its usage and the run's spend.
  void Spent(int p, const Usage& usage);
  void PauseItsPool(int p, Clock::time_point until);
  void WakeRequeued();

  // --- the end ------------------------------------------------------------------------
  // Phases outside this run's selection keep their place in the target when
  // their recorded result is still valid for the current inputs.
  void AddFreshUnselected();
  void IntegrateTarget();
  void TargetConflicts(const std::vector<MergeFailure>& failures);
  int ExitStatus() const;
  int Finish();
  // The summary's notice when the budget left agent phases unstarted.
  void BudgetNotice();
  // What this run spent on every phase.
  Usage TotalUsage() const;
  const Manifest& manifest_;
  const Workspace& ws_;  ///< paths only: the store reads and writes
  RunOptions options_;
  EventSink& sink_;
  BuildStore& store_;
  PhaseRunner& runner_;
  const BuildClock& clock_;
  const std::atomic<int>& interrupt_;
  Build build_;   ///< the run-time model: the Builder updates only this
  Graph& graph_;  ///< build_'s graph
  std::unique_ptr<WorktreePool> pool_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<int> selected_;
  ObjectId base_;
  int jobs_ = 1;
  int running_ = 0;
  std::string run_id_;
  int signal_ = 0;
  std::string infra_error_;
  bool stopped_by_infra_ = false;
  bool target_conflict_ = false;
  bool target_refused_ = false;  ///< the target changed under the run: exit 2
  bool started_emitted_ = false;
  bool launched_ = false;            ///< some phase started: time passed since Setup
  double spent_usd_ = 0;             ///< the cost this run's attempts reported
  std::vector<int> skipped_budget_;  ///< agent phases not started: the budget was spent
  std::vector<Event> pending_notices_;
  std::map<int, Clock::time_point> requeued_;
  std::map<std::string, Clock::time_point> paused_pools_;  ///< pool -> end of its wait
  /// Open repositories per worktree name, reused by the phases run there.
  std::map<std::string, WorktreeRepos> repos_;
  Clock::time_point started_;
  Clock::time_point last_save_;
  Clock::duration save_interval_ = std::chrono::milliseconds(100);
  bool state_dirty_ = false;
  /// Something besides the run line changed in the state file (never reset): Finish
  /// writes the file only then, so a no-op run leaves it as it was.
  bool state_changed_ = false;
  std::mutex sink_mutex_;
};

}  // namespace orchestrate::run_internal
