#include "orchestrate/recovery.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "support/test_repo.h"
#include "support/wait.h"

namespace orchestrate {
namespace {

using testing::TempDir;

// Waits until `pid` has become `sleep` leading its own process group:
// `setsid` and the exec are not done yet when the shell returns.
void WaitUntilSleepingGroupLeader(int pid) {
  ASSERT_TRUE(testing::WaitUntil([&] {
    std::string cmdline = testing::ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    return getpgid(pid) == pid && cmdline.rfind("sleep", 0) == 0;
  })) << "process "
      << pid << " did not become a sleeping group leader";
}

TEST(RecoveryTest, HooksRecordAGroupOnlyWhileItRuns) {
  TempDir dir;
  ProcessHooks hooks = RecordProcessGroups(dir.path(), 1, "ORCHESTRATE_RUN_ID=x");
  // Before anything is spawned: the marker alone, to find an unrecorded child by.
  EXPECT_EQ(testing::ReadFile(dir.path() + "/slot-1"), "0 ORCHESTRATE_RUN_ID=x\n");
  hooks.started(4242);
  EXPECT_EQ(testing::ReadFile(dir.path() + "/slot-1"), "4242 ORCHESTRATE_RUN_ID=x\n");
  hooks.ended(4242);
  EXPECT_EQ(testing::ReadFile(dir.path() + "/slot-1"), "0 ORCHESTRATE_RUN_ID=x\n");
  EXPECT_TRUE(ReapLeftoverProcessGroups(dir.path()).empty());
}

TEST(RecoveryTest, ReapStopsMarkedGroupsAndSparesOthers) {
  TempDir dir;
  std::string marker = "ORCHESTRATE_RUN_ID=test-" + std::to_string(getpid());
  // Group leaders of their own (setsid), one carrying the marker, both
  // recorded as if a killed run had left them.
  std::string out =
      testing::MustShell(marker + " setsid sleep 30 > /dev/null 2>&1 & echo $!", dir.path());
  int marked_pid = std::stoi(out);
  std::string other = testing::MustShell("setsid sleep 30 > /dev/null 2>&1 & echo $!", dir.path());
  int other_pid = std::stoi(other);
  WaitUntilSleepingGroupLeader(marked_pid);
  WaitUntilSleepingGroupLeader(other_pid);
  testing::WriteFile(dir.path() + "/pids", "slot-0",
                     std::to_string(marked_pid) + " " + marker + "\n");
  testing::WriteFile(dir.path() + "/pids", "slot-1",
                     std::to_string(other_pid) + " " + marker + "\n");
  std::vector<std::string> lines = ReapLeftoverProcessGroups(dir.path() + "/pids");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "stopped process group " + std::to_string(marked_pid) +
                          " left running by a killed run");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() + "/pids"));
  EXPECT_EQ(kill(other_pid, 0), 0) << "an unmarked process must survive";
  kill(other_pid, SIGKILL);
}

// A run killed between posix_spawn and recording the child's group: the
// slot holds only the run's marker, and the child is found by it.
TEST(RecoveryTest, ReapStopsAChildSpawnedButNotYetRecorded) {
  TempDir dir;
  std::string marker = "ORCHESTRATE_RUN_ID=unrecorded-" + std::to_string(getpid());
  int pid = std::stoi(
      testing::MustShell(marker + " setsid sleep 30 > /dev/null 2>&1 & echo $!", dir.path()));
  WaitUntilSleepingGroupLeader(pid);
  testing::WriteFile(dir.path() + "/pids", "slot-3", "0 " + marker + "\n");
  std::vector<std::string> lines = ReapLeftoverProcessGroups(dir.path() + "/pids");
  EXPECT_EQ(lines, std::vector<std::string>{"stopped process group " + std::to_string(pid) +
                                            " left running by a killed run"});
  EXPECT_FALSE(ProcessGroupHasMarker(pid, marker));
}

class StaleLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InitRepo(dir_.path() + "/repo", {{"a.txt", "a\n"}});
    testing::MustShell("git worktree add -q --detach " + worktree() + " HEAD", repo());
    lock_ = repo() + "/.git/worktrees/w0/index.lock";
    testing::WriteFile(repo() + "/.git/worktrees/w0", "index.lock", "");
  }
  std::string repo() const { return dir_.path() + "/repo"; }
  std::string worktrees() const { return repo() + "/.orchestrate/worktrees"; }
  std::string worktree() const { return worktrees() + "/w0"; }

  TempDir dir_;
  std::string lock_;
};

