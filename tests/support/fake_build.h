// Fakes of what the Builder receives (build_interfaces.h): a clock that
// only moves when the run waits, a phase runner that ends phases with
// scripted outcomes, and a store that keeps the repository and the cache in
// memory. A build driven by them runs in milliseconds: no git, no
// processes, no sleeping.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestrate/build_interfaces.h"
#include "orchestrate/error.h"
#include "support/fake_ids.h"

namespace orchestrate::testing {

class FakeClock : public BuildClock {
 public:
  TimePoint Now() const override { return now_; }
  std::time_t WallNow() const override {
    return wall_start_ +
           std::chrono::duration_cast<std::chrono::seconds>(now_ - TimePoint{}).count();
  }
  void Advance(std::chrono::milliseconds d) { now_ += d; }
  /// Seconds since the fake epoch.
  double Seconds() const { return std::chrono::duration<double>(now_ - TimePoint{}).count(); }

 private:
  TimePoint now_{};
  std::time_t wall_start_ = 1'700'000'000;
};

/// What a started phase does, in the fake runner.
struct FakeOutcome {
  PhaseState state = PhaseState::kSucceeded;
  std::string requeue_pattern;  ///< non-empty: the output said "try later"
  int attempts = 1;
  std::string failure;
  std::string handoff;
  bool runs_until_cancelled = false;   ///< ends interrupted once the run cancels
  std::chrono::milliseconds takes{1};  ///< clock time from start to end
  Usage usage;                         ///< what its attempts reported
};

inline FakeOutcome Succeeds(int attempts = 1) {
  FakeOutcome o;
  o.attempts = attempts;
  return o;
}
/// Ends `state` having reported `cost_usd`.
inline FakeOutcome Costs(double cost_usd, PhaseState state = PhaseState::kSucceeded) {
  FakeOutcome o;
  o.state = state;
  if (state != PhaseState::kSucceeded) o.failure = "run `agent` exit status 1";
  o.usage.cost_usd = cost_usd;
  return o;
}
/// The output matched requeue_on after `attempts` counted attempts.
inline FakeOutcome RateLimited(const std::string& pattern, int attempts = 0) {
  FakeOutcome o;
  o.requeue_pattern = pattern;
  o.attempts = attempts;
  return o;
}
inline FakeOutcome Ends(PhaseState state, const std::string& failure, int attempts = 1) {
  FakeOutcome o;
  o.state = state;
  o.failure = failure;
  o.attempts = attempts;
  return o;
}
inline FakeOutcome RunsUntilCancelled() {
  FakeOutcome o;
  o.runs_until_cancelled = true;
  return o;
}

/// Ends each started phase with the next outcome scripted for it (a success
/// when none is) once its time (FakeOutcome::takes) has passed. Wait moves
/// the clock to the first end within its timeout and returns that one,
/// else moves it on by the whole timeout and returns nothing.
class FakePhaseRunner : public PhaseRunner {
 public:
  explicit FakePhaseRunner(FakeClock& clock) : clock_(clock) {}

  /// The outcomes of the phase's next starts, in order.
  void Script(const std::string& phase, std::vector<FakeOutcome> outcomes) {
    for (auto& o : outcomes) script_[phase].push_back(std::move(o));
  }
  /// Called as each phase starts (e.g. to raise a signal).
  std::function<void(const std::string& phase)> on_start;

  struct Start_ {
    std::string phase;
    PhaseJob job;
    double at_s;  ///< clock time
  };
  const std::vector<Start_>& starts() const { return starts_; }
  /// How many times `phase` started.
  int StartsOf(const std::string& phase) const {
    int n = 0;
    for (const auto& s : starts_) n += s.phase == phase;
    return n;
  }
  bool cancelled() const { return cancelled_; }

  void Start(int phase, PhaseJob job, EmitFn) override {
    std::string name = job.phase->name;
    FakeOutcome o;
    if (auto it = script_.find(name); it != script_.end() && !it->second.empty()) {
      o = std::move(it->second.front());
      it->second.pop_front();
    }
    starts_.push_back({name, job, clock_.Seconds()});
    running_.push_back({phase, name, job, o, clock_.Now() + o.takes});
    if (on_start) on_start(name);
  }

