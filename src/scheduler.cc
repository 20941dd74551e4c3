#include "orchestrate/scheduler.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace orchestrate {

bool Scheduler::QueueOrder::operator()(int a, int b) const {
  const Node& x = graph->node(a);
  const Node& y = graph->node(b);
  if (x.phase->priority != y.phase->priority) return x.phase->priority > y.phase->priority;
  if (x.critical_path != y.critical_path) return x.critical_path > y.critical_path;
  return a < b;
}

Scheduler::Scheduler(const Graph& graph, int jobs)
    : graph_(graph),
      jobs_(jobs),
      state_(graph.size(), State::kOutside),
      pending_(graph.size(), 0),
      topo_pos_(graph.size(), 0),
      pool_of_(graph.size(), 0),
      queued_(QueueOrder{&graph}) {
  if (jobs < 1) throw std::invalid_argument("Scheduler: jobs must be at least 1");
  const std::vector<int>& topo = graph.topo_order();
  for (size_t i = 0; i < topo.size(); ++i) topo_pos_[topo[i]] = static_cast<int>(i);
  PoolIndex("");  // pool 0: phases without a pool
}

int Scheduler::PoolIndex(const std::string& name) {
  auto [it, inserted] = pool_index_.emplace(name, static_cast<int>(pools_.size()));
  if (inserted) pools_.push_back(PoolQueue{INT_MAX, 0, Queue(QueueOrder{&graph_})});
  return it->second;
}

void Scheduler::PausePool(const std::string& name, bool paused) {
  auto it = pool_index_.find(name);
  if (it == pool_index_.end() || pools_[it->second].paused == paused) return;
  if (paused) Demote(it->second);
  pools_[it->second].paused = paused;
  if (!paused) Promote(it->second);
}

void Scheduler::SetPoolDepth(const std::string& name, int depth) {
  if (depth < 1) throw std::invalid_argument("Scheduler: pool '" + name + "' needs a depth >= 1");
  int pool = PoolIndex(name);
  Demote(pool);
  pools_[pool].depth = depth;
  Promote(pool);
}

void Scheduler::Add(const std::vector<int>& phases) {
  std::vector<int> added;
  for (int p : phases) {
    if (state_[p] != State::kOutside) continue;
    state_[p] = State::kWaiting;
    pool_of_[p] = PoolIndex(graph_.node(p).phase->pool());
    ++remaining_;
    added.push_back(p);
  }
  // In topo order, each phase's deps in the set already have their state.
  SortByTopo(&added);
  for (int p : added) Admit(p);
}

void Scheduler::Admit(int phase) {
  int pending = 0;
  for (int d : graph_.node(phase).deps) {
    State s = state_[d];
    if (s == State::kFailed || s == State::kBlocked) {
      state_[phase] = State::kBlocked;
      --remaining_;
      return;
    }
    if (s != State::kOutside && s != State::kDone) ++pending;
  }
  pending_[phase] = pending;
  if (pending == 0) MakeReady(phase);
}

void Scheduler::MakeReady(int phase) {
  state_[phase] = State::kReady;
  ready_.push_back(phase);
}

std::vector<int> Scheduler::PopReady() {
  if (stopped_) return {};
  std::vector<int> out;
  out.swap(ready_);
  SortByTopo(&out);
  for (int p : out) state_[p] = State::kEvaluating;
  handed_out_ += static_cast<int>(out.size());
  return out;
}

void Scheduler::Enqueue(int phase) {
  Expect(phase, State::kEvaluating, "Enqueue");
  --handed_out_;
  state_[phase] = State::kQueued;
  ++queued_count_;
  int pool = pool_of_[phase];
  Demote(pool);
  pools_[pool].waiting.insert(phase);
  Promote(pool);
}

std::optional<int> Scheduler::PopRunnable() {
  if (stopped_ || running_ >= jobs_ || queued_.empty()) return std::nullopt;
  int phase = *queued_.begin();
  queued_.erase(queued_.begin());
  PoolQueue& pool = pools_[pool_of_[phase]];
  pool.waiting.erase(phase);
  ++pool.running;
  Promote(pool_of_[phase]);
  state_[phase] = State::kRunning;
  ++running_;
  --queued_count_;
  return phase;
}

void Scheduler::Promote(int pool) {
  const PoolQueue& q = pools_[pool];
  if (HasFreeSlot(q) && !q.waiting.empty()) queued_.insert(*q.waiting.begin());
}

void Scheduler::Demote(int pool) {
  const PoolQueue& q = pools_[pool];
  if (!q.waiting.empty()) queued_.erase(*q.waiting.begin());
}

void Scheduler::ReleaseSlot(int phase) {
  --running_;
  --pools_[pool_of_[phase]].running;
  Promote(pool_of_[phase]);
}

void Scheduler::Requeue(int phase) {
  Expect(phase, State::kRunning, "Requeue");
  ReleaseSlot(phase);
  state_[phase] = State::kEvaluating;
  ++handed_out_;
}

std::vector<int> Scheduler::Finish(int phase, bool succeeded) {
  if (state_[phase] == State::kRunning) {
    ReleaseSlot(phase);
  } else {
    Expect(phase, State::kEvaluating, "Finish");
    --handed_out_;
  }
  --remaining_;
  if (!succeeded) {
    state_[phase] = State::kFailed;
    return BlockDependents(phase);
  }
  state_[phase] = State::kDone;
  for (int d : graph_.node(phase).dependents) {
    if (state_[d] == State::kWaiting && --pending_[d] == 0) MakeReady(d);
  }
  return {};
}

std::vector<int> Scheduler::BlockDependents(int phase) {
  std::vector<int> blocked;
  std::vector<int> stack = graph_.node(phase).dependents;
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    if (state_[n] != State::kWaiting) continue;
    state_[n] = State::kBlocked;
    --remaining_;
    blocked.push_back(n);
    for (int d : graph_.node(n).dependents) stack.push_back(d);
  }
  SortByTopo(&blocked);
  return blocked;
}

bool Scheduler::Idle() const {
  if (running_ > 0 || handed_out_ > 0) return false;
  return stopped_ || (ready_.empty() && queued_count_ == 0);
}

void Scheduler::SortByTopo(std::vector<int>* phases) const {
  std::sort(phases->begin(), phases->end(),
            [this](int a, int b) { return topo_pos_[a] < topo_pos_[b]; });
}

void Scheduler::Expect(int phase, State state, const char* operation) const {
  if (state_[phase] == state) return;
  throw std::logic_error(std::string("Scheduler::") + operation + ": phase '" +
                         graph_.node(phase).phase->name + "' was not handed out for that");
}

}  // namespace orchestrate
