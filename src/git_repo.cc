// Repo: opening repositories, and the shared libgit2 plumbing of git_internal.h.
#include <git2.h>
#include <unistd.h>

#include "git_internal.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace orchestrate {

using namespace git_detail;

namespace git_detail {

std::string LastErrorMessage() {
  const git_error* error = git_error_last();
  return error && error->message ? error->message : "unknown libgit2 error";
}

void Check(int rc, const std::string& doing) {
  if (rc >= 0) return;
  std::string message = LastErrorMessage();
  if (message.find("No space left on device") != std::string::npos)
    throw InfraError("git: " + doing + ": " + message + " — the disk is full: free some space");
  throw InfraError("git: " + doing + ": " + message);
}

void EnsureWritten(git_repository* repo, const git_oid& id, const std::string& what) {
  git_odb* odb = nullptr;
  Check(git_repository_odb(&odb, repo), "opening the object database");
  bool exists = git_odb_exists(odb, &id) == 1;
  git_odb_free(odb);
  if (!exists)
    throw InfraError("git: " + what + " " + FromOid(id).hex() +
                     " was not written (disk full?): free some space; nothing was recorded");
}

OwnedCommit LookupCommit(git_repository* repo, const ObjectId& id) {
  git_oid oid = ToOid(id);
  git_commit* commit = nullptr;
  Check(git_commit_lookup(&commit, repo, &oid), "looking up commit " + id.hex());
  return OwnedCommit(commit);
}

OwnedTree LookupTree(git_repository* repo, const ObjectId& id) {
  git_oid oid = ToOid(id);
  git_tree* tree = nullptr;
  Check(git_tree_lookup(&tree, repo, &oid), "looking up tree " + id.hex());
  return OwnedTree(tree);
}

OwnedSignature MakeSignature(const Signature& sig) {
  git_signature* out = nullptr;
  Check(git_signature_new(&out, sig.name.c_str(), sig.email.c_str(), sig.time, 0),
        "making signature for " + sig.name);
  return OwnedSignature(out);
}

OwnedSignature DefaultSignature(git_repository* repo) {
  git_signature* out = nullptr;
  if (git_signature_default(&out, repo) == 0) return OwnedSignature(out);
  Check(git_signature_now(&out, "orchestrate", "orchestrate@localhost"), "making signature");
  return OwnedSignature(out);
}

}  // namespace git_detail

namespace {

std::string WithoutTrailingSlash(const char* path) {
  std::string out = path ? path : "";
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

Signature FixedSignature() { return {"orchestrate", "orchestrate@localhost", 946684800}; }

Repo::~Repo() {
  if (stamp_dir_fd_ >= 0) close(stamp_dir_fd_);
  git_repository_free(repo_);
}

std::unique_ptr<Repo> Repo::Discover(const std::string& dir) {
  InitGit();
  git_buf found = GIT_BUF_INIT;
  int rc = git_repository_discover(&found, dir.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND)
    throw UsageError("not a git repository (or any parent): " + dir +
                     " — run orchestrate inside a git repository, or pass -C DIR");
  Check(rc, "looking for the repository containing " + dir);
  std::string path(found.ptr, found.size);
  git_buf_dispose(&found);
  return Open(path);
}

std::unique_ptr<Repo> Repo::Open(const std::string& path) {
  InitGit();
  git_repository* repo = nullptr;
  Check(git_repository_open_ext(&repo, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
        "opening repository " + path);
  return std::unique_ptr<Repo>(new Repo(repo));
}

std::string Repo::workdir() const { return WithoutTrailingSlash(git_repository_workdir(repo_)); }

std::string Repo::commondir() const {
  return WithoutTrailingSlash(git_repository_commondir(repo_));
}

}  // namespace orchestrate
