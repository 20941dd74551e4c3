// WorktreeStore: the pool of linked worktrees, robust to libgit2 1.5.1 debris.
#include <git2.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "file_io.h"
#include "git_internal.h"
#include "orchestrate/git.h"
#include "orchestrate/sha1.h"

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
  std::string line = FirstLineOf(admin / "gitdir");
  if (line.empty()) return std::nullopt;
  fs::path dotgit(line);
  if (!dotgit.is_absolute()) dotgit = admin / dotgit;
  return dotgit.parent_path();
}

OwnedWorktree LookupWorktree(git_repository* repo, const std::string& name) {
  git_worktree* worktree = nullptr;
  if (git_worktree_lookup(&worktree, repo, name.c_str()) != 0) return nullptr;
  return OwnedWorktree(worktree);
}

// Whether `dir` holds any file or link, at any depth (an empty tree of
// directories holds nothing worth keeping).
bool HoldsFiles(const fs::path& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!it->is_directory(ec) || it->is_symlink(ec)) return true;
  return false;
}

// The repository a worktree's `.git` file points at ("gitdir: X"), or empty.
fs::path GitdirOfWorkTree(const fs::path& work_tree) {
  std::string line = FirstLineOf(work_tree / ".git");
  const std::string prefix = "gitdir: ";
  if (line.rfind(prefix, 0) != 0) return {};
  while (line.size() > prefix.size() + 1 && line.back() == '/')
    line.pop_back();  // libgit2 writes ".../w0/"
  return fs::path(line.substr(prefix.size()));
}

