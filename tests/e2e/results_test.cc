// What enters a result, a key and the target (SPEC 3 and 4): each test is
// one way a result used to hold something it should not, or a phase used to
// be falsely fresh or needlessly stale.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// d re-runs to the same tree (early cutoff): x stays fresh on d's old
// commit, y re-runs on d's new one. x rewrote d's shared.txt and y kept it,
// so they agree; git's merge base of the two results is the base, without
// shared.txt, and a pairwise merge would call it a conflict. z's input is
// merged as the target is: no conflict, x's shared.txt.
std::string EarlyCutoffManifest(const std::string& d_variant, const std::string& y_text) {
  return "version = 1\n"
         "[phase.d]\nrun = \"echo d > d.txt; echo from-d > shared.txt; : " +
         d_variant +
         "\"\n"
         "[phase.x]\ndeps = [\"d\"]\nrun = \"echo x > shared.txt\"\n"
         "[phase.y]\ndeps = [\"d\"]\nrun = \"echo " +
         y_text +
         " > y.txt\"\n"
         "[phase.z]\ndeps = [\"x\", \"y\"]\nrun = \"echo z > z.txt\"\n";
}

TEST(ResultsTest, DepsBuiltOnEqualTreesOfOneDependencyDoNotConflict) {
  Scenario s(EarlyCutoffManifest("v0", "y"));
  ASSERT_EQ(s.Run("run").status, 0);
  s.SetManifest(EarlyCutoffManifest("v1", "y"));
  ShellResult cutoff = s.Run("run");
  ASSERT_EQ(cutoff.status, 0) << cutoff.out;
  EXPECT_EQ(s.State("x"), "fresh");
  s.SetManifest(EarlyCutoffManifest("v1", "y2"));
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("INPUT-CONFLICT"), std::string::npos) << r.out;
  EXPECT_EQ(s.State("z"), "succeeded");
  EXPECT_EQ(s.Show("orchestrate/phase/z:shared.txt"), "x\n");
  EXPECT_EQ(s.Show("orchestrate/phase/z:y.txt"), "y2\n");
  EXPECT_EQ(s.Show("orchestrate/integration:shared.txt"), "x\n");
}

TEST(ResultsTest, SetupOutputsNeverEnterTheResult) {
  Scenario s(
      "version = 1\n"
      "[phase.a]\n"
      "setup = [\"echo built > tool.bin\", \"echo tweaked >> README\"]\n"
      "run = \"echo a > a.txt\"\n",
      {{"README", "readme\n"}});
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Files("orchestrate/phase/a"), "README\na.txt\norchestrate.toml\n");
  EXPECT_EQ(s.Show("orchestrate/integration:README"), "readme\n");
}

TEST(ResultsTest, SetupOutputTheCommandChangesIsPartOfTheResult) {
  Scenario s(
      "version = 1\n"
      "[phase.a]\n"
      "setup = [\"echo generated > config.txt\"]\n"
      "run = \"echo edited >> config.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(s.Show("orchestrate/phase/a:config.txt"), "generated\nedited\n");
}

TEST(ResultsTest, VerifyLeftoversAreNotCommittedOnARetry) {
  // The first verify fails after building a test binary; the retry's
  // command must not commit it.
  Scenario s(
      "version = 1\n"
      "[phase.a]\n"
      "run = \"echo $ORCHESTRATE_ATTEMPT > a.txt\"\n"
      "verify = [\"echo bin > test.bin; test $(cat a.txt) = 2\"]\n"
      "retries = 1\n");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Files("orchestrate/integration"), "a.txt\norchestrate.toml\n");
  EXPECT_EQ(s.Show("orchestrate/integration:a.txt"), "2\n");
}

TEST(ResultsTest, GateResultIsItsInputWhateverSetupMade) {
  Scenario s(
      "version = 1\n"
      "[phase.check]\n"
      "setup = [\"echo x > junk.txt\"]\n"
      "verify = [\"test -f junk.txt\"]\n");
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(s.Rev("orchestrate/phase/check"), s.Rev("main"));
}

