// The event stream of a run. The core never prints: it emits events, and
// sinks (terminal status, plain printer, NDJSON, Chrome trace, JUnit,
// GitHub step summary) listen.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/duration.h"
#include "orchestrate/object_id.h"
#include "orchestrate/usage.h"

namespace orchestrate {

/// Phase states, as `status --json` names them (SPEC section 3).
enum class PhaseState {
  kFresh,
  kStale,
  kRunning,
  kRequeued,  ///< waiting out a rate limit, to be queued again
  kSucceeded,
  kFailed,
  kTimedOut,
  kInputConflict,
  kMergeConflict,
  kBlocked,
  kAwaitingApproval,  ///< verified; waits for `orchestrate approve` (approval = true)
  kInterrupted,
  kError,
  kSkippedBudget,  ///< not started: the run spent settings.budget_usd
};

/// "fresh", "stale", "running", "requeued", "succeeded", "failed", "timed-out",
/// "input-conflict", "merge-conflict", "blocked", "awaiting-approval",
/// "interrupted", "error", "skipped-budget".
std::string_view ToString(PhaseState state);
std::optional<PhaseState> ParsePhaseState(std::string_view text);
/// succeeded or fresh.
bool IsSuccess(PhaseState state);
/// A phase that ran and did not succeed: failed, timed-out, input-conflict,
/// merge-conflict, error, interrupted (not blocked or skipped-budget: it
/// never ran).
bool IsFailure(PhaseState state);

/// What one command of a phase did.
struct CommandOutcome {
  std::string step;  ///< "setup", "run", "verify"
  std::string command;
  int exit_code = -1;
  std::string describe;  ///< ProcessResult::Describe()
  double duration_s = 0;
};

struct Event {
  enum class Type {
    kRunStarted,      ///< base, total, jobs
    kPhaseFresh,      ///< phase skipped: result reused
    kPhaseStarted,    ///< phase, slot, reason, worktree
    kCommandStarted,  ///< phase, text (the command), step
    kPhaseRequeued,   ///< phase, text (matched pattern), backoff_s
    kPhaseFinished,   ///< phase, state, duration_s, attempts, result, reason, failure details;
                      ///< a merge-conflict at the end supersedes the phase's earlier one
    kTargetUpdated,   ///< text: target branch, result: commit
    kMessage,         ///< text: a one-line notice (warning level when `warning`)
    kRunFinished,     ///< exit_status, duration_s, usage (what the run spent in total)
  };
  Type type = Type::kMessage;
  double time_s = 0;  ///< seconds since the run started
  std::string phase;
  int slot = -1;  ///< job slot, 0..jobs-1, for started/finished
  PhaseState state = PhaseState::kStale;
  std::string reason;  ///< why it ran / why it failed / blocked by
  std::string text;
  std::string step;
  bool warning = false;
  double duration_s = 0;
  double backoff_s = 0;
  int attempts = 0;
  ObjectId result;  ///< result commit id
  std::string branch;
  std::string worktree;
  std::string log_path;
  std::string failed_command;
  std::string log_tail;  ///< last lines of the log for failures
  std::vector<CommandOutcome> commands;
  std::vector<std::string> paths;           ///< merge-conflict: the conflicting paths
  std::vector<std::string> conflicts_with;  ///< merge-conflict: the phases it conflicts with
  int64_t started_at = 0;                   ///< unix seconds
  /// kPhaseFinished: the tokens and cost this run spent on the phase, every
  /// attempt included (usage.h); empty when it reported none. kRunFinished:
  /// the sum over the run's phases.
  Usage usage;
  // run-level
  ObjectId base;
  int total = 0;
  int jobs = 0;
  int exit_status = 0;
};

/// How long the phase of a kPhaseFinished or kPhaseFresh event ran, as every
/// report shows it: a finished phase that never started (started_at unset:
/// input-conflict, blocked) ran 0s, whatever duration_s says.
double PhaseDuration(const Event& event);

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;
  /// Called about every second while phases run (live displays redraw).
  virtual void OnTick(double /*time_s*/) {}
  /// The run is over: flush files.
  virtual void Close() {}
};

/// Fans events out to several sinks.
class EventBus : public EventSink {
 public:
  void Add(std::unique_ptr<EventSink> sink) { sinks_.push_back(std::move(sink)); }
  void OnEvent(const Event& event) override {
    for (auto& s : sinks_) s->OnEvent(event);
  }
  void OnTick(double t) override {
    for (auto& s : sinks_) s->OnTick(t);
  }
  void Close() override {
    for (auto& s : sinks_) s->Close();
  }

 private:
  std::vector<std::unique_ptr<EventSink>> sinks_;
};

enum class Verbosity { kQuiet, kNormal, kVerbose };

/// Human output. On a terminal (`live`): one status line redrawn in place in
/// Ninja's style "[3/8] running: api 1m12s, ui 20s", a line per finished
/// phase, a summary. Otherwise plain lines only, no escape codes. `color`
/// adds ANSI colors. Writes to `out` (stdout in the product).
std::unique_ptr<EventSink> MakeConsolePrinter(std::FILE* out, bool live, bool color,
                                              Verbosity verbosity);
/// The file sinks below open (truncate, or append for the step summary) their
/// file at once and throw UsageError when they cannot; a failed write at
/// Close() is reported on stderr. Destroying a sink closes it.
///
/// One JSON object per line, flushed as things happen (--events FILE).
std::unique_ptr<EventSink> MakeEventsWriter(const std::string& path);
/// Chrome trace format (--trace FILE): one track per job slot.
std::unique_ptr<EventSink> MakeTraceWriter(const std::string& path);
/// JUnit XML (--junit FILE): one testcase per phase.
std::unique_ptr<EventSink> MakeJunitWriter(const std::string& path);
/// Markdown summary appended to `path` ($GITHUB_STEP_SUMMARY).
std::unique_ptr<EventSink> MakeStepSummaryWriter(const std::string& path);

}  // namespace orchestrate
