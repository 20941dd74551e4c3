// The Builder's second half: what happens when a phase ends, and at the end
// of the run (the target, the exit status).
#include "run_internal.h"

namespace orchestrate::run_internal {

// --- a phase ended ---------------------------------------------------------------

void Run::Completed(int p, PhaseOutcome outcome) {
  if (outcome.requeue) return Requeue(p, outcome);
  Spent(p, outcome.usage);
  PhaseRun& s = build_[p];
  s.ended = std::make_unique<PhaseOutcome>(std::move(outcome));
  const PhaseOutcome& o = *s.ended;
  const PhaseWork& work = s.WorkOrNone();
  bool succeeded = o.state == PhaseState::kSucceeded;
  if (!work.worktree_name.empty()) pool_->Release(work.worktree_name, Name(p), succeeded);
  s.reached = true;  // an input conflict ends a phase that never started
  s.state = o.state;
  if (succeeded) RecordSuccess(p, o);
  // A new result needs a new approval (SPEC section 3 item 8).
  bool awaits = succeeded && graph_.node(p).phase->approval;
  if (awaits) awaits = !IsApproval(store_.DecisionOn(Name(p), s.result));
  PhaseRecord& r = build_.Recorded(p);
  r.key = s.key;
  r.result = o.result;
  r.attempts = o.attempts;
  // A phase that never started (input-conflict) took no time.
  r.duration_s =
      work.started_before ? std::chrono::duration<double>(clock_.Now() - work.started).count() : 0;
  r.started_at = work.started_at;
  if (!succeeded) r.reason = o.failure;
  r.handoff_first_line = o.handoff.substr(0, o.handoff.find('\n'));
  r.usage.Set(work.usage);
  for (const auto& [owner, ref] : o.saved_attempts) RememberSaved(owner, ref);
  if (work.worktree_name.empty()) r.worktree.clear();
  bool counts_as_failure = !succeeded && o.state != PhaseState::kInterrupted &&
                           o.state != PhaseState::kError && o.state != PhaseState::kSkippedBudget;
  if (counts_as_failure && !s.key.empty()) build_.bookkeeping().failed_keys[Name(p)].insert(s.key);
  if (o.state == PhaseState::kError) {
    infra_error_ = "phase " + Name(p) + ": " + o.infra_error;
    stopped_by_infra_ = true;
    scheduler_->StopStarting();
  }
  for (const auto& [owner, ref] : o.saved_attempts)
    Notice("saved earlier unrecorded work of " + owner + " as " + ref);
  if (awaits) return AwaitApproval(p);
  Emit(FinishedEvent(build_, p));
  std::vector<int> blocked = scheduler_->Finish(p, succeeded);
  for (int b : blocked) Blocked(b, p);
  if (!succeeded && options_.fail_fast) scheduler_->StopStarting();
  StateChanged();
}

void Run::RememberSaved(const std::string& phase, const std::string& ref) {
  std::vector<std::string>& saved = build_.Recorded(phase).saved_attempts;
  saved.push_back(ref);
  if (saved.size() > 20) saved.erase(saved.begin());
}

void Run::RecordSuccess(int p, const PhaseOutcome& o) {
  PhaseRun& s = build_[p];
  s.result = o.result;
  s.result_tree = store_.TreeOf(o.result);
  s.handoff = o.handoff;
  Record rec;
  rec.phase = Name(p);
  rec.key = s.key;
  const PhaseWork& work = s.WorkOrNone();
  rec.components = work.components;
  rec.result = o.result;
  rec.result_tree = s.result_tree;
  rec.input = s.input;
  rec.base = base_;
  rec.started_at = work.started_at;
  rec.duration_s = std::chrono::duration<double>(clock_.Now() - work.started).count();
  rec.attempts = o.attempts;
  rec.commands = o.commands;
  rec.log = store_.LogTail(Name(p), 100000);
  rec.handoff = o.handoff;
  rec.usage = work.usage;
  // A forced success, or one after a person rejected the recorded result,
  // supersedes the record for its key.
  bool replace = options_.always || options_.force.count(Name(p)) || !work.rejection.empty();
  store_.StoreRecord(rec, replace);
  build_.Recorded(p).recorded_at = clock_.WallNow();
}

void Run::Blocked(int b, int by) {
  build_[b].reached = true;
  build_[b].state = PhaseState::kBlocked;
  PhaseRecord& r = build_.Recorded(b);
  r.reason = build_[by].state == PhaseState::kAwaitingApproval
                 ? "waits for the approval of " + Name(by)
                 : "blocked by " + Name(by);
  r.usage = {};
  Emit(BlockedEvent(build_, b));
}

void Run::Spent(int p, const Usage& usage) {
  if (usage.Empty()) return;
  build_[p].Work().usage.Add(usage);
  const std::optional<double>& budget = manifest_.settings.budget_usd;
  bool was_under = !budget || spent_usd_ < *budget;
  spent_usd_ += usage.cost_usd.value_or(0);
  if (budget && was_under && spent_usd_ >= *budget)
    Notice("budget spent: this run's phases cost " + FormatCost(spent_usd_) +
               ", settings.budget_usd is " + FormatCost(*budget) +
               "; no new agent phase starts (running ones finish)",
           true);
}

void Run::Requeue(int p, const PhaseOutcome& o) {
  Spent(p, o.usage);
  PhaseRun& s = build_[p];
  PhaseWork& work = s.Work();
  work.attempts_done = o.attempts;
  const std::string& worktree = work.worktree_name;
  pool_->Release(worktree, Name(p), true);
  build_.bookkeeping().kept_worktrees[worktree] = Name(p);  // come back to the same worktree
  scheduler_->Requeue(p);
  ++work.requeues;
  double first = std::chrono::duration<double>(options_.requeue_backoff).count();
  // The time the output named, plus a little; else exponential backoff.
  double wait = o.requeue_wait_s ? *o.requeue_wait_s + std::min(first, 30.0)
                                 : Backoff(work.requeues, first, 600);
  double limit = std::chrono::duration<double>(manifest_.settings.requeue_max).count();
  if (work.waited_s + wait > limit) {
    PhaseOutcome failed = o;
    failed.usage = {};  // counted above
    failed.requeue = false;
    failed.state = PhaseState::kFailed;
    failed.failure = "still told to wait (\"" + o.requeue_pattern + "\") after waiting " +
                     FormatDuration(work.waited_s) + " in " + std::to_string(work.requeues - 1) +
                     " requeues; waiting " + FormatDuration(wait) +
                     " more would pass settings.requeue_max (" + FormatDuration(limit) + ")";
    failed.log_tail = store_.LogTail(Name(p), 20);
    return Completed(p, failed);
  }
  work.waited_s += wait;
  Clock::time_point until =
      clock_.Now() + std::chrono::milliseconds(static_cast<int64_t>(wait * 1000));
  requeued_[p] = until;
  PauseItsPool(p, until);
  s.state = PhaseState::kRequeued;
  PhaseRecord& r = build_.Recorded(p);
  r.usage.Set(work.usage);
  r.reason = "waiting until " + ClockTimeIn(clock_.WallNow(), wait) + " (output matched \"" +
             o.requeue_pattern + "\")";
  s.ended = std::make_unique<PhaseOutcome>(o);
  work.wait_s = wait;
  StateChanged();
  Emit(RequeuedEvent(build_, p));
}

// Other members of a rate-limited phase's pool would hit the same limit:
// none starts until the wait is over.
void Run::PauseItsPool(int p, Clock::time_point until) {
  const std::string& pool = graph_.node(p).phase->pool();
  if (pool.empty()) return;
  Clock::time_point& paused = paused_pools_[pool];
  if (paused < until) paused = until;
  scheduler_->PausePool(pool, true);
  Notice(
      "pool " + pool + " waits until " +
      ClockTimeIn(clock_.WallNow(), std::chrono::duration<double>(paused - clock_.Now()).count()) +
      ": phase " + Name(p) + " hit a rate limit");
}

void Run::WakeRequeued() {
  auto now = clock_.Now();
  for (auto it = paused_pools_.begin(); it != paused_pools_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    scheduler_->PausePool(it->first, false);
    it = paused_pools_.erase(it);
  }
  for (auto it = requeued_.begin(); it != requeued_.end();) {
    if (it->second > now || scheduler_->stopped()) {
      ++it;
      continue;
    }
    scheduler_->Enqueue(it->first);
    it = requeued_.erase(it);
  }
  if (scheduler_->stopped()) requeued_.clear();
}

// --- the end ------------------------------------------------------------------------

void Run::AddFreshUnselected() {
  std::vector<bool> selected(graph_.size());
  for (int p : selected_) selected[p] = true;
  for (int p : graph_.topo_order()) {
    if (selected[p] || build_[p].reached || build_[p].reused) continue;
    bool deps_known = true;
    for (int dep : graph_.node(p).deps) deps_known &= build_[dep].Succeeded();
    if (!deps_known) continue;
    PhaseDecision d = store_.Decide(p, DepResults(p));
    if (d.action != PhaseState::kFresh) continue;
    // Its state stays the last run's, unless that says it did not succeed
    // (a merge conflict, a failure): its result is fresh and goes into the
    // target (TargetConflicts says when the target leaves it out again).
    if (IsSuccess(build_[p].state))
      UseRecord(p, std::move(*d.record));
    else
      AcceptFresh(p, std::move(*d.record));
  }
}

void Run::IntegrateTarget() {
  AddFreshUnselected();
  std::vector<PhaseResult> results;
  results.reserve(graph_.size());
  for (int p : graph_.topo_order())
    if (build_[p].Succeeded() && graph_.node(p).phase->merge)
      results.push_back({Name(p), build_[p].result, build_[p].input, DepNames(p)});
  MergeOutcome m = store_.MergeTarget(base_, results);
  try {
    // Checked again when phases ran: the user may have committed to it or
    // checked it out meanwhile. Setup checked it a moment ago otherwise.
    if (launched_) store_.CheckTarget(manifest_.settings.target);
    store_.UpdateTarget(manifest_.settings.target, m.commit);
  } catch (const UsageError& e) {
    Notice(std::string(e.what()) + "; the results are kept on their phase branches", true);
    target_refused_ = true;
    return;
  }
  if (!m.failures.empty()) TargetConflicts(m.failures);
  Event e;
  e.type = Event::Type::kTargetUpdated;
  e.text = manifest_.settings.target;
  e.result = m.commit;
  Emit(e);
}

// Each left-out phase ends merge-conflict, everywhere a phase's outcome is
// reported: its own finished event replaces the earlier one.
void Run::TargetConflicts(const std::vector<MergeFailure>& failures) {
  for (const auto& f : failures) {
    int p = *graph_.Find(f.phase);
    Event e;
    e.type = Event::Type::kPhaseFinished;
    e.phase = f.phase;
    e.state = PhaseState::kMergeConflict;
    e.result = build_[p].result;
    e.usage = build_[p].WorkOrNone().usage;
    e.paths = f.paths;
    e.conflicts_with = f.conflicts_with;
    e.reason =
        f.left_out_with.empty()
            ? "its result conflicts with " + JoinNames(f.conflicts_with, "earlier results") +
                  " in " + JoinNames(f.paths, "") +
                  " (make one depend on the other, or change them to touch different "
                  "lines); it is not in " +
                  manifest_.settings.target
            : "it depends on " + f.left_out_with + ", which is not in " + manifest_.settings.target;
    build_[p].reached = true;
    build_[p].state = PhaseState::kMergeConflict;
    PhaseRecord& r = build_.Recorded(p);
    e.duration_s = r.duration_s;
    e.attempts = r.attempts;
    r.reason = e.reason;
    state_changed_ = true;
    Emit(std::move(e));
  }
  target_conflict_ = true;
}

int Run::ExitStatus() const {
  if (signal_) return signal_ == SIGINT ? kExitSigint : kExitSigterm;
  if (!infra_error_.empty()) return kExitInfra;
  if (target_refused_) return kExitUsage;
  if (target_conflict_) return kExitPhaseFailed;
  for (int p : selected_)
    if (!build_[p].Succeeded()) return kExitPhaseFailed;
  return kExitOk;
}

int Run::Finish() {
  for (int p : selected_) {
    PhaseRun& s = build_[p];
    if (!s.reached || (s.state != PhaseState::kRunning && s.state != PhaseState::kRequeued))
      continue;
    s.state = PhaseState::kInterrupted;
    state_changed_ = true;
  }
  BudgetNotice();
  if (!infra_error_.empty())
    Notice("stopped: " + infra_error_ + " — nothing half-done was recorded; retrying may help",
           true);
  FlushNotices();
  try {
    if (state_changed_) SaveState();
  } catch (const InfraError& e) {
    Notice(std::string("could not save the run's state: ") + e.what() +
               "; `orchestrate status` may show an earlier run (free disk space or fix the "
               "permissions of .orchestrate/)",
           true);
  }
  try {
    store_.Flush();
  } catch (const InfraError& e) {
    Notice(std::string("could not save the record index: ") + e.what() +
               "; the next run looks records up more slowly",
           true);
  }
  Event e;
  e.type = Event::Type::kRunFinished;
  e.exit_status = ExitStatus();
  e.duration_s = Now();
  e.usage = TotalUsage();
  Emit(e);
  return e.exit_status;
}

void Run::BudgetNotice() {
  if (skipped_budget_.empty()) return;
  std::vector<std::string> names;
  for (int p : skipped_budget_) names.push_back(Name(p));
  Notice("the budget was spent: this run's phases cost " + FormatCost(spent_usd_) +
             " of settings.budget_usd (" + FormatCost(*manifest_.settings.budget_usd) + "), so " +
             JoinNames(names, "") + (names.size() == 1 ? " was" : " were") +
             " not started (skipped-budget). To continue, raise budget_usd in the manifest, or "
             "run again: the next run starts with a fresh budget and reuses what this one did",
         true);
}

Usage Run::TotalUsage() const {
  Usage total;
  for (int p = 0; p < build_.size(); ++p) total.Add(build_[p].WorkOrNone().usage);
  return total;
}

}  // namespace orchestrate::run_internal
