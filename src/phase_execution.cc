#include "orchestrate/phase_execution.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <utility>

#include "file_io.h"
#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "orchestrate/phase_failure.h"
#include "orchestrate/process.h"
#include "orchestrate/recovery.h"
#include "orchestrate/refs.h"
#include "orchestrate/repository_environment.h"
#include "orchestrate/requeue_wait.h"
#include "orchestrate/worktree_files.h"

namespace fs = std::filesystem;

namespace orchestrate {

bool IsRecordedResult(Repo& repo, const std::string& phase, const ObjectId& commit) {
  for (const auto& [ref, record] : repo.ListRefs(refs::CacheRefs(phase))) {
    std::vector<ObjectId> parents = repo.ParentsOf(record);
    if (!parents.empty() && parents[0] == commit) return true;
  }
  return false;
}

std::string SaveAttempt(Repo& repo, const std::string& phase, const ObjectId& commit) {
  // Two running phases can save the same commit of a phase at once (its own
  // start, and another phase taking its old worktree): within one second
  // both named the same ref, and the second write found the first's lock
  // and stopped the run. One at a time, the second sees the first's ref.
  static std::mutex saving;
  std::lock_guard<std::mutex> lock(saving);
  for (const auto& [ref, id] : repo.ListRefs(refs::AttemptRefs(phase)))
    if (id == commit) return "";
  if (IsRecordedResult(repo, phase, commit)) return "";
  std::string ref = refs::AttemptRef(phase, std::time(nullptr), commit);
  repo.WriteRef(ref, commit, "orchestrate: save unrecorded work of " + phase);
  return ref;
}

namespace {

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw InfraError("cannot write " + path + " (disk full or no permission?)");
}

std::string ReadText(const std::string& path) { return ReadWholeFile(path).value_or(""); }

bool ContainsIgnoringCase(const std::string& haystack, const std::string& needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return !needle.empty() && it != haystack.end();
}

// The phase whose branch HEAD of `wt` is on; "" when it is on none.
std::string PhaseOwningHead(Repo& wt) {
  return refs::PhaseOfBranchRef(wt.HeadBranch()).value_or("");
}

class PhaseExecution {
 public:
  PhaseExecution(const PhaseJob& job, const std::atomic<bool>& cancel, const EmitFn& emit)
      : job_(job), phase_(*job.phase), cancel_(cancel), emit_(emit) {}

  PhaseOutcome Execute() {
    try {
      Prepare();
      RunAll();
    } catch (const PhaseFailure& e) {
      repos_.worktree.reset();  // opened afresh next time
      out_.state = PhaseState::kFailed;
      out_.failure = e.what();
    } catch (const std::exception& e) {
      repos_.worktree.reset();  // opened afresh next time
      out_.state = PhaseState::kError;
      out_.infra_error = e.what();
      out_.failure = e.what();
    }
    return std::move(out_);
  }

 private:
  // --- preparing the worktree ---------------------------------------------
  void Prepare() {
    if (!repos_.main) repos_.main = Repo::Open(job_.repo_root);
    main_ = repos_.main.get();
    RemoveBranchLock();
    SaveBranchHead();
    WorktreeStore store(*main_, job_.worktree_dir);
    std::string path = job_.worktree_dir + "/" + job_.worktree_name;
    bool existed = fs::exists(path + "/.git");
    if (existed && !repos_.worktree) {
      try {
        repos_.worktree = Repo::Open(path);
      } catch (const InfraError&) {
        existed = false;
      }
    }
    wt_ = repos_.worktree.get();
    bool left_clean = std::exchange(repos_.left_clean, false);
    if (existed) {
      if (!left_clean) SaveWorktreeWork();
      main_->WriteRef(job_.branch, job_.input, "orchestrate: start " + phase_.name);
      wt_->SwitchTo(job_.branch, job_.input);
    } else {
      main_->WriteRef(job_.branch, job_.input, "orchestrate: start " + phase_.name);
      // Creating repairs .git/worktrees/ first, which must not see another
      // worker's half-made entry: one creation at a time.
      static std::mutex creating;
      std::lock_guard<std::mutex> lock(creating);
      path = store.Ensure(job_.worktree_name, job_.branch);
      repos_.worktree = Repo::Open(path);
      wt_ = repos_.worktree.get();
    }
    out_.worktree_path = path;
    CopyAndLinkIntoWorktree(job_.repo_root, path, *job_.settings);
    PreparePhaseDir();
  }

