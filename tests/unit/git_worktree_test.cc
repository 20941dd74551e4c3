#include <gtest/gtest.h>

#include <filesystem>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace fs = std::filesystem;

namespace orchestrate::testing {
namespace {

class GitWorktreeTest : public GitRepoTest {
 protected:
  void SetUp() override {
    GitRepoTest::SetUp();
    WriteFile(root(), ".git/info/exclude", ".orchestrate/\n");
    Git("branch b0 && git branch b1 && git branch b2");
    store_ = std::make_unique<WorktreeStore>(*repo_, dir());
  }
  std::string dir() const { return root() + "/.orchestrate/worktrees"; }
  std::string admin(const std::string& name) const { return root() + "/.git/worktrees/" + name; }
  /// Leaves what a crash in the middle of creating worktree `name` leaves.
  void MakeDebris(const std::string& name, const std::string& gitdir) {
    WriteFile(admin(name), "gitdir", gitdir + "\n");
    WriteFile(admin(name), "commondir", "../..\n");
    WriteFile(dir() + "/" + name, "half-written.txt", "x");
  }

  std::unique_ptr<WorktreeStore> store_;
};

TEST_F(GitWorktreeTest, EnsureCreatesWorktreeOnBranch) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  EXPECT_EQ(path, dir() + "/w0");
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", path), "refs/heads/b0");
  EXPECT_EQ(Trimmed("git rev-parse HEAD", path), initial_);
  EXPECT_EQ(ReadFile(path + "/dir/b.txt"), "b\n");
  EXPECT_EQ(Trimmed("git status --porcelain", path), "");
  EXPECT_NE(Git("worktree list --porcelain").find("worktree " + path), std::string::npos);
}

TEST_F(GitWorktreeTest, EnsureReusesExistingWorktree) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  WriteFile(path, "scratch", "kept");
  EXPECT_EQ(store_->Ensure("w0", "refs/heads/b0"), path);
  EXPECT_EQ(ReadFile(path + "/scratch"), "kept");
}

TEST_F(GitWorktreeTest, EnsureRecreatesWorktreeWhoseDirectoryVanished) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  fs::remove_all(path);
  EXPECT_EQ(store_->Ensure("w0", "refs/heads/b0"), path);
  EXPECT_EQ(Trimmed("git rev-parse HEAD", path), initial_);
}

TEST_F(GitWorktreeTest, EnsureSurvivesTwoInvalidEntries) {
  MakeDebris("wA", "garbage");
  MakeDebris("wB", "/nonexistent/.git");
  std::string path = store_->Ensure("w1", "refs/heads/b1");
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", path), "refs/heads/b1");
  EXPECT_FALSE(FileExists(admin("wA")));
  EXPECT_FALSE(FileExists(dir() + "/wB"));
}

TEST_F(GitWorktreeTest, EnsureReplacesDebrisOfItsOwnName) {
  MakeDebris("w0", dir() + "/w0/.git");
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  EXPECT_FALSE(FileExists(path + "/half-written.txt"));
  EXPECT_EQ(Trimmed("git rev-parse HEAD", path), initial_);
}

TEST_F(GitWorktreeTest, EnsureOnMissingBranchIsInfraError) {
  try {
    store_->Ensure("w0", "refs/heads/nope");
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("git: looking up refs/heads/nope for worktree w0: "),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(FileExists(admin("w0")));
}

TEST_F(GitWorktreeTest, FailedAddLeavesNoDebris) {
  store_->Ensure("w0", "refs/heads/b0");
  try {
    store_->Ensure("w1", "refs/heads/b0");  // b0 is checked out in w0
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("git: creating worktree w1 at " + dir() +
                                         "/w1 on refs/heads/b0: "),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(FileExists(admin("w1")));
  EXPECT_FALSE(FileExists(dir() + "/w1"));
  EXPECT_EQ(store_->List(), std::vector<std::string>{"w0"});
}

TEST_F(GitWorktreeTest, NameUsedByUsersOwnWorktreeIsUsageError) {
  std::string elsewhere = tmp_.path() + "/w0";
  Git("worktree add -q " + ShellQuote(elsewhere) + " b2");
  try {
    store_->Ensure("w0", "refs/heads/b0");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "the git worktree name 'w0' is already used by " + elsewhere +
                                         " — remove it with `git worktree remove " + elsewhere +
                                         "`");
  }
  EXPECT_TRUE(FileExists(elsewhere + "/a.txt"));
}

TEST_F(GitWorktreeTest, RemoveDeletesWorktreeButKeepsBranch) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  store_->Remove("w0");
  EXPECT_FALSE(FileExists(path));
  EXPECT_FALSE(FileExists(admin("w0")));
  EXPECT_EQ(Git("rev-parse b0"), initial_);
  EXPECT_EQ(Git("worktree list --porcelain").find(path), std::string::npos);
  EXPECT_NO_THROW(store_->Remove("w0"));
}

