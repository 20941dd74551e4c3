// Repo: reading and writing objects (commits, trees, blobs).
#include <git2.h>

#include <vector>

#include "git_internal.h"
#include "orchestrate/git.h"
#include "orchestrate/sha1.h"

namespace orchestrate {

using namespace git_detail;

namespace {

/// Revparse outcomes that mean "there is no such commit" rather than a failure.
bool IsAbsence(int rc) {
  return rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC || rc == GIT_EAMBIGUOUS || rc == GIT_EPEEL;
}

bool IsBlob(const git_tree_entry* entry) { return git_tree_entry_type(entry) == GIT_OBJECT_BLOB; }

}  // namespace

std::optional<ObjectId> Repo::ResolveCommit(const std::string& rev) {
  git_object* found = nullptr;
  int rc = git_revparse_single(&found, repo_, rev.c_str());
  if (IsAbsence(rc)) return std::nullopt;
  Check(rc, "resolving " + rev);
  OwnedObject object(found);
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT);
  if (IsAbsence(rc)) return std::nullopt;
  Check(rc, "resolving " + rev + " to a commit");
  OwnedObject commit(peeled);
  return FromOid(*git_object_id(commit.get()));
}

ObjectId Repo::TreeOf(const ObjectId& commit) {
  return FromOid(*git_commit_tree_id(LookupCommit(repo_, commit).get()));
}

std::vector<ObjectId> Repo::ParentsOf(const ObjectId& commit) {
  OwnedCommit c = LookupCommit(repo_, commit);
  std::vector<ObjectId> parents;
  for (unsigned i = 0; i < git_commit_parentcount(c.get()); ++i)
    parents.push_back(FromOid(*git_commit_parent_id(c.get(), i)));
  return parents;
}

std::string Repo::MessageOf(const ObjectId& commit) {
  const char* message = git_commit_message(LookupCommit(repo_, commit).get());
  return message ? message : "";
}

bool Repo::HasObject(const ObjectId& id) {
  if (id.empty()) return false;
  git_oid oid = ToOid(id);
  git_odb* odb = nullptr;
  Check(git_repository_odb(&odb, repo_), "opening the object database");
  bool exists = git_odb_exists(odb, &oid) == 1;
  git_odb_free(odb);
  return exists;
}

namespace {

// Git orders tree entries so that a preorder walk yields full paths in byte order.
void WalkTreeUnder(git_repository* repo, const git_tree* tree, const std::string& prefix,
                   const std::function<void(const std::string&, const ObjectId&)>& visit) {
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    std::string path = prefix + git_tree_entry_name(entry);
    if (IsBlob(entry)) {
      visit(path, FromOid(*git_tree_entry_id(entry)));
    } else if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
      OwnedTree subtree = LookupTree(repo, FromOid(*git_tree_entry_id(entry)));
      WalkTreeUnder(repo, subtree.get(), path + "/", visit);
    }
  }
}

}  // namespace

void Repo::WalkTree(
    const ObjectId& tree,
    const std::function<void(const std::string& path, const ObjectId& blob)>& visit) {
  OwnedTree root = LookupTree(repo_, tree);
  WalkTreeUnder(repo_, root.get(), "", visit);
}

ObjectId Repo::WriteBlob(const std::string& content) {
  git_oid oid;
  Check(git_blob_create_from_buffer(&oid, repo_, content.data(), content.size()), "writing a blob");
  EnsureWritten(repo_, oid, "blob");
  return FromOid(oid);
}

std::string Repo::ReadBlob(const ObjectId& blob) {
  git_oid oid = ToOid(blob);
  git_blob* found = nullptr;
  Check(git_blob_lookup(&found, repo_, &oid), "reading blob " + blob.hex());
  OwnedBlob owned(found);
  const char* data = static_cast<const char*>(git_blob_rawcontent(owned.get()));
  return std::string(data, static_cast<size_t>(git_blob_rawsize(owned.get())));
}

ObjectId Repo::WriteTree(const std::map<std::string, ObjectId>& files) {
  git_treebuilder* raw_builder = nullptr;
  Check(git_treebuilder_new(&raw_builder, repo_, nullptr), "starting a tree");
  OwnedTreeBuilder builder(raw_builder);
  for (const auto& [name, blob] : files) {
    git_oid oid = ToOid(blob);
    Check(git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &oid, GIT_FILEMODE_BLOB),
          "adding '" + name + "' to a tree");
  }
  git_oid tree;
  Check(git_treebuilder_write(&tree, builder.get()), "writing a tree");
  EnsureWritten(repo_, tree, "tree");
  return FromOid(tree);
}

std::map<std::string, ObjectId> Repo::ReadTree(const ObjectId& tree) {
  OwnedTree owned = LookupTree(repo_, tree);
  std::map<std::string, ObjectId> files;
  for (size_t i = 0; i < git_tree_entrycount(owned.get()); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(owned.get(), i);
    if (IsBlob(entry)) files[git_tree_entry_name(entry)] = FromOid(*git_tree_entry_id(entry));
  }
  return files;
}

ObjectId Repo::CreateCommit(const ObjectId& tree, const std::vector<ObjectId>& parents,
                            const std::string& message, const std::optional<Signature>& sig) {
  OwnedTree owned_tree = LookupTree(repo_, tree);
  std::vector<OwnedCommit> owned_parents;
  std::vector<const git_commit*> parent_ptrs;
  for (const ObjectId& parent : parents) {
    owned_parents.push_back(LookupCommit(repo_, parent));
    parent_ptrs.push_back(owned_parents.back().get());
  }
  OwnedSignature signature = sig ? MakeSignature(*sig) : DefaultSignature(repo_);
  git_oid oid;
  Check(
      git_commit_create(&oid, repo_, nullptr, signature.get(), signature.get(), nullptr,
                        message.c_str(), owned_tree.get(), parent_ptrs.size(), parent_ptrs.data()),
      "creating a commit");
  EnsureWritten(repo_, oid, "commit");
  return FromOid(oid);
}

Signature Repo::UserSignature() {
  OwnedSignature sig = DefaultSignature(repo_);
  return {sig->name, sig->email, static_cast<int64_t>(sig->when.time)};
}

ObjectId HashBlob(std::string_view content) {
  BlobHasher hash(content.size());
  hash.Add(content);
  return hash.Finish();
}

bool Repo::IsAncestor(const ObjectId& ancestor, const ObjectId& descendant) {
  if (ancestor == descendant) return true;
  git_oid a = ToOid(ancestor);
  git_oid d = ToOid(descendant);
  // libgit2 1.5 walks past a shallow clone's boundary (and leaks on that
  // failure): there, walk the history the clone has.
  if (git_repository_is_shallow(repo_) == 1) return IsAncestorInPresentHistory(repo_, a, d);
  int rc = git_graph_descendant_of(repo_, &d, &a);
  Check(rc, "checking whether " + ancestor.hex() + " is an ancestor of " + descendant.hex());
  return rc == 1;
}

}  // namespace orchestrate
