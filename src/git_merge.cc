// Repo::Merge: in-memory merges with no checkout.
#include <git2.h>

#include <algorithm>
#include <vector>

#include "git_internal.h"
#include "orchestrate/git.h"

namespace orchestrate {

using namespace git_detail;

namespace {

const char* ConflictPath(const git_index_entry* ancestor, const git_index_entry* ours,
                         const git_index_entry* theirs) {
  if (ours) return ours->path;
  if (theirs) return theirs->path;
  return ancestor ? ancestor->path : "";
}

/// The paths in conflict in a merge index, sorted and unique.
std::vector<std::string> ListConflicts(git_index* index) {
  git_index_conflict_iterator* raw = nullptr;
  Check(git_index_conflict_iterator_new(&raw, index), "listing merge conflicts");
  OwnedConflictIterator iterator(raw);
  std::vector<std::string> paths;
  const git_index_entry *ancestor, *ours, *theirs;
  int rc;
  while ((rc = git_index_conflict_next(&ancestor, &ours, &theirs, iterator.get())) == 0)
    paths.push_back(ConflictPath(ancestor, ours, theirs));
  if (rc != GIT_ITEROVER) Check(rc, "listing merge conflicts");
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

}  // namespace

Repo::MergeResult Repo::Merge(const ObjectId& ours, const ObjectId& theirs,
                              const std::string& message) {
  if (IsAncestor(theirs, ours)) return {ours, {}};
  if (IsAncestor(ours, theirs)) return {theirs, {}};
  OwnedCommit our_commit = LookupCommit(repo_, ours);
  OwnedCommit their_commit = LookupCommit(repo_, theirs);
  if (git_repository_is_shallow(repo_) == 1) {
    // libgit2 1.5's merge-base walk fails past a shallow clone's boundary:
    // find the base in the history the clone has.
    std::optional<git_oid> base = MergeBaseInPresentHistory(repo_, *git_commit_id(our_commit.get()),
                                                            *git_commit_id(their_commit.get()));
    if (base) return MergeOnto(FromOid(*base), ours, theirs, message);
  }
  git_index* raw_index = nullptr;
  Check(git_merge_commits(&raw_index, repo_, our_commit.get(), their_commit.get(), nullptr),
        "merging " + theirs.hex() + " into " + ours.hex());
  return CommitMerge(raw_index, our_commit.get(), their_commit.get(), message);
}

Repo::MergeResult Repo::MergeOnto(const ObjectId& ancestor, const ObjectId& ours,
                                  const ObjectId& theirs, const std::string& message) {
  if (ours == ancestor) return {theirs, {}};  // theirs was built on exactly ours
  OwnedCommit our_commit = LookupCommit(repo_, ours);
  OwnedCommit their_commit = LookupCommit(repo_, theirs);
  OwnedTree base_tree = LookupTree(repo_, TreeOf(ancestor));
  OwnedTree our_tree = LookupTree(repo_, TreeOf(ours));
  OwnedTree their_tree = LookupTree(repo_, TreeOf(theirs));
  git_index* raw_index = nullptr;
  Check(git_merge_trees(&raw_index, repo_, base_tree.get(), our_tree.get(), their_tree.get(),
                        nullptr),
        "merging " + theirs.hex() + " into " + ours.hex());
  return CommitMerge(raw_index, our_commit.get(), their_commit.get(), message);
}

Repo::MergeResult Repo::CommitMerge(git_index* raw_index, git_commit* ours, git_commit* theirs,
                                    const std::string& message) {
  OwnedIndex index(raw_index);
  if (git_index_has_conflicts(index.get())) return {std::nullopt, ListConflicts(index.get())};
  git_oid tree;
  Check(git_index_write_tree_to(&tree, index.get(), repo_), "writing the merged tree");
  EnsureWritten(repo_, tree, "merged tree");
  // Deterministic, yet later than both parents: with equal times libgit2's
  // merge-base walks cannot stop early, and each merge into a long chain of
  // merges would walk the whole chain.
  Signature sig = FixedSignature();
  int64_t newest = std::max(git_commit_time(ours), git_commit_time(theirs));
  sig.time = std::max(sig.time, newest + 1);
  std::vector<ObjectId> parents{FromOid(*git_commit_id(ours)), FromOid(*git_commit_id(theirs))};
  return {CreateCommit(FromOid(tree), parents, message, sig), {}};
}

}  // namespace orchestrate
