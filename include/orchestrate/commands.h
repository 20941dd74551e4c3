// The subcommands other than `run`: each reads the project and prints to
// stdout. Exit statuses follow SPEC section 5; errors throw UsageError or
// InfraError for main() to report.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/ci_pipeline.h"
#include "orchestrate/graph.h"
#include "orchestrate/manifest.h"
#include "orchestrate/runner.h"
#include "orchestrate/workspace.h"

namespace orchestrate {

/// `plan` / `run -n`: what would run and why, in waves. Changes nothing.
int CommandPlan(Project& project, const RunOptions& options, bool json);
/// `explain PHASE [--json]`: the key's components beside those of the last
/// record; changed values in full. JSON: every component, now and last, in full.
int CommandExplain(Project& project, const std::string& phase, bool json);
/// `graph --format ... [--status]`: with `status`, dot and mermaid colour
/// phases by the state `status` shows.
int CommandGraph(Project& project, const std::vector<std::string>& targets, GraphFormat format,
                 bool status = false);
/// `validate`: a one-line summary of a valid manifest.
int CommandValidate(Project& project);
/// `status`: format "text", "json" or "markdown".
int CommandStatus(Project& project, const std::string& format);
/// Every phase's state as `status` shows it: the last run's record,
/// corrected by what is recorded now. Manifest dependency order.
std::vector<std::pair<std::string, PhaseRecord>> CurrentPhaseRecords(Project& project);
/// `report [-o FILE]`: the last run as an HTML page (standard output without FILE).
int CommandReport(Project& project, const std::string& output);
/// `__phases`: the phase names, one per line (for completion scripts).
int CommandPhaseNames(Project& project);
/// `log PHASE [-f]`.
int CommandLog(Project& project, const std::string& phase, bool follow);
/// What `clean` removes beyond the worktrees that hold nothing unsaved.
struct CleanOptions {
  bool branches = false;  ///< phase branches whose commits are saved elsewhere
  bool cache = false;     ///< every cache record
  bool attempts = false;  ///< every saved attempt (refs/orchestrate/attempts/)
};
/// `clean [--branches] [--cache] [--attempts]`.
int CommandClean(Project& project, const CleanOptions& options);
/// `cache push|pull [REMOTE]`, `cache list`, `cache prune [--older-than AGE]`
/// (with an age, saved attempts older than it go too).
int CommandCache(Project& project, const std::string& action, const std::string& remote,
                 const std::string& older_than);
/// `cache list`: every record, newest last.
int CommandCacheList(Repo& repo);
/// What `ci emit` writes.
struct CiEmitOptions {
  std::string engine;               ///< "github" or "gitlab"
  std::vector<std::string> phases;  ///< as on the command line (default: all)
  std::string output;               ///< -o FILE; empty or "-": stdout
  GitLabMode mode = GitLabMode::kStatic;
};
/// `ci emit github|gitlab [PHASE...] [-o FILE] [--dynamic|--child]`.
int CommandCiEmit(Project& project, const CiEmitOptions& options);
/// `approve PHASE`: records the approval of the result PHASE (with
/// `approval = true`) has for its current key. Exit 2 when it has none.
int CommandApprove(Project& project, const std::string& phase);
/// `reject PHASE -m TEXT`: records the rejection of that result with TEXT
/// for the phase's next attempt. Exit 2 when it has none or TEXT is blank.
int CommandReject(Project& project, const std::string& phase, const std::string& message);
/// The base commit of `flag` (--base), else settings.base; UsageError when
/// it does not resolve.
ObjectId ResolveBaseOrThrow(Repo& repo, const Manifest& manifest, const std::string& flag);
/// `init`: writes orchestrate.toml in `dir` unless one exists.
int CommandInit(const std::string& dir);

/// "3m", "2h", "5d" ago, for ages.
std::string FormatAge(int64_t seconds);
/// An age for --older-than: "7d", "1d12h", or any ParseDuration form
/// ("168h", "30m"). Empty when malformed.
std::optional<Duration> ParseAge(std::string_view text);

}  // namespace orchestrate