  // Nothing of this run works on the phase's branch before the phase starts:
  // a lock on it was left by a process killed while writing it.
  void RemoveBranchLock() {
    std::string removed = RemoveStaleRefLock(main_->commondir(), job_.branch);
    if (!removed.empty()) Note(removed);
  }

  void SaveBranchHead() {
    std::optional<ObjectId> head = main_->ReadRef(job_.branch);
    if (!head || *head == job_.input || main_->IsAncestor(*head, job_.input)) return;
    Remember(phase_.name, SaveAttempt(*main_, phase_.name, *head));
  }

  // Uncommitted or unrecorded work left in a reused worktree is saved first.
  void SaveWorktreeWork() {
    std::string owner = PhaseOwningHead(*wt_);
    if (owner.empty()) owner = job_.previous_phase.empty() ? phase_.name : job_.previous_phase;
    // Off the branch first: its own phase may be moving it right now.
    wt_->DetachHead();
    if (wt_->HasUncommittedChanges())
      wt_->CommitAll(owner + ": work left uncommitted in worktree " + job_.worktree_name +
                     " (saved by orchestrate)");
    std::optional<ObjectId> head = wt_->HeadCommit();
    if (head && !main_->IsAncestor(*head, job_.input))
      Remember(owner, SaveAttempt(*main_, owner, *head));
    wt_->DetachHead();
  }

  void Remember(const std::string& owner, const std::string& ref) {
    if (!ref.empty()) out_.saved_attempts.emplace_back(owner, ref);
  }

  void PreparePhaseDir() {
    if (fs::exists(DepsDir()))
      for (const auto& entry : fs::directory_iterator(DepsDir())) fs::remove_all(entry.path());
    else
      fs::create_directories(DepsDir());
    fs::remove(HandoffPath());
    fs::remove(FeedbackPath());
    fs::remove(UsagePath());
    for (const auto& [dep, text] : job_.dep_handoffs)
      WriteText(DepsDir() + "/" + dep + ".md", text);
    if (phase_.agent.empty()) return;
    WriteText(PromptPath(), job_.prompt_content);
  }

  std::string DepsDir() const { return job_.phase_dir + "/deps"; }
  std::string HandoffPath() const { return job_.phase_dir + "/handoff.md"; }
  std::string FeedbackPath() const { return job_.phase_dir + "/feedback.md"; }
  std::string PromptPath() const { return job_.phase_dir + "/prompt.md"; }
  std::string UsagePath() const { return job_.phase_dir + "/usage.json"; }

  // --- running ---------------------------------------------------------------
  std::vector<std::string> Environment(int attempt, bool feedback) const {
    std::vector<std::string> extra;
    for (const auto& [k, v] : phase_.env()) extra.push_back(k + "=" + v);
    extra.push_back("ORCHESTRATE_PHASE=" + phase_.name);
    extra.push_back("ORCHESTRATE_WORKTREE=" + out_.worktree_path);
    extra.push_back("ORCHESTRATE_BASE=" + job_.base.hex());
    extra.push_back("ORCHESTRATE_ATTEMPT=" + std::to_string(attempt));
    extra.push_back("ORCHESTRATE_HANDOFF_FILE=" + HandoffPath());
    extra.push_back("ORCHESTRATE_DEPS_DIR=" + DepsDir());
    extra.push_back("ORCHESTRATE_USAGE_FILE=" + UsagePath());
    if (!phase_.agent.empty()) extra.push_back("ORCHESTRATE_PROMPT_FILE=" + PromptPath());
    if (feedback) extra.push_back("ORCHESTRATE_FEEDBACK_FILE=" + FeedbackPath());
    return MergeEnvironment(WithoutRepositoryVariables(job_.env), extra);
  }

