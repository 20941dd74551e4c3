// Pieces shared by the event sinks (console, NDJSON, trace, JUnit, step
// summary). Private to src/: not part of the module contract.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestrate/events.h"

namespace orchestrate {

/// Log text as a terminal would have shown it, safe to print anywhere: ANSI
/// escape sequences removed, a line rewritten with "\r" reduced to its last
/// version, other control characters except tab and newline dropped.
std::string StripTerminalControls(std::string_view text);

/// The lines of `text` without a trailing empty line.
std::vector<std::string> SplitLines(std::string_view text);

/// One group of the run summary: its text ("1 failed (ui)") and the state
/// it counts (kStale for phases that never finished).
using SummaryPart = std::pair<std::string, PhaseState>;

/// Counts the finished phases by state, in a fixed order: succeeded, fresh,
/// the failures, blocked, then "N not run" for the rest of `total`. Groups
/// that did not succeed name their phases. `fresh` more phases were fresh
/// without being in `finished` (a printer only needs to count them).
std::vector<SummaryPart> SummarizeOutcomes(const std::vector<Event>& finished, int total,
                                           int fresh = 0);

/// "2 succeeded, 1 failed (ui)"; "nothing ran" when there are no parts.
std::string JoinSummary(const std::vector<SummaryPart>& parts);

/// Why a finished phase did not succeed, for one line: its reason, or else
/// `<step> `<command>` <describe>` of the last command that failed.
std::string DescribeFailure(const Event& finished);

/// The first 7 characters of a commit id.
std::string ShortId(const ObjectId& commit);

/// What the phases of `finished` spent, added up.
Usage TotalUsage(const std::vector<Event>& finished);

/// What the end-of-run sinks (JUnit, step summary) report: fed every event,
/// it keeps the phases that finished, in order, and the run's totals.
class RunRecord {
 public:
  void Add(const Event& event);
  void Tick(double time_s);
  /// Finished phases (fresh ones with state kFresh) in finish order, then
  /// phases still running as kInterrupted: the run stopped under them.
  std::vector<Event> Outcomes() const;
  /// The run's duration; until it finished, the time of the last event.
  double duration_s() const { return run_finished_ ? duration_s_ : now_; }
  int total() const { return total_; }
  const std::string& target() const { return target_; }
  const ObjectId& target_commit() const { return target_commit_; }

 private:
  double now_ = 0;
  double duration_s_ = 0;
  bool run_finished_ = false;
  int total_ = 0;
  std::vector<Event> finished_;
  std::vector<Event> running_;  ///< kPhaseStarted events, in start order
  std::string target_;
  ObjectId target_commit_;
};

/// A file written by a sink. Opening throws UsageError; write errors are
/// remembered and reported once on stderr by Close().
class SinkFile {
 public:
  /// `mode` is an fopen mode: "w" or "a".
  SinkFile(const std::string& path, const char* mode);
  ~SinkFile();
  SinkFile(const SinkFile&) = delete;
  SinkFile& operator=(const SinkFile&) = delete;

  void Write(std::string_view text);
  void Flush();
  /// Flushes and closes; later writes are ignored.
  void Close();
  bool is_open() const { return file_ != nullptr; }

 private:
  void Fail();  // remembers the first errno

  std::string path_;
  std::FILE* file_ = nullptr;
  int error_ = 0;
};

/// A sink that keeps a RunRecord and writes one document from it when the
/// run closes (JUnit, step summary): `render` turns the record into text.
class RunReportSink : public EventSink {
 public:
  using Render = std::function<std::string(const RunRecord&)>;
  RunReportSink(const std::string& path, const char* mode, Render render)
      : file_(path, mode), render_(std::move(render)) {}
  ~RunReportSink() override { Close(); }

  void OnEvent(const Event& event) override {
    std::lock_guard lock(mutex_);
    record_.Add(event);
  }
  void OnTick(double time_s) override {
    std::lock_guard lock(mutex_);
    record_.Tick(time_s);
  }
  void Close() override {
    std::lock_guard lock(mutex_);
    if (!file_.is_open()) return;
    file_.Write(render_(record_));
    file_.Close();
  }

 private:
  std::mutex mutex_;
  SinkFile file_;
  Render render_;
  RunRecord record_;
};

}  // namespace orchestrate
