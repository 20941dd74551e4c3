// Every git operation orchestrate performs, through libgit2. One Repo per
// thread: libgit2 objects are not thread-safe. Failures of libgit2 throw
// InfraError("git: <what>: <libgit2 message>"); expected absences return
// std::nullopt / false.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/object_id.h"

struct git_repository;
struct git_index;
struct git_commit;

namespace orchestrate {

/// The git blob id `content` would have, without writing anything. Hashed
/// with sha1.h, not libgit2: the same id, several times faster.
ObjectId HashBlob(std::string_view content);

/// Calls git_libgit2_init once per process (call from main before threads);
/// also safe to call from tests. In the static build (ORCHESTRATE_STATIC_GIT)
/// the system's CA bundle, which libgit2 would parse here, is only noted
/// (git_certificates.cc): see below.
void InitGit();

/// The CA bundle libgit2 asked for during InitGit() and that is not loaded
/// yet; empty when none is pending (always, in the shared build, where
/// libgit2 parses it in InitGit()).
std::string DeferredCertificateBundle();
/// Parses the pending CA bundle into libgit2's certificate chain; called
/// before connecting to a remote. Returns mbedTLS's result (0 when nothing
/// was pending).
int LoadDeferredCertificates();

/// What a work tree held at one moment, as far as it differs from its index:
/// enough to tell later which files a command changed (Repo::Snapshot).
struct WorktreeSnapshot {
  ObjectId index_tree;  ///< the index as a tree
  /// Each file whose work tree content differs from the index (untracked
  /// non-ignored files included): "MODE BLOBID", or "" when deleted.
  std::map<std::string, std::string> differing;
};

/// Author/committer and time of a commit.
struct Signature {
  std::string name;
  std::string email;
  int64_t time = 0;  ///< seconds since the epoch
};

/// The fixed signature of commits orchestrate makes itself (input merges,
/// target merges, records): same parents -> same commit id.
Signature FixedSignature();

/// Where a ref's value is stored, as Repo::StampOfRef reads it: the identity
/// of the loose ref file (inode, size, modification time), or of packed-refs
/// when the ref is only packed. Git replaces either file (a new inode, by
/// rename) whenever a value in it changes, so a stamp equal to one taken
/// earlier means the value read after that earlier stamp still holds.
struct RefStamp {
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool packed = false;
  /// False for a stamp that says nothing (a ref that is missing, per
  /// worktree, or whose storage could not be read): never trust it.
  bool known = false;
  bool operator==(const RefStamp&) const = default;
};

/// One entry of a merge that could not be resolved.
struct MergeConflict {
  std::string path;
};

class Repo {
 public:
  ~Repo();
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;

  /// The repository containing `dir` (searching upward). Throws UsageError
  /// "not a git repository (or any parent): DIR — run orchestrate inside a git
  /// repository, or pass -C DIR" when there is none.
  static std::unique_ptr<Repo> Discover(const std::string& dir);
  /// Opens the repository (or linked worktree) whose work tree or git dir is `path`.
  static std::unique_ptr<Repo> Open(const std::string& path);

  git_repository* raw() { return repo_; }
  /// Absolute work tree path with no trailing slash.
  std::string workdir() const;
  /// Absolute path of the common git directory (".git" of the main checkout).
  std::string commondir() const;

  // --- objects ---------------------------------------------------------
  /// Peels `rev` (branch, tag, id, "HEAD~2") to a commit id; nullopt when it
  /// names no commit (missing, malformed, ambiguous, or not a commit).
  std::optional<ObjectId> ResolveCommit(const std::string& rev);
  ObjectId TreeOf(const ObjectId& commit);
  std::vector<ObjectId> ParentsOf(const ObjectId& commit);
  std::string MessageOf(const ObjectId& commit);
  bool HasObject(const ObjectId& id);
  /// Calls `visit(path, blob_id)` for every blob (files and symlinks) under `tree`, recursively, in
  /// path order.
  void WalkTree(const ObjectId& tree,
                const std::function<void(const std::string& path, const ObjectId& blob)>& visit);
  /// The paths of files that differ between two trees, in path order.
  std::vector<std::string> ChangedPaths(const ObjectId& from, const ObjectId& to);
  /// "MODE BLOBID" of the file at `path` in `tree`; "" when there is none.
  std::string FileAt(const ObjectId& tree, const std::string& path);
  ObjectId WriteBlob(const std::string& content);
  std::string ReadBlob(const ObjectId& blob);
  /// A flat tree of files (name -> blob id); names have no '/'.
  ObjectId WriteTree(const std::map<std::string, ObjectId>& files);
  /// Blob entries of a flat tree, by name.
  std::map<std::string, ObjectId> ReadTree(const ObjectId& tree);
  /// A commit that no ref points at yet. `sig` nullopt: the user's configured
  /// signature (falls back to "orchestrate <orchestrate@localhost>"), now.
  ObjectId CreateCommit(const ObjectId& tree, const std::vector<ObjectId>& parents,
                        const std::string& message, const std::optional<Signature>& sig);
  /// The user's configured identity (user.name, user.email; falls back to
  /// "orchestrate <orchestrate@localhost>"), now.
  Signature UserSignature();
  /// True when `ancestor` is reachable from (or equal to) `descendant`.
  bool IsAncestor(const ObjectId& ancestor, const ObjectId& descendant);

