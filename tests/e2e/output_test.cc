// Output modes, following logs, infrastructure errors, worktree policies.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

TEST(OutputTest, VerbosePrintsCommandsQuietOnlyFailures) {
  Scenario s("version = 1\n[phase.ok]\nrun = \"echo ok\"\n[phase.bad]\nrun = \"exit 1\"\n");
  ShellResult v = s.Run("run -v");
  EXPECT_NE(v.out.find("$ echo ok"), std::string::npos) << v.out;
  ShellResult q = s.Run("run -q --force ok");
  EXPECT_EQ(q.out.find("succeeded ok"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("FAILED bad"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("1 failed (bad)"), std::string::npos) << q.out;
}

TEST(OutputTest, PlainOutputHasNoEscapeCodes) {
  Scenario s("version = 1\n[phase.a]\nrun = \"true\"\n[phase.b]\nrun = \"exit 1\"\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;
}

TEST(OutputTest, LogFollowPrintsUntilThePhaseEnds) {
  // The phase prints "first", then waits until the test releases it.
  Scenario s(
      "version = 1\n[phase.slow]\n"
      "run = \"echo first; touch ../../started; while [ ! -e ../../release ]; do sleep 0.05; done; "
      "echo second\"\n");
  BackgroundRun run(s.repo(), "run");
  ASSERT_TRUE(WaitForFile(s.repo() + "/.orchestrate/started")) << run.Output();
  BackgroundRun follow(s.repo(), "log -f slow");
  ASSERT_TRUE(WaitUntil([&] { return Has(follow.Output(), "first"); })) << follow.Output();
  WriteFile(s.repo(), ".orchestrate/release", "");
  EXPECT_EQ(follow.Wait(), 0) << follow.Output();
  EXPECT_TRUE(Has(follow.Output(), "second")) << follow.Output();
  EXPECT_EQ(run.Wait(), 0) << run.Output();
}

TEST(OutputTest, InfrastructureErrorExits3AndRecordsNothing) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  // The log path is a directory: orchestrate cannot write the phase's log.
  MustShell("mkdir -p .orchestrate/logs/a.log", s.repo());
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find(".orchestrate/logs/a.log"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("retrying may help"), std::string::npos) << r.out;
  EXPECT_EQ(Shell("git for-each-ref refs/orchestrate/cache", s.repo()).out, "");
  EXPECT_EQ(s.Rev("orchestrate/integration"), "");
  MustShell("rmdir .orchestrate/logs/a.log", s.repo());
  EXPECT_EQ(s.Run("run").status, 0);
}

TEST(OutputTest, KeepWorktreesAlwaysKeepsOnePerPhase) {
  Scenario s(
      "version = 1\n[settings]\nkeep_worktrees = \"always\"\n"
      "[phase.a]\nrun = \"echo a > a.txt\"\n[phase.b]\ndeps = [\"a\"]\nrun = \"echo b > b.txt\"\n");
  ASSERT_EQ(s.Run("run -j 1").status, 0);
  EXPECT_EQ(Shell("ls .orchestrate/worktrees", s.repo()).out, "w0\nw1\n");
}

TEST(OutputTest, KeepWorktreesNeverRecyclesFailedOnesButSavesTheAttempt) {
  Scenario s(
      "version = 1\n[settings]\nkeep_worktrees = \"never\"\n"
      "[phase.bad]\nrun = \"echo wip > wip.txt; git add wip.txt; git -c user.name=x -c "
      "user.email=x@x commit -qm wip; exit 1\"\n"
      "[phase.next]\ndeps = []\nrun = \"echo n > n.txt\"\n");
  EXPECT_EQ(s.Run("run -j 1").status, 1);
  EXPECT_EQ(Shell("ls .orchestrate/worktrees", s.repo()).out, "w0\n");
  ASSERT_EQ(s.Run("run --force next -j 1").status, 1);
  // bad's failed commit was saved before its worktree was reused.
  std::string refs =
      Shell("git for-each-ref --format='%(refname)' refs/orchestrate/attempts/bad/", s.repo()).out;
  ASSERT_NE(refs, "") << Shell("ls -R .orchestrate", s.repo()).out;
  ASSERT_EQ(s.Run("run bad").status, 1);
  ShellResult log = s.Run("log bad");
  EXPECT_NE(
      log.out.find("earlier unrecorded work of bad is saved as refs/orchestrate/attempts/bad/"),
      std::string::npos)
      << log.out;
}

TEST(OutputTest, CachePruneOlderThan) {
  Scenario s("version = 1\n[phase.a]\nrun = \"true\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  ShellResult keep = s.Run("cache prune --older-than 1h");
  EXPECT_NE(keep.out.find("removed 0 of 1"), std::string::npos) << keep.out;
  Shell("sleep 2.2");
  ShellResult drop = s.Run("cache prune --older-than 1s");
  EXPECT_NE(drop.out.find("removed 1 of 1"), std::string::npos) << drop.out;
  ShellResult bad = s.Run("cache prune --older-than soon");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("invalid age 'soon' for --older-than"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace orchestrate::testing
