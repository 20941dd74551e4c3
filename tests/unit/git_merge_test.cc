#include <gtest/gtest.h>

#include "git_fixture.h"
#include "orchestrate/git.h"

namespace orchestrate::testing {
namespace {

using GitMergeTest = GitRepoTest;

TEST_F(GitMergeTest, FastForwardsToTheDescendantInEitherDirection) {
  std::string second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  Repo::MergeResult forward = repo_->Merge(initial_, second, "merge");
  EXPECT_EQ(forward.commit, second);
  EXPECT_TRUE(forward.conflicts.empty());
  EXPECT_EQ(repo_->Merge(second, initial_, "merge").commit, second);
  EXPECT_EQ(repo_->Merge(second, second, "merge").commit, second);
}

TEST_F(GitMergeTest, DivergentMergeIsDeterministicCommitWithBothParents) {
  std::string ours = CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  std::string theirs = CommitOnBranch("theirs", initial_, {{"new.txt", "theirs\n"}});
  Repo::MergeResult result = repo_->Merge(ours, theirs, "merge theirs\n");
  ASSERT_TRUE(result.commit);
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(repo_->ParentsOf(*result.commit), (std::vector<ObjectId>{ours, theirs}));
  EXPECT_EQ(Git("show " + *result.commit + ":a.txt"), "ours");
  EXPECT_EQ(Git("show " + *result.commit + ":new.txt"), "theirs");
  EXPECT_EQ(Git("log -1 --format='%an %at %s' " + *result.commit),
            "orchestrate 946684800 merge theirs");
  std::unique_ptr<Repo> other = Repo::Open(root());
  EXPECT_EQ(other->Merge(ours, theirs, "merge theirs\n").commit, result.commit);
  EXPECT_EQ(Git("for-each-ref --points-at " + *result.commit), "");
}

TEST_F(GitMergeTest, ConflictsAreListedSortedAndUnique) {
  std::string ours =
      CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}, {"dir/b.txt", "ours\n"}, {"ok", "1"}});
  std::string theirs =
      CommitOnBranch("theirs", initial_, {{"a.txt", "theirs\n"}, {"dir/b.txt", "theirs\n"}});
  Repo::MergeResult result = repo_->Merge(ours, theirs, "merge");
  EXPECT_EQ(result.commit, std::nullopt);
  EXPECT_EQ(result.conflicts, (std::vector<std::string>{"a.txt", "dir/b.txt"}));
}

TEST_F(GitMergeTest, ModifyDeleteConflictNamesThePath) {
  std::string ours = CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  Git("checkout -q -B theirs " + initial_ + " && git rm -q a.txt");
  std::string theirs = CommitAll(root(), "delete a");
  Repo::MergeResult result = repo_->Merge(ours, theirs, "merge");
  EXPECT_EQ(result.commit, std::nullopt);
  EXPECT_EQ(result.conflicts, std::vector<std::string>{"a.txt"});
}

}  // namespace
}  // namespace orchestrate::testing
