// WorktreeStore: the pool of linked worktrees, robust to libgit2 1.5.1 debris.
#include <git2.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "git_internal.h"
#include "orchestrate/git.h"

namespace fs = std::filesystem;

namespace orchestrate {

using namespace git_detail;

namespace {

bool SamePath(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec);
}

/// True when `inner` is `outer` or lies below it (both made absolute).
bool IsUnder(const fs::path& inner, const fs::path& outer) {
  fs::path a = fs::weakly_canonical(inner).lexically_normal();
  fs::path b = fs::weakly_canonical(outer).lexically_normal();
  auto [mismatch, _] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
  return mismatch == b.end();
}

void RemoveTree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) throw InfraError("git: removing " + path.string() + ": " + ec.message());
}

/// The work tree an admin entry points at (its "gitdir" file names <worktree>/.git).
std::optional<fs::path> RecordedWorkTree(const fs::path& admin) {
  std::ifstream in(admin / "gitdir");
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return std::nullopt;
  fs::path dotgit(line);
  if (!dotgit.is_absolute()) dotgit = admin / dotgit;
  return dotgit.parent_path();
}

OwnedWorktree LookupWorktree(git_repository* repo, const std::string& name) {
  git_worktree* worktree = nullptr;
  if (git_worktree_lookup(&worktree, repo, name.c_str()) != 0) return nullptr;
  return OwnedWorktree(worktree);
}

std::vector<std::string> SubdirectoryNames(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

WorktreeStore::WorktreeStore(Repo& main, std::string dir) : main_(main), dir_(std::move(dir)) {}

namespace {

/// Whether `name` is registered, passes libgit2's validation and lives at `path`.
bool IsValidWorktree(git_repository* repo, const std::string& name, const fs::path& path) {
  OwnedWorktree worktree = LookupWorktree(repo, name);
  if (!worktree || git_worktree_validate(worktree.get()) != 0) return false;
  return SamePath(git_worktree_path(worktree.get()), path) && fs::exists(path / ".git");
}

/// Throws UsageError when a healthy worktree outside `dir` already uses `name`.
void CheckNameIsFree(git_repository* repo, const std::string& name, const fs::path& dir) {
  OwnedWorktree worktree = LookupWorktree(repo, name);
  if (!worktree || git_worktree_validate(worktree.get()) != 0) return;
  std::string elsewhere = git_worktree_path(worktree.get());
  if (IsUnder(elsewhere, dir)) return;
  throw UsageError("the git worktree name '" + name + "' is already used by " + elsewhere +
                   " — remove it with `git worktree remove " + elsewhere + "`");
}

}  // namespace

std::vector<std::string> WorktreeStore::Repair() {
  std::vector<std::string> repairs;
  fs::path admin_root = fs::path(main_.commondir()) / "worktrees";
  for (const std::string& name : SubdirectoryNames(admin_root)) {
    fs::path admin = admin_root / name;
    OwnedWorktree worktree = LookupWorktree(main_.raw(), name);
    if (worktree && git_worktree_validate(worktree.get()) == 0) continue;
    std::optional<fs::path> work_tree = RecordedWorkTree(admin);
    bool ours = work_tree && IsUnder(*work_tree, dir_);
    if (fs::exists(admin / "locked") && !ours) continue;  // someone else's, deliberately kept
    RemoveTree(admin);
    if (ours) RemoveTree(*work_tree);
    repairs.push_back("removed broken worktree entry " + name);
  }
  for (const std::string& name : SubdirectoryNames(dir_)) {
    if (IsValidWorktree(main_.raw(), name, fs::path(dir_) / name)) continue;
    RemoveTree(fs::path(dir_) / name);
    repairs.push_back("removed stray worktree directory " + (fs::path(dir_) / name).string());
  }
  return repairs;
}

std::string WorktreeStore::Ensure(const std::string& name, const std::string& branch) {
  fs::path path = fs::path(dir_) / name;
  if (IsValidWorktree(main_.raw(), name, path)) return path.string();
  CheckNameIsFree(main_.raw(), name, dir_);
  // Any invalid entry can make libgit2 1.5.1 think `branch` is checked out.
  Repair();
  RemoveTree(fs::path(main_.commondir()) / "worktrees" / name);
  RemoveTree(path);
  git_reference* raw_ref = nullptr;
  Check(git_reference_lookup(&raw_ref, main_.raw(), branch.c_str()),
        "looking up " + branch + " for worktree " + name);
  OwnedReference ref(raw_ref);
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw InfraError("git: creating " + dir_ + ": " + ec.message());
  git_worktree_add_options options = GIT_WORKTREE_ADD_OPTIONS_INIT;
  options.ref = ref.get();
  git_worktree* added = nullptr;
  if (git_worktree_add(&added, main_.raw(), name.c_str(), path.c_str(), &options) != 0) {
    std::string message = LastErrorMessage();
    RemoveTree(fs::path(main_.commondir()) / "worktrees" / name);
    RemoveTree(path);
    throw InfraError("git: creating worktree " + name + " at " + path.string() + " on " + branch +
                     ": " + message);
  }
  git_worktree_free(added);
  return path.string();
}

void WorktreeStore::Remove(const std::string& name) {
  fs::path path = fs::path(dir_) / name;
  CheckNameIsFree(main_.raw(), name, dir_);
  if (OwnedWorktree worktree = LookupWorktree(main_.raw(), name)) {
    git_worktree_prune_options options = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
    options.flags =
        GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_LOCKED | GIT_WORKTREE_PRUNE_WORKING_TREE;
    Check(git_worktree_prune(worktree.get(), &options), "removing worktree " + name);
  }
  RemoveTree(fs::path(main_.commondir()) / "worktrees" / name);
  RemoveTree(path);
}

std::vector<std::string> WorktreeStore::List() {
  std::vector<std::string> names;
  for (const std::string& name : SubdirectoryNames(dir_))
    if (IsValidWorktree(main_.raw(), name, fs::path(dir_) / name)) names.push_back(name);
  return names;
}

}  // namespace orchestrate
