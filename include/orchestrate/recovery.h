// What lets a run recover from a killed predecessor: every phase's process
// group is recorded in `.orchestrate/pids/` with the run's id, and the next
// run stops the groups that still carry that id.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/process.h"

namespace orchestrate {

/// Hooks that record each process group of job slot `slot` in
/// `pids_dir/slot-N` ("PGID MARKER", the marker being
/// "ORCHESTRATE_RUN_ID=...") while it runs. The file says "0 MARKER" from
/// this call on and between processes, so that a child whose run is killed
/// between spawning it and recording it is still found by its marker.
ProcessHooks RecordProcessGroups(const std::string& pids_dir, int slot, const std::string& marker);

/// Stops the recorded groups that are still alive and still carry their
/// marker (never an unrelated process that reused the number), and every
/// group with a process carrying a recorded marker; forgets every record;
/// then RemoveStaleIndexLocks of the worktrees beside `pids_dir`
/// (`.orchestrate/worktrees`) and RemoveStaleRefLocks of the repository. Returns one line per thing
/// done. Call it holding the run lock: the run that wrote the records is dead.
std::vector<std::string> ReapLeftoverProcessGroups(const std::string& pids_dir);

/// Removes index.lock and HEAD.lock from the git admin directory of each
/// worktree under `worktrees_dir` in which no process works (a git process
/// killed with its run leaves them, and every later git operation there
/// would fail). Returns one line per lock removed.
std::vector<std::string> RemoveStaleIndexLocks(const std::string& worktrees_dir);

/// Removes the lock files orchestrate's own ref writes leave when it is
/// killed in the middle of one: `*.lock` under refs/heads/orchestrate/ and
/// refs/orchestrate/, but not under the phase branches
/// (refs/heads/orchestrate/phase/, see RemoveStaleRefLock) or the records
/// (refs/orchestrate/cache/): a directory with a ref per phase would cost
/// every run a walk. Only for a caller holding the run lock. Returns one
/// line per lock.
std::vector<std::string> RemoveStaleRefLocks(const std::string& git_common_dir);

/// Removes the lock file of `ref` (a full ref name), if there is one, and
/// returns the line saying so ("" when there was none). For a caller about to
/// write or delete the ref that holds the run lock while no process it
/// started works on the ref: a phase branch when its phase starts, or when
/// `clean` deletes it. Then the lock was left by a process killed while
/// writing the ref (a run, or a command of the phase's last attempt).
std::string RemoveStaleRefLock(const std::string& git_common_dir, std::string_view ref);

}  // namespace orchestrate
