// Repo: the work tree of a checkout — status, committing everything, switching.
#include <git2.h>

#include "file_io.h"
#include "git_internal.h"
#include "orchestrate/git.h"

namespace orchestrate {

using namespace git_detail;

namespace {

OwnedIndex RepositoryIndex(git_repository* repo) {
  git_index* index = nullptr;
  Check(git_repository_index(&index, repo), "opening the index");
  return OwnedIndex(index);
}

/// Stages every change like `git add -A` (new, modified and deleted files;
/// .gitignore honoured) and writes the index.
void StageEverything(git_index* index) {
  char everything[] = "*";
  char* patterns[] = {everything};
  git_strarray pathspec = {patterns, 1};
  Check(git_index_add_all(index, &pathspec, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr),
        "staging changes");
  Check(git_index_update_all(index, &pathspec, nullptr, nullptr), "staging deletions");
  Check(git_index_write(index), "writing the index");
}

/// Points HEAD's branch (or a detached HEAD) at `commit`, as
/// git_commit_create's update_ref "HEAD" would.
void MoveHead(git_repository* repo, const git_oid& commit, const std::string& message) {
  git_reference* raw = nullptr;
  Check(git_reference_lookup(&raw, repo, "HEAD"), "reading HEAD");
  OwnedReference head(raw);
  std::string log = "commit: " + message.substr(0, message.find('\n'));
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) {
    Check(git_repository_set_head_detached(repo, &commit), "moving HEAD");
    return;
  }
  const char* branch = git_reference_symbolic_target(head.get());
  git_reference* moved = nullptr;
  Check(git_reference_create(&moved, repo, branch, &commit, 1, log.c_str()),
        std::string("moving ") + branch);
  git_reference_free(moved);
}

}  // namespace

bool Repo::HasUncommittedChanges(const std::set<std::string>& except) {
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  // Untracked files one by one, not as their directory, to be matched.
  if (!except.empty()) options.flags |= GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  git_status_list* raw = nullptr;
  Check(git_status_list_new(&raw, repo_, &options), "reading the status of " + workdir());
  OwnedStatusList status(raw);
  size_t count = git_status_list_entrycount(status.get());
  for (size_t i = 0; i < count; ++i) {
    const git_status_entry* entry = git_status_byindex(status.get(), i);
    const git_diff_delta* delta =
        entry->index_to_workdir ? entry->index_to_workdir : entry->head_to_index;
    if (!delta || !except.count(delta->new_file.path) || !except.count(delta->old_file.path))
      return true;
  }
  return false;
}

std::optional<ObjectId> Repo::CommitAll(const std::string& message) {
  OwnedIndex index = RepositoryIndex(repo_);
  StageEverything(index.get());
  git_oid tree;
  Check(git_index_write_tree(&tree, index.get()), "writing the tree of " + workdir());
  return CommitTreeOnHead(FromOid(tree), message);
}

std::optional<ObjectId> Repo::CommitTreeOnHead(const ObjectId& tree, const std::string& message) {
  git_oid tree_id = ToOid(tree);
  EnsureWritten(repo_, tree_id, "writing the tree of " + workdir() + ": tree");
  std::optional<ObjectId> head = HeadCommit();
  if (head && TreeOf(*head) == tree) return std::nullopt;
  OwnedTree owned_tree = LookupTree(repo_, tree);
  OwnedCommit parent = head ? LookupCommit(repo_, *head) : nullptr;
  const git_commit* parents[] = {parent.get()};
  OwnedSignature signature = DefaultSignature(repo_);
  git_oid commit;
  // HEAD moves only once the commit is known to be written (EnsureWritten).
  Check(git_commit_create(&commit, repo_, nullptr, signature.get(), signature.get(), nullptr,
                          message.c_str(), owned_tree.get(), head ? 1 : 0, parents),
        "committing in " + workdir());
  EnsureWritten(repo_, commit, "committing in " + workdir() + ": commit");
  MoveHead(repo_, commit, message);
  return FromOid(commit);
}

void Repo::SwitchTo(const std::string& branch, const ObjectId& commit) {
  std::optional<ObjectId> held = ReadRef(branch);
  if (held != commit)
    throw InfraError("git: switching " + workdir() + " to " + branch + ": it holds " +
                     HexOr(held, "nothing") + ", not " + commit.hex());
  OwnedTree target = LookupTree(repo_, TreeOf(commit));
  std::optional<ObjectId> head = HeadCommit();
  OwnedTree baseline = head ? LookupTree(repo_, TreeOf(*head)) : nullptr;
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  options.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_REMOVE_UNTRACKED;
  options.baseline = baseline.get();
  Check(git_checkout_tree(repo_, reinterpret_cast<const git_object*>(target.get()), &options),
        "checking out " + commit.hex() + " in " + workdir());
  // Not git_repository_set_head: with worktree debris libgit2 1.5.1 believes
  // every branch is checked out elsewhere and refuses.
  git_reference* ref = nullptr;
  Check(git_reference_symbolic_create(&ref, repo_, "HEAD", branch.c_str(), 1,
                                      ("orchestrate: switch to " + branch).c_str()),
        "pointing HEAD of " + workdir() + " at " + branch);
  git_reference_free(ref);
}

void Repo::DetachHead() {
  Check(git_repository_detach_head(repo_), "detaching HEAD of " + workdir());
}

std::optional<ObjectId> Repo::HeadCommit() { return ReadRef("HEAD"); }

std::vector<std::string> Repo::CheckoutsOf(const std::string& branch) {
  std::vector<std::string> paths;
  // The main checkout: this repository, unless it was opened from a linked
  // worktree (opening the main one again reads its configuration again).
  std::unique_ptr<Repo> opened_main;
  Repo* main = this;
  if (git_repository_is_worktree(repo_)) {
    opened_main = Repo::Open(commondir());
    main = opened_main.get();
  }
  if (!git_repository_is_bare(main->raw()) && main->HeadBranch() == branch)
    paths.push_back(main->workdir());
  git_strarray names = {nullptr, 0};
  Check(git_worktree_list(&names, repo_), "listing worktrees");
  // Each linked worktree's HEAD is a file in its directory under the common
  // one: `ref: <branch>`, or an id when detached. Read there, as git does,
  // rather than by opening each worktree as a repository, which read its
  // configuration files again (docs/performance.md, "Twelfth round").
  // Missing, it is "": no HEAD to move under.
  const std::string wanted = "ref: " + branch;
  for (size_t i = 0; i < names.count; ++i) {
    std::string head = FirstLineOf(commondir() + "/worktrees/" + names.strings[i] + "/HEAD");
    if (!head.empty() && head.back() == '\r') head.pop_back();
    if (head != wanted) continue;
    git_worktree* raw = nullptr;
    if (git_worktree_lookup(&raw, repo_, names.strings[i]) != 0) continue;
    OwnedWorktree wt(raw);
    paths.push_back(git_worktree_path(wt.get()));
  }
  git_strarray_dispose(&names);
  return paths;
}

std::string Repo::HeadBranch() {
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo_, "HEAD") != 0) return "";
  OwnedReference head(raw);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) return "";
  return git_reference_symbolic_target(head.get());
}

}  // namespace orchestrate