  // --- merging (no checkout) ---------------------------------------------
  struct MergeResult {
    std::optional<ObjectId> commit;      ///< set on success
    std::vector<std::string> conflicts;  ///< conflicting paths otherwise
  };
  /// Merges `theirs` into `ours`. When one contains the other, the result is
  /// the descendant itself (no new commit). Otherwise a merge commit with
  /// parents (ours, theirs), FixedSignature() dated one second after the
  /// newer parent, and `message`: deterministic.
  MergeResult Merge(const ObjectId& ours, const ObjectId& theirs, const std::string& message);
  /// Merges `theirs` into `ours` with `ancestor` as the merge base, given
  /// rather than found by walking history: the changes from ancestor to
  /// theirs are applied to ours. Theirs itself when ours is the ancestor,
  /// else a new merge commit (ours, theirs), deterministic like Merge.
  MergeResult MergeOnto(const ObjectId& ancestor, const ObjectId& ours, const ObjectId& theirs,
                        const std::string& message);

  // --- refs ----------------------------------------------------------------
  std::optional<ObjectId> ReadRef(const std::string& name);
  /// The stamp of ref `name`'s storage: one stat(2), where ReadRef opens and
  /// reads a file. For callers that remember values read earlier (the record
  /// index): take the stamp before reading the value; while a later stamp
  /// equals it, the value has not changed. Only refs shared by all worktrees
  /// under refs/ get a known stamp.
  RefStamp StampOfRef(const std::string& name);
  /// Creates or moves `name` unconditionally.
  void WriteRef(const std::string& name, const ObjectId& id, const std::string& log_message);
  /// Compare-and-swap: moves `name` only when it currently holds `expected`
  /// (nullopt: only when it does not exist). False when it did not match.
  bool WriteRefIf(const std::string& name, const ObjectId& id,
                  const std::optional<ObjectId>& expected, const std::string& log_message);
  /// Deletes `name`; nothing happens when it does not exist.
  void DeleteRef(const std::string& name);
  /// Refs whose names start with `prefix`, sorted by name.
  std::vector<std::pair<std::string, ObjectId>> ListRefs(const std::string& prefix);

  // --- the user's checkout ---------------------------------------------------
  /// Tracked files modified, staged or deleted, or untracked non-ignored
  /// files present, in this repository's work tree, other than the paths
  /// (relative to the work tree) in `except`: a change staged and also
  /// modified counts when either side touches another path.
  bool HasUncommittedChanges(const std::set<std::string>& except = {});

  // --- worktrees -------------------------------------------------------------
  /// Commits every change in this (worktree) repository's work tree onto its
  /// HEAD branch: `git add -A` then commit when the tree differs. Returns the
  /// new commit, or nullopt when nothing changed.
  std::optional<ObjectId> CommitAll(const std::string& message);
  /// The work tree's state, for CommitChangesSince. Hashes only the files
  /// that differ from the index; writes the index's tree objects.
  WorktreeSnapshot Snapshot();
  /// Commits onto HEAD exactly the files whose content changed since
  /// `before` (made, edited or deleted since then, staged or not), keeping
  /// commits made in between; files that differed already then and were not
  /// touched since stay out. Returns the new commit, or nullopt when the
  /// tree did not change.
  std::optional<ObjectId> CommitChangesSince(const WorktreeSnapshot& before,
                                             const std::string& message);
  /// Points HEAD at `branch` (refs/heads/...) which must hold `commit`, and
  /// makes the work tree and index that commit's tree, writing only the files
  /// that differ. Ignored files survive; untracked non-ignored files are removed.
  void SwitchTo(const std::string& branch, const ObjectId& commit);
  /// Detaches HEAD at its current commit (so no branch stays checked out).
  void DetachHead();
  std::optional<ObjectId> HeadCommit();
  /// The branch HEAD points at ("refs/heads/..."); "" when HEAD is detached.
  std::string HeadBranch();
  /// The work tree path of every checkout of this repository (the main one
  /// and each linked worktree) whose HEAD is on `branch` ("refs/heads/...").
  std::vector<std::string> CheckoutsOf(const std::string& branch);

