// What can start next: Ninja's Plan for phases. Per-phase pending counts,
// the job limit, pool depths, priority and critical path. No I/O, no clock.
#pragma once

#include <functional>
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
  /// `jobs` >= 1 bounds running phases. The graph's critical paths must not
  /// change while phases are queued.
  Scheduler(const Graph& graph, int jobs);

  /// Limits members of pool `name` to `depth` (>= 1) running at once. Pools
  /// never given a depth are unlimited.
  void SetPoolDepth(const std::string& name, int depth);

  /// Adds the phases to schedule (any order). Dependencies outside this set
  /// count as already succeeded. A later Add may only add phases whose
  /// dependents are not in the set yet.
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

  /// A paused pool starts none of its phases until resumed (a member hit a
  /// rate limit the others would hit too). Unknown pools are ignored.
  void PausePool(const std::string& name, bool paused);

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
  enum class State {
    kOutside,
    kWaiting,
    kReady,
    kEvaluating,
    kQueued,
    kRunning,
    kDone,
    kFailed,
    kBlocked
  };
  /// Queue order: higher priority, then longer critical path, then lower index.
  struct QueueOrder {
    const Graph* graph;
    bool operator()(int a, int b) const;
  };
  using Queue = std::set<int, QueueOrder>;
  /// Queued phases of one pool (the phases without a pool form pool 0, of
  /// unlimited depth). Only the pool's best phase competes in `queued_`, and
  /// only while the pool has a free slot: PopRunnable never skips phases.
  struct PoolQueue {
    int depth;
    int running = 0;
    Queue waiting;
    bool paused = false;
  };

  int PoolIndex(const std::string& name);
  bool HasFreeSlot(const PoolQueue& pool) const {
    return !pool.paused && pool.running < pool.depth;
  }
  /// Puts the pool's best waiting phase into `queued_` when it has a free slot.
  void Promote(int pool);
  /// Takes the pool's best waiting phase out of `queued_`.
  void Demote(int pool);
  void ReleaseSlot(int phase);
  /// Counts a newly added phase's pending deps; ready or blocked at once.
  void Admit(int phase);
  void MakeReady(int phase);
  std::vector<int> BlockDependents(int phase);
  void SortByTopo(std::vector<int>* phases) const;
  void Expect(int phase, State state, const char* operation) const;

  const Graph& graph_;
  int jobs_;
  bool stopped_ = false;
  int running_ = 0;
  int remaining_ = 0;
  int handed_out_ = 0;  ///< evaluating phases
  int queued_count_ = 0;
  std::vector<State> state_;
  std::vector<int> pending_;   ///< deps not yet succeeded
  std::vector<int> topo_pos_;  ///< position of each phase in the graph's topo order
  std::vector<int> pool_of_;   ///< index into pools_, for phases in the set
  std::vector<int> ready_;
  Queue queued_;  ///< the best phase of each pool with a free slot
  std::vector<PoolQueue> pools_;
  std::map<std::string, int, std::less<>> pool_index_;  ///< pool name -> index into pools_
};

}  // namespace orchestrate
