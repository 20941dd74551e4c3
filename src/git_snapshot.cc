// Repo: what a command changed in a work tree, and committing exactly that
// (SPEC 3: a result holds what the command did, not what setup or verify
// left behind).
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "git_internal.h"
#include "orchestrate/git.h"

namespace orchestrate {

using namespace git_detail;

namespace {

using OwnedDiff = Owned<git_diff, git_diff_free>;
using OwnedTreeEntry = Owned<git_tree_entry, git_tree_entry_free>;

std::string EntryState(unsigned mode, const git_oid& id) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &id);
  return std::to_string(mode) + " " + hex;
}

// The state a work tree file would be staged with: "MODE BLOBID", with the
// repository's filters applied as `git add` would; "" when it is gone.
std::string FileState(git_repository* repo, const std::string& root, const std::string& path) {
  std::string full = root + "/" + path;
  struct stat st;
  if (lstat(full.c_str(), &st) != 0) return "";
  git_oid id;
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlink(full.c_str(), target.data(), target.size());
    if (n < 0) return "";
    target.resize(static_cast<size_t>(n));
    Check(git_odb_hash(&id, target.data(), target.size(), GIT_OBJECT_BLOB), "hashing " + path);
    return EntryState(GIT_FILEMODE_LINK, id);
  }
  if (!S_ISREG(st.st_mode)) return "";
  Check(git_repository_hashfile(&id, repo, full.c_str(), GIT_OBJECT_BLOB, path.c_str()),
        "hashing " + path);
  return EntryState(st.st_mode & 0111 ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB, id);
}

}  // namespace

std::string Repo::FileAt(const ObjectId& tree, const std::string& path) {
  OwnedTree t = LookupTree(repo_, tree);
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, t.get(), path.c_str()) != 0) return "";
  OwnedTreeEntry entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return "";
  return EntryState(git_tree_entry_filemode(entry.get()), *git_tree_entry_id(entry.get()));
}

namespace {

std::string StateIn(Repo& repo, const WorktreeSnapshot& s, const std::string& path) {
  auto it = s.differing.find(path);
  return it != s.differing.end() ? it->second : repo.FileAt(s.index_tree, path);
}

// Paths whose files differ between two trees.
void AddDifferingPaths(git_repository* repo, const ObjectId& a, const ObjectId& b,
                       std::set<std::string>* paths) {
  if (a == b) return;
  OwnedTree ta = LookupTree(repo, a), tb = LookupTree(repo, b);
  git_diff* raw = nullptr;
  Check(git_diff_tree_to_tree(&raw, repo, ta.get(), tb.get(), nullptr), "comparing trees");
  OwnedDiff diff(raw);
  for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    paths->insert(d->old_file.path);
    paths->insert(d->new_file.path);
  }
}

OwnedIndex ReloadedIndex(git_repository* repo) {
  git_index* index = nullptr;
  Check(git_repository_index(&index, repo), "opening the index");
  OwnedIndex owned(index);
  Check(git_index_read(owned.get(), 0), "reading the index");
  return owned;
}

}  // namespace

std::vector<std::string> Repo::ChangedPaths(const ObjectId& from, const ObjectId& to) {
  std::set<std::string> paths;
  AddDifferingPaths(repo_, from, to, &paths);
  return {paths.begin(), paths.end()};
}

WorktreeSnapshot Repo::Snapshot() {
  WorktreeSnapshot s;
  OwnedIndex index = ReloadedIndex(repo_);
  git_oid tree;
  Check(git_index_write_tree(&tree, index.get()), "writing the index's tree of " + workdir());
  s.index_tree = FromOid(tree);
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  Check(git_status_list_new(&raw, repo_, &options), "reading the status of " + workdir());
  OwnedStatusList status(raw);
  std::string root = workdir();
  for (size_t i = 0; i < git_status_list_entrycount(status.get()); ++i) {
    const git_status_entry* e = git_status_byindex(status.get(), i);
    if (!e->index_to_workdir) continue;
    std::string path = e->index_to_workdir->new_file.path;
    if (path.empty() || path.back() == '/') continue;  // a nested repository
    s.differing[path] = FileState(repo_, root, path);
  }
  return s;
}

std::optional<ObjectId> Repo::CommitChangesSince(const WorktreeSnapshot& before,
                                                 const std::string& message) {
  WorktreeSnapshot after = Snapshot();
  std::set<std::string> paths;
  for (const auto& [path, state] : before.differing) paths.insert(path);
  for (const auto& [path, state] : after.differing) paths.insert(path);
  AddDifferingPaths(repo_, before.index_tree, after.index_tree, &paths);
  OwnedIndex index = ReloadedIndex(repo_);
  for (const std::string& path : paths) {
    std::string now = StateIn(*this, after, path);
    if (now == StateIn(*this, before, path)) continue;  // not the command's doing
    if (now.empty())
      Check(git_index_remove_bypath(index.get(), path.c_str()), "unstaging " + path);
    else
      Check(git_index_add_bypath(index.get(), path.c_str()), "staging " + path);
  }
  Check(git_index_write(index.get()), "writing the index of " + workdir());
  git_oid tree;
  Check(git_index_write_tree(&tree, index.get()), "writing the tree of " + workdir());
  return CommitTreeOnHead(FromOid(tree), message);
}

}  // namespace orchestrate
