// The run-time model of one run, in the spirit of Ninja's build.h: the graph
// and one PhaseRun per phase, indexed like the graph's nodes. The Builder
// (src/run_internal.h) updates only this; the state file (RunState, read by
// `status`, `log`, `clean` and the next run) is a projection of it, written
// at checkpoints.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestrate/cache.h"
#include "orchestrate/events.h"
#include "orchestrate/graph.h"
#include "orchestrate/phase_execution.h"
#include "orchestrate/run_state.h"

namespace orchestrate {

/// What a run knows only of a phase it decided to run: its key's parts, why
/// and where it runs, its attempts and waits. Behind a pointer in its
/// PhaseRun, as its outcome is: most phases of a run are usually fresh, and
/// these are 280 of the 456 bytes a PhaseRun had, each touched once at every
/// start (docs/performance.md, "Eleventh round" and "Twelfth round").
struct PhaseWork {
  KeyComponents components;  ///< stored in its cache record
  /// A person rejected its recorded result: the text for its first
  /// attempt's feedback file; its success replaces that record.
  std::string rejection;
  std::string worktree_name;  ///< the pool's worktree it runs in
  /// The tokens and cost this run spent on it: every attempt's, requeued
  /// and failed ones included.
  Usage usage;
  std::string reason;  ///< why it runs (the planner's reason)
  int job_slot = -1;
  int attempts_done = 0;
  int requeues = 0;
  double wait_s = 0;    ///< the wait of its last requeue
  double waited_s = 0;  ///< total time spent waiting out rate limits
  bool started_before = false;
  bool in_runner = false;  ///< started and not ended yet
  std::chrono::steady_clock::time_point started;
  int64_t started_at = 0;
};

/// Everything a run knows about one phase.
struct PhaseRun {
  /// Its state (SPEC section 3), the one the state file shows: the last
  /// run's (kStale if none) until this run reaches the phase.
  PhaseState state = PhaseState::kStale;
  /// This run reached it (fresh, started, blocked, ...): `state` is this run's.
  bool reached = false;
  /// Its cache record's result stands in for running it. A phase outside
  /// the selection is reused, unreached, to keep its place in the target.
  bool reused = false;

  /// Its result counts for this run: reached and succeeded or fresh, or
  /// reused without being reached.
  bool Succeeded() const { return reached ? IsSuccess(state) : reused; }

  // --- what this run knows -------------------------------------------------------
  std::string key;
  ObjectId input;  ///< what it started from (recorded for fresh phases)
  ObjectId result;
  ObjectId result_tree;
  std::string handoff;
  double record_duration_s = 0;  ///< of the reused cache record, when fresh
  int record_attempts = 0;       ///< of the reused cache record, when fresh
  /// How its last attempt ended (commands, failure, log tail, requeue);
  /// null until one ended. Behind a pointer: most phases of a run are
  /// fresh, and a PhaseOutcome is a third of a PhaseRun's bytes.
  std::unique_ptr<PhaseOutcome> ended;
  /// What only a phase this run decided to run has; null for the others.
  std::unique_ptr<PhaseWork> work;
  /// Its PhaseWork, made on first use.
  PhaseWork& Work();
  /// Its PhaseWork, or an empty one when it has none.
  const PhaseWork& WorkOrNone() const;

  // --- its line of the state file ---------------------------------------------
  /// The outcome of the last run that touched the phase, updated as this
  /// one goes; null while no run has touched it. It lives in the Build's
  /// bookkeeping, where the state file was read into: loading moves no
  /// record. Its `state` is not used: State() writes the PhaseRun's.
  PhaseRecord* recorded = nullptr;
};

class Build {
 public:
  explicit Build(const Manifest& manifest) : graph_(manifest) {}
  Build(const Build&) = delete;
  Build& operator=(const Build&) = delete;

  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }
  int size() const { return graph_.size(); }
  PhaseRun& operator[](int p) { return phases_[p]; }
  const PhaseRun& operator[](int p) const { return phases_[p]; }

  /// Starts from the state file as the last run left it: each graph
  /// phase's PhaseRun points at its record, the rest is kept as it is.
  void Load(RunState state);
  /// The state file's content: the bookkeeping, with each graph phase's
  /// record in the state its PhaseRun has.
  RunState State() const;
  /// The state file as read and updated: the records of every phase (the
  /// graph's are reached through their PhaseRun), failed and succeeded
  /// keys, worktrees, the run line; shared with the planner and the
  /// worktree pool.
  RunState& bookkeeping() { return bookkeeping_; }
  const RunState& bookkeeping() const { return bookkeeping_; }

  /// Phase `p`'s record, made when it has none.
  PhaseRecord& Recorded(int p);
  /// The record of the phase named `name`, in the graph or not, made when
  /// it has none.
  PhaseRecord& Recorded(const std::string& name);
  /// Every phase (in the graph or not) the state file shows running or
  /// requeued becomes interrupted; true if any did.
  bool InterruptLeftRunning();

 private:
  Graph graph_;
  std::vector<PhaseRun> phases_;
  RunState bookkeeping_;  ///< std::map: a PhaseRun's pointer into it stays valid
  /// The records of phases the graph does not have.
  std::vector<PhaseRecord*> outside_;
};

// --- the events of a phase, built from its PhaseRun (build_events.cc) ------------

/// kPhaseFresh: its cache record is reused.
Event FreshEvent(const Build& build, int p);
/// kPhaseStarted, once its record shows where it runs.
Event StartedEvent(const Build& build, int p);
/// kPhaseRequeued: it waits out a rate limit.
Event RequeuedEvent(const Build& build, int p);
/// kPhaseFinished of a phase that ran or could not start (input-conflict).
Event FinishedEvent(const Build& build, int p);
/// kPhaseFinished of a phase blocked by a dependency.
Event BlockedEvent(const Build& build, int p);

}  // namespace orchestrate