  std::string Command() const {
    if (!phase_.run.empty()) return phase_.run;
    std::map<std::string, std::string> runtime{
        {"prompt_file", PromptPath()},
        {"worktree", out_.worktree_path},
        {"branch", job_.branch.substr(std::string("refs/heads/").size())}};
    return ExpandAgentCommand(*job_.agent, phase_, runtime);
  }

  ProcessResult Step(const std::string& step, const std::string& command, int attempt,
                     bool feedback) {
    {
      std::ofstream log(job_.log_path, std::ios::app);
      log << "=== orchestrate: attempt " << attempt << ", " << step << ": " << command << "\n";
    }
    Event e;
    e.type = Event::Type::kCommandStarted;
    e.phase = phase_.name;
    e.step = step;
    e.text = command;
    emit_(e);
    ProcessSpec spec{command,       out_.worktree_path, Environment(attempt, feedback),
                     job_.log_path, phase_.timeout(),   job_.kill_grace};
    ProcessResult r = job_.run_command ? job_.run_command(spec, &cancel_, job_.hooks)
                                       : RunProcess(spec, &cancel_, job_.hooks);
    if (!fs::exists(out_.worktree_path + "/.git"))
      throw PhaseFailure(step + " `" + command + "` deleted the phase's own worktree " +
                         out_.worktree_path + " (" + r.Describe() +
                         "); commands must leave the worktree in place. orchestrate recreates "
                         "it for the next phase");
    out_.commands.push_back(CommandOutcome{step, command, r.exit_code, r.Describe(),
                                           std::chrono::duration<double>(r.elapsed).count()});
    return r;
  }

  // Ends the phase because `r` of `step` failed.
  void Fail(const std::string& step, const std::string& command, const ProcessResult& r) {
    out_.state = r.cancelled   ? PhaseState::kInterrupted
                 : r.timed_out ? PhaseState::kTimedOut
                               : PhaseState::kFailed;
    out_.failed_command = command;
    out_.failure = step + " `" + command + "` " + r.Describe();
    out_.log_tail = ReadTail(job_.log_path, 20, r.log_begin, r.log_end);
  }

  bool RunSetup() {
    for (const auto& command : phase_.setup()) {
      ProcessResult r = Step("setup", command, job_.attempts_done + 1, false);
      if (!r.ok()) {
        Fail("setup", command, r);
        return false;
      }
    }
    return true;
  }

  std::string MatchedRequeuePattern(const ProcessResult& r) const {
    std::string output = ReadTail(job_.log_path, 200, r.log_begin, r.log_end);
    for (const auto* list :
         {&phase_.requeue_on(), job_.agent ? &job_.agent->requeue_on : nullptr}) {
      if (!list) continue;
      for (const auto& pattern : *list)
        if (ContainsIgnoringCase(output, pattern)) return pattern;
    }
    return "";
  }

  void WriteFeedback(int attempt, const std::string& step, const std::string& command,
                     const ProcessResult& r, const std::string& why) {
    std::string text = "# Attempt " + std::to_string(attempt) + " of phase " + phase_.name +
                       " failed\n\n" + "Failed " + step + " command: `" + command + "`\n" +
                       "Result: " + (why.empty() ? r.Describe() : why) +
                       "\n\n## Last lines of its output\n\n```\n" +
                       ReadTail(job_.log_path, 60, r.log_begin, r.log_end) + "\n```\n";
    WriteText(FeedbackPath(), text);
  }

  std::string CommitMessage() const {
    return phase_.description().empty() ? phase_.name : phase_.name + ": " + phase_.description();
  }