  std::vector<PhaseEnd> Wait(std::chrono::milliseconds timeout) override {
    auto first = running_.end();
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if (it->what.runs_until_cancelled && !cancelled_) continue;
      if (first == running_.end() || EndOf(*it) < EndOf(*first)) first = it;
    }
    if (first == running_.end() || EndOf(*first) > clock_.Now() + timeout) {
      clock_.Advance(timeout);
      return {};
    }
    if (EndOf(*first) > clock_.Now())
      clock_.Advance(
          std::chrono::duration_cast<std::chrono::milliseconds>(EndOf(*first) - clock_.Now()));
    PhaseEnd end{first->phase, OutcomeOf(*first)};
    running_.erase(first);
    return {std::move(end)};
  }

  void Cancel() override { cancelled_ = true; }
  void Abort() override {
    cancelled_ = true;
    running_.clear();
  }

 private:
  struct Running {
    int phase;
    std::string name;
    PhaseJob job;
    FakeOutcome what;
    BuildClock::TimePoint ends;
  };

  /// A phase running until cancelled ends as soon as the run cancels.
  BuildClock::TimePoint EndOf(const Running& r) const {
    return r.what.runs_until_cancelled ? clock_.Now() : r.ends;
  }

  PhaseOutcome OutcomeOf(const Running& r) const {
    PhaseOutcome out;
    out.attempts = r.job.attempts_done + r.what.attempts;
    out.worktree_path = r.job.worktree_dir + "/" + r.job.worktree_name;
    out.usage = r.what.usage;
    if (r.what.runs_until_cancelled) {
      out.state = PhaseState::kInterrupted;
      out.failure = "run `x` interrupted";
      return out;
    }
    if (!r.what.requeue_pattern.empty()) {
      out.requeue = true;
      out.requeue_pattern = r.what.requeue_pattern;
      out.attempts = r.job.attempts_done;
      return out;
    }
    out.state = r.what.state;
    out.failure = r.what.failure;
    out.handoff = r.what.handoff;
    if (out.state == PhaseState::kError) out.infra_error = r.what.failure;
    if (out.state == PhaseState::kSucceeded) out.result = FakeId("result-of-" + r.name);
    return out;
  }

  FakeClock& clock_;
  std::map<std::string, std::deque<FakeOutcome>> script_;
  std::vector<Start_> starts_;
  std::deque<Running> running_;
  bool cancelled_ = false;
};

/// The repository and the cache in memory. Commits are named (FakeId): a
/// phase's result is "result-of-<phase>", the base "base", a merge
/// "base+result-of-a+...", the tree of X "tree-of-X".
class FakeBuildStore : public BuildStore {
 public:
  // --- set by tests
  RunState state;                        ///< what LoadState returns
  std::map<std::string, Record> cached;  ///< phase -> a record valid for its inputs
  /// (phase, result) -> a person's decision on it
  std::map<std::pair<std::string, ObjectId>, Decision> decisions;
  /// A result that conflicts with whatever is merged before it: in inputs
  /// (MergeInput) and in the target (MergeTarget).
  std::set<std::string> conflicting;
  /// The closure each MergeInput got, by the name of its last direct dep.
  std::map<std::string, std::vector<PhaseResult>> input_closures;
  bool fail_save = false;  ///< SaveState throws InfraError

  // --- seen by tests
  std::vector<RunState> saved;
  std::vector<std::pair<Record, bool>> stored;  ///< record, replace
  std::vector<std::vector<PhaseResult>> target_merges;
  std::optional<ObjectId> target;  ///< what UpdateTarget set
  int locks = 0, flushes = 0;
  int target_checks = 0;  ///< CheckTarget calls

  void Lock() override { ++locks; }
  void Unlock() override {}
  RunState LoadState() override { return state; }
  void SaveState(const RunState& s) override {
    if (fail_save) throw InfraError("cannot write .orchestrate/state: No space left on device");
    saved.push_back(s);
  }
  std::vector<std::string> Recover() override { return {}; }
  std::vector<std::string> Worktrees() override { return {}; }
  ProcessHooks RecordProcessGroups(int, const std::string&) override { return {}; }
  std::string ReadPromptFile(const std::string& path) override { return "prompt at " + path; }
  std::string LogTail(const std::string& phase, int) override { return "log of " + phase; }

