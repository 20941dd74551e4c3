// Running one stale phase in its worktree, on a worker thread: prepare the
// worktree (saving any unsaved work first), setup, the command, commit,
// verify, retries with feedback, rate-limit detection, the handoff.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orchestrate/events.h"
#include "orchestrate/git.h"
#include "orchestrate/manifest.h"
#include "orchestrate/process.h"
#include "orchestrate/usage.h"

namespace orchestrate {

/// Repositories kept open for one worktree across the phases that run in it
/// (opening costs config parsing and cold caches). Used by one worker at a
/// time: the worktree's phase.
struct WorktreeRepos {
  std::unique_ptr<Repo> main;      ///< the user's repository
  std::unique_ptr<Repo> worktree;  ///< the linked worktree
  /// The last phase in this worktree succeeded in this run and left it clean
  /// at its recorded result: the next one need not look for leftover work.
  bool left_clean = false;
};

/// Runs one command of a phase: RunProcess, or a fake in tests.
using CommandRunner = std::function<ProcessResult(
    const ProcessSpec& spec, const std::atomic<bool>* cancel, const ProcessHooks& hooks)>;

/// Everything a worker needs; built by the runner on the main thread.
struct PhaseJob {
  const Phase* phase = nullptr;
  const Agent* agent = nullptr;  ///< for agent phases
  const Settings* settings = nullptr;
  std::string repo_root;       ///< the user's checkout (never modified)
  std::string worktree_name;   ///< w0, w1, ...
  std::string worktree_dir;    ///< .orchestrate/worktrees
  std::string previous_phase;  ///< the phase that used the worktree last, if any
  std::string branch;          ///< refs/heads/orchestrate/phase/<name>
  ObjectId input;              ///< the commit the phase starts from
  ObjectId base;               ///< the run's base commit
  std::string log_path;
  std::string phase_dir;                            ///< scratch: prompt, handoff, deps, feedback
  std::string prompt_content;                       ///< agent phases
  std::map<std::string, std::string> dep_handoffs;  ///< dep name -> markdown
  std::vector<std::string> env;                     ///< inherited environment + ORCHESTRATE_RUN_ID
  int attempts_done = 0;                            ///< attempts counted before (after a requeue)
  /// A person rejected the phase's last result: its first attempt gets
  /// this in ORCHESTRATE_FEEDBACK_FILE.
  std::string rejection;
  bool fresh_log = true;  ///< truncate the log first
  Duration kill_grace = std::chrono::seconds(5);
  ProcessHooks hooks;              ///< records process groups for crash recovery
  WorktreeRepos* repos = nullptr;  ///< kept open across phases; null: opened for this phase
  CommandRunner run_command;       ///< empty: RunProcess
};

/// What the worker reports back.
struct PhaseOutcome {
  PhaseState state = PhaseState::kFailed;
  bool requeue = false;  ///< output matched requeue_on: try later
  std::string requeue_pattern;
  /// Seconds until the time the output named to come back (WaitNamedIn).
  std::optional<double> requeue_wait_s;
  ObjectId result;  ///< branch head after success
  int attempts = 0;
  std::vector<CommandOutcome> commands;
  std::string failed_command;
  std::string failure;  ///< "verify `make test` exit status 2"
  std::string log_tail;
  std::string handoff;
  std::string worktree_path;
  /// Work saved before the worktree or branch was reused: (phase it
  /// belongs to, ref written).
  std::vector<std::pair<std::string, std::string>> saved_attempts;
  std::string infra_error;  ///< state kError: what failed
  /// Tokens and cost its attempts reported (ORCHESTRATE_USAGE_FILE or the
  /// agent's JSON output), summed over the attempts of this execution,
  /// requeued and failed ones included; empty when none reported any.
  Usage usage;
};

/// Emits an event from a worker thread (the callee serializes).
using EmitFn = std::function<void(Event)>;

/// Runs the phase. Never throws: infrastructure failures come back as kError.
PhaseOutcome ExecutePhase(const PhaseJob& job, const std::atomic<bool>& cancel, const EmitFn& emit);

/// Saves `commit` under refs/orchestrate/attempts/<phase>/<time>-<short id>
/// unless a cache record of `phase` holds it or it is already saved there.
/// Returns the ref written, or empty.
std::string SaveAttempt(Repo& repo, const std::string& phase, const ObjectId& commit);

/// True when some cache record of `phase` has `commit` as its result.
bool IsRecordedResult(Repo& repo, const std::string& phase, const ObjectId& commit);

}  // namespace orchestrate