TEST(ResultsTest, ForcedSuccessReplacesTheRecord) {
  Scenario s("version = 1\n[phase.a]\nrun = \"date +%s%N > a.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  std::string first = s.Show("orchestrate/integration:a.txt");
  ShellResult forced = s.Run("run --force a");
  ASSERT_EQ(forced.status, 0) << forced.out;
  std::string second = s.Show("orchestrate/integration:a.txt");
  ASSERT_NE(first, second);
  ShellResult again = s.Run("run");
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_TRUE(Has(again.out, "fresh a")) << again.out;
  EXPECT_EQ(s.Show("orchestrate/integration:a.txt"), second) << "the forced result stays";
}

TEST(ResultsTest, ChangedHandoffMakesDependentsStale) {
  std::string manifest =
      "version = 1\n"
      "[phase.a]\nrun = \"echo one > $ORCHESTRATE_HANDOFF_FILE\"\n"
      "[phase.b]\ndeps = [\"a\"]\nrun = \"cp $ORCHESTRATE_DEPS_DIR/a.md b.txt\"\n";
  Scenario s(manifest);
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(s.Show("orchestrate/integration:b.txt"), "one\n");
  std::string changed = manifest;
  changed.replace(changed.find("echo one"), 8, "echo two");
  s.SetManifest(changed);
  ShellResult plan = s.Run("plan");
  EXPECT_TRUE(Has(plan.out, "dependency a will run")) << plan.out;
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:b.txt"), "two\n") << r.out;
}

TEST(ResultsTest, SwitchingToAnotherBranchFailsThePhaseAndSavesItsWork) {
  Scenario s(
      "version = 1\n"
      "[phase.a]\n"
      "run = \"git checkout -q -b feature && echo a > a.txt && git add a.txt && "
      "git commit -qm work\"\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "switched the worktree to branch 'feature'")) << r.out;
  std::string saved =
      Shell("git for-each-ref --format='%(refname)' refs/orchestrate/attempts/a/", s.repo()).out;
  ASSERT_FALSE(saved.empty()) << r.out;
  EXPECT_EQ(Shell("git show " + saved.substr(0, saved.size() - 1) + ":a.txt", s.repo()).out, "a\n");
}

TEST(ResultsTest, ResetBelowTheInputFailsThePhase) {
  std::string manifest =
      "version = 1\n"
      "[phase.a]\nrun = \"echo a > a.txt\"\n"
      "[phase.b]\ndeps = [\"a\"]\nrun = \"git reset -q --hard HEAD~1 && echo b > b.txt\"\n";
  Scenario s(manifest);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "which does not contain the phase's input")) << r.out;
  EXPECT_EQ(s.Files("orchestrate/integration"), "a.txt\norchestrate.toml\n") << r.out;
}

TEST(ResultsTest, AgentThatChangedNothingFails) {
  std::string manifest =
      "version = 1\n"
      "[agents.lazy]\ncommand = 'cat \"{prompt_file}\" > /dev/null'\n"
      "[phase.a]\nagent = \"lazy\"\nprompt_text = \"do it\"\n";
  Scenario s(manifest);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "the agent changed nothing and wrote no handoff")) << r.out;
  s.SetManifest(manifest + "allow_empty = true\n");
  ShellResult allowed = s.Run("run");
  EXPECT_EQ(allowed.status, 0) << allowed.out;
}

TEST(ResultsTest, CommittingTheManifestOrPromptsChangesNoKey) {
  std::string manifest =
      "version = 1\n"
      "[phase.a]\nrun = \"echo a > a.txt\"\n"
      "[agents.sh]\ncommand = 'cp \"{prompt_file}\" \"{phase}.txt\"'\n"
      "[phase.b]\nagent = \"sh\"\nprompt = \"prompts/b.md\"\n"
      "[phase.c]\nagent = \"sh\"\nprompt = \"prompts/c.md\"\n";
  Scenario s(manifest, {{"prompts/b.md", "b\n"}, {"prompts/c.md", "c\n"}});
  ASSERT_EQ(s.Run("run").status, 0);
  s.SetManifest(manifest + "# a comment\n");
  ShellResult plan = s.Run("plan");
  EXPECT_TRUE(Has(plan.out, "0 to run, 3 fresh")) << plan.out;
  // Removing phase c while its prompt file stays changes nobody else's key.
  std::string without_c = manifest.substr(0, manifest.find("[phase.c]"));
  s.SetManifest(without_c);
  plan = s.Run("plan");
  EXPECT_TRUE(Has(plan.out, "0 to run, 2 fresh")) << plan.out;
}

TEST(ResultsTest, FlippingHowAPhaseRunsMakesNothingStale) {
  std::string manifest = "version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n";
  Scenario s(manifest);
  ASSERT_EQ(s.Run("run").status, 0);
  s.SetManifest(manifest +
                "merge = false\npriority = 3\ntimeout = \"5m\"\nretries = 2\n"
                "description = \"now described\"\n");
  ShellResult plan = s.Run("plan");
  EXPECT_TRUE(Has(plan.out, "0 to run, 1 fresh")) << plan.out;
}