TEST_F(GitWorktreeTest, ListNamesValidWorktreesInOrder) {
  EXPECT_TRUE(store_->List().empty());
  store_->Ensure("w1", "refs/heads/b1");
  store_->Ensure("w0", "refs/heads/b0");
  fs::create_directories(dir() + "/stray");
  EXPECT_EQ(store_->List(), (std::vector<std::string>{"w0", "w1"}));
}

TEST_F(GitWorktreeTest, RepairRemovesCrashDebrisAndKeepsHealthyWorktrees) {
  std::string healthy = store_->Ensure("w0", "refs/heads/b0");
  MakeDebris("w3", dir() + "/w3/.git");
  MakeDebris("wX", "garbage");
  fs::create_directories(dir() + "/leftover/sub");
  std::vector<std::string> repairs = store_->Repair();
  EXPECT_EQ(repairs, (std::vector<std::string>{
                         "removed broken worktree entry w3",
                         "removed broken worktree entry wX",
                         "removed stray worktree directory " + dir() + "/leftover",
                         "removed stray worktree directory " + dir() + "/wX",
                     }));
  EXPECT_FALSE(FileExists(admin("w3")));
  EXPECT_FALSE(FileExists(dir() + "/w3"));
  EXPECT_FALSE(FileExists(admin("wX")));
  EXPECT_EQ(store_->List(), std::vector<std::string>{"w0"});
  EXPECT_EQ(Trimmed("git rev-parse HEAD", healthy), initial_);
  EXPECT_TRUE(store_->Repair().empty());
}

TEST_F(GitWorktreeTest, RepairKeepsOthersLockedEntries) {
  WriteFile(admin("theirs"), "gitdir", "/elsewhere/theirs/.git\n");
  WriteFile(admin("theirs"), "locked", "on a removable disk\n");
  EXPECT_TRUE(store_->Repair().empty());
  EXPECT_TRUE(FileExists(admin("theirs") + "/locked"));
}

TEST_F(GitWorktreeTest, WorktreeRepoCommitsOntoItsOwnBranch) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  std::unique_ptr<Repo> worktree = Repo::Open(path);
  EXPECT_EQ(worktree->workdir(), path);
  EXPECT_EQ(worktree->commondir(), root() + "/.git");
  WriteFile(path, "made-in-w0.txt", "w0\n");
  std::optional<ObjectId> commit = worktree->CommitAll("phase output");
  ASSERT_TRUE(commit);
  EXPECT_EQ(Git("rev-parse b0"), *commit);
  EXPECT_EQ(Git("rev-parse main"), initial_);
  EXPECT_FALSE(worktree->HasUncommittedChanges());
}

TEST_F(GitWorktreeTest, WorktreeSwitchesBetweenBranchesAfterDetaching) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  std::string other = CommitOnBranch("b1", initial_, {{"a.txt", "b1\n"}});
  Git("checkout -q main");
  std::unique_ptr<Repo> worktree = Repo::Open(path);
  worktree->DetachHead();
  worktree->SwitchTo("refs/heads/b1", other);
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", path), "refs/heads/b1");
  EXPECT_EQ(ReadFile(path + "/a.txt"), "b1\n");
  EXPECT_EQ(Trimmed("git status --porcelain", path), "");
  EXPECT_EQ(store_->Ensure("w0", "refs/heads/b0"), path);  // still valid
}

}  // namespace
}  // namespace orchestrate::testing
