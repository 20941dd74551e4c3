#include "orchestrate/runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "orchestrate/integration.h"
#include "orchestrate/phase_execution.h"
#include "orchestrate/planner.h"
#include "orchestrate/process.h"
#include "orchestrate/recovery.h"
#include "orchestrate/run_state.h"
#include "orchestrate/scheduler.h"
#include "orchestrate/worktree_pool.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace orchestrate {

int EffectiveJobs(int flag, const Settings& settings) {
  if (flag > 0) return flag;
  if (settings.jobs > 0) return settings.jobs;
  unsigned cpus = std::thread::hardware_concurrency();
  return cpus ? static_cast<int>(cpus) : 2;
}

namespace {

constexpr int kMaxRequeues = 8;

double EnvSeconds(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v, &end);
  return (end && *end == '\0' && d >= 0) ? d : fallback;
}

// What the main thread knows about one phase during the run.
struct PhaseSlot {
  PhaseState state = PhaseState::kStale;
  ObjectId result;
  ObjectId result_tree;
  ObjectId input;  ///< what it started from (recorded for fresh phases)
  std::string handoff;
  std::string key;
  KeyComponents components;
  std::string reason;
  std::string worktree;
  int job_slot = -1;
  int attempts_done = 0;
  int requeues = 0;
  bool started_before = false;
  Clock::time_point started;
  int64_t started_at = 0;
  std::thread thread;
};

struct Completion {
  int phase;
  PhaseOutcome outcome;
};

class Run {
 public:
  Run(Project& project, const RunOptions& options, EventSink& sink)
      : project_(project),
        manifest_(project.manifest),
        ws_(project.workspace),
        repo_(*project.repo),
        options_(options),
        sink_(sink),
        graph_(manifest_),
        cache_(repo_) {}

  ~Run() {
    cancel_ = true;
    for (auto& s : slots_)
      if (s.thread.joinable()) s.thread.join();
  }

