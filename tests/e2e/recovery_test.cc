// Signals, crashes and recovery: nothing lost, nothing half-done recorded.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// slow writes partial.txt, then its pid through a rename (a file that exists
// is complete): slow.pid is the readiness file of a phase that has done its
// partial work and now only waits.
const char* kSlow = R"(version = 1
[phase.quick]
run = "echo quick > quick.txt"
[phase.slow]
run = "echo partial > partial.txt; echo $$ > ../../slow.pid.tmp; mv ../../slow.pid.tmp ../../slow.pid; sleep 30; echo done > slow.txt"
[phase.after]
deps = ["slow"]
run = "echo after > after.txt"
)";

// kSlow whose slow phase does not wait.
std::string Quick() {
  std::string m = kSlow;
  return m.replace(m.find("sleep 30"), 8, "sleep 0");
}

// Starts `orchestrate run` and waits until slow is running and has written
// its pid (and quick has ended, when `quick_done`); returns slow's pid.
std::string StartAndWaitForSlow(const Scenario& s, const BackgroundRun& run,
                                bool quick_done = false) {
  std::string pid_file = s.repo() + "/.orchestrate/slow.pid";
  EXPECT_TRUE(WaitForFile(pid_file)) << run.Output();
  EXPECT_TRUE(WaitUntil([&] {
    auto states = s.States();
    return states["slow"] == "running" && (!quick_done || states["quick"] == "succeeded");
  })) << run.Output();
  return ReadFile(pid_file);
}

TEST(RecoveryTest, SigintStopsPhasesRecordsInterruptedAndNextRunCompletes) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  std::string child = StartAndWaitForSlow(s, run, /*quick_done=*/true);
  run.Signal("INT");
  ASSERT_NE(run.Wait(), -1);
  EXPECT_TRUE(Has(run.Output(), "interrupted by SIGINT")) << run.Output();
  EXPECT_FALSE(ProcessAlive(child)) << "phase process survived SIGINT";
  auto states = s.States();
  EXPECT_EQ(states["slow"], "interrupted");
  EXPECT_EQ(states["quick"], "succeeded");
  // The next run resumes: quick is fresh, slow runs again (faster this time).
  s.SetManifest(Quick(), false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "fresh quick")) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:after.txt"), "after\n");
}

TEST(RecoveryTest, InterruptExitStatus130) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  StartAndWaitForSlow(s, run);
  run.Signal("INT");
  EXPECT_EQ(run.Wait(), 130) << run.Output();
}

TEST(RecoveryTest, SigtermExitStatus143) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  StartAndWaitForSlow(s, run);
  run.Signal("TERM");
  EXPECT_EQ(run.Wait(), 143) << run.Output();
}

// The terminal closed: the phases are stopped as for SIGTERM (exit 143).
TEST(RecoveryTest, SighupStopsPhasesLikeSigterm) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  std::string child = StartAndWaitForSlow(s, run);
  run.Signal("HUP");
  ASSERT_NE(run.Wait(), -1);
  EXPECT_FALSE(ProcessAlive(child)) << "phase process survived SIGHUP";
  EXPECT_EQ(s.State("slow"), "interrupted");
}

TEST(RecoveryTest, SighupExitStatus143) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  StartAndWaitForSlow(s, run);
  run.Signal("HUP");
  EXPECT_EQ(run.Wait(), 143) << run.Output();
}

TEST(RecoveryTest, SigkillThenNextRunReapsAndCompletes) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  std::string child = StartAndWaitForSlow(s, run);
  run.Signal("KILL");
  ASSERT_EQ(run.Wait(), 137);
  ASSERT_TRUE(ProcessAlive(child)) << "the phase should outlive a SIGKILLed orchestrate";
  // Leave libgit2-style debris behind too.
  MustShell(
      "mkdir -p .git/worktrees/w9 .orchestrate/worktrees/w9 && echo garbage > "
      ".git/worktrees/w9/gitdir",
      s.repo());
  s.SetManifest(Quick(), false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "left running by a killed run")) << r.out;
  EXPECT_FALSE(ProcessAlive(child)) << "leftover phase process was not reaped";
  EXPECT_EQ(s.Show("orchestrate/integration:slow.txt"), "done\n");
}

// A process killed while writing a phase branch (a run, or the phase's own
// `git commit` stopped by its timeout) leaves the branch's lock: the next
// run removes it when the phase starts, and says so.
TEST(RecoveryTest, AStaleLockOnAPhaseBranchIsRemovedWhenItsPhaseStarts) {
  Scenario s("version = 1\n[phase.p]\nrun = \"echo 1 > p.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  std::string lock = s.repo() + "/.git/refs/heads/orchestrate/phase/p.lock";
  WriteFile(s.repo() + "/.git/refs/heads/orchestrate/phase", "p.lock", "");
  s.SetManifest("version = 1\n[phase.p]\nrun = \"echo 2 > p.txt\"\n", false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "phase p: removed " + lock +
                             ", left by a process killed while writing "
                             "refs/heads/orchestrate/phase/p"))
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(lock));
  EXPECT_EQ(s.Show("orchestrate/integration:p.txt"), "2\n");
}

TEST(RecoveryTest, InterruptedWorkIsSavedBeforeReuse) {
  Scenario s(kSlow);
  BackgroundRun run(s.repo(), "run");
  StartAndWaitForSlow(s, run);
  run.Signal("INT");
  ASSERT_NE(run.Wait(), -1);
  s.SetManifest(Quick(), false);
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  // partial.txt, left uncommitted by the interrupted attempt, is saved.
  std::string refs =
      Shell("git for-each-ref --format='%(refname)' refs/orchestrate/attempts/", s.repo()).out;
  ASSERT_TRUE(Has(refs, "refs/orchestrate/attempts/slow/")) << refs << r.out;
  std::string ref = refs.substr(0, refs.find('\n'));
  EXPECT_EQ(s.Show(ref + ":partial.txt"), "partial\n");
}

}  // namespace
}  // namespace orchestrate::testing
