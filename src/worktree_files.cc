// settings.worktree_copy / worktree_link: the user's .env and node_modules
// in each worktree. The worktree's files come from phases' results, and a
// result may hold a symbolic link to anywhere (`.env -> /home/me/.ssh/x`):
// every destination is checked, component by component, before anything is
// written, so a copy never follows a link out of the worktree.
#include "orchestrate/worktree_files.h"

#include <filesystem>
#include <system_error>

#include "orchestrate/phase_failure.h"

namespace fs = std::filesystem;

namespace orchestrate {
namespace {

bool IsSymlink(const fs::path& path) {
  std::error_code ec;
  return fs::is_symlink(fs::symlink_status(path, ec));
}

// Throws PhaseFailure when `rel` (relative to `worktree`), or a directory on
// the way to it, is a symbolic link in the worktree.
void RefuseLinkedDestination(const fs::path& worktree, const fs::path& rel,
                             const std::string& key) {
  fs::path at = worktree;
  fs::path at_rel;
  for (const fs::path& part : rel) {
    at /= part;
    at_rel /= part;
    if (!IsSymlink(at)) continue;
    std::error_code ec;
    fs::path target = fs::read_symlink(at, ec);
    throw PhaseFailure("refusing to write '" + key + "' entry '" + rel.generic_string() +
                       "' into the worktree: '" + at_rel.generic_string() +
                       "' is a symbolic link there (to " + target.string() +
                       "), committed by the phase's input; writing through it could change "
                       "files outside the repository. Remove the link in the phase that "
                       "committed it, or drop the entry from '" +
                       key + "'");
  }
}

void CopyFile(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// Copies the directory `from` to `worktree/rel`, refusing links on the way.
void CopyDirectory(const fs::path& from, const fs::path& worktree, const fs::path& rel) {
  fs::create_directories(worktree / rel);
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(from)) {
    fs::path inner = rel / fs::relative(entry.path(), from);
    RefuseLinkedDestination(worktree, inner, "worktree_copy");
    if (entry.is_directory())
      fs::create_directories(worktree / inner);
    else if (entry.is_regular_file())
      CopyFile(entry.path(), worktree / inner);
  }
}

void CopyEntry(const fs::path& repo_root, const fs::path& worktree, const std::string& entry) {
  fs::path from = repo_root / entry;
  fs::path rel = fs::path(entry).lexically_normal();
  if (!fs::exists(from)) return;
  RefuseLinkedDestination(worktree, rel, "worktree_copy");
  if (fs::is_directory(from))
    CopyDirectory(from, worktree, rel);
  else
    CopyFile(from, worktree / rel);
}

// A link left from an earlier run is kept; whatever else is there is
// replaced by the link.
void LinkEntry(const fs::path& repo_root, const fs::path& worktree, const std::string& entry) {
  fs::path from = repo_root / entry;
  fs::path rel = fs::path(entry).lexically_normal();
  fs::path to = worktree / rel;
  if (!fs::exists(from)) return;
  RefuseLinkedDestination(worktree, rel.parent_path(), "worktree_link");
  if (IsSymlink(to)) return;
  if (fs::exists(to)) fs::remove_all(to);
  fs::create_directories(to.parent_path());
  fs::create_directory_symlink(from, to);
}

}  // namespace

void CopyAndLinkIntoWorktree(const std::string& repo_root, const std::string& worktree,
                             const Settings& settings) {
  for (const std::string& entry : settings.worktree_copy) CopyEntry(repo_root, worktree, entry);
  for (const std::string& entry : settings.worktree_link) LinkEntry(repo_root, worktree, entry);
}

}  // namespace orchestrate