  // --- remotes -----------------------------------------------------------------
  /// Push/fetch refspecs to/from a remote name or URL. Throws UsageError naming
  /// the remote when it is missing or unreachable. Push returns the refs
  /// rejected (including non-fast-forwards) as "ref: reason"; the others are
  /// still pushed.
  std::vector<std::string> Push(const std::string& remote,
                                const std::vector<std::string>& refspecs);
  void Fetch(const std::string& remote, const std::vector<std::string>& refspecs);

  // --- queries for the planner, maintenance and start-up checks --------------
  // (so that libgit2 is used only by the git_*.cc files)
  /// A content id of `tree` without the paths in `excluded` (relative,
  /// '/'-separated; a directory excludes all below it): the tree's own id
  /// when none of them is inside it, else a hash of its entries with the
  /// excluded ones left out and the affected subtrees replaced by their own
  /// content ids. Reads only the trees on the way to excluded paths; writes
  /// nothing.
  ObjectId ContentIdExcluding(const ObjectId& tree, const std::set<std::string>& excluded);
  /// True when `commit` is one of `tips` or reachable from one of them.
  bool IsReachableFromAny(const ObjectId& commit, const std::vector<ObjectId>& tips);
  /// The repository's configuration value `name` ("core.hooksPath"), from
  /// every level git reads; nullopt when unset.
  std::optional<std::string> ConfigString(const std::string& name);
  /// A boolean configuration value; false when unset or not a boolean.
  bool ConfigBool(const std::string& name);
  /// Every configuration entry whose (lower-case) name matches the POSIX
  /// extended regular expression `regex`: name -> value (the last level
  /// that sets it wins).
  std::map<std::string, std::string> ConfigMatching(const std::string& regex);
  /// True for a shallow clone (.git/shallow: history cut off).
  bool IsShallow();

 private:
  explicit Repo(git_repository* repo) : repo_(repo) {}
  /// Commits `tree` onto HEAD with the user's signature unless HEAD has it.
  std::optional<ObjectId> CommitTreeOnHead(const ObjectId& tree, const std::string& message);
  /// Commits a merge index (taking ownership), or lists its conflicts.
  MergeResult CommitMerge(git_index* index, git_commit* ours, git_commit* theirs,
                          const std::string& message);
  git_repository* repo_;
  /// StampOfRef's open directory (O_PATH) two levels above the last ref it
  /// stamped, and that directory's name ("refs/orchestrate/cache").
  int stamp_dir_fd_ = -1;
  std::string stamp_dir_;
};

/// The pool of linked worktrees under `<root>/.orchestrate/worktrees/`,
/// named w0, w1, ... Creation and repair go through the main repository.
/// Only worktrees under `dir` are ever pruned or removed: the user's own
/// `git worktree` entries are left alone even when broken. In a linked
/// checkout of the repository (with its own .orchestrate/), git's names for
/// the pool's worktrees carry a suffix made from `dir` ("w0-1a2b3c4d") so
/// that each checkout's pool can coexist; the directories stay w0, w1, ...
class WorktreeStore {
 public:
  /// `main` is the user's repository; `dir` the worktrees directory.
  WorktreeStore(Repo& main, std::string dir);

  /// Start-up repair after a crash or a move: prunes entries of
  /// .git/worktrees that belong to `dir` and are broken (libgit2 1.5.1
  /// debris) or have no absolute gitdir; reconnects `dir`'s worktrees after
  /// the repository was moved; a directory under `dir` that is not a valid
  /// worktree is removed when it holds no file, else moved to
  /// `.orchestrate/stray/`. Returns what it repaired, one line each.
  std::vector<std::string> Repair();

  /// Path of worktree `name`, creating it on `branch` (which must exist) if
  /// it does not exist. Recreates it when broken (running Repair() first, as
  /// any invalid entry breaks libgit2 1.5.1's worktree creation). Throws
  /// UsageError when a worktree outside `dir` already uses `name`.
  std::string Ensure(const std::string& name, const std::string& branch);

  /// Removes worktree `name` and its directory (not its branch); nothing
  /// happens when it does not exist.
  void Remove(const std::string& name);

  /// Names of valid worktrees under `dir`, sorted.
  std::vector<std::string> List();

  const std::string& dir() const { return dir_; }

 private:
  /// git's name (under .git/worktrees/) for worktree `name` of this pool.
  std::string AdminName(const std::string& name);

  Repo& main_;
  std::string dir_;
  std::optional<std::string> admin_suffix_;  ///< made by the first AdminName
};

}  // namespace orchestrate