  int Execute() {
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

 private:
  // --- before anything runs --------------------------------------------------
  void Setup() {
    started_ = Clock::now();
    std::vector<std::string> excludes = manifest_.settings.worktree_copy;
    excludes.insert(excludes.end(), manifest_.settings.worktree_link.begin(),
                    manifest_.settings.worktree_link.end());
    ws_.Prepare(repo_.commondir(), excludes);
    int holder = 0;
    if (!lock_.Acquire(ws_.lock_file(), &holder))
      throw UsageError("another orchestrate run (pid " + std::to_string(holder) +
                       ") is using this repository; wait for it to finish or stop it");
    state_ = RunState::Load(ws_.state_file());
    Recover();
    ResolveBase();
    Select();
    CheckTarget(repo_, manifest_.settings.target);
    jobs_ = EffectiveJobs(options_.jobs, manifest_.settings);
    run_id_ = std::to_string(getpid()) + "-" + std::to_string(std::time(nullptr));
    signal_flag_ = &InstallSignalHandlers();
  }

  // Reaps what a killed run left behind: process groups and worktree debris.
  void Recover() {
    for (const auto& line : ReapLeftoverProcessGroups(ws_.pids_dir())) Notice(line);
    WorktreeStore store(repo_, ws_.worktrees_dir());
    for (const auto& line : store.Repair()) Notice(line);
    for (auto& [name, record] : state_.phases)
      if (record.state == PhaseState::kRunning) record.state = PhaseState::kInterrupted;
    pool_ = std::make_unique<WorktreePool>(state_, manifest_.settings.keep_worktrees, store.List());
  }

  void ResolveBase() {
    std::string rev = options_.base.empty() ? manifest_.settings.base : options_.base;
    std::optional<ObjectId> base = repo_.ResolveCommit(rev);
    if (!base)
      throw UsageError("cannot resolve base '" + rev +
                       "' to a commit (check settings.base or --base; a new repository needs a first commit)");
    base_ = *base;
    if (repo_.HasUncommittedChanges())
      Notice("your uncommitted changes are not part of the base (" + base_.substr(0, 12) +
             "); commit them to include them");
  }

  void Select() {
    std::string err;
    if (!graph_.Select(options_.targets, &selected_, &err)) throw UsageError(err);
    slots_ = std::vector<PhaseSlot>(graph_.size());
    planner_ = std::make_unique<Planner>(graph_, repo_, cache_, state_, base_,
                                         PlannerOptions{options_.force, options_.always});
    if (options_.only) SelectOnly();
    std::vector<double> weight(graph_.size(), 1.0);
    for (int p : selected_) {
      auto it = state_.phases.find(graph_.node(p).phase->name);
      if (it != state_.phases.end() && it->second.duration_s > 0) weight[p] = it->second.duration_s;
    }
    graph_.ComputeCriticalPath(weight);
  }

  // --only: the named phases run on their dependencies' recorded results.
  void SelectOnly() {
    if (options_.targets.empty()) throw UsageError("--only needs the phases to run, e.g. `orchestrate run api --only`");
    std::vector<PhaseDecision> plan = planner_->PlanAll(selected_);
    std::set<int> named;
    for (const auto& t : options_.targets) named.insert(*graph_.Find(t));
    std::vector<int> only;
    for (const auto& d : plan) {
      if (named.count(d.phase)) {
        only.push_back(d.phase);
        continue;
      }
      bool needed = false;
      for (int n : named)
        for (int dep : graph_.node(n).deps) needed |= dep == d.phase;
      if (!needed) continue;
      const std::string& name = graph_.node(d.phase).phase->name;
      if (d.action != Action::kFresh)
        throw UsageError("cannot run with --only: dependency '" + name +
                         "' has no recorded result for its current inputs (" + d.reason +
                         "); run it first, or pull the cache with `orchestrate cache pull`");
      AcceptFresh(d.phase, *d.record);
    }
    selected_ = only;
  }

  // --- events ------------------------------------------------------------------
  double Now() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

  void Emit(Event e) {
    std::lock_guard<std::mutex> lock(sink_mutex_);
    e.time_s = Now();
    sink_.OnEvent(e);
  }

  void Notice(const std::string& text, bool warning = false) {
    Event e;
    e.type = Event::Type::kMessage;
    e.text = text;
    e.warning = warning;
    pending_notices_.push_back(e);
    if (started_emitted_) FlushNotices();
  }

  void FlushNotices() {
    for (auto& e : pending_notices_) Emit(e);
    pending_notices_.clear();
  }

  void EmitRunStarted() {
    Event e;
    e.type = Event::Type::kRunStarted;
    e.base = base_;
    e.total = static_cast<int>(selected_.size());
    e.jobs = jobs_;
    Emit(e);
    started_emitted_ = true;
    FlushNotices();
    state_.run_started_at = std::time(nullptr);
    state_.run_pid = getpid();
    state_.base = base_;
    SaveState();
  }

  const std::string& Name(int p) const { return graph_.node(p).phase->name; }

  void SaveState() {
    auto begin = Clock::now();
    state_.Save(ws_.state_file());
    last_save_ = Clock::now();
    save_interval_ = std::max<Clock::duration>(std::chrono::milliseconds(100), 10 * (last_save_ - begin));
    state_dirty_ = false;
  }

  // state.json holds every phase, so rewriting it at each start and end made
  // a run O(n^2). A change is written at once when the last write is older
  // than save_interval_ (10x its cost, at least 100 ms), else when that is.
  void StateChanged() {
    state_dirty_ = true;
    SaveStateIfDue();
  }

  void SaveStateIfDue() {
    if (state_dirty_ && Clock::now() - last_save_ >= save_interval_) SaveState();
  }

  std::chrono::milliseconds WaitLimit() const {
    auto limit = std::chrono::milliseconds(100);
    if (!state_dirty_) return limit;
    auto due = std::chrono::duration_cast<std::chrono::milliseconds>(last_save_ + save_interval_ - Clock::now());
    return std::clamp(due, std::chrono::milliseconds(0), limit);
  }

  // --- the loop ------------------------------------------------------------------
  void Loop() {
    scheduler_ = std::make_unique<Scheduler>(graph_, jobs_);
    for (const auto& pool : manifest_.pools) scheduler_->SetPoolDepth(pool.name, pool.depth);
    scheduler_->Add(selected_);
    auto last_tick = Clock::now();
    while (true) {
      CheckSignal();
      EvaluateReady();
      StartRunnable();
      if (running_ == 0 && requeued_.empty() && (scheduler_->Idle() || scheduler_->stopped())) break;
      WaitForCompletions(WaitLimit());
      SaveStateIfDue();
      WakeRequeued();
      if (Clock::now() - last_tick >= std::chrono::seconds(1)) {
        last_tick = Clock::now();
        std::lock_guard<std::mutex> lock(sink_mutex_);
        sink_.OnTick(Now());
      }
    }
  }

  void CheckSignal() {
    int sig = signal_flag_->load();
    if (sig == 0 || signal_) return;
    signal_ = sig;
    cancel_ = true;
    scheduler_->StopStarting();
    requeued_.clear();
    Notice(std::string("interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
           ": stopping running phases; their worktrees and branches are kept", true);
  }

  void StopEverything() {
    cancel_ = true;
    if (scheduler_) scheduler_->StopStarting();
    for (auto& s : slots_)
      if (s.thread.joinable()) s.thread.join();
    running_ = 0;
  }

  std::vector<std::string> DepNames(int p) const {
    std::vector<std::string> names;
    for (int dep : graph_.node(p).deps) names.push_back(Name(dep));
    return names;
  }

  std::map<std::string, ObjectId> DepTrees(int p) {
    std::map<std::string, ObjectId> trees;
    for (int dep : graph_.node(p).deps) trees[Name(dep)] = slots_[dep].result_tree;
    return trees;
  }

  // Until nothing is ready: a fresh phase makes its dependents ready at once,
  // so a fresh graph is decided in one pass instead of a wait per layer.
  void EvaluateReady() {
    for (std::vector<int> ready; !(ready = scheduler_->PopReady()).empty();)
      for (int p : ready) Evaluate(p);
  }

  void Evaluate(int p) {
    PhaseDecision d = planner_->Decide(p, DepTrees(p));
    slots_[p].key = d.key;
    slots_[p].components = d.components;
    if (d.action != Action::kFresh) {
      slots_[p].reason = d.reason;
      return scheduler_->Enqueue(p);
    }
    AcceptFresh(p, *d.record);
    scheduler_->Finish(p, true);
    EmitFresh(p, *d.record);
  }

  // The phase's recorded result stands in for running it.
  void UseRecord(int p, const Record& record) {
    PhaseSlot& s = slots_[p];
    s.state = PhaseState::kFresh;
    s.result = record.result;
    s.result_tree = record.result_tree;
    s.input = record.input;
    s.handoff = record.handoff;
    s.key = record.key;
  }

  void AcceptFresh(int p, const Record& record) {
    UseRecord(p, record);
    PhaseRecord& r = state_.phases[Name(p)];
    r.state = PhaseState::kFresh;
    r.key = record.key;
    r.result = record.result;
    r.duration_s = record.duration_s;
    r.attempts = record.attempts;
    r.started_at = record.started_at;
    r.handoff_first_line = record.handoff.substr(0, record.handoff.find('\n'));
    r.reason = "";
  }

  void EmitFresh(int p, const Record& record) {
    Event e;
    e.type = Event::Type::kPhaseFresh;
    e.phase = Name(p);
    e.state = PhaseState::kFresh;
    e.result = record.result;
    e.duration_s = record.duration_s;
    e.attempts = record.attempts;
    e.reason = "fresh";
    Emit(e);
  }

  int FreeJobSlot() const {
    std::set<int> used;
    for (const auto& s : slots_)
      if (s.thread.joinable()) used.insert(s.job_slot);
    for (int i = 0;; ++i)
      if (!used.count(i)) return i;
  }

  void StartRunnable() {
    while (std::optional<int> p = scheduler_->PopRunnable()) {
      std::vector<PhaseResult> deps;
      for (int dep : graph_.node(*p).deps) deps.push_back({Name(dep), slots_[dep].result, {}, {}});
      MergeOutcome input = MergeInput(repo_, base_, deps);
      if (!input.failures.empty()) {
        InputConflict(*p, deps, input.failures.front());
        continue;
      }
      Launch(*p, input.commit);
    }
  }

  void InputConflict(int p, const std::vector<PhaseResult>& deps, const MergeFailure& f) {
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

  PhaseJob MakeJob(int p, const ObjectId& input) {
    const Phase& phase = *graph_.node(p).phase;
    PhaseSlot& s = slots_[p];
    PhaseJob job;
    job.phase = &phase;
    job.agent = manifest_.FindAgent(phase.agent);
    job.settings = &manifest_.settings;
    job.repo_root = ws_.root;
    job.worktree_name = s.worktree;
    job.worktree_dir = ws_.worktrees_dir();
    job.branch = "refs/heads/orchestrate/phase/" + phase.name;
    job.input = input;
    job.base = base_;
    job.log_path = ws_.LogPath(phase.name);
    job.phase_dir = ws_.ScratchDir(s.worktree);
    if (job.agent) job.prompt_content = PromptOf(phase);
    for (int dep : graph_.node(p).deps)
      if (!slots_[dep].handoff.empty()) job.dep_handoffs[Name(dep)] = slots_[dep].handoff;
    job.env = MergeEnvironment(CurrentEnvironment(), {"ORCHESTRATE_RUN_ID=" + run_id_});
    job.attempts_done = s.attempts_done;
    job.fresh_log = !s.started_before;
    job.kill_grace = std::chrono::milliseconds(
        static_cast<int64_t>(EnvSeconds("ORCHESTRATE_KILL_GRACE", 5) * 1000));
    job.repos = &repos_[s.worktree];
    job.hooks = RecordProcessGroups(ws_.pids_dir(), s.job_slot, "ORCHESTRATE_RUN_ID=" + run_id_);
    return job;
  }

  std::string PromptOf(const Phase& phase) {
    if (!phase.prompt_text.empty()) return phase.prompt_text;
    std::ifstream in(manifest_.dir + "/" + phase.prompt, std::ios::binary);
    if (!in) throw InfraError("cannot read prompt file " + manifest_.dir + "/" + phase.prompt);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void Launch(int p, const ObjectId& input) {
    PhaseSlot& s = slots_[p];
    std::string previous_phase;
    s.worktree = pool_->Acquire(Name(p), &previous_phase);
    s.job_slot = FreeJobSlot();
    if (!s.started_before) {
      s.started = Clock::now();
      s.started_at = std::time(nullptr);
    }
    s.input = input;
    PhaseJob job = MakeJob(p, input);
    job.previous_phase = previous_phase;
    s.started_before = true;
    s.state = PhaseState::kRunning;
    PhaseRecord& r = state_.phases[Name(p)];
    r.state = PhaseState::kRunning;
    r.branch = "orchestrate/phase/" + Name(p);
    r.log_path = job.log_path;
    r.worktree = job.worktree_dir + "/" + s.worktree;
    r.started_at = s.started_at;
    r.reason = s.reason;
    StateChanged();
    EmitStarted(p, job);
    ++running_;
    s.thread = std::thread([this, p, job = std::move(job)] {
      EmitFn emit = [this](Event e) { Emit(std::move(e)); };
      PhaseOutcome outcome = ExecutePhase(job, cancel_, emit);
      std::lock_guard<std::mutex> lock(done_mutex_);
      done_.push_back(Completion{p, std::move(outcome)});
      done_cv_.notify_one();
    });
  }

  void EmitStarted(int p, const PhaseJob& job) {
    Event e;
    e.type = Event::Type::kPhaseStarted;
    e.phase = Name(p);
    e.slot = slots_[p].job_slot;
    e.reason = slots_[p].reason;
    e.worktree = job.worktree_dir + "/" + job.worktree_name;
    e.branch = "orchestrate/phase/" + Name(p);
    e.log_path = job.log_path;
    e.started_at = slots_[p].started_at;
    e.attempts = slots_[p].attempts_done;
    Emit(e);
  }

  void WaitForCompletions(std::chrono::milliseconds timeout) {
    std::deque<Completion> done;
    {
      std::unique_lock<std::mutex> lock(done_mutex_);
      done_cv_.wait_for(lock, timeout, [this] { return !done_.empty(); });
      done.swap(done_);
    }
    for (auto& c : done) {
      slots_[c.phase].thread.join();
      --running_;
      Completed(c.phase, std::move(c.outcome));
    }
  }

  // --- a phase ended ---------------------------------------------------------------
  void Completed(int p, PhaseOutcome o) {
    PhaseSlot& s = slots_[p];
    if (o.requeue) return Requeue(p, o);
    if (!s.worktree.empty()) pool_->Release(s.worktree, Name(p), o.state == PhaseState::kSucceeded);
    s.state = o.state;
    if (o.state == PhaseState::kSucceeded) RecordSuccess(p, o);
    PhaseRecord& r = state_.phases[Name(p)];
    r.state = o.state;
    r.key = s.key;
    r.result = o.result;
    r.attempts = o.attempts;
    r.duration_s = std::chrono::duration<double>(Clock::now() - s.started).count();
    if (o.state != PhaseState::kSucceeded) r.reason = o.failure;
    r.handoff_first_line = o.handoff.substr(0, o.handoff.find('\n'));
    for (const auto& [owner, ref] : o.saved_attempts) RememberSaved(owner, ref);
    if (s.worktree.empty()) r.worktree.clear();
    bool counts_as_failure = o.state != PhaseState::kSucceeded &&
                             o.state != PhaseState::kInterrupted && o.state != PhaseState::kError;
    if (counts_as_failure && !s.key.empty()) state_.failed_keys[Name(p)].insert(s.key);
    if (o.state == PhaseState::kError) {
      infra_error_ = "phase " + Name(p) + ": " + o.infra_error;
      stopped_by_infra_ = true;
      scheduler_->StopStarting();
    }
    EmitFinished(p, o, r);
    std::vector<int> blocked = scheduler_->Finish(p, o.state == PhaseState::kSucceeded);
    for (int b : blocked) Blocked(b, p);
    if (o.state != PhaseState::kSucceeded && options_.fail_fast) scheduler_->StopStarting();
    StateChanged();
  }

  // The most recent saves of a phase's work, for `status` and `log`.
  void RememberSaved(const std::string& phase, const std::string& ref) {
    std::vector<std::string>& saved = state_.phases[phase].saved_attempts;
    saved.push_back(ref);
    if (saved.size() > 20) saved.erase(saved.begin());
  }

  void RecordSuccess(int p, PhaseOutcome& o) {
    PhaseSlot& s = slots_[p];
    s.result = o.result;
    s.result_tree = repo_.TreeOf(o.result);
    s.handoff = o.handoff;
    Record rec;
    rec.phase = Name(p);
    rec.key = s.key;
    rec.components = s.components;
    rec.result = o.result;
    rec.result_tree = s.result_tree;
    rec.input = s.input;
    rec.started_at = s.started_at;
    rec.duration_s = std::chrono::duration<double>(Clock::now() - s.started).count();
    rec.attempts = o.attempts;
    rec.commands = o.commands;
    rec.log = ReadTail(ws_.LogPath(Name(p)), 100000);
    rec.handoff = o.handoff;
    cache_.Store(rec);
    state_.succeeded_keys[Name(p)].insert(s.key);
    state_.phases[Name(p)].recorded_at = std::time(nullptr);
  }

  void EmitFinished(int p, const PhaseOutcome& o, const PhaseRecord& r) {
    Event e;
    e.type = Event::Type::kPhaseFinished;
    e.phase = Name(p);
    e.slot = slots_[p].job_slot;
    e.state = o.state;
    e.duration_s = r.duration_s;
    e.attempts = o.attempts;
    e.result = o.result;
    e.reason = o.state == PhaseState::kSucceeded ? slots_[p].reason : o.failure;
    e.failed_command = o.failed_command;
    e.log_tail = o.log_tail;
    e.log_path = o.state == PhaseState::kInputConflict ? "" : ws_.LogPath(Name(p));
    e.worktree = o.worktree_path;
    e.branch = r.branch;
    e.commands = o.commands;
    e.started_at = slots_[p].started_at;
    Emit(e);
    for (const auto& [owner, ref] : o.saved_attempts)
      Notice("saved earlier unrecorded work of " + owner + " as " + ref);
  }

  void Blocked(int b, int by) {
    slots_[b].state = PhaseState::kBlocked;
    PhaseRecord& r = state_.phases[Name(b)];
    r.state = PhaseState::kBlocked;
    r.reason = "blocked by " + Name(by);
    Event e;
    e.type = Event::Type::kPhaseFinished;
    e.phase = Name(b);
    e.state = PhaseState::kBlocked;
    e.reason = r.reason;
    Emit(e);
  }

  void Requeue(int p, const PhaseOutcome& o) {
    PhaseSlot& s = slots_[p];
    s.attempts_done = o.attempts;
    pool_->Release(s.worktree, Name(p), true);
    state_.kept_worktrees[s.worktree] = Name(p);  // come back to the same worktree
    scheduler_->Requeue(p);
    if (++s.requeues > kMaxRequeues) {
      PhaseOutcome failed = o;
      failed.requeue = false;
      failed.state = PhaseState::kFailed;
      failed.failure = "still told to wait (\"" + o.requeue_pattern + "\") after " +
                       std::to_string(kMaxRequeues) + " requeues";
      failed.log_tail = ReadTail(ws_.LogPath(Name(p)), 20);
      return Completed(p, failed);
    }
    double base = EnvSeconds("ORCHESTRATE_REQUEUE_BACKOFF", 10);
    double backoff = std::min(base * std::pow(2.0, s.requeues - 1), 600.0);
    requeued_[p] = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(backoff * 1000));
    Event e;
    e.type = Event::Type::kPhaseRequeued;
    e.phase = Name(p);
    e.text = o.requeue_pattern;
    e.backoff_s = backoff;
    e.attempts = o.attempts;
    Emit(e);
  }

  void WakeRequeued() {
    auto now = Clock::now();
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
  // Phases outside this run's selection keep their place in the target when
  // their recorded result is still valid for the current inputs.
  void AddFreshUnselected() {
    std::set<int> selected(selected_.begin(), selected_.end());
    for (int p : graph_.topo_order()) {
      if (selected.count(p) || slots_[p].state != PhaseState::kStale) continue;
      bool deps_known = true;
      for (int dep : graph_.node(p).deps) deps_known &= IsSuccess(slots_[dep].state);
      if (!deps_known) continue;
      PhaseDecision d = planner_->Decide(p, DepTrees(p));
      if (d.action == Action::kFresh) UseRecord(p, *d.record);
    }
  }

  void IntegrateTarget() {
    AddFreshUnselected();
    std::vector<PhaseResult> results;
    for (int p : graph_.topo_order())
      if (IsSuccess(slots_[p].state) && graph_.node(p).phase->merge)
        results.push_back({Name(p), slots_[p].result, slots_[p].input, DepNames(p)});
    MergeOutcome m = MergeTarget(repo_, base_, results);
    if (!m.failures.empty()) return TargetConflicts(m.failures);
    UpdateTarget(repo_, manifest_.settings.target, m.commit);
    Event e;
    e.type = Event::Type::kTargetUpdated;
    e.text = manifest_.settings.target;
    e.result = m.commit;
    Emit(e);
  }

  void TargetConflicts(const std::vector<MergeFailure>& failures) {
    for (const auto& f : failures) {
      std::string paths;
      for (const auto& path : f.paths) paths += (paths.empty() ? "" : ", ") + path;
      int p = *graph_.Find(f.phase);
      slots_[p].state = PhaseState::kMergeConflict;
      PhaseRecord& r = state_.phases[f.phase];
      r.state = PhaseState::kMergeConflict;
      r.reason = "its result conflicts with earlier results in " + paths;
      Notice("merging " + f.phase + " into " + manifest_.settings.target + " conflicts in " + paths +
                 "; the target was left where it was",
             true);
    }
    target_conflict_ = true;
  }

  int ExitStatus() const {
    if (signal_) return signal_ == SIGINT ? kExitSigint : kExitSigterm;
    if (!infra_error_.empty()) return kExitInfra;
    if (target_conflict_) return kExitPhaseFailed;
    for (int p : selected_)
      if (!IsSuccess(slots_[p].state)) return kExitPhaseFailed;
    return kExitOk;
  }

  int Finish() {
    for (int p : selected_)
      if (slots_[p].state == PhaseState::kRunning) {
        slots_[p].state = PhaseState::kInterrupted;
        state_.phases[Name(p)].state = PhaseState::kInterrupted;
      }
    if (!infra_error_.empty()) Notice("stopped: " + infra_error_ + " — nothing half-done was recorded; retrying may help", true);
    FlushNotices();
    try {
      SaveState();
    } catch (const InfraError&) {
    }
    Event e;
    e.type = Event::Type::kRunFinished;
    e.exit_status = ExitStatus();
    e.duration_s = Now();
    Emit(e);
    return e.exit_status;
  }

  Project& project_;
  const Manifest& manifest_;
  const Workspace& ws_;
  Repo& repo_;
  RunOptions options_;
  EventSink& sink_;
  Graph graph_;
  ResultCache cache_;
  RunState state_;
  RunLock lock_;
  std::unique_ptr<WorktreePool> pool_;
  std::unique_ptr<Planner> planner_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<int> selected_;
  std::vector<PhaseSlot> slots_;
  ObjectId base_;
  int jobs_ = 1;
  int running_ = 0;
  std::string run_id_;
  std::atomic<int>* signal_flag_ = nullptr;
  int signal_ = 0;
  std::atomic<bool> cancel_{false};
  std::string infra_error_;
  bool stopped_by_infra_ = false;
  bool target_conflict_ = false;
  bool started_emitted_ = false;
  std::vector<Event> pending_notices_;
  std::map<int, Clock::time_point> requeued_;
  /// Open repositories per worktree name, reused by the phases run there.
  std::map<std::string, WorktreeRepos> repos_;
  Clock::time_point started_;
  Clock::time_point last_save_;
  Clock::duration save_interval_ = std::chrono::milliseconds(100);
  bool state_dirty_ = false;
  std::mutex sink_mutex_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::deque<Completion> done_;
};

}  // namespace

int RunPhases(Project& project, const RunOptions& options, EventSink& sink) {
  Run run(project, options, sink);
  return run.Execute();
}

}  // namespace orchestrate