  // One attempt: the command, the commit of what it changed, the verify
  // commands. Returns the failing step, or nullopt when everything passed.
  struct StepFailure {
    std::string step, command;
    ProcessResult result;
    std::string why;              ///< set when the command exited 0 but did wrong
    bool final = false;           ///< no retry can mend it
    std::string requeue_pattern;  ///< the output says "try later": this attempt does not count
  };
  std::optional<StepFailure> Attempt(int attempt, bool feedback) {
    if (!phase_.IsGate()) {
      // Files setup made, or verify left from an earlier attempt, differ
      // from the index already: only what the command changes is committed.
      WorktreeSnapshot before = wt_->Snapshot();
      std::string command = Command();
      ProcessResult r = Step("run", command, attempt, feedback);
      run_output_ = {r.log_begin, r.log_end};
      // Whatever the exit status: some agent CLIs exit 0 on a rate limit.
      if (!r.cancelled && !r.timed_out)
        if (std::string pattern = MatchedRequeuePattern(r); !pattern.empty())
          return StepFailure{"run", command, r, "", false, pattern};
      if (std::string why = LeftTheInput(); !why.empty())
        return StepFailure{"run", command, r, why, true, ""};
      if (!r.ok()) {
        // A retry builds on this attempt's work, so it is committed now.
        if (attempt < phase_.retries + 1 && !r.cancelled)
          wt_->CommitChangesSince(
              before, CommitMessage() + " (attempt " + std::to_string(attempt) + ", failed)");
        return StepFailure{"run", command, r, "", false, ""};
      }
      wt_->CommitChangesSince(before, CommitMessage());
      if (std::string why = ChangedNothing(); !why.empty())
        return StepFailure{"run", command, r, why, false, ""};
    }
    result_ = *wt_->HeadCommit();
    for (const auto& command : phase_.verify) {
      ProcessResult r = Step("verify", command, attempt, feedback);
      if (!r.ok()) return StepFailure{"verify", command, r, "", false, ""};
    }
    return std::nullopt;
  }

  // What the command did to the worktree when it no longer holds the phase
  // branch at a descendant of the input (SPEC 3: a result descends from its
  // input); "" when it does. What it left is saved under attempts.
  std::string LeftTheInput() {
    std::string branch = job_.branch.substr(std::string("refs/heads/").size());
    std::optional<ObjectId> head = wt_->HeadCommit();
    std::string head_at = head ? head->ShortHex(12) : "nothing";
    std::string where = wt_->HeadBranch();
    std::string did;
    if (where.empty())
      did = "detached HEAD at " + head_at;
    else if (where != job_.branch)
      did = "switched the worktree to branch '" + where.substr(std::string("refs/heads/").size()) +
            "'";
    else if (!head || !main_->IsAncestor(job_.input, *head))
      did = "reset " + branch + " to " + head_at + ", which does not contain the phase's input " +
            job_.input.ShortHex(12);
    if (did.empty()) return "";
    std::string saved;
    if (head && *head != job_.input && !main_->IsAncestor(*head, job_.input)) {
      saved = SaveAttempt(*main_, phase_.name, *head);
      Remember(phase_.name, saved);
    }
    return "the command " + did + "; " + branch + " must stay checked out and keep the input" +
           (saved.empty() ? "" : " (its commits are saved as " + saved + ")") +
           ", so nothing of this attempt is used";
  }

  // An agent that exited 0 having changed nothing and handed nothing off
  // most likely did not run at all; "" when it did something or may not.
  std::string ChangedNothing() const {
    if (phase_.agent.empty() || phase_.allow_empty) return "";
    if (*wt_->HeadCommit() != job_.input) return "";
    std::error_code ec;
    if (fs::file_size(HandoffPath(), ec) > 0 && !ec) return "";
    return "the agent changed nothing and wrote no handoff (set allow_empty = true on the phase "
           "if that can be a success)";
  }