TEST_F(StaleLockTest, AnIndexLockNoProcessHoldsIsRemovedSayingSo) {
  std::vector<std::string> lines = RemoveStaleIndexLocks(worktrees());
  EXPECT_EQ(lines, std::vector<std::string>{"removed " + lock_ +
                                            ", left by a git process that was killed"});
  EXPECT_FALSE(std::filesystem::exists(lock_));
  testing::MustShell("git status --porcelain", worktree());  // usable again
}

TEST_F(StaleLockTest, ReapingAlsoRemovesStaleLocksBesideThePidsDirectory) {
  std::filesystem::create_directories(repo() + "/.orchestrate/pids");
  std::vector<std::string> lines = ReapLeftoverProcessGroups(repo() + "/.orchestrate/pids");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(lock_));
}

// Found by the fault-injection suite: orchestrate killed while moving a
// phase branch left its .lock, and every later run stopped with exit 3.
TEST_F(StaleLockTest, RefLocksOfAKilledRunAreRemovedWhenReaping) {
  std::string refs = repo() + "/.git/refs";
  testing::WriteFile(refs + "/heads/orchestrate", "integration.lock", "");
  testing::WriteFile(refs + "/heads/orchestrate/phase", "p4.lock", "");
  testing::WriteFile(refs + "/orchestrate/attempts/p4", "1.lock", "");
  testing::WriteFile(refs + "/orchestrate/cache/p4", "k.lock", "");
  testing::WriteFile(refs + "/heads", "main.lock", "");
  std::filesystem::create_directories(repo() + "/.orchestrate/pids");
  std::vector<std::string> lines = ReapLeftoverProcessGroups(repo() + "/.orchestrate/pids");
  EXPECT_EQ(lines.size(), 3u);  // the worktree's index.lock and two ref locks
  EXPECT_FALSE(std::filesystem::exists(refs + "/heads/orchestrate/integration.lock"));
  EXPECT_FALSE(std::filesystem::exists(refs + "/orchestrate/attempts/p4/1.lock"));
  EXPECT_TRUE(std::filesystem::exists(refs + "/heads/orchestrate/phase/p4.lock"))
      << "not walked: removed when its phase starts";
  EXPECT_TRUE(std::filesystem::exists(refs + "/orchestrate/cache/p4/k.lock")) << "not walked";
  EXPECT_TRUE(std::filesystem::exists(refs + "/heads/main.lock")) << "not ours";
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "removed " + refs +
                          "/heads/orchestrate/integration.lock, left by a run that "
                          "was killed"),
            lines.end());
}

TEST_F(StaleLockTest, RefLockPathsAreNamedWithSingleSlashes) {
  std::string refs = repo() + "/.git/refs";
  testing::WriteFile(refs + "/orchestrate/targets/nested", "t.lock", "");
  std::vector<std::string> lines = RemoveStaleRefLocks(repo() + "/.git/");
  EXPECT_EQ(lines, std::vector<std::string>{"removed " + refs +
                                            "/orchestrate/targets/nested/t.lock, left by a "
                                            "run that was killed"});
  EXPECT_FALSE(std::filesystem::exists(refs + "/orchestrate/targets/nested/t.lock"));
}

TEST_F(StaleLockTest, TheLockOfOneRefIsRemovedSayingSo) {
  std::string refs = repo() + "/.git/refs";
  testing::WriteFile(refs + "/heads/orchestrate/phase/a", "b.lock", "");
  EXPECT_EQ(RemoveStaleRefLock(repo() + "/.git", "refs/heads/orchestrate/phase/a/b"),
            "removed " + refs +
                "/heads/orchestrate/phase/a/b.lock, left by a process killed while writing "
                "refs/heads/orchestrate/phase/a/b");
  EXPECT_FALSE(std::filesystem::exists(refs + "/heads/orchestrate/phase/a/b.lock"));
  EXPECT_EQ(RemoveStaleRefLock(repo() + "/.git/", "refs/heads/orchestrate/phase/a/b"), "");
}

TEST_F(StaleLockTest, ALockWhileAProcessWorksInTheWorktreeIsKept) {
  int pid = std::stoi(testing::MustShell("setsid sleep 30 > /dev/null 2>&1 & echo $!", worktree()));
  WaitUntilSleepingGroupLeader(pid);
  EXPECT_TRUE(RemoveStaleIndexLocks(worktrees()).empty());
  EXPECT_TRUE(std::filesystem::exists(lock_));
  kill(pid, SIGKILL);
}

}  // namespace
}  // namespace orchestrate
