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
  EXPECT_EQ(Trimmed("git rev-parse HEAD", path), initial_.hex());
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
  EXPECT_EQ(Trimmed("git rev-parse HEAD", path), initial_.hex());
}

TEST_F(GitWorktreeTest, EnsureSurvivesTwoInvalidEntries) {
  MakeDebris("wA", "garbage");
  MakeDebris("wB", "/nonexistent/.git");
  MakeDebris("wC", "/unmounted/c/.git");
  std::string path = store_->Ensure("w1", "refs/heads/b1");
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", path), "refs/heads/b1");
  EXPECT_FALSE(FileExists(admin("wA")));  // no absolute gitdir: debris
  EXPECT_FALSE(FileExists(dir() + "/wB"));
  // Entries of worktrees elsewhere are someone else's, even when broken.
  EXPECT_EQ(ReadFile(admin("wB") + "/gitdir"), "/nonexistent/.git\n");
  EXPECT_EQ(ReadFile(admin("wC") + "/gitdir"), "/unmounted/c/.git\n");
  EXPECT_FALSE(FileExists(root() + "/.git/orchestrate-hidden-worktrees"));
}

TEST_F(GitWorktreeTest, EnsureReplacesDebrisOfItsOwnName) {
  MakeDebris("w0", dir() + "/w0/.git");
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  EXPECT_FALSE(FileExists(path + "/half-written.txt"));
  EXPECT_EQ(Trimmed("git rev-parse HEAD", path), initial_.hex());
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
  EXPECT_EQ(Git("rev-parse b0"), initial_.hex());
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
  ASSERT_EQ(repairs.size(), 5u) << ::testing::PrintToString(repairs);
  EXPECT_EQ(repairs[0], "removed broken worktree entry w3");
  // Directories holding files are moved aside, never deleted.
  std::string stray = root() + "/.orchestrate/stray/";
  EXPECT_EQ(
      repairs[1].rfind("moved broken worktree directory " + dir() + "/w3 to " + stray + "w3-", 0),
      0u)
      << repairs[1];
  EXPECT_EQ(repairs[2], "removed broken worktree entry wX");
  EXPECT_EQ(repairs[3], "removed stray worktree directory " + dir() + "/leftover");
  EXPECT_EQ(
      repairs[4].rfind("moved stray worktree directory " + dir() + "/wX to " + stray + "wX-", 0),
      0u)
      << repairs[4];
  EXPECT_NE(repairs[4].find("(nothing in it was deleted; remove it when you no longer need it)"),
            std::string::npos);
  EXPECT_FALSE(FileExists(admin("w3")));
  EXPECT_FALSE(FileExists(dir() + "/w3"));
  EXPECT_FALSE(FileExists(admin("wX")));
  EXPECT_EQ(store_->List(), std::vector<std::string>{"w0"});
  EXPECT_EQ(Trimmed("git rev-parse HEAD", healthy), initial_.hex());
  EXPECT_TRUE(store_->Repair().empty());
}

// The user's own linked worktree on a disk that is not mounted right now:
// its entry (HEAD, index, staged changes) must survive every repair.
TEST_F(GitWorktreeTest, RepairNeverTouchesTheUsersWorktreeWhoseDirectoryIsMissing) {
  std::string mine = tmp_.path() + "/mine";
  Git("worktree add -q " + ShellQuote(mine) + " b2");
  WriteFile(mine, "staged.txt", "staged\n");
  MustShell("git add staged.txt", mine);
  fs::rename(mine, tmp_.path() + "/unmounted");
  EXPECT_TRUE(store_->Repair().empty());
  store_->Ensure("w0", "refs/heads/b0");
  store_->Ensure("w1", "refs/heads/b1");
  fs::rename(tmp_.path() + "/unmounted", mine);
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", mine), "refs/heads/b2");
  EXPECT_EQ(Trimmed("git diff --cached --name-only", mine), "staged.txt");
}

// `mv repo repo2`: kept worktrees (with uncommitted work) are reconnected,
// not deleted as stray.
TEST_F(GitWorktreeTest, RepairReconnectsWorktreesAfterTheRepositoryMoved) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  WriteFile(path, "unsaved.txt", "work\n");
  store_.reset();
  repo_.reset();
  std::string moved = tmp_.path() + "/repo2";
  fs::rename(root(), moved);
  std::unique_ptr<Repo> repo = Repo::Open(moved);
  WorktreeStore store(*repo, moved + "/.orchestrate/worktrees");
  EXPECT_EQ(store.Repair(), std::vector<std::string>{"reconnected worktree " + moved +
                                                     "/.orchestrate/worktrees/w0 (the repository "
                                                     "was moved from " +
                                                     root() + ")"});
  EXPECT_EQ(store.List(), std::vector<std::string>{"w0"});
  std::string here = moved + "/.orchestrate/worktrees/w0";
  EXPECT_EQ(ReadFile(here + "/unsaved.txt"), "work\n");
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", here), "refs/heads/b0");
  EXPECT_EQ(Trimmed("git status --porcelain", here), "?? unsaved.txt");
  EXPECT_TRUE(store.Repair().empty());
}

// Two checkouts of one repository, each with its own .orchestrate/.
TEST_F(GitWorktreeTest, EachLinkedCheckoutHasItsOwnPool) {
  std::string second = tmp_.path() + "/second";
  Git("worktree add -q " + ShellQuote(second) + " b2");
  std::unique_ptr<Repo> second_repo = Repo::Open(second);
  WorktreeStore second_store(*second_repo, second + "/.orchestrate/worktrees");
  std::string theirs = second_store.Ensure("w0", "refs/heads/b1");
  std::string ours = store_->Ensure("w0", "refs/heads/b0");
  EXPECT_EQ(theirs, second + "/.orchestrate/worktrees/w0");
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", theirs), "refs/heads/b1");
  EXPECT_EQ(Trimmed("git symbolic-ref HEAD", ours), "refs/heads/b0");
  EXPECT_TRUE(store_->Repair().empty());
  EXPECT_TRUE(second_store.Repair().empty());
  EXPECT_EQ(store_->List(), std::vector<std::string>{"w0"});
  EXPECT_EQ(second_store.List(), std::vector<std::string>{"w0"});
  second_store.Remove("w0");
  EXPECT_EQ(store_->List(), std::vector<std::string>{"w0"});
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
  EXPECT_EQ(Git("rev-parse b0"), commit->hex());
  EXPECT_EQ(Git("rev-parse main"), initial_.hex());
  EXPECT_FALSE(worktree->HasUncommittedChanges());
}

TEST_F(GitWorktreeTest, WorktreeSwitchesBetweenBranchesAfterDetaching) {
  std::string path = store_->Ensure("w0", "refs/heads/b0");
  ObjectId other = CommitOnBranch("b1", initial_, {{"a.txt", "b1\n"}});
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
