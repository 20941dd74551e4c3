#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "orchestrate/error.h"
#include "orchestrate/process.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::ReadFile;
using testing::TempDir;

class RunLockTest : public ::testing::Test {
 protected:
  std::string LockPath() const { return dir_.path() + "/lock"; }
  TempDir dir_;
};

TEST_F(RunLockTest, AcquireWritesOurPid) {
  RunLock lock;
  int holder = -1;
  ASSERT_TRUE(lock.Acquire(LockPath(), &holder));
  EXPECT_EQ(holder, -1);  // untouched on success
  EXPECT_EQ(ReadFile(LockPath()), std::to_string(getpid()) + "\n");
}

TEST_F(RunLockTest, OurPidReplacesALongerOneLeftInTheFile) {
  // Written over the old pid and cut to its length, not truncated first
  // (which makes ext4 write the file to disk at close).
  {
    std::FILE* file = std::fopen(LockPath().c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("123456789012345\n", file);
    std::fclose(file);
  }
  RunLock lock;
  int holder = -1;
  ASSERT_TRUE(lock.Acquire(LockPath(), &holder));
  EXPECT_EQ(ReadFile(LockPath()), std::to_string(getpid()) + "\n");
}

TEST_F(RunLockTest, SecondLockInTheSameProcessFailsAndNamesTheHolder) {
  RunLock first;
  ASSERT_TRUE(first.Acquire(LockPath(), nullptr));
  RunLock second;
  int holder = 0;
  EXPECT_FALSE(second.Acquire(LockPath(), &holder));
  EXPECT_EQ(holder, getpid());
}

TEST_F(RunLockTest, DestructionReleasesTheLockAndKeepsTheFile) {
  {
    RunLock first;
    ASSERT_TRUE(first.Acquire(LockPath(), nullptr));
  }
  EXPECT_TRUE(testing::FileExists(LockPath()));
  RunLock second;
  EXPECT_TRUE(second.Acquire(LockPath(), nullptr));
}

TEST_F(RunLockTest, ReleaseLetsAnotherTakeTheLockAtOnce) {
  RunLock first;
  ASSERT_TRUE(first.Acquire(LockPath(), nullptr));
  first.Release();
  first.Release();  // twice is harmless
  RunLock second;
  EXPECT_TRUE(second.Acquire(LockPath(), nullptr));
}

TEST_F(RunLockTest, HeldOnlyWhileSomeoneHoldsIt) {
  EXPECT_FALSE(RunLockHeld(LockPath()));  // no file yet
  RunLock lock;
  ASSERT_TRUE(lock.Acquire(LockPath(), nullptr));
  EXPECT_TRUE(RunLockHeld(LockPath()));
  lock.Release();
  EXPECT_FALSE(RunLockHeld(LockPath()));
  RunLock again;  // the probe left nothing behind
  EXPECT_TRUE(again.Acquire(LockPath(), nullptr));
}

TEST_F(RunLockTest, HolderIsUnknownWhenTheFileHasNoPid) {
  RunLock first;
  ASSERT_TRUE(first.Acquire(LockPath(), nullptr));
  ASSERT_EQ(truncate(LockPath().c_str(), 0), 0);
  RunLock second;
  int holder = -1;
  EXPECT_FALSE(second.Acquire(LockPath(), &holder));
  EXPECT_EQ(holder, 0);
}

TEST_F(RunLockTest, LockOfAKilledProcessIsTakenOver) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RunLock lock;
    char answer = lock.Acquire(LockPath(), nullptr) ? 'y' : 'n';
    if (write(ready[1], &answer, 1) != 1 || answer != 'y') _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char answer = 0;
  ASSERT_EQ(read(ready[0], &answer, 1), 1);
  close(ready[0]);
  ASSERT_EQ(answer, 'y');

  RunLock lock;
  int holder = 0;
  EXPECT_FALSE(lock.Acquire(LockPath(), &holder));
  EXPECT_EQ(holder, child);
  kill(child, SIGKILL);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_TRUE(lock.Acquire(LockPath(), &holder));
  EXPECT_EQ(ReadFile(LockPath()), std::to_string(getpid()) + "\n");
}

TEST_F(RunLockTest, ChildrenLeftRunningDoNotKeepTheLock) {
  int pgid = 0;
  {
    RunLock lock;
    ASSERT_TRUE(lock.Acquire(LockPath(), nullptr));
    ProcessSpec spec;
    spec.command = "sleep 100 &";
    spec.cwd = dir_.path();
    spec.log_path = dir_.path() + "/out.log";
    ProcessHooks hooks{[&](int started) { pgid = started; }, nullptr};
    ASSERT_TRUE(RunProcess(spec, nullptr, hooks).ok());
  }
  RunLock again;
  EXPECT_TRUE(again.Acquire(LockPath(), nullptr));
  KillProcessGroup(pgid, std::chrono::milliseconds(500));
}

TEST_F(RunLockTest, MissingDirectoryIsInfraError) {
  std::string path = dir_.path() + "/.orchestrate/lock";
  RunLock lock;
  try {
    lock.Acquire(path, nullptr);
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot open the run lock " + path +
                  ": No such file or directory; check that the directory exists and is writable");
  }
}

}  // namespace
}  // namespace orchestrate