TEST(ResultsTest, BaseChangedNamesThePaths) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n",
             {{"x.c", "1\n"}, {"y.c", "1\n"}});
  ASSERT_EQ(s.Run("run").status, 0);
  Shell("echo 2 > x.c && echo 2 > y.c && git commit -qam more", s.repo());
  ShellResult plan = s.Run("plan");
  EXPECT_TRUE(Has(plan.out, "base changed: x.c and y.c")) << plan.out;
  Shell("for f in p q r s; do echo 1 > $f.c; done && git add . && git commit -qm more", s.repo());
  plan = s.Run("plan");
  EXPECT_TRUE(Has(plan.out, "base changed: p.c, q.c and 4 more")) << plan.out;
}

const std::string kConflicting =
    "version = 1\n"
    "[phase.a]\nrun = \"echo a > same.txt\"\n"
    "[phase.b]\nrun = \"echo b > same.txt\"\n"
    "[phase.c]\nrun = \"echo c > c.txt\"\n"
    "[phase.d]\ndeps = [\"b\"]\nrun = \"echo d > d.txt\"\n";

TEST(ResultsTest, ConflictLeavesOutOnlyTheConflictingResultAndItsDependents) {
  Scenario s(kConflicting);
  std::string junit = s.dir() + "/junit.xml", events = s.dir() + "/events.ndjson";
  ShellResult r = s.Run("run --junit " + junit + " --events " + events);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(s.Files("orchestrate/integration"), "c.txt\norchestrate.toml\nsame.txt\n") << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:same.txt"), "a\n");
  EXPECT_TRUE(Has(r.out, "MERGE-CONFLICT b (")) << r.out;
  EXPECT_TRUE(Has(r.out, "its result conflicts with a in same.txt")) << r.out;
  EXPECT_TRUE(Has(r.out, "MERGE-CONFLICT d (")) << r.out;
  EXPECT_TRUE(Has(r.out, "it depends on b, which is not in orchestrate/integration")) << r.out;
  EXPECT_TRUE(Has(r.out, "2 succeeded")) << r.out;
  EXPECT_TRUE(Has(r.out, "2 merge-conflict")) << r.out;
  EXPECT_TRUE(Has(Shell("cat " + junit, s.dir()).out, "failures=\"2\"")) << r.out;
  std::string ndjson = Shell("grep merge-conflict " + events, s.dir()).out;
  EXPECT_TRUE(Has(ndjson, "\"conflicts_with\":[\"a\"]")) << ndjson;
  EXPECT_TRUE(Has(ndjson, "\"paths\":[\"same.txt\"]")) << ndjson;
  ShellResult status = s.Run("status --json");
  EXPECT_TRUE(Has(status.out, "\"merge-conflict\"")) << status.out;
}

TEST(ResultsTest, CommitOnTheTargetDuringTheRunIsKept) {
  std::string manifest = "version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n";
  Scenario s(manifest);
  ASSERT_EQ(s.Run("run").status, 0);
  // While the next run's phase runs, someone commits on the target.
  s.SetManifest(manifest +
                "[phase.b]\nrun = \"echo b > b.txt; t=orchestrate/integration; "
                "git update-ref refs/heads/$t $(git commit-tree -p $t -m mine $t^{tree})\"\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_TRUE(Has(r.out, "holds commits orchestrate did not write")) << r.out;
  EXPECT_EQ(Shell("git log -1 --format=%s orchestrate/integration", s.repo()).out, "mine\n");
}

TEST(ResultsTest, TargetCheckedOutInALinkedWorktreeIsNotMoved) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  Shell("git worktree add -q ../elsewhere orchestrate/integration", s.repo());
  std::string held = s.Rev("orchestrate/integration");
  s.SetManifest("version = 1\n[phase.a]\nrun = \"echo A > a.txt\"\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_TRUE(Has(r.out, "is checked out in")) << r.out;
  EXPECT_TRUE(Has(r.out, "elsewhere")) << r.out;
  EXPECT_EQ(s.Rev("orchestrate/integration"), held);
}

TEST(ResultsTest, RunKilledBetweenTargetAndItsMarkRecovers) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  // What a run killed right after moving the branch leaves: the branch and
  // the pending mark at the new commit, the mark at the old one.
  std::string old_target = s.Rev("orchestrate/integration");
  Shell(
      "new=$(git commit-tree -p orchestrate/integration -m next orchestrate/integration^{tree}) && "
      "git update-ref refs/orchestrate/target-pending/orchestrate/integration $new && "
      "git update-ref refs/heads/orchestrate/integration $new",
      s.repo());
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Rev("refs/orchestrate/target-pending/orchestrate/integration"), "");
}

}  // namespace
}  // namespace orchestrate::testing