void WriteLine(const fs::path& file, const std::string& line) {
  std::ofstream out(file, std::ios::trunc);
  out << line << "\n";
  if (!out)
    throw InfraError("git: cannot write " + file.string() + " (disk full or no permission?)");
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

namespace {

// What AdminName appends to a worktree's name for the pool in `dir`:
// nothing for the main checkout's pool; in a linked checkout of the
// repository, which has its own .orchestrate/, a hash of `dir`, so that each
// checkout's w0 can coexist.
std::string AdminSuffix(Repo& main, const std::string& dir) {
  fs::path main_checkout = fs::path(main.commondir()).parent_path();
  fs::path pool = fs::weakly_canonical(dir).lexically_normal();
  if (fs::weakly_canonical(main_checkout / ".orchestrate" / "worktrees").lexically_normal() == pool)
    return "";
  Sha1 hash;
  hash.Update(pool.string());
  return "-" + hash.HexDigest().substr(0, 8);
}

// Moves `path` to .orchestrate/stray/<name>-<time>; returns where.
std::string Stash(const std::string& dir, const fs::path& path) {
  fs::path stray = fs::path(dir).parent_path() / "stray";
  fs::path to = stray / (path.filename().string() + "-" + std::to_string(std::time(nullptr)));
  std::error_code ec;
  fs::create_directories(stray, ec);
  for (int n = 1; fs::exists(to); ++n) to += "." + std::to_string(n);
  fs::rename(path, to, ec);
  if (ec) throw InfraError("git: moving " + path.string() + " aside: " + ec.message());
  return to.string();
}

// Whether admin entry `admin` is one of our worktrees after the repository
// was moved (`mv repo repo2`): it records .orchestrate/worktrees/<dir> under
// a path that no longer holds it, and <dir> under our `dir` points back at
// this entry.
bool MovedHere(const std::string& dir, const fs::path& admin, const fs::path& recorded) {
  fs::path pool = recorded.parent_path();
  if (pool.filename() != "worktrees" || pool.parent_path().filename() != ".orchestrate")
    return false;
  fs::path here = fs::path(dir) / recorded.filename();
  if (fs::exists(recorded / ".git") || !fs::is_regular_file(here / ".git")) return false;
  return GitdirOfWorkTree(here).filename() == admin.filename();
}

// Points the moved worktree and its admin entry at each other again, as
// `git worktree repair` does.
std::string Reconnect(const std::string& dir, const fs::path& admin, const fs::path& recorded) {
  fs::path here = fs::path(dir) / recorded.filename();
  WriteLine(here / ".git", "gitdir: " + admin.string());
  WriteLine(admin / "gitdir", (here / ".git").string());
  // libgit2 records the common directory as an absolute path: the old one.
  if (fs::path(FirstLineOf(admin / "commondir")).is_absolute())
    WriteLine(admin / "commondir", admin.parent_path().parent_path().string() + "/");
  return "reconnected worktree " + here.string() + " (the repository was moved from " +
         recorded.parent_path().parent_path().parent_path().string() + ")";
}

// Removes directory `path`, or moves it to .orchestrate/stray/ when it holds
// files: a broken worktree may still hold someone's uncommitted work.
std::string Discard(const std::string& dir, const fs::path& path, const std::string& what) {
  if (!HoldsFiles(path)) {
    RemoveTree(path);
    return "removed " + what + " " + path.string();
  }
  std::string to = Stash(dir, path);
  return "moved " + what + " " + path.string() + " to " + to +
         " (nothing in it was deleted; remove it when you no longer need it)";
}

}  // namespace

namespace {

fs::path HiddenDir(Repo& main) {
  return fs::path(main.commondir()) / "orchestrate-hidden-worktrees";
}

// Any invalid entry (someone else's worktree whose disk is not mounted) can
// make libgit2 1.5.1 think every branch is checked out: while a worktree
// is added, such entries wait outside .git/worktrees/.
void HideInvalidEntries(Repo& main) {
  fs::path admin_root = fs::path(main.commondir()) / "worktrees";
  for (const std::string& name : SubdirectoryNames(admin_root)) {
    OwnedWorktree worktree = LookupWorktree(main.raw(), name);
    if (worktree && git_worktree_validate(worktree.get()) == 0) continue;
    std::error_code ec;
    fs::create_directories(HiddenDir(main), ec);
    fs::rename(admin_root / name, HiddenDir(main) / name, ec);
  }
}

// Puts back what HideInvalidEntries moved (also after a crash in between).
void RestoreHidden(Repo& main) noexcept {
  fs::path admin_root = fs::path(main.commondir()) / "worktrees";
  for (const std::string& name : SubdirectoryNames(HiddenDir(main))) {
    std::error_code ec;
    if (!fs::exists(admin_root / name, ec))
      fs::rename(HiddenDir(main) / name, admin_root / name, ec);
  }
  std::error_code ec;
  fs::remove(HiddenDir(main), ec);  // only when empty
}

}  // namespace

std::string WorktreeStore::AdminName(const std::string& name) {
  // Worked out once: each call resolved both paths link by link (a readlink
  // per component), and a run asks for every worktree several times.
  if (!admin_suffix_) admin_suffix_ = AdminSuffix(main_, dir_);
  return name + *admin_suffix_;
}

std::vector<std::string> WorktreeStore::Repair() {
  std::vector<std::string> repairs;
  fs::path admin_root = fs::path(main_.commondir()) / "worktrees";
  RestoreHidden(main_);
  for (const std::string& name : SubdirectoryNames(admin_root)) {
    fs::path admin = admin_root / name;
    OwnedWorktree worktree = LookupWorktree(main_.raw(), name);
    if (worktree && git_worktree_validate(worktree.get()) == 0) continue;
    std::optional<fs::path> work_tree = RecordedWorkTree(admin);
    // An entry without an absolute gitdir is debris git itself would prune.
    bool debris = !work_tree || !fs::path(FirstLineOf(admin / "gitdir")).is_absolute();
    bool ours = work_tree && IsUnder(*work_tree, dir_);
    if (!ours && !debris && MovedHere(dir_, admin, *work_tree)) {
      repairs.push_back(Reconnect(dir_, admin, *work_tree));
      continue;
    }
    // Someone else's worktree (on a disk not mounted now, say): never touched.
    if (!ours && !debris) continue;
    RemoveTree(admin);
    repairs.push_back("removed broken worktree entry " + name);
    if (ours && fs::exists(*work_tree))
      repairs.push_back(Discard(dir_, *work_tree, "broken worktree directory"));
  }
  for (const std::string& name : SubdirectoryNames(dir_)) {
    if (IsValidWorktree(main_.raw(), AdminName(name), fs::path(dir_) / name)) continue;
    repairs.push_back(Discard(dir_, fs::path(dir_) / name, "stray worktree directory"));
  }
  return repairs;
}

std::string WorktreeStore::Ensure(const std::string& name, const std::string& branch) {
  fs::path path = fs::path(dir_) / name;
  std::string admin_name = AdminName(name);
  if (IsValidWorktree(main_.raw(), admin_name, path)) return path.string();
  CheckNameIsFree(main_.raw(), admin_name, dir_);
  Repair();
  RemoveTree(fs::path(main_.commondir()) / "worktrees" / admin_name);
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
  HideInvalidEntries(main_);
  int error = git_worktree_add(&added, main_.raw(), admin_name.c_str(), path.c_str(), &options);
  std::string message = error ? LastErrorMessage() : "";
  RestoreHidden(main_);
  if (error != 0) {
    RemoveTree(fs::path(main_.commondir()) / "worktrees" / admin_name);
    RemoveTree(path);
    throw InfraError("git: creating worktree " + name + " at " + path.string() + " on " + branch +
                     ": " + message);
  }
  git_worktree_free(added);
  return path.string();
}

void WorktreeStore::Remove(const std::string& name) {
  fs::path path = fs::path(dir_) / name;
  std::string admin_name = AdminName(name);
  CheckNameIsFree(main_.raw(), admin_name, dir_);
  if (OwnedWorktree worktree = LookupWorktree(main_.raw(), admin_name)) {
    git_worktree_prune_options options = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
    options.flags =
        GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_LOCKED | GIT_WORKTREE_PRUNE_WORKING_TREE;
    Check(git_worktree_prune(worktree.get(), &options), "removing worktree " + name);
  }
  RemoveTree(fs::path(main_.commondir()) / "worktrees" / admin_name);
  RemoveTree(path);
}

std::vector<std::string> WorktreeStore::List() {
  std::vector<std::string> names;
  for (const std::string& name : SubdirectoryNames(dir_))
    if (IsValidWorktree(main_.raw(), AdminName(name), fs::path(dir_) / name)) names.push_back(name);
  return names;
}

}  // namespace orchestrate
