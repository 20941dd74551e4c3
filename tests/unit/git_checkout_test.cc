#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace orchestrate::testing {
namespace {

using GitCheckoutTest = GitRepoTest;

struct stat StatOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st;
}

TEST_F(GitCheckoutTest, CleanCheckoutHasNoUncommittedChanges) {
  WriteFile(root(), ".git/info/exclude", "*.log\n");
  WriteFile(root(), "build.log", "ignored");
  EXPECT_FALSE(repo_->HasUncommittedChanges());
}

TEST_F(GitCheckoutTest, ModifiedStagedDeletedAndUntrackedFilesAreUncommittedChanges) {
  WriteFile(root(), "a.txt", "modified\n");
  EXPECT_TRUE(repo_->HasUncommittedChanges());
  Git("add a.txt");
  EXPECT_TRUE(repo_->HasUncommittedChanges());
  Git("reset -q --hard");
  std::filesystem::remove(root() + "/dir/b.txt");
  EXPECT_TRUE(repo_->HasUncommittedChanges());
  Git("reset -q --hard");
  WriteFile(root(), "new/file", "x");
  EXPECT_TRUE(repo_->HasUncommittedChanges());
}

TEST_F(GitCheckoutTest, ChangesOnlyToExceptedPathsAreNotUncommittedChanges) {
  const std::set<std::string> own = {"a.txt", "prompts/p.md"};
  WriteFile(root(), "a.txt", "modified\n");
  WriteFile(root(), "prompts/p.md", "new prompt\n");  // in an untracked directory
  EXPECT_FALSE(repo_->HasUncommittedChanges(own));
  Git("add a.txt");
  EXPECT_FALSE(repo_->HasUncommittedChanges(own));
  WriteFile(root(), "dir/b.txt", "changed too\n");
  EXPECT_TRUE(repo_->HasUncommittedChanges(own));
  EXPECT_TRUE(repo_->HasUncommittedChanges());
}

TEST_F(GitCheckoutTest, CommitAllStagesNewAndDeletedFilesButNotIgnoredOnes) {
  WriteFile(root(), ".gitignore", "*.log\n");
  WriteFile(root(), "new/file.txt", "new\n");
  WriteFile(root(), "out.log", "ignored\n");
  WriteFile(root(), "a.txt", "changed\n");
  std::filesystem::remove(root() + "/dir/b.txt");
  std::optional<ObjectId> commit = repo_->CommitAll("work\n");
  ASSERT_TRUE(commit);
  EXPECT_EQ(Git("rev-parse main"), commit->hex());
  EXPECT_EQ(repo_->ParentsOf(*commit), std::vector<ObjectId>{initial_});
  EXPECT_EQ(Git("ls-tree -r --name-only " + (*commit).hex()), ".gitignore\na.txt\nnew/file.txt");
  EXPECT_EQ(Git("show " + (*commit).hex() + ":a.txt"), "changed");
  EXPECT_EQ(Git("log -1 --format='%an %s' " + (*commit).hex()), "Tester work");
  EXPECT_EQ(Git("status --porcelain"), "");
}

TEST_F(GitCheckoutTest, CommitAllWithNothingChangedMakesNoCommit) {
  WriteFile(root(), ".git/info/exclude", "*.log\n");
  WriteFile(root(), "build.log", "ignored");
  EXPECT_EQ(repo_->CommitAll("nothing"), std::nullopt);
  EXPECT_EQ(Git("rev-parse HEAD"), initial_.hex());
}

TEST_F(GitCheckoutTest, CommitAllOnUnbornBranchMakesRootCommit) {
  std::string fresh = tmp_.path() + "/fresh";
  MustShell("git init -q -b main " + ShellQuote(fresh));
  WriteFile(fresh, "f", "1");
  std::unique_ptr<Repo> repo = Repo::Open(fresh);
  std::optional<ObjectId> commit = repo->CommitAll("first");
  ASSERT_TRUE(commit);
  EXPECT_TRUE(repo->ParentsOf(*commit).empty());
  EXPECT_EQ(Trimmed("git rev-parse main", fresh), commit->hex());
}

TEST_F(GitCheckoutTest, SwitchToWritesOnlyDifferingFilesAndKeepsIgnoredOnes) {
  ObjectId one = CommitOnBranch("one", initial_, {{"changes.txt", "1\n"}});
  ObjectId two = CommitOnBranch("two", one, {{"changes.txt", "2\n"}});
  Git("checkout -q one");
  MustShell("touch -d '2001-01-01 00:00:00' a.txt", root());
  Git("update-index --refresh -q || true");
  struct stat before = StatOf(root() + "/a.txt");
  WriteFile(root(), ".git/info/exclude", "*.log\n");
  WriteFile(root(), "keep.log", "ignored");
  WriteFile(root(), "stray.txt", "untracked");
  WriteFile(root(), "dir/b.txt", "locally modified\n");

  repo_->SwitchTo("refs/heads/two", two);

  EXPECT_EQ(Git("symbolic-ref HEAD"), "refs/heads/two");
  EXPECT_EQ(ReadFile(root() + "/changes.txt"), "2\n");
  EXPECT_EQ(ReadFile(root() + "/dir/b.txt"), "b\n");
  struct stat after = StatOf(root() + "/a.txt");
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtime, before.st_mtime);
  EXPECT_TRUE(FileExists(root() + "/keep.log"));
  EXPECT_FALSE(FileExists(root() + "/stray.txt"));
  EXPECT_EQ(Git("status --porcelain"), "");
}

TEST_F(GitCheckoutTest, SwitchToRemovesFilesAbsentFromTarget) {
  CommitOnBranch("more", initial_, {{"extra/file", "x"}});
  Git("checkout -q more");
  repo_->WriteRef("refs/heads/back", initial_, "test");
  repo_->SwitchTo("refs/heads/back", initial_);
  EXPECT_FALSE(FileExists(root() + "/extra/file"));
  EXPECT_EQ(Git("status --porcelain"), "");
  EXPECT_EQ(repo_->HeadCommit(), initial_);
}

TEST_F(GitCheckoutTest, SwitchToRefusesBranchHoldingAnotherCommit) {
  ObjectId other = CommitOnBranch("other", initial_, {{"a.txt", "2\n"}});
  Git("checkout -q main");
  try {
    repo_->SwitchTo("refs/heads/main", other);
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_EQ(std::string(e.what()), "git: switching " + root() + " to refs/heads/main: it holds " +
                                         initial_.hex() + ", not " + other.hex());
  }
}

TEST_F(GitCheckoutTest, SwitchToWorksDespiteWorktreeDebris) {
  for (const char* name : {"junk1", "junk2"})
    WriteFile(root(), std::string(".git/worktrees/") + name + "/gitdir", "garbage\n");
  ObjectId other = CommitOnBranch("other", initial_, {{"a.txt", "2\n"}});
  Git("checkout -q main");
  repo_->SwitchTo("refs/heads/other", other);
  EXPECT_EQ(Git("symbolic-ref HEAD"), "refs/heads/other");
  EXPECT_EQ(ReadFile(root() + "/a.txt"), "2\n");
}

TEST_F(GitCheckoutTest, DetachHeadKeepsCommitAndReleasesBranch) {
  repo_->DetachHead();
  EXPECT_NE(Shell("git symbolic-ref -q HEAD", root()).status, 0);
  EXPECT_EQ(repo_->HeadCommit(), initial_);
  EXPECT_EQ(Git("rev-parse main"), initial_.hex());
}

}  // namespace
}  // namespace orchestrate::testing
