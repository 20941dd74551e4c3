// Hostile or unusual input through the real binary: an inherited git
// environment, worktree paths reaching into .git, links a result commits,
// a phase deleting its own worktree, prompts that validate and run must
// judge alike.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

std::string UserCheckoutState(const std::string& repo) {
  return Shell(
             "git status --porcelain=v2 --branch; git rev-parse HEAD main; git diff --cached; "
             "cat tracked.txt",
             repo)
      .out;
}

// A git hook or `git rebase -x` runs its commands with GIT_DIR and
// GIT_INDEX_FILE set: a phase must still commit into its own worktree.
TEST(HostileTest, PhaseGitCommandsIgnoreAnInheritedRepositoryEnvironment) {
  Scenario s(R"(version = 1
[phase.commit]
run = "echo phase > phase.txt && git add phase.txt && git commit -q -m 'phase commit' && git reset -q --hard HEAD"
)",
             {{"tracked.txt", "original\n"}});
  WriteFile(s.repo(), "tracked.txt", "user edit\n");
  MustShell("git add tracked.txt", s.repo());
  std::string before = UserCheckoutState(s.repo());
  std::string git = s.repo() + "/.git";
  ShellResult r =
      s.Run("run", "GIT_DIR=" + git + " GIT_WORK_TREE=" + s.repo() + " GIT_INDEX_FILE=" + git +
                       "/index GIT_OBJECT_DIRECTORY=" + git + "/objects GIT_CEILING_DIRECTORIES=/");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(UserCheckoutState(s.repo()), before);
  EXPECT_EQ(s.Show("orchestrate/integration:phase.txt"), "phase\n");
  // The phase's own commit is its result (nothing was left to commit after it).
  EXPECT_EQ(Shell("git log -1 --format=%s orchestrate/phase/commit", s.repo()).out,
            "phase commit\n");
}

TEST(HostileTest, WorktreeLinkToGitDirectoryIsAManifestError) {
  Scenario s("version = 1\n[settings]\nworktree_link = [\".git\"]\n[phase.a]\nrun = \"true\"\n");
  for (const char* command : {"validate", "run"}) {
    ShellResult r = s.Run(command);
    EXPECT_EQ(r.status, 2) << command << ": " << r.out;
    EXPECT_NE(r.out.find("orchestrate.toml:3:18: 'worktree_link' entry '.git' reaches into git's "
                         "own files"),
              std::string::npos)
        << r.out;
  }
  EXPECT_EQ(s.Rev("orchestrate/integration"), "");
}

TEST(HostileTest, AbsolutePromptIsRejectedByValidateAndRunAlike) {
  Scenario s("", {{"prompts/p.md", "do it\n"}});
  s.SetManifest(
      "version = 1\n[agents.c]\ncommand = 'cat {prompt_file}'\n[phase.a]\n"
      "agent = \"c\"\nprompt = \"" +
      s.repo() + "/prompts/p.md\"\n");
  for (const char* command : {"validate", "run"}) {
    ShellResult r = s.Run(command);
    EXPECT_EQ(r.status, 2) << command << ": " << r.out;
    EXPECT_NE(r.out.find("orchestrate.toml:6:1: prompt file '" + s.repo() +
                         "/prompts/p.md' is an absolute path"),
              std::string::npos)
        << r.out;
  }
}

