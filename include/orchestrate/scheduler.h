// What can start next: Ninja's Plan for phases. Per-phase pending counts,
// the job limit, pool depths, priority and critical path. No I/O, no clock.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestrate/graph.h"

namespace orchestrate {

/// A phase's life in the scheduler:
///   waiting --(all deps succeeded)--> ready --PopReady--> evaluating
///   evaluating --Finish(ok)--> done (it was fresh: no job slot used)
///   evaluating --Enqueue--> queued --PopRunnable--> running
///   running --Finish--> done | running --Requeue--> evaluating (re-Enqueue later)
/// A phase whose dependency did not succeed becomes blocked, as do its
/// dependents in turn.
class Scheduler {
 public:
  /// `jobs` >= 1 bounds running phases.
  Scheduler(const Graph& graph, int jobs);

  /// Limits members of pool `name` to `depth` running at once.
  void SetPoolDepth(const std::string& name, int depth);

  /// Adds the phases to schedule (any order). Dependencies outside this set
  /// count as already succeeded.
  void Add(const std::vector<int>& phases);

  /// Phases whose deps have all succeeded and that have not been handed out
  /// yet, in topo order. The caller decides fresh (Finish) or stale (Enqueue).
  std::vector<int> PopReady();

  /// Queue a ready phase for a job slot.
  void Enqueue(int phase);

  /// The best queued phase that may start now (highest priority, then
  /// longest critical path, then manifest order), marked running; empty
  /// when none may. Nothing starts after StopStarting().
  std::optional<int> PopRunnable();

  /// A running phase gives back its slot without finishing (rate limited);
  /// it is neither queued nor done until Enqueue'd again.
  void Requeue(int phase);

  /// A phase handed out by PopReady or PopRunnable ended. On failure every
  /// transitive dependent in the set becomes blocked; returns those, in topo
  /// order.
  std::vector<int> Finish(int phase, bool succeeded);

  /// No phase starts from now on (--fail-fast, interrupt). Ready and queued
  /// phases stay undone.
  void StopStarting() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  int running() const { return running_; }
  /// Phases neither done nor blocked.
  int remaining() const { return remaining_; }
  /// True when nothing is running, and nothing is ready, queued or evaluating
  /// (either everything is done/blocked, or StopStarting left the rest).
  bool Idle() const;

 private:
  enum class State { kOutside, kWaiting, kReady, kEvaluating, kQueued, kRunning, kDone, kBlocked };
  bool MayStart(int phase) const;

  const Graph& graph_;
  int jobs_;
  bool stopped_ = false;
  int running_ = 0;
  int remaining_ = 0;
  int handed_out_ = 0;  ///< evaluating phases
  std::vector<State> state_;
  std::vector<int> pending_;  ///< deps not yet succeeded
  std::vector<int> ready_;
  std::set<int> queued_;
  std::map<std::string, int> pool_depth_;
  std::map<std::string, int> pool_running_;
};

}  // namespace orchestrate
