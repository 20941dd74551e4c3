// Where things live: the repository, the manifest, and `.orchestrate/` at
// the repository root (logs, worktrees, run state, the lock).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "orchestrate/cache.h"
#include "orchestrate/git.h"
#include "orchestrate/manifest.h"
#include "orchestrate/run_state.h"

namespace orchestrate {

/// Paths of one repository's orchestrate state.
struct Workspace {
  std::string root;       ///< the repository's work tree (the user's checkout)
  std::string state_dir;  ///< root/.orchestrate

  std::string logs_dir() const { return state_dir + "/logs"; }
  std::string worktrees_dir() const { return state_dir + "/worktrees"; }
  std::string runs_dir() const { return state_dir + "/run"; }
  std::string pids_dir() const { return state_dir + "/pids"; }
  std::string state_file() const { return state_dir + "/state"; }
  /// Where orchestrate before state format 2 kept the state (JSON).
  std::string legacy_state_file() const { return state_dir + "/state.json"; }
  std::string lock_file() const { return state_dir + "/lock"; }
  /// The local index of cache records (record_index.h).
  std::string record_index_file() const { return state_dir + "/record_index"; }
  /// The last validated manifest (manifest_snapshot.h).
  std::string manifest_snapshot_file() const { return state_dir + "/manifest_snapshot"; }
  /// Recent target merges (integration.h, TargetMemo).
  std::string target_memo_file() const { return state_dir + "/target_memo"; }
  std::string LogPath(const std::string& phase) const { return logs_dir() + "/" + phase + ".log"; }
  /// Scratch outside worktree `name`, used by the phase running there:
  /// prompt, handoff, deps, feedback (one per worktree, not per phase, so
  /// 10,000 phases do not make 10,000 directories).
  std::string ScratchDir(const std::string& worktree) const { return runs_dir() + "/" + worktree; }

  /// The last run's state (run_state.h): the state file, else the legacy
  /// state.json an older orchestrate wrote, else an empty state.
  RunState LoadState() const;
  /// Saves `state` to the state file and removes a legacy state.json.
  void SaveState(const RunState& state) const;

  /// Creates the directories and adds `.orchestrate/` (and `extra_excludes`)
  /// to .git/info/exclude once. Throws InfraError when it cannot write.
  void Prepare(const std::string& git_common_dir,
               const std::vector<std::string>& extra_excludes) const;
};

/// How a command found what it works on.
struct Project {
  std::unique_ptr<Repo> repo;
  Workspace workspace;
  Manifest manifest;
  /// The local record index and the cache reading through it, for the
  /// commands that look records up (run, plan, status): see StartRecords.
  std::unique_ptr<RecordIndex> index;
  std::unique_ptr<ResultCache> cache;  ///< declared after index: destroyed first

  /// Makes index and cache, unless made already (the index file is read at
  /// the first lookup). Only a `writable` index saves what is added.
  ResultCache& StartRecords(bool writable);
};

/// The files a run reads from disk rather than from the base commit: the
/// manifest and every phase's prompt file, relative to the repository's work
/// tree `root` ("orchestrate.toml", "prompts/a.md"). Changes to them alone
/// are not uncommitted work a run should warn about
/// (Repo::HasUncommittedChanges(except)).
std::set<std::string> ManifestFiles(const Manifest& manifest, const std::string& root);

/// What OpenProject starts reading of the cache's records.
enum class RecordsUse {
  kNone,          ///< the command does not look records up
  kRead,          ///< Project::StartRecords(false) before the manifest is read
  kReadAndWrite,  ///< Project::StartRecords(true) before the manifest is read
};

/// Where the manifest is: -f FILE, else searched upward from `dir`.
/// Throws UsageError when none is found.
std::string LocateManifest(const std::string& dir, const std::string& file_flag);

/// What OpenProject does with the manifest snapshot
/// (Workspace::manifest_snapshot_file, manifest_snapshot.h).
enum class ManifestSnapshotUse {
  kRead,          ///< use it when it matches the manifest; never write it
  kReadAndWrite,  ///< also save one after parsing, when .orchestrate/ exists
  kIgnore,        ///< always parse and validate the manifest
};

/// Finds the repository containing `dir` and loads and validates the
/// manifest, or takes it from the manifest snapshot as `snapshot` allows.
/// Manifest errors are printed to stderr as FILE:LINE:COL lines and throw
/// UsageError("N errors in MANIFEST"). Throws UsageError outside a
/// repository.
/// With `records`, the record index loads on its own thread while the
/// manifest is read.
Project OpenProject(const std::string& dir, const std::string& file_flag,
                    ManifestSnapshotUse snapshot = ManifestSnapshotUse::kRead,
                    RecordsUse records = RecordsUse::kNone);

}  // namespace orchestrate
