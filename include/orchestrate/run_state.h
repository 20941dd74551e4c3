// The local record of the last run (the workspace's state file): what each
// phase did, which worktree it used, which process groups are alive. Read by
// `status`, `log`, `clean` and by the next run's recovery.
//
// The file (format version 2) has one line per record, in the spirit of
// .ninja_log; fields are separated by tabs:
//
//   # orchestrate state v2
//   run        run_started_at  run_pid  base   (of the last run that changed the file)
//   phase      *name  state  key  result  *branch  *worktree  *log_path  *reason
//              duration_s  attempts  started_at  recorded_at  *handoff_first_line
//              [saved_attempt...]
//   usage      input_tokens  output_tokens  cost_usd  model
//              the usage of the phase line before it (only when it has
//              some); an unknown figure is an empty field
//   failed     *phase  [key...]          one line per entry of failed_keys
//   kept       *worktree  phase          one line per entry of kept_worktrees
//   last       *worktree  phase          one line per entry of worktree_last_phase
//
// Strings: a tab, a newline and a backslash are written \t, \n and \\, every
// other byte as is. Fields marked * are front-coded against the same field of
// the previous line of the same kind: `<n>:<rest>` stands for the first n
// bytes of that field followed by <rest>. Lines are sorted by name, so names
// share their beginnings and paths and reasons mostly repeat; this halves the
// file, and the file's size is much of what Save costs (run_state_save.cc).
// Numbers: zero is an empty field; a double is written as the shortest text
// that reads back to the same value.
//
// Version 1 was JSON (a file starting with `{`). It is still read, so the
// first run after an upgrade keeps the last run's states; the next Save
// writes version 2. Files written before the twelfth round also have
// `succeeded` lines (every key that succeeded, per phase): they are read
// past. A key's cache record now says it succeeded (RunState::Failed).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/events.h"
#include "orchestrate/object_id.h"
#include "orchestrate/rare.h"
#include "orchestrate/usage.h"

namespace orchestrate {

/// One phase's outcome in the last run that touched it.
struct PhaseRecord {
  PhaseState state = PhaseState::kStale;
  std::string key;
  ObjectId result;  ///< result commit (succeeded/fresh)
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
  /// Tokens and cost that run spent on the phase, failed attempts included;
  /// empty when it reported none (or was fresh), as most phases' is.
  Rare<Usage> usage;
};

/// The state of the last run, as kept in the workspace's state file.
struct RunState {
  /// The version Save writes.
  static constexpr int kFormatVersion = 2;
  /// The file's first line is this followed by the version.
  static constexpr std::string_view kFileHeader = "# orchestrate state v";
  int64_t run_started_at = 0;
  int run_pid = 0;
  ObjectId base;
  std::map<std::string, PhaseRecord> phases;
  /// Keys that ended in failure, per phase (for "previous attempt failed",
  /// and for flakiness: a failed key that has a cache record also succeeded).
  std::map<std::string, std::set<std::string>> failed_keys;
  /// Worktree name -> the phase it holds for inspection (failed/interrupted).
  std::map<std::string, std::string> kept_worktrees;
  /// Worktree name -> the last phase that used it.
  std::map<std::string, std::string> worktree_last_phase;

  /// Reads version 2, or version 1 (JSON). Missing file: empty state. An
  /// unknown version or a corrupt file: InfraError saying to delete the file.
  static RunState Load(const std::string& path);
  /// Writes version 2 atomically (to a temporary file, then renamed).
  void Save(const std::string& path) const;

  /// True if `key` ended in failure for `phase` in some run.
  bool Failed(const std::string& phase, const std::string& key) const;
};

}  // namespace orchestrate
