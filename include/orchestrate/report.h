// Pictures of a run: phase states as colours (graph --status, the HTML
// report) and the HTML report itself (run --report FILE, `orchestrate
// report`): one self-contained page, no network, no scripts.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/events.h"

namespace orchestrate {

struct Project;
struct PhaseRecord;

/// A fill colour (#rrggbb) for a state as `status` names it: fresh and
/// succeeded green, stale grey, running blue, failures red, blocked orange,
/// awaiting approval yellow; unknown states light grey.
std::string_view StateColor(std::string_view state);

/// phase name -> state name, for graph --status.
using PhaseStateNames = std::map<std::string, std::string>;

/// One phase in the report.
struct ReportPhase {
  std::string name;
  std::string description;
  std::vector<std::string> deps;
  std::string state;  ///< as `status` names it
  std::string reason;
  double duration_s = 0;
  int attempts = 0;
  std::optional<double> cost_usd;
  std::string log_tail;  ///< failures only
  std::string log_path;
};

/// One bar of the timeline: a phase on a job slot, or its wait after a requeue.
struct ReportBar {
  std::string phase;
  int slot = 0;
  double start_s = 0;  ///< since the run started
  double end_s = 0;
  bool waiting = false;  ///< a requeue wait, not work
  std::string state;     ///< how the try ended: a state, or "requeued"
};

struct ReportModel {
  std::string manifest_path;
  std::string base;  ///< the base commit, or settings.base when no run recorded one
  std::string target;
  ObjectId target_commit;  ///< empty when the target does not exist
  int64_t started_at = 0;  ///< unix seconds
  double duration_s = 0;
  int jobs = 0;
  std::vector<ReportPhase> phases;  ///< manifest order
  std::vector<ReportBar> bars;
};

/// The page. Deterministic for a given model.
std::string RenderHtmlReport(const ReportModel& model);

/// The phases of the manifest with their deps and descriptions, no state yet.
ReportModel ReportSkeleton(const Project& project);
/// The report of the last run, from the workspace's state: one bar per phase
/// that ran (attempts and requeue waits are only in a report written by run).
ReportModel ReportFromState(Project& project);
/// run --report FILE: fills `skeleton` (ReportSkeleton) from the run's
/// events and writes the page at Close(). Opening FILE throws UsageError.
std::unique_ptr<EventSink> MakeHtmlReportWriter(const std::string& path, ReportModel skeleton);

/// The last `lines` lines of the file at `path` ("" when unreadable).
std::string TailOfFile(const std::string& path, int lines);

}  // namespace orchestrate
