// The subcommands other than `run`: each reads the project and prints to
// stdout. Exit statuses follow SPEC section 5; errors throw UsageError or
// InfraError for main() to report.
#pragma once

#include <string>
#include <vector>

#include "orchestrate/graph.h"
#include "orchestrate/manifest.h"
#include "orchestrate/runner.h"
#include "orchestrate/workspace.h"

namespace orchestrate {

/// `plan` / `run -n`: what would run and why, in waves. Changes nothing.
int CommandPlan(Project& project, const RunOptions& options, bool json);
/// `explain PHASE`: the key's components beside those of the last record.
int CommandExplain(Project& project, const std::string& phase);
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
/// `clean [--branches] [--cache]`.
int CommandClean(Project& project, bool branches, bool cache);
/// `cache push|pull [REMOTE]`, `cache list`, `cache prune [--older-than D]`.
int CommandCache(Project& project, const std::string& action, const std::string& remote,
                 const std::string& older_than);
/// `init`: writes orchestrate.toml in `dir` unless one exists.
int CommandInit(const std::string& dir);

/// "3m", "2h", "5d" ago, for ages.
std::string FormatAge(int64_t seconds);

}  // namespace orchestrate