// A phase commits `.env -> OUTSIDE`; the next phase's worktree_copy of the
// user's .env must not write the user's secrets through that link.
TEST(HostileTest, WorktreeCopyNeverWritesThroughACommittedLink) {
  TempDir outside;
  WriteFile(outside.path(), "victim", "untouched\n");
  Scenario s(
      "version = 1\n[settings]\nworktree_copy = [\".env\"]\n"
      "[phase.plant]\nrun = \"rm -f .env && ln -s " +
      outside.path() +
      "/victim .env\"\n"
      "[phase.next]\ndeps = [\"plant\"]\nrun = \"cat .env\"\n");
  WriteFile(s.repo(), ".env", "SECRET=1\n");
  ShellResult r = s.Run("run -j1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(ReadFile(outside.path() + "/victim"), "untouched\n");
  EXPECT_NE(r.out.find("refusing to write 'worktree_copy' entry '.env' into the worktree: '.env' "
                       "is a symbolic link there (to " +
                       outside.path() + "/victim)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(s.State("next"), "failed");
}

TEST(HostileTest, WorktreeCopyOfADirectoryNeverWritesThroughALinkInside) {
  TempDir outside;
  WriteFile(outside.path(), "victim", "untouched\n");
  Scenario s(
      "version = 1\n[settings]\nworktree_copy = [\"conf\"]\n"
      "[phase.plant]\nrun = \"rm -rf conf && mkdir conf && ln -s " +
      outside.path() +
      "/victim conf/key\"\n"
      "[phase.next]\ndeps = [\"plant\"]\nrun = \"true\"\n");
  WriteFile(s.repo(), "conf/key", "SECRET=1\n");
  ShellResult r = s.Run("run -j1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(ReadFile(outside.path() + "/victim"), "untouched\n");
  EXPECT_NE(r.out.find("'conf/key' is a symbolic link there"), std::string::npos) << r.out;
}

TEST(HostileTest, WorktreeCopyStillCopiesFilesAndDirectories) {
  Scenario s(
      "version = 1\n[settings]\nworktree_copy = [\".env\", \"conf\"]\n"
      "[phase.a]\nrun = \"cat .env conf/sub/key > seen.txt\"\n");
  WriteFile(s.repo(), ".env", "A=1\n");
  WriteFile(s.repo(), "conf/sub/key", "K\n");
  MustShell("printf '.env\\nconf/\\n' >> .git/info/exclude", s.repo());
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:seen.txt"), "A=1\nK\n");
}

TEST(HostileTest, PhaseDeletingItsOwnWorktreeFailsWithAPreciseMessage) {
  Scenario s(R"(version = 1
[phase.suicide]
run = "rm -rf \"$ORCHESTRATE_WORKTREE\""
[phase.other]
run = "echo ok > ok.txt"
)");
  ShellResult r = s.Run("run -j1");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("deleted the phase's own worktree"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("retrying may help"), std::string::npos) << r.out;
  EXPECT_EQ(s.State("suicide"), "failed");
  EXPECT_EQ(s.Show("orchestrate/integration:ok.txt"), "ok\n");
  // The next run recreates the worktree and runs the fixed phase.
  s.SetManifest(
      "version = 1\n[phase.suicide]\nrun = \"echo fixed > f.txt\"\n"
      "[phase.other]\nrun = \"echo ok > ok.txt\"\n");
  r = s.Run("run -j1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:f.txt"), "fixed\n");
}

// A background writer and a `setsid` daemon started by a phase are stopped
// before its result is committed: the next phase, in the same worktree,
// commits nothing they wrote.
TEST(HostileTest, BackgroundProcessesAreGoneBeforeTheResultIsCommitted) {
  Scenario s(R"(version = 1
[phase.bg]
run = "(while true; do echo tick >> bg.txt; sleep 0.02; done) & echo $! > ../../bg.pid; setsid sh -c 'echo $$ > ../../daemon.pid.tmp; mv ../../daemon.pid.tmp ../../daemon.pid; while :; do sleep 1; done' > /dev/null 2>&1 < /dev/null & while [ ! -s bg.txt ] || [ ! -s ../../daemon.pid ]; do sleep 0.01; done"
[phase.next]
deps = ["bg"]
run = "echo next > next.txt"
)");
  ShellResult r = s.Run("run -j1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(ProcessAlive(ReadFile(s.repo() + "/.orchestrate/bg.pid")));
  EXPECT_FALSE(ProcessAlive(ReadFile(s.repo() + "/.orchestrate/daemon.pid")));
  EXPECT_EQ(s.Show("orchestrate/phase/bg:bg.txt"), s.Show("orchestrate/phase/next:bg.txt"));
}

// An agent committed on a detached HEAD and failed: `clean` must not remove
// the only copy of that commit with the worktree.
TEST(HostileTest, CleanSavesACommitOnlyTheWorktreeHeadHolds) {
  Scenario s(R"(version = 1
[phase.agent]
run = "git checkout -q --detach && echo y > y.txt && git add y.txt && git commit -qm only-copy && git rev-parse HEAD > ../../agent.commit && exit 1"
)");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 1) << r.out;
  std::string commit = ReadFile(s.repo() + "/.orchestrate/agent.commit");
  commit = commit.substr(0, commit.find('\n'));
  ASSERT_EQ(commit.size(), 40u);
  r = s.Run("clean");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("removed 1 worktree"), std::string::npos) << r.out;
  std::string holders =
      Shell("git for-each-ref --contains " + commit + " --format='%(refname)'", s.repo()).out;
  EXPECT_NE(holders.find("refs/orchestrate/"), std::string::npos) << holders << r.out;
  EXPECT_EQ(s.Show(commit + ":y.txt"), "y\n");
}

TEST(HostileTest, BareRepositoryIsAClearUsageError) {
  Scenario s("version = 1\n[phase.a]\nrun = \"true\"\n");
  MustShell("git clone -q --bare repo bare.git && cp repo/orchestrate.toml manifest.toml", s.dir());
  ShellResult r = Orchestrate("-f ../manifest.toml run", s.dir() + "/bare.git");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("is bare (it has no checkout)"), std::string::npos) << r.out;
  EXPECT_FALSE(FileExists(s.dir() + "/bare.git/.orchestrate"));
}

TEST(HostileTest, SigningAndHooksThatOrchestrateSkipsAreSaidOncePerRun) {
  Scenario s(
      "version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n[phase.b]\nrun = \"echo b > b.txt\"\n");
  MustShell(
      "git config commit.gpgsign true && printf '#!/bin/sh\\nexit 0\\n' > .git/hooks/pre-commit && "
      "chmod +x .git/hooks/pre-commit",
      s.repo());
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(CountLines(r.out, "commit.gpgsign is set, but orchestrate's commits"), 1) << r.out;
  EXPECT_EQ(CountLines(r.out,
                       "this repository has git hooks (pre-commit), which orchestrate's "
                       "own commits and checkouts do not run"),
            1)
      << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:b.txt"), "b\n");
}

TEST(HostileTest, NoCaveatsForAnOrdinaryRepository) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* caveat : {"commit.gpgsign", "git hooks", "shallow clone"})
    EXPECT_EQ(r.out.find(caveat), std::string::npos) << r.out;
}

// libgit2 runs no external filter: git-lfs content would be committed raw.
TEST(HostileTest, ExternalFilterIsRefusedBeforeAnythingRuns) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n",
             {{".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n"}});
  MustShell("git config filter.lfs.clean 'git-lfs clean -- %f'", s.repo());
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find(".gitattributes assigns filter=lfs, whose clean command (`git-lfs clean -- "
                       "%f`) orchestrate cannot run"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(s.Rev("orchestrate/integration"), "");
  // Without a configured driver git applies no filter either: nothing to refuse.
  MustShell("git config --unset filter.lfs.clean", s.repo());
  EXPECT_EQ(s.Run("run").status, 0);
}

}  // namespace
}  // namespace orchestrate::testing
