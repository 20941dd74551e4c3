#include "orchestrate/recovery.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "file_io.h"
#include "orchestrate/refs.h"

namespace fs = std::filesystem;

namespace orchestrate {

namespace {

// "PGID MARKER": PGID 0 while the slot runs nothing, so that a child
// spawned and not yet recorded is still found by its marker.
void WriteSlot(const std::string& path, int pgid, const std::string& marker) {
  std::ofstream(path, std::ios::trunc) << pgid << " " << marker << "\n";
}

// The admin directory (".git/worktrees/NAME") of the linked worktree at
// `worktree`, from its ".git" file; empty when it has none.
fs::path AdminDirOf(const fs::path& worktree) {
  std::string line = FirstLineOf(worktree / ".git");
  if (line.rfind("gitdir: ", 0) != 0) return {};
  return fs::path(line.substr(8));
}

// The common git directory of the checkout at `root`: root/.git, or for a
// linked checkout the directory its .git file and `commondir` name.
fs::path CommonGitDir(const fs::path& root) {
  std::error_code ec;
  if (fs::is_directory(root / ".git", ec)) return root / ".git";
  fs::path admin = AdminDirOf(root);
  if (admin.empty()) return {};
  std::string common = FirstLineOf(admin / "commondir");
  if (common.empty()) return admin;
  fs::path path(common);
  return path.is_absolute() ? path : admin / path;
}

void RemoveLock(const fs::path& lock, std::vector<std::string>* removed) {
  std::error_code ec;
  if (fs::remove(lock, ec))
    removed->push_back("removed " + lock.string() + ", left by a run that was killed");
}

// RemoveLock of every "*.lock" in the tree under `dir`, but not in its
// subdirectory `skip` (when not null). readdir and the entries' d_type
// instead of std::filesystem's iterator: this runs at the start of every
// run over one ref per phase, and the iterator cost a no-op at 2,000 phases
// a tenth of its instructions (docs/performance.md, "Seventh round").
void RemoveLocksUnder(const std::string& dir, const char* skip, std::vector<std::string>* removed) {
  DIR* stream = opendir(dir.c_str());
  if (!stream) return;
  std::vector<std::string> subdirectories;
  while (const dirent* entry = readdir(stream)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == ".." || (skip && name == skip)) continue;
    bool lock = name.size() > 5 && name.ends_with(".lock");
    // Most entries are refs: their path is built only for the few that
    // need one (a ref directory holds a file per phase).
    if (!lock && entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) continue;
    std::string path = dir + "/" + entry->d_name;
    bool directory = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat st;
      directory = lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (directory)
      subdirectories.push_back(std::move(path));
    else if (lock)
      RemoveLock(path, removed);
  }
  closedir(stream);
  for (const std::string& sub : subdirectories) RemoveLocksUnder(sub, nullptr, removed);
}

}  // namespace

ProcessHooks RecordProcessGroups(const std::string& pids_dir, int slot, const std::string& marker) {
  std::string path = pids_dir + "/slot-" + std::to_string(slot);
  WriteSlot(path, 0, marker);
  ProcessHooks hooks;
  hooks.started = [path, marker](int pgid) { WriteSlot(path, pgid, marker); };
  hooks.ended = [path, marker](int) { WriteSlot(path, 0, marker); };
  return hooks;
}

std::vector<std::string> ReapLeftoverProcessGroups(const std::string& pids_dir) {
  std::vector<std::string> stopped;
  std::set<int> groups;
  std::set<std::string> markers;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(pids_dir, ec)) {
    std::istringstream in(ReadWholeFile(entry.path()).value_or(""));
    int pgid = 0;
    std::string marker;
    in >> pgid >> marker;
    if (pgid > 1 && ProcessGroupHasMarker(pgid, marker)) groups.insert(pgid);
    if (marker.rfind("ORCHESTRATE_RUN_ID=", 0) == 0) markers.insert(marker);
    fs::remove(entry.path(), ec);
  }
  // Children spawned but not recorded yet when their run was killed.
  for (const std::string& marker : markers)
    for (int pgid : ProcessGroupsWithMarker(marker)) groups.insert(pgid);
  for (int pgid : groups) {
    KillProcessGroup(pgid, std::chrono::seconds(2));
    stopped.push_back("stopped process group " + std::to_string(pgid) +
                      " left running by a killed run");
  }
  fs::path state_dir = fs::path(pids_dir).parent_path();
  for (const std::string& line : RemoveStaleIndexLocks((state_dir / "worktrees").string()))
    stopped.push_back(line);
  fs::path common = CommonGitDir(state_dir.parent_path());
  if (!common.empty())
    for (const std::string& line : RemoveStaleRefLocks(common.string())) stopped.push_back(line);
  return stopped;
}

std::vector<std::string> RemoveStaleRefLocks(const std::string& git_common_dir) {
  std::vector<std::string> removed;
  // The roots end in '/' (and the directory may): the paths in the
  // messages should not double it.
  std::string common = git_common_dir;
  while (common.size() > 1 && common.back() == '/') common.pop_back();
  auto directory = [&](std::string_view root) {
    return common + "/" + std::string(root.substr(0, root.size() - 1));
  };
  RemoveLocksUnder(directory(refs::kOwnBranchRoot), "phase", &removed);
  RemoveLocksUnder(directory(refs::kOwnRoot), "cache", &removed);
  return removed;
}

std::string RemoveStaleRefLock(const std::string& git_common_dir, std::string_view ref) {
  std::string lock = git_common_dir;
  if (!lock.empty() && lock.back() != '/') lock += '/';
  lock.append(ref).append(".lock");
  if (unlink(lock.c_str()) != 0) return "";
  return "removed " + lock + ", left by a process killed while writing " + std::string(ref);
}

std::vector<std::string> RemoveStaleIndexLocks(const std::string& worktrees_dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(worktrees_dir, ec)) {
    fs::path admin = AdminDirOf(entry.path());
    std::string worktree = fs::weakly_canonical(entry.path(), ec).string();
    if (admin.empty()) continue;
    for (const char* name : {"index.lock", "HEAD.lock"}) {
      fs::path lock = admin / name;
      if (!fs::exists(lock, ec) || AnyProcessWorkingIn(worktree)) continue;
      if (fs::remove(lock, ec))
        removed.push_back("removed " + lock.string() + ", left by a git process that was killed");
    }
  }
  return removed;
}

}  // namespace orchestrate
