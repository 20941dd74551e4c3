// `orchestrate run`: worktrees, commits, merges, failure isolation,
// concurrency, timeouts, conflicts, the target branch, the user's checkout.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kDiamond = R"(version = 1
[phase.schema]
description = "Add the schema"
run = "echo schema > schema.txt"
[phase.api]
deps = ["schema"]
run = "test -f schema.txt && echo api > api.txt"
[phase.ui]
deps = ["schema"]
run = "test -f schema.txt && echo ui > ui.txt"
[phase.release]
deps = ["api", "ui"]
verify = ["test -f api.txt", "test -f ui.txt"]
)";

TEST(RunTest, DiamondRunsMergesAndCommits) {
  Scenario s(kDiamond);
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:api.txt"), "api\n");
  EXPECT_EQ(s.Show("orchestrate/integration:ui.txt"), "ui\n");
  EXPECT_EQ(s.Show("orchestrate/integration:schema.txt"), "schema\n");
  // The phase's result is committed on its branch as "P: description".
  EXPECT_NE(Shell("git log -1 --format=%s orchestrate/phase/schema", s.repo())
                .out.find("schema: Add the schema"),
            std::string::npos);
  // api started from schema's result, not from unrelated work.
  EXPECT_EQ(
      Shell("git merge-base --is-ancestor orchestrate/phase/schema orchestrate/phase/api", s.repo())
          .status,
      0);
  EXPECT_NE(Shell("git show orchestrate/phase/api:ui.txt", s.repo()).status, 0);
  EXPECT_NE(r.out.find("4 succeeded"), std::string::npos) << r.out;
}

TEST(RunTest, UserCheckoutIsUntouched) {
  Scenario s(kDiamond, {{"tracked.txt", "original\n"}});
  WriteFile(s.repo(), "tracked.txt", "user edit\n");
  WriteFile(s.repo(), "untracked.txt", "mine\n");
  MustShell("git add tracked.txt", s.repo());
  std::string before = Shell(
                           "git status --porcelain=v2 --branch; git rev-parse HEAD; git diff "
                           "--cached; cat tracked.txt untracked.txt",
                           s.repo())
                           .out;
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("uncommitted changes are not part of the base"), std::string::npos) << r.out;
  std::string after = Shell(
                          "git status --porcelain=v2 --branch; git rev-parse HEAD; git diff "
                          "--cached; cat tracked.txt untracked.txt",
                          s.repo())
                          .out;
  EXPECT_EQ(before, after);
  EXPECT_EQ(s.Show("orchestrate/integration:tracked.txt"), "original\n");
  EXPECT_NE(ReadFile(s.repo() + "/.git/info/exclude").find("/.orchestrate/"), std::string::npos);
}

