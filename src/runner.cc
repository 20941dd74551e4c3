#include <cstdlib>
#include <thread>

#include "orchestrate/refs.h"
#include "orchestrate/repository_checks.h"
#include "run_internal.h"

namespace orchestrate {

int EffectiveJobs(int flag, const Settings& settings) {
  if (flag > 0) return flag;
  if (settings.jobs > 0) return settings.jobs;
  unsigned cpus = std::thread::hardware_concurrency();
  return cpus ? static_cast<int>(cpus) : 2;
}

namespace {

// The Builder with the production store, runner and clock.
struct RealBuild {
  RealBuild(Project& project, const RunOptions& options, EventSink& sink)
      : store(MakeGitBuildStore(project)),
        runner(MakeThreadPhaseRunner()),
        run(project.manifest, project.workspace, options, sink, *store, *runner,
            BuildClock::System(), InstallSignalHandlers()) {}
  std::unique_ptr<BuildStore> store;
  std::unique_ptr<PhaseRunner> runner;
  run_internal::Run run;
};

}  // namespace

int RunPhases(Project& project, const RunOptions& options, EventSink& sink) {
  RealBuild build(project, options, sink);
  return build.run.Execute();
}

namespace run_internal {

int Run::Execute() {
  Setup();
  EmitRunStarted();
  try {
    Loop();
  } catch (const InfraError& e) {
    StopEverything();
    infra_error_ = e.what();
  }
  if (infra_error_.empty() && !signal_ && !stopped_by_infra_) IntegrateTarget();
  return Finish();
}

// --- before anything runs --------------------------------------------------

void Run::Setup() {
  started_ = clock_.Now();
  store_.Lock();
  build_.Load(store_.LoadState());
  Recover();
  ResolveBase();
  Select();
  store_.CheckTarget(manifest_.settings.target);
  jobs_ = EffectiveJobs(options_.jobs, manifest_.settings);
  run_id_ = std::to_string(getpid()) + "-" + std::to_string(clock_.WallNow());
}

void Run::Recover() {
  for (const auto& line : store_.Recover()) Notice(line);
  if (build_.InterruptLeftRunning()) state_changed_ = true;
  RunState& kept = build_.bookkeeping();
  size_t bookkeeping = kept.kept_worktrees.size() + kept.worktree_last_phase.size();
  pool_ =
      std::make_unique<WorktreePool>(kept, manifest_.settings.keep_worktrees, store_.Worktrees());
  if (kept.kept_worktrees.size() + kept.worktree_last_phase.size() != bookkeeping)
    state_changed_ = true;  // the pool forgot worktrees that are gone
}

void Run::ResolveBase() {
  std::string rev = options_.base.empty() ? manifest_.settings.base : options_.base;
  std::optional<ObjectId> base = store_.ResolveCommit(rev);
  if (!base) throw UsageError(UnresolvedBaseMessage(rev, store_.IsShallow()));
  base_ = *base;
  if (store_.HasUncommittedChanges())
    Notice("your uncommitted changes are not part of the base (" + base_.ShortHex(12) +
           "); commit them to include them");
}

void Run::Select() {
  std::string err;
  if (!graph_.Select(options_.targets, &selected_, &err)) throw UsageError(err);
  store_.StartPlanning(graph_, build_.bookkeeping(), base_,
                       PlannerOptions{options_.force, options_.always});
  if (options_.only) SelectOnly();
  std::vector<double> weight(graph_.size(), 1.0);
  for (int p : selected_)
    if (const auto& r = build_[p].recorded; r && r->duration_s > 0) weight[p] = r->duration_s;
  graph_.ComputeCriticalPath(weight);
}

void Run::SelectOnly() {
  if (options_.targets.empty())
    throw UsageError("--only needs the phases to run, e.g. `orchestrate run api --only`");
  std::vector<PhaseDecision> plan = store_.PlanAll(selected_);
  std::set<int> named;
  for (const auto& t : options_.targets) named.insert(*graph_.Find(t));
  std::vector<int> only;
  for (auto& d : plan) {
    if (named.count(d.phase)) {
      only.push_back(d.phase);
      continue;
    }
    bool needed = false;
    for (int n : named)
      for (int dep : graph_.node(n).deps) needed |= dep == d.phase;
    if (!needed) continue;
    const std::string& name = graph_.node(d.phase).phase->name;
    if (d.action == PhaseState::kAwaitingApproval)
      throw UsageError("cannot run with --only: dependency '" + name + "' waits for approval (" +
                       d.reason + "); approve it with `orchestrate approve " + name +
                       "` (or pull the approval with `orchestrate cache pull`), then run again");
    if (d.action != PhaseState::kFresh)
      throw UsageError("cannot run with --only: dependency '" + name +
                       "' has no recorded result for its current inputs (" + d.reason +
                       "); run it first, or pull the cache with `orchestrate cache pull`");
    AcceptFresh(d.phase, std::move(*d.record));
  }
  selected_ = only;
}

// --- events ------------------------------------------------------------------

void Run::Emit(Event e) {
  std::lock_guard<std::mutex> lock(sink_mutex_);
  e.time_s = Now();
  sink_.OnEvent(e);
}

void Run::Notice(const std::string& text, bool warning) {
  Event e;
  e.type = Event::Type::kMessage;
  e.text = text;
  e.warning = warning;
  pending_notices_.push_back(e);
  if (started_emitted_) FlushNotices();
}

void Run::FlushNotices() {
  for (auto& e : pending_notices_) Emit(e);
  pending_notices_.clear();
}

void Run::EmitRunStarted() {
  Event e;
  e.type = Event::Type::kRunStarted;
  e.base = base_;
  e.total = static_cast<int>(selected_.size());
  e.jobs = jobs_;
  Emit(e);
  started_emitted_ = true;
  FlushNotices();
  build_.bookkeeping().run_started_at = clock_.WallNow();
  build_.bookkeeping().run_pid = getpid();
  if (build_.bookkeeping().base != base_) state_changed_ = true;
  build_.bookkeeping().base = base_;
  // Written with the first change, or at the end if anything changed: a
  // no-op run leaves the file (and the last run line in it) as it was.
  last_save_ = clock_.Now();
}

void Run::SaveState() {
  auto begin = clock_.Now();
  store_.SaveState(build_.State());
  last_save_ = clock_.Now();
  save_interval_ =
      std::max<Clock::duration>(std::chrono::milliseconds(100), 10 * (last_save_ - begin));
  state_dirty_ = false;
}

void Run::StateChanged() {
  state_dirty_ = true;
  state_changed_ = true;
  SaveStateIfDue();
}

void Run::SaveStateIfDue() {
  if (state_dirty_ && clock_.Now() - last_save_ >= save_interval_) SaveState();
}

std::chrono::milliseconds Run::WaitLimit() const {
  auto limit = std::chrono::milliseconds(100);
  if (!state_dirty_) return limit;
  auto due = std::chrono::duration_cast<std::chrono::milliseconds>(last_save_ + save_interval_ -
                                                                   clock_.Now());
  return std::clamp(due, std::chrono::milliseconds(0), limit);
}

// --- the loop ------------------------------------------------------------------

void Run::Loop() {
  scheduler_ = std::make_unique<Scheduler>(graph_, jobs_);
  for (const auto& pool : manifest_.pools) scheduler_->SetPoolDepth(pool.name, pool.depth);
  scheduler_->Add(selected_);
  auto last_tick = clock_.Now();
  while (true) {
    CheckSignal();
    EvaluateReady();
    StartRunnable();
    if (running_ == 0 && requeued_.empty() && (scheduler_->Idle() || scheduler_->stopped())) break;
    WaitForCompletions(WaitLimit());
    SaveStateIfDue();
    WakeRequeued();
    if (clock_.Now() - last_tick >= std::chrono::seconds(1)) {
      last_tick = clock_.Now();
      std::lock_guard<std::mutex> lock(sink_mutex_);
      sink_.OnTick(Now());
    }
  }
}

void Run::CheckSignal() {
  int sig = interrupt_.load();
  if (sig == 0 || signal_) return;
  signal_ = sig;
  runner_.Cancel();
  scheduler_->StopStarting();
  requeued_.clear();
  Notice(std::string("interrupted by ") +
             (sig == SIGINT   ? "SIGINT"
              : sig == SIGHUP ? "SIGHUP"
                              : "SIGTERM") +
             ": stopping running phases; their worktrees and branches are kept",
         true);
}

void Run::StopEverything() {
  if (scheduler_) scheduler_->StopStarting();
  runner_.Abort();
  for (int p = 0; p < build_.size(); ++p)
    if (build_[p].work) build_[p].work->in_runner = false;
  running_ = 0;
}

std::vector<std::string> Run::DepNames(int p) const {
  std::vector<std::string> names;
  for (int dep : graph_.node(p).deps) names.push_back(Name(dep));
  return names;
}

std::vector<DepResult> Run::DepResults(int p) const {
  std::vector<DepResult> results;
  results.reserve(graph_.node(p).deps.size());
  for (int dep : graph_.node(p).deps)
    results.push_back({Name(dep), build_[dep].result_tree, build_[dep].handoff});
  return results;
}

void Run::EvaluateReady() {
  for (std::vector<int> ready; !(ready = scheduler_->PopReady()).empty();)
    for (int p : ready) Evaluate(p);
}

void Run::Evaluate(int p) {
  PhaseDecision d = store_.Decide(p, DepResults(p));
  // A reused record brings its key (the same): UseRecord takes it from there.
  if (d.action == PhaseState::kAwaitingApproval) return AwaitApproval(p, std::move(*d.record));
  if (d.action != PhaseState::kFresh) {
    build_[p].key = std::move(d.key);
    PhaseWork& work = build_[p].Work();
    work.components = std::move(d.components);
    work.rejection = std::move(d.rejection);
    work.reason = d.reason;
    return scheduler_->Enqueue(p);
  }
  AcceptFresh(p, std::move(*d.record));
  scheduler_->Finish(p, true);
  Emit(FreshEvent(build_, p));
}

void Run::UseRecord(int p, Record&& record) {
  PhaseRun& s = build_[p];
  s.reused = true;
  s.result = std::move(record.result);
  s.result_tree = std::move(record.result_tree);
  s.input = std::move(record.input);
  s.handoff = std::move(record.handoff);
  s.key = std::move(record.key);
  s.record_duration_s = record.duration_s;
  s.record_attempts = record.attempts;
}

void Run::AcceptFresh(int p, Record&& record) {
  UseRecord(p, std::move(record));
  PhaseRun& s = build_[p];
  PhaseRecord& r = build_.Recorded(p);
  std::string_view first_line = std::string_view(s.handoff).substr(0, s.handoff.find('\n'));
  bool as_left = s.state == PhaseState::kFresh && r.key == s.key && r.result == s.result &&
                 r.duration_s == s.record_duration_s && r.attempts == s.record_attempts &&
                 r.started_at == record.started_at && r.handoff_first_line == first_line &&
                 r.reason.empty() && r.usage.get().Empty();
  s.reached = true;
  s.state = PhaseState::kFresh;
  if (as_left) return;  // the state file stays as the last run left it
  state_changed_ = true;
  r.key = s.key;
  r.result = s.result;
  r.duration_s = s.record_duration_s;
  r.attempts = s.record_attempts;
  r.started_at = record.started_at;
  r.handoff_first_line = first_line;
  r.reason.clear();
  r.usage = {};  // reusing a result spends nothing
}

void Run::AwaitApproval(int p, Record&& record) {
  AcceptFresh(p, std::move(record));
  AwaitApproval(p);
}

void Run::AwaitApproval(int p) {
  PhaseRun& s = build_[p];
  s.reached = true;
  s.state = PhaseState::kAwaitingApproval;
  PhaseRecord& r = build_.Recorded(p);
  r.key = s.key;
  r.result = s.result;
  r.reason = AwaitingApprovalHint(Name(p), s.input, s.result);
  state_changed_ = true;
  Emit(FinishedEvent(build_, p));
  for (int b : scheduler_->Finish(p, false)) Blocked(b, p);
  StateChanged();
}

int Run::FreeJobSlot() const {
  std::set<int> used;
  for (int p = 0; p < build_.size(); ++p)
    if (const PhaseWork& work = build_[p].WorkOrNone(); work.in_runner) used.insert(work.job_slot);
  for (int i = 0;; ++i)
    if (!used.count(i)) return i;
}

void Run::StartRunnable() {
  while (std::optional<int> p = scheduler_->PopRunnable()) {
    if (OverBudget(*p)) {
      SkipForBudget(*p);
      continue;
    }
    std::vector<PhaseResult> deps;
    for (int dep : graph_.node(*p).deps) deps.push_back({Name(dep), build_[dep].result, {}, {}});
    MergeOutcome input = store_.MergeInput(base_, deps, [this, p] { return TransitiveDeps(*p); });
    if (!input.failures.empty()) {
      InputConflict(*p, deps, input.failures.front());
      continue;
    }
    Launch(*p, input.commit);
  }
}

std::vector<PhaseResult> Run::TransitiveDeps(int p) const {
  std::vector<int> order;  // p and everything it depends on, in topo order
  std::string err;
  graph_.Select({Name(p)}, &order, &err);
  order.pop_back();  // p itself, last
  std::vector<PhaseResult> closure;
  for (int d : order) closure.push_back({Name(d), build_[d].result, build_[d].input, DepNames(d)});
  return closure;
}

bool Run::OverBudget(int p) const {
  const std::optional<double>& budget = manifest_.settings.budget_usd;
  return budget && spent_usd_ >= *budget && !graph_.node(p).phase->agent.empty();
}

void Run::SkipForBudget(int p) {
  skipped_budget_.push_back(p);
  PhaseOutcome o;
  o.state = PhaseState::kSkippedBudget;
  o.failure = "not started: this run spent " + FormatCost(spent_usd_) +
              " of settings.budget_usd (" + FormatCost(*manifest_.settings.budget_usd) + ")";
  Completed(p, std::move(o));
}

void Run::InputConflict(int p, const std::vector<PhaseResult>& deps, const MergeFailure& f) {
  std::string earlier;
  for (const auto& d : deps) {
    if (d.phase == f.phase) break;
    earlier += (earlier.empty() ? "" : ", ") + d.phase;
  }
  std::string paths;
  for (const auto& path : f.paths) paths += (paths.empty() ? "" : ", ") + path;
  PhaseOutcome o;
  o.state = PhaseState::kInputConflict;
  o.failure = "results of " + earlier + " and " + f.phase + " conflict in " + paths +
              " (make one depend on the other, or change them so they touch different lines)";
  Completed(p, std::move(o));
}

PhaseJob Run::MakeJob(int p, const ObjectId& input) {
  const Phase& phase = *graph_.node(p).phase;
  PhaseRun& s = build_[p];
  PhaseJob job;
  job.phase = &phase;
  job.agent = manifest_.FindAgent(phase.agent);
  job.settings = &manifest_.settings;
  job.repo_root = ws_.root;
  job.worktree_name = s.Work().worktree_name;
  job.worktree_dir = ws_.worktrees_dir();
  job.branch = refs::PhaseBranchRef(phase.name);
  job.input = input;
  job.base = base_;
  job.log_path = ws_.LogPath(phase.name);
  job.phase_dir = ws_.ScratchDir(job.worktree_name);
  if (job.agent) job.prompt_content = PromptOf(phase);
  for (int dep : graph_.node(p).deps)
    if (!build_[dep].handoff.empty()) job.dep_handoffs[Name(dep)] = build_[dep].handoff;
  job.env = MergeEnvironment(CurrentEnvironment(), {"ORCHESTRATE_RUN_ID=" + run_id_});
  job.attempts_done = s.Work().attempts_done;
  job.rejection = s.Work().rejection;
  job.fresh_log = !s.Work().started_before;
  job.kill_grace = options_.kill_grace;
  job.repos = &repos_[job.worktree_name];
  job.hooks = store_.RecordProcessGroups(s.Work().job_slot, "ORCHESTRATE_RUN_ID=" + run_id_);
  return job;
}

std::string Run::PromptOf(const Phase& phase) {
  if (!phase.prompt_text().empty()) return phase.prompt_text();
  return store_.ReadPromptFile(manifest_.dir + "/" + phase.prompt());
}

void Run::Launch(int p, const ObjectId& input) {
  launched_ = true;
  PhaseRun& s = build_[p];
  PhaseWork& work = s.Work();
  std::string previous_phase;
  work.worktree_name = pool_->Acquire(Name(p), &previous_phase);
  work.job_slot = FreeJobSlot();
  if (!work.started_before) {
    work.started = clock_.Now();
    work.started_at = clock_.WallNow();
  }
  s.input = input;
  PhaseJob job = MakeJob(p, input);
  job.previous_phase = previous_phase;
  work.started_before = true;
  s.reached = true;
  s.state = PhaseState::kRunning;
  PhaseRecord& r = build_.Recorded(p);
  r.branch = refs::PhaseBranch(Name(p));
  r.log_path = job.log_path;
  r.worktree = job.worktree_dir + "/" + job.worktree_name;
  r.started_at = work.started_at;
  r.reason = work.reason;
  r.usage.Set(work.usage);
  StateChanged();
  Emit(StartedEvent(build_, p));
  ++running_;
  work.in_runner = true;
  runner_.Start(p, std::move(job), [this](Event e) { Emit(std::move(e)); });
}

void Run::WaitForCompletions(std::chrono::milliseconds timeout) {
  for (PhaseEnd& end : runner_.Wait(timeout)) {
    build_[end.phase].Work().in_runner = false;
    --running_;
    Completed(end.phase, std::move(end.outcome));
  }
}

}  // namespace run_internal
}  // namespace orchestrate
