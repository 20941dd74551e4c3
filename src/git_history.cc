// History walks that work in a shallow clone. libgit2 1.5 does not read
// .git/shallow: its ancestry and merge-base walks fail with "object not
// found" on the first boundary commit, whose parents the clone lacks. These
// walks treat a parent missing from the object store as absent, as git does
// for a shallow clone's boundary. Used only after libgit2's own walk failed
// that way, in a shallow repository.
#include <git2.h>

#include <queue>
#include <string>
#include <unordered_set>
#include <vector>

#include "git_internal.h"

namespace orchestrate::git_detail {
namespace {

struct Entry {
  int64_t time;
  git_oid id;
  bool operator<(const Entry& other) const { return time < other.time; }
};

std::string Key(const git_oid& id) {
  return std::string(reinterpret_cast<const char*>(id.id), GIT_OID_RAWSZ);
}

// Visits the commits reachable from `from`, newest first, until `visit`
// returns false. A commit whose object is missing is skipped.
template <typename Visit>
void WalkPresent(git_repository* repo, const git_oid& from, Visit visit) {
  std::priority_queue<Entry> queue;
  std::unordered_set<std::string> seen;
  auto push = [&](const git_oid& id) {
    if (!seen.insert(Key(id)).second) return;
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo, &id) != 0) return;  // beyond the boundary
    queue.push({git_commit_time(commit), id});
    git_commit_free(commit);
  };
  push(from);
  while (!queue.empty()) {
    git_oid id = queue.top().id;
    queue.pop();
    if (!visit(id)) return;
    git_commit* commit = nullptr;
    if (git_commit_lookup(&commit, repo, &id) != 0) continue;
    for (unsigned i = 0; i < git_commit_parentcount(commit); ++i)
      push(*git_commit_parent_id(commit, i));
    git_commit_free(commit);
  }
}

}  // namespace

bool IsAncestorInPresentHistory(git_repository* repo, const git_oid& ancestor,
                                const git_oid& descendant) {
  bool found = false;
  WalkPresent(repo, descendant, [&](const git_oid& id) {
    found = git_oid_equal(&id, &ancestor);
    return !found;
  });
  return found;
}

std::optional<git_oid> MergeBaseInPresentHistory(git_repository* repo, const git_oid& one,
                                                 const git_oid& two) {
  std::unordered_set<std::string> from_one;
  WalkPresent(repo, one, [&](const git_oid& id) {
    from_one.insert(Key(id));
    return true;
  });
  std::optional<git_oid> base;
  WalkPresent(repo, two, [&](const git_oid& id) {
    if (from_one.count(Key(id))) base = id;
    return !base;
  });
  return base;
}

}  // namespace orchestrate::git_detail
