// Private to the git_*.cc files: RAII holders for libgit2 objects and the
// conversion of libgit2 failures into InfraError.
#pragma once

#include <git2.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace orchestrate::git_detail {

/// unique_ptr whose deleter is a libgit2 free function.
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using OwnedRepository = Owned<git_repository, git_repository_free>;
using OwnedObject = Owned<git_object, git_object_free>;
using OwnedCommit = Owned<git_commit, git_commit_free>;
using OwnedTree = Owned<git_tree, git_tree_free>;
using OwnedBlob = Owned<git_blob, git_blob_free>;
using OwnedIndex = Owned<git_index, git_index_free>;
using OwnedReference = Owned<git_reference, git_reference_free>;
using OwnedSignature = Owned<git_signature, git_signature_free>;
using OwnedTreeBuilder = Owned<git_treebuilder, git_treebuilder_free>;
using OwnedWorktree = Owned<git_worktree, git_worktree_free>;
using OwnedRemote = Owned<git_remote, git_remote_free>;
using OwnedStatusList = Owned<git_status_list, git_status_list_free>;
using OwnedConflictIterator = Owned<git_index_conflict_iterator, git_index_conflict_iterator_free>;
using OwnedReferenceIterator = Owned<git_reference_iterator, git_reference_iterator_free>;

/// libgit2's message for the last failure on this thread.
std::string LastErrorMessage();

/// Throws InfraError("git: <doing>: <libgit2 message>") when `rc` < 0,
/// saying the disk is full when that was the cause.
void Check(int rc, const std::string& doing);

/// Throws InfraError "... was not written (disk full?)" when object `id`,
/// which `what` (e.g. "writing a commit") just wrote, is not in the object
/// database: libgit2 1.5.1 can report success on ENOSPC without writing.
void EnsureWritten(git_repository* repo, const git_oid& id, const std::string& what);

/// Ancestry and merge base over the commits present in the object store
/// (git_history.cc): for shallow clones, whose boundary commits name
/// parents the clone lacks. libgit2's own walks fail there.
bool IsAncestorInPresentHistory(git_repository* repo, const git_oid& ancestor,
                                const git_oid& descendant);
std::optional<git_oid> MergeBaseInPresentHistory(git_repository* repo, const git_oid& one,
                                                 const git_oid& two);

/// libgit2's form of `id`, and back.
inline git_oid ToOid(const ObjectId& id) {
  git_oid oid;
  static_assert(sizeof oid.id == ObjectId::kSize);
  std::memcpy(oid.id, id.data(), ObjectId::kSize);
  return oid;
}
inline ObjectId FromOid(const git_oid& oid) { return ObjectId::FromBytes(oid.id); }

/// Looks up a commit; throws InfraError when it is missing or not a commit.
OwnedCommit LookupCommit(git_repository* repo, const ObjectId& id);

/// Looks up a tree; throws InfraError when it is missing or not a tree.
OwnedTree LookupTree(git_repository* repo, const ObjectId& id);

/// A libgit2 signature for `sig`, at offset 0.
OwnedSignature MakeSignature(const Signature& sig);

/// The user's configured signature at the current time, falling back to
/// "orchestrate <orchestrate@localhost>".
OwnedSignature DefaultSignature(git_repository* repo);

}  // namespace orchestrate::git_detail
