// Running one shell command the way a phase needs it: /bin/sh -c in its own
// process group, stdin from /dev/null, output appended to a log file, a
// timeout that kills the whole group. POSIX implementation in process_posix.cc.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "orchestrate/manifest.h"  // Duration

namespace orchestrate {

struct ProcessSpec {
  std::string command;  ///< run as /bin/sh -c command
  std::string cwd;
  std::vector<std::string> env;     ///< the complete environment, "KEY=VALUE"
  std::string log_path;             ///< stdout+stderr appended here
  std::optional<Duration> timeout;  ///< whole-group TERM, then KILL after kill_grace
  Duration kill_grace = std::chrono::seconds(5);
};

struct ProcessResult {
  int exit_code = -1;   ///< exit status when it exited, else -1
  int term_signal = 0;  ///< signal that ended it, else 0
  bool timed_out = false;
  bool cancelled = false;  ///< stopped because *cancel became true
  Duration elapsed{0};
  int64_t log_begin = 0;  ///< byte offset in the log where its output starts
  int64_t log_end = 0;    ///< and ends
  Duration timeout{0};    ///< the limit that was exceeded, when timed_out
  bool ok() const { return exit_code == 0 && !timed_out && !cancelled; }
  /// "exit status 2", "killed by signal 9", "timed out after 30s", "interrupted"
  std::string Describe() const;
};

/// Hooks around a child's life, for recording process groups a crash might
/// leave behind.
struct ProcessHooks {
  std::function<void(int pgid)> started;
  std::function<void(int pgid)> ended;
};

/// Runs `spec` to completion. Checks `cancel` (may be null) every few
/// milliseconds; when it becomes true the group gets TERM, then KILL after
/// the grace. The command's environment is `spec.env` plus a unique
/// ORCHESTRATE_COMMAND=<pid>.<n> entry. However the command ends, nothing it
/// started outlives it: the shell runs under a reaper (a forked child
/// subreaper) that adopts whatever the command abandons -- `setsid` and
/// double-forked daemons, with or without their environment -- and stops it
/// (TERM, then KILL once the grace is over) before this returns; processes
/// carrying the ORCHESTRATE_COMMAND entry are stopped too. The hooks get the
/// shell's process group. Throws InfraError when the log cannot be opened
/// or the child cannot be started (fork fails, `cwd` does not exist).
ProcessResult RunProcess(const ProcessSpec& spec, const std::atomic<bool>* cancel,
                         const ProcessHooks& hooks = {});

/// The current environment as "KEY=VALUE" strings.
std::vector<std::string> CurrentEnvironment();

/// `base` with each of `overrides` ("KEY=VALUE") replacing or adding its key.
std::vector<std::string> MergeEnvironment(std::vector<std::string> base,
                                          const std::vector<std::string>& overrides);

/// The last `max_lines` lines of bytes [begin, end) of a file (end < 0: to
/// the end), reading at most the last 64 KiB of that range.
std::string ReadTail(const std::string& path, int max_lines, int64_t begin = 0, int64_t end = -1);

/// Bytes [begin, end) of a file, clamped to its size; "" when it cannot be
/// opened. Reads only that range (a command's part of a phase's log).
std::string ReadRangeOf(const std::string& path, int64_t begin, int64_t end);

/// True when the process group exists and the environment of one of its
/// members (normally the leader; any member once the leader is gone)
/// contains exactly the entry `marker` ("ORCHESTRATE_RUN_ID=..."), so a
/// recorded pgid reused by an unrelated process is never killed. Reads /proc.
bool ProcessGroupHasMarker(int pgid, const std::string& marker);
/// The process groups of every process whose environment contains exactly
/// `marker`, from /proc: a run's children carry its marker from their first
/// instruction, before any pid of theirs is recorded.
std::vector<int> ProcessGroupsWithMarker(const std::string& marker);
/// True when some process's working directory is `dir` or inside it (/proc).
bool AnyProcessWorkingIn(const std::string& dir);
/// Sends TERM to the group, waits up to `grace` for it to vanish, then sends
/// KILL. Refuses pgid <= 1 and orchestrate's own group.
void KillProcessGroup(int pgid, Duration grace);

/// The single-run lock in `.orchestrate/lock` (flock: released by the kernel
/// when the holder dies, so a dead holder's lock is simply taken over).
class RunLock {
 public:
  /// Tries to take the lock at `path`. On failure *holder_pid is the pid
  /// written by the holder (0 if unknown) and false is returned.
  /// Throws InfraError when the lock file cannot be opened.
  bool Acquire(const std::string& path, int* holder_pid);
  RunLock() = default;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  /// Releases the lock; the file stays.
  ~RunLock();
  /// Releases the lock now (the destructor then does nothing).
  void Release();

 private:
  int fd_ = -1;
};

/// True when a live process holds the run lock at `path` (RunLock): a run is
/// going on. A run killed with SIGKILL holds nothing: its lock went with it.
/// Takes a shared lock for an instant to find out, never blocks.
bool RunLockHeld(const std::string& path);

/// Installs SIGINT/SIGTERM/SIGHUP handlers that record the signal; returns the flag
/// the handlers set (0 until a signal arrives, then its number). Idempotent.
/// Interrupted system calls are restarted (SA_RESTART): poll the flag.
std::atomic<int>& InstallSignalHandlers();

}  // namespace orchestrate