TEST(RunTest, FailureBlocksOnlyDependents) {
  Scenario s(R"(version = 1
[phase.a]
run = "echo a > a.txt"
[phase.bad]
run = "echo broken; exit 3"
[phase.after_bad]
deps = ["bad"]
run = "echo x > x.txt"
[phase.after_a]
deps = ["a"]
run = "echo y > y.txt"
)");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("broken"), std::string::npos) << r.out;  // log tail
  EXPECT_NE(r.out.find(".orchestrate/logs/bad.log"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(".orchestrate/worktrees/"), std::string::npos) << r.out;
  auto states = s.States();
  EXPECT_EQ(states["a"], "succeeded");
  EXPECT_EQ(states["after_a"], "succeeded");
  EXPECT_EQ(states["bad"], "failed");
  EXPECT_EQ(states["after_bad"], "blocked");
  // The succeeded work still reaches the target.
  EXPECT_EQ(s.Show("orchestrate/integration:y.txt"), "y\n");
}

TEST(RunTest, FailedWorktreeIsKeptForInspection) {
  Scenario s("version = 1\n[phase.bad]\nrun = \"echo wip > wip.txt; exit 1\"\n");
  EXPECT_EQ(s.Run("run").status, 1);
  auto status = s.Status();
  std::string wt = status["phases"][0]["worktree"];
  ASSERT_FALSE(wt.empty());
  EXPECT_EQ(ReadFile(wt + "/wip.txt"), "wip\n");
}

TEST(RunTest, ConcurrencyNeverExceedsJobsOrPoolDepth) {
  // Each phase, once started, waits (up to a minute) until a second phase
  // has started too, so that two overlap however slow the machine is.
  std::string manifest = "version = 1\n[pools.slow]\ndepth = 1\n";
  for (int i = 0; i < 6; ++i) {
    std::string n = std::to_string(i);
    manifest +=
        "[phase.p" + n + "]\nrun = \"echo start $(date +%s%N) >> ../../times-p" + n +
        "; touch ../../started-p" + n +
        "; i=0; while [ $(ls ../../ | grep -c '^started-') -lt 2 ] && [ $i -lt 1200 ]; "
        "do sleep 0.05; i=$((i+1)); done; sleep 0.4; echo end $(date +%s%N) >> ../../times-p" +
        n + "\"\n";
    if (i >= 4) manifest += "pool = \"slow\"\n";
  }
  Scenario s(manifest);
  ShellResult r = s.Run("run -j 2");
  ASSERT_EQ(r.status, 0) << r.out;
  // Worktrees live in .orchestrate/worktrees/wN, so ../../ is .orchestrate/.
  std::vector<std::pair<long long, int>> events;
  for (int i = 0; i < 6; ++i) {
    std::string t = ReadFile(s.repo() + "/.orchestrate/times-p" + std::to_string(i));
    long long start = 0, end = 0;
    ASSERT_EQ(sscanf(t.c_str(), "start %lld\nend %lld", &start, &end), 2) << t;
    events.push_back({start, +1 * (i >= 4 ? 10 : 1)});
    events.push_back({end, -1 * (i >= 4 ? 10 : 1)});
  }
  std::sort(events.begin(), events.end());
  int running = 0, pooled = 0, max_running = 0, max_pooled = 0;
  for (auto [t, d] : events) {
    running += d > 0 ? 1 : -1;
    if (std::abs(d) == 10) pooled += d > 0 ? 1 : -1;
    max_running = std::max(max_running, running);
    max_pooled = std::max(max_pooled, pooled);
  }
  EXPECT_LE(max_running, 2);
  EXPECT_EQ(max_running, 2);  // it did run in parallel
  EXPECT_LE(max_pooled, 1);
  // A handful of worktrees, not one per phase.
  EXPECT_LE(std::stoi(Shell("ls .orchestrate/worktrees | wc -l", s.repo()).out), 2);
}

TEST(RunTest, TimeoutKillsWholeProcessGroup) {
  Scenario s(R"(version = 1
[phase.slow]
run = "sleep 300 & echo $! > ../../bg.pid; sleep 300"
timeout = "1s"
)");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("timed-out"), std::string::npos) << r.out;
  std::string pid = ReadFile(s.repo() + "/.orchestrate/bg.pid");
  ASSERT_FALSE(pid.empty());
  EXPECT_FALSE(ProcessAlive(pid)) << "background process survived the timeout";
  auto status = s.Status();
  EXPECT_EQ(status["phases"][0]["state"], "timed-out");
}

TEST(RunTest, InputConflictNamesPathsAndPhases) {
  Scenario s(R"(version = 1
[phase.left]
run = "echo left > shared.txt"
[phase.right]
run = "echo right > shared.txt"
[phase.both]
deps = ["left", "right"]
run = "true"
)",
             {{"shared.txt", "base\n"}});
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("input-conflict"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("shared.txt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("left and right"), std::string::npos) << r.out;
}

TEST(RunTest, TargetConflictLeavesOutOneResultAndExits1) {
  Scenario s(R"(version = 1
[phase.left]
run = "echo left > shared.txt"
[phase.right]
run = "echo right > shared.txt"
)",
             {{"shared.txt", "base\n"}});
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("conflicts with left in shared.txt"), std::string::npos) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:shared.txt"), "left\n");  // the clean result
  auto status = s.Status();
  EXPECT_EQ(status["phases"][1]["state"], "merge-conflict");
}

TEST(RunTest, RefusesToMoveTargetWithForeignCommits) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  MustShell(
      "git checkout -q orchestrate/integration && echo mine > mine.txt && git add mine.txt && "
      "git commit -qm mine && git checkout -q main",
      s.repo());
  std::string foreign = s.Rev("orchestrate/integration");
  ShellResult r = s.Run("run --force a");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("refusing to move target branch 'orchestrate/integration'"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(s.Rev("orchestrate/integration"), foreign);
}

TEST(RunTest, RefusesTargetCheckedOutByUser) {
  Scenario s("version = 1\n[settings]\ntarget = \"main\"\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("is checked out in your checkout"), std::string::npos) << r.out;
}

TEST(RunTest, SecondConcurrentRunIsRefused) {
  // The phase says it has started, then waits until the test releases it.
  Scenario s(
      "version = 1\n[phase.slow]\n"
      "run = \"touch ../../started; while [ ! -e ../../release ]; do sleep 0.05; done\"\n");
  BackgroundRun first(s.repo(), "run");
  ASSERT_TRUE(WaitForFile(s.repo() + "/.orchestrate/started")) << first.Output();
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_TRUE(Has(r.out, "another orchestrate run (pid " + std::to_string(first.pid()))) << r.out;
  WriteFile(s.repo(), ".orchestrate/release", "");
  EXPECT_EQ(first.Wait(), 0) << first.Output();
}

TEST(RunTest, ExitStatusAndStatusJsonFields) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  auto status = s.Status();
  auto& p = status["phases"][0];
  EXPECT_EQ(p["name"], "a");
  EXPECT_EQ(p["state"], "succeeded");
  EXPECT_EQ(p["branch"], "orchestrate/phase/a");
  EXPECT_EQ(p["result"], s.Rev("orchestrate/phase/a"));
  EXPECT_EQ(p["attempts"], 1);
  EXPECT_TRUE(p["duration_s"].is_number());
}

