// The local record of the last run (.orchestrate/state.json): what each
// phase did, which worktree it used, which process groups are alive. Read by
// `status`, `log`, `clean` and by the next run's recovery. Versioned JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "orchestrate/events.h"

namespace orchestrate {

/// One phase's outcome in the last run that touched it.
struct PhaseRecord {
  PhaseState state = PhaseState::kStale;
  std::string key;
  std::string result;  ///< result commit (succeeded/fresh)
  std::string branch;
  std::string worktree;  ///< worktree path, kept after failure
  std::string log_path;
  std::string reason;  ///< why it ran, or why it failed/was blocked
  double duration_s = 0;
  int attempts = 0;
  int64_t started_at = 0;
  int64_t recorded_at = 0;  ///< when its cache record was written
  std::string handoff_first_line;
  std::vector<std::string> saved_attempts;  ///< refs/orchestrate/attempts/... saved before reuse
};

struct RunState {
  static constexpr int kFormatVersion = 1;
  int64_t run_started_at = 0;
  int run_pid = 0;
  std::string base;
  std::map<std::string, PhaseRecord> phases;
  /// Keys that ended in failure, per phase (for "previous attempt failed" and flakiness).
  std::map<std::string, std::set<std::string>> failed_keys;
  /// Keys that succeeded, per phase.
  std::map<std::string, std::set<std::string>> succeeded_keys;
  /// Worktree name -> the phase it holds for inspection (failed/interrupted).
  std::map<std::string, std::string> kept_worktrees;
  /// Worktree name -> the last phase that used it.
  std::map<std::string, std::string> worktree_last_phase;

  /// Missing file: empty state. Unknown version or bad JSON: InfraError
  /// saying to delete the file.
  static RunState Load(const std::string& path);
  /// Atomic (write to a temporary file, then rename).
  void Save(const std::string& path) const;

  bool IsFlaky(const std::string& phase, const std::string& key) const;
};

}  // namespace orchestrate