  void RunAll() {
    if (job_.fresh_log) WriteText(job_.log_path, "");
    if (!RunSetup()) return;
    bool feedback = !job_.rejection.empty();
    if (feedback) WriteText(FeedbackPath(), job_.rejection);
    for (int attempt = job_.attempts_done + 1;; ++attempt) {
      out_.attempts = attempt;
      run_output_.reset();
      std::optional<StepFailure> failure = Attempt(attempt, feedback);
      AddAttemptUsage();
      if (!failure) break;
      const ProcessResult& r = failure->result;
      if (!failure->requeue_pattern.empty()) {
        out_.requeue = true;
        out_.requeue_pattern = failure->requeue_pattern;
        out_.requeue_wait_s =
            WaitNamedIn(ReadTail(job_.log_path, 200, r.log_begin, r.log_end), std::time(nullptr));
        out_.attempts = attempt - 1;
        return;
      }
      if (failure->final) return FailBecause(failure->command, failure->why);
      if (r.cancelled || attempt >= phase_.retries + 1) {
        if (!failure->why.empty()) return FailBecause(failure->command, failure->why);
        return Fail(failure->step, failure->command, r);
      }
      WriteFeedback(attempt, failure->step, failure->command, r, failure->why);
      feedback = true;
    }
    Succeed();
  }

  // What the attempt just made reported: the agent's JSON output (its run
  // command's part of the log) or ORCHESTRATE_USAGE_FILE, which is removed
  // so that the next attempt starts without it. A malformed file is a
  // warning, never a failure.
  void AddAttemptUsage() {
    std::string output;
    if (run_output_ && job_.agent && job_.agent->usage != UsageFormat::kFile)
      output = ReadRangeOf(job_.log_path, run_output_->first, run_output_->second);
    std::string warning;
    UsageFormat format = job_.agent ? job_.agent->usage : UsageFormat::kFile;
    out_.usage.Add(PhaseUsage(format, UsagePath(), output, &warning));
    std::error_code ec;
    fs::remove(UsagePath(), ec);
    if (!warning.empty()) Note(warning);
  }

  // A warning about the phase, shown with the run's output.
  void Note(const std::string& text) {
    Event e;
    e.type = Event::Type::kMessage;
    e.phase = phase_.name;
    e.text = "phase " + phase_.name + ": " + text;
    e.warning = true;
    emit_(e);
  }

  // Ends the phase: its command exited 0 but `why` makes it a failure.
  void FailBecause(const std::string& command, const std::string& why) {
    out_.state = PhaseState::kFailed;
    out_.failed_command = command;
    out_.failure = why;
    out_.log_tail = ReadTail(job_.log_path, 20);
  }

  void Succeed() {
    // What verify wrote is not part of the result, and neither is anything
    // it committed: the branch and the worktree go back to the result.
    out_.result = result_;
    if (main_->ReadRef(job_.branch) != result_)
      main_->WriteRef(job_.branch, result_, "orchestrate: result of " + phase_.name);
    if (!phase_.verify.empty() && (wt_->HeadCommit() != result_ || wt_->HasUncommittedChanges()))
      wt_->SwitchTo(job_.branch, out_.result);
    out_.state = PhaseState::kSucceeded;
    if (fs::exists(HandoffPath())) out_.handoff = ReadText(HandoffPath());
    wt_->DetachHead();
    repos_.left_clean = true;
  }

  const PhaseJob& job_;
  const Phase& phase_;
  const std::atomic<bool>& cancel_;
  const EmitFn& emit_;
  WorktreeRepos own_repos_;  ///< when the job brings none
  WorktreeRepos& repos_ = job_.repos ? *job_.repos : own_repos_;
  Repo* main_ = nullptr;
  Repo* wt_ = nullptr;
  PhaseOutcome out_;
  ObjectId result_;  ///< the commit verify ran on
  /// Where the current attempt's run command wrote in the log: [begin, end).
  std::optional<std::pair<int64_t, int64_t>> run_output_;
};

}  // namespace

PhaseOutcome ExecutePhase(const PhaseJob& job, const std::atomic<bool>& cancel,
                          const EmitFn& emit) {
  return PhaseExecution(job, cancel, emit).Execute();
}

}  // namespace orchestrate
