// The Builder: drives a run from the selected phases to the updated target
// branch. Owns the scheduler loop on the main thread, hands stale phases to
// worker threads (ExecutePhase), records results, and emits events.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "orchestrate/events.h"
#include "orchestrate/workspace.h"

namespace orchestrate {

struct RunOptions {
  std::vector<std::string> targets;  ///< phases to run (with their deps); empty: all
  int jobs = 0;                      ///< -j; 0: settings.jobs, else the number of CPUs
  bool fail_fast = false;
  bool only = false;            ///< run just `targets`, on their deps' recorded results
  bool always = false;          ///< -B
  std::set<std::string> force;  ///< --force PHASE
  std::string base;             ///< --base REV; empty: settings.base
  /// The first wait after a rate limit, doubled at each requeue (capped at
  /// 10 minutes); the extra wait after a time the output named (at most
  /// 30 s). ORCHESTRATE_REQUEUE_BACKOFF (seconds) sets it from the command line.
  Duration requeue_backoff = std::chrono::seconds(10);
  /// Between TERM and KILL when a command is stopped.
  /// ORCHESTRATE_KILL_GRACE (seconds) sets it from the command line.
  Duration kill_grace = std::chrono::seconds(5);
};

/// Sets requeue_backoff and kill_grace from ORCHESTRATE_REQUEUE_BACKOFF and
/// ORCHESTRATE_KILL_GRACE (seconds, >= 0) when `getenv` has them; other
/// values leave the option as it was.
void ApplyEnvironmentKnobs(RunOptions* options,
                           const std::function<const char*(const char*)>& getenv);

/// Runs the manifest's phases. Returns the exit status (SPEC section 5).
/// Throws UsageError before anything ran (exit 2), InfraError when the
/// machinery fails outside a phase (exit 3).
int RunPhases(Project& project, const RunOptions& options, EventSink& sink);

/// The jobs a run uses: -j, else settings.jobs, else the number of CPUs.
int EffectiveJobs(int flag, const Settings& settings);

}  // namespace orchestrate
