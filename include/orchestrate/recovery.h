// What lets a run recover from a killed predecessor: every phase's process
// group is recorded in `.orchestrate/pids/` with the run's id, and the next
// run stops the groups that still carry that id.
#pragma once

#include <string>
#include <vector>

#include "orchestrate/process.h"

namespace orchestrate {

/// Hooks that record each process group of job slot `slot` in
/// `pids_dir/slot-N` ("PGID MARKER", the marker being
/// "ORCHESTRATE_RUN_ID=...") while it runs; the file is emptied, not
/// removed, when it ends, so a slot reuses one file.
ProcessHooks RecordProcessGroups(const std::string& pids_dir, int slot, const std::string& marker);

/// Stops the recorded groups that are still alive and still carry their
/// marker (never an unrelated process that reused the number), and forgets
/// every record. Returns one line per group stopped.
std::vector<std::string> ReapLeftoverProcessGroups(const std::string& pids_dir);

}  // namespace orchestrate
