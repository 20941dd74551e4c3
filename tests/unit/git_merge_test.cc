#include <gtest/gtest.h>

#include "git_fixture.h"
#include "orchestrate/git.h"

namespace orchestrate::testing {
namespace {

using GitMergeTest = GitRepoTest;

TEST_F(GitMergeTest, FastForwardsToTheDescendantInEitherDirection) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  Repo::MergeResult forward = repo_->Merge(initial_, second, "merge");
  EXPECT_EQ(forward.commit, second);
  EXPECT_TRUE(forward.conflicts.empty());
  EXPECT_EQ(repo_->Merge(second, initial_, "merge").commit, second);
  EXPECT_EQ(repo_->Merge(second, second, "merge").commit, second);
}

TEST_F(GitMergeTest, MergeOntoAppliesOnlyTheirChangesSinceTheAncestor) {
  // theirs was built on an older commit than ours: the change between them
  // must not be undone by the merge.
  ObjectId newer = CommitOnBranch("newer", initial_, {{"a.txt", "newer base\n"}});
  ObjectId theirs = CommitOnBranch("theirs", initial_, {{"new.txt", "theirs\n"}});
  Repo::MergeResult m = repo_->MergeOnto(initial_, newer, theirs, "merge theirs");
  ASSERT_TRUE(m.commit);
  EXPECT_EQ(Git("show " + (*m.commit).hex() + ":a.txt"), "newer base");
  EXPECT_EQ(Git("show " + (*m.commit).hex() + ":new.txt"), "theirs");
  EXPECT_EQ(repo_->ParentsOf(*m.commit), (std::vector<ObjectId>{newer, theirs}));
  EXPECT_EQ(repo_->MergeOnto(initial_, newer, theirs, "merge theirs").commit, m.commit);
}

TEST_F(GitMergeTest, MergeOntoItsOwnAncestorIsTheirsItself) {
  ObjectId theirs = CommitOnBranch("theirs", initial_, {{"new.txt", "theirs\n"}});
  EXPECT_EQ(repo_->MergeOnto(initial_, initial_, theirs, "m").commit, theirs);
}

TEST_F(GitMergeTest, MergeOntoReportsConflicts) {
  ObjectId ours = CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  ObjectId theirs = CommitOnBranch("theirs", initial_, {{"a.txt", "theirs\n"}});
  Repo::MergeResult m = repo_->MergeOnto(initial_, ours, theirs, "m");
  EXPECT_FALSE(m.commit);
  EXPECT_EQ(m.conflicts, (std::vector<std::string>{"a.txt"}));
}

TEST_F(GitMergeTest, DivergentMergeIsDeterministicCommitWithBothParents) {
  ObjectId ours = CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  ObjectId theirs = CommitOnBranch("theirs", initial_, {{"new.txt", "theirs\n"}});
  Repo::MergeResult result = repo_->Merge(ours, theirs, "merge theirs\n");
  ASSERT_TRUE(result.commit);
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(repo_->ParentsOf(*result.commit), (std::vector<ObjectId>{ours, theirs}));
  EXPECT_EQ(Git("show " + (*result.commit).hex() + ":a.txt"), "ours");
  EXPECT_EQ(Git("show " + (*result.commit).hex() + ":new.txt"), "theirs");
  // Dated one second after the newer parent: deterministic, and later than both.
  std::string newest = Git("log -1 --format=%ct " + theirs.hex());
  if (Git("log -1 --format=%ct " + ours.hex()) > newest)
    newest = Git("log -1 --format=%ct " + ours.hex());
  EXPECT_EQ(Git("log -1 --format='%an %at %s' " + (*result.commit).hex()),
            "orchestrate " + std::to_string(std::stoll(newest) + 1) + " merge theirs");
  std::unique_ptr<Repo> other = Repo::Open(root());
  EXPECT_EQ(other->Merge(ours, theirs, "merge theirs\n").commit, result.commit);
  EXPECT_EQ(Git("for-each-ref --points-at " + (*result.commit).hex()), "");
}

TEST_F(GitMergeTest, ConflictsAreListedSortedAndUnique) {
  ObjectId ours =
      CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}, {"dir/b.txt", "ours\n"}, {"ok", "1"}});
  ObjectId theirs =
      CommitOnBranch("theirs", initial_, {{"a.txt", "theirs\n"}, {"dir/b.txt", "theirs\n"}});
  Repo::MergeResult result = repo_->Merge(ours, theirs, "merge");
  EXPECT_EQ(result.commit, std::nullopt);
  EXPECT_EQ(result.conflicts, (std::vector<std::string>{"a.txt", "dir/b.txt"}));
}

TEST_F(GitMergeTest, ModifyDeleteConflictNamesThePath) {
  ObjectId ours = CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  Git("checkout -q -B theirs " + initial_.hex() + " && git rm -q a.txt");
  ObjectId theirs = Oid(CommitAll(root(), "delete a"));
  Repo::MergeResult result = repo_->Merge(ours, theirs, "merge");
  EXPECT_EQ(result.commit, std::nullopt);
  EXPECT_EQ(result.conflicts, std::vector<std::string>{"a.txt"});
}

}  // namespace
}  // namespace orchestrate::testing