  std::optional<ObjectId> ResolveCommit(const std::string&) override { return FakeId("base"); }
  bool IsShallow() override { return false; }
  bool HasUncommittedChanges() override { return false; }
  ObjectId TreeOf(const ObjectId& commit) override { return FakeId("tree-of-" + FakeName(commit)); }
  MergeOutcome MergeInput(const ObjectId& base, const std::vector<PhaseResult>& deps,
                          const DepClosure& closure) override {
    if (closure) input_closures[deps.empty() ? "" : deps.back().phase] = closure();
    MergeOutcome out;
    std::string merged = FakeName(base);
    for (size_t i = 0; i < deps.size(); ++i) {
      if (i > 0 && conflicting.count(deps[i].phase)) {
        out.failures.push_back({deps[i].phase, {"shared.txt"}, {}, {}});
        out.commit = FakeId(merged);
        return out;
      }
      merged += "+" + FakeName(deps[i].commit);
    }
    out.commit = FakeId(merged);
    return out;
  }
  MergeOutcome MergeTarget(const ObjectId& base, const std::vector<PhaseResult>& results) override {
    target_merges.push_back(results);
    MergeOutcome out;
    std::string name = FakeName(base);
    std::vector<std::string> merged;
    for (const auto& r : results) {
      if (conflicting.count(r.phase) && !merged.empty()) {
        out.failures.push_back({r.phase, {"shared.txt"}, merged, {}});
        continue;
      }
      merged.push_back(r.phase);
      name += "+" + FakeName(r.commit);
    }
    out.commit = FakeId(name);
    return out;
  }
  void CheckTarget(const std::string&) override { ++target_checks; }
  void UpdateTarget(const std::string&, const ObjectId& commit) override { target = commit; }

  void StartPlanning(const Graph& graph, const RunState&, const ObjectId&,
                     const PlannerOptions& options) override {
    graph_ = &graph;
    options_ = options;
  }
  PhaseDecision Decide(int p, std::span<const DepResult>) override {
    const std::string& name = graph_->node(p).phase->name;
    PhaseDecision d;
    d.phase = p;
    d.key = "key-" + name;
    auto it = cached.find(name);
    if (it != cached.end() && !options_.always && !options_.force.count(name)) {
      d.action = PhaseState::kFresh;
      d.record = it->second;
      ApplyApproval(*graph_->node(p).phase, DecisionOn(name, it->second.result), &d);
      return d;
    }
    d.reason = it == cached.end() ? "never run" : "forced";
    return d;
  }
  std::vector<PhaseDecision> PlanAll(const std::vector<int>& selected) override {
    std::vector<PhaseDecision> plan;
    for (int p : selected) plan.push_back(Decide(p, {}));
    return plan;
  }
  void StoreRecord(const Record& record, bool replace) override {
    stored.emplace_back(record, replace);
  }
  std::optional<Decision> DecisionOn(const std::string& phase, const ObjectId& result) override {
    auto it = decisions.find({phase, result});
    if (it == decisions.end()) return std::nullopt;
    return it->second;
  }
  void SetWarningSink(std::function<void(const std::string&)>) override {}
  void Flush() override { ++flushes; }

  /// A cached record of `phase` as a run would have stored it.
  static Record RecordOf(const std::string& phase) {
    Record r;
    r.phase = phase;
    r.key = "key-" + phase;
    r.result = FakeId("result-of-" + phase);
    r.result_tree = FakeId("tree-of-result-of-" + phase);
    r.duration_s = 2;
    return r;
  }

 private:
  const Graph* graph_ = nullptr;
  PlannerOptions options_;
};

/// Keeps every event.
class EventLog : public EventSink {
 public:
  void OnEvent(const Event& e) override { events.push_back(e); }
  /// The events of `type` about `phase` (any phase when empty).
  std::vector<Event> Of(Event::Type type, const std::string& phase = "") const {
    std::vector<Event> out;
    for (const auto& e : events)
      if (e.type == type && (phase.empty() || e.phase == phase)) out.push_back(e);
    return out;
  }
  /// The texts of message events.
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const auto& e : Of(Event::Type::kMessage)) out.push_back(e.text);
    return out;
  }
  std::vector<Event> events;
};

}  // namespace orchestrate::testing