TEST(RunTest, LogPrintsPhaseOutput) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo hello-from-a\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  ShellResult r = s.Run("log a");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("hello-from-a"), std::string::npos) << r.out;
  ShellResult missing = s.Run("log nope");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("unknown phase 'nope'"), std::string::npos);
}

TEST(RunTest, EnvironmentOfCommands) {
  Scenario s(R"(version = 1
[phase.a]
run = "env | grep -E '^(ORCHESTRATE_|LOG_LEVEL)' | sort > env.txt; pwd > pwd.txt; cat < /dev/stdin > stdin.txt"
env = { LOG_LEVEL = "debug" }
)");
  ASSERT_EQ(s.Run("run").status, 0);
  std::string env = s.Show("orchestrate/phase/a:env.txt");
  EXPECT_NE(env.find("LOG_LEVEL=debug"), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRATE_PHASE=a"), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRATE_ATTEMPT=1"), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRATE_BASE=" + s.Rev("main")), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRATE_WORKTREE="), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRATE_HANDOFF_FILE="), std::string::npos) << env;
  EXPECT_NE(env.find("ORCHESTRATE_DEPS_DIR="), std::string::npos) << env;
  EXPECT_NE(s.Show("orchestrate/phase/a:pwd.txt").find(".orchestrate/worktrees/w"),
            std::string::npos);
  EXPECT_EQ(s.Show("orchestrate/phase/a:stdin.txt"), "");
}

TEST(RunTest, VerifyRunsOnCommittedStateAndFailureIsReported) {
  Scenario s(R"(version = 1
[phase.a]
run = "echo a > a.txt"
verify = ["git diff --quiet HEAD && test -f a.txt", "echo verify-said-no; exit 4"]
)");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("verify-said-no"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit status 4"), std::string::npos) << r.out;
}

TEST(RunTest, FailFastStopsStartingNewPhases) {
  Scenario s(R"(version = 1
[phase.bad]
priority = 10
run = "exit 1"
[phase.later]
run = "echo later > later.txt"
)");
  ShellResult r = s.Run("run -j 1 --fail-fast");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(s.Rev("orchestrate/phase/later"), "");
}

TEST(RunTest, CommitsMadeByTheCommandAreKept) {
  Scenario s(R"(version = 1
[phase.a]
run = "echo one > one.txt && git add one.txt && git -c user.name=x -c user.email=x@x commit -qm 'own commit' && echo two > two.txt"
)");
  ASSERT_EQ(s.Run("run").status, 0);
  std::string log = Shell("git log --format=%s orchestrate/phase/a", s.repo()).out;
  EXPECT_NE(log.find("own commit"), std::string::npos) << log;
  EXPECT_EQ(s.Show("orchestrate/integration:two.txt"), "two\n");
}

TEST(RunTest, CleanRemovesWorktreesButKeepsUnsavedWork) {
  Scenario s(
      "version = 1\n[phase.ok]\nrun = \"echo ok > ok.txt\"\n[phase.bad]\nrun = \"echo wip > "
      "wip.txt; exit 1\"\n");
  EXPECT_EQ(s.Run("run").status, 1);
  ShellResult r = s.Run("clean --branches");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("kept worktree"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("removed 1 phase branch"), std::string::npos) << r.out;
  EXPECT_EQ(s.Rev("orchestrate/phase/ok"), "");
  EXPECT_NE(s.Rev("orchestrate/phase/bad"), "");
}

TEST(RunTest, RunningOnePhaseKeepsOtherValidResultsInTheTarget) {
  Scenario s(
      "version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n[phase.b]\nrun = \"date +%s%N > b.txt\"\n"
      "[phase.c]\ndeps = [\"b\"]\nrun = \"echo c > c.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  ASSERT_EQ(s.Run("run b --force b").status, 0);
  // a is still valid and stays; c depended on b's old result, so it is left out.
  EXPECT_EQ(s.Show("orchestrate/integration:a.txt"), "a\n");
  EXPECT_NE(s.Show("orchestrate/integration:b.txt"), "");
  EXPECT_NE(Shell("git show orchestrate/integration:c.txt", s.repo()).status, 0);
}

}  // namespace
}  // namespace orchestrate::testing
