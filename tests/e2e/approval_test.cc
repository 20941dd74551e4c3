// approve and reject: decisions on the result a phase with approval = true
// waits with, stored under refs/orchestrate/approvals/ and shared by
// cache push / pull.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

std::string Manifest(const std::string& schema_text = "v1") {
  return "version = 1\n"
         "[phase.schema]\napproval = true\nrun = \"echo " +
         schema_text +
         " > schema.txt\"\n"
         "[phase.api]\ndeps = [\"schema\"]\nrun = \"echo api > api.txt\"\n";
}

// The approvals and rejections in `repo`, "ref" per line.
std::string DecisionRefs(const std::string& repo) {
  return Shell("git for-each-ref --format='%(refname)' refs/orchestrate/approvals", repo).out;
}

std::string SchemaResult(const Scenario& s) { return s.Rev("orchestrate/phase/schema"); }

TEST(ApprovalTest, ApproveRecordsTheExactResult) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 1);
  std::string result = SchemaResult(s);
  ShellResult r = s.Run("approve schema");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(
      r.out.find("approved schema: result " + result.substr(0, 12) + " (its changes: `git diff "),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("share the approval with `orchestrate cache push`"), std::string::npos);
  EXPECT_EQ(DecisionRefs(s.repo()), "refs/orchestrate/approvals/schema/" + result + "\n");
  EXPECT_EQ(s.Show("refs/orchestrate/approvals/schema/" + result + ":decision").substr(0, 9),
            "approved\n");
  // The diff the output names shows the result's change.
  std::string diff = r.out.substr(r.out.find("git diff "));
  diff = diff.substr(0, diff.find('`'));
  EXPECT_NE(MustShell(diff, s.repo()).find("+v1"), std::string::npos);

  ShellResult again = s.Run("approve schema");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("schema: result " + result.substr(0, 12) + " is approved already"),
            std::string::npos)
      << again.out;
}

TEST(ApprovalTest, ApproveRefusesAPhaseWithNoResult) {
  Scenario s(Manifest());
  ShellResult r = s.Run("approve schema");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("cannot approve schema: it has no result awaiting approval (never run); "
                       "run it with `orchestrate run schema`, then approve the result it waits "
                       "with"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(DecisionRefs(s.repo()), "");
}

TEST(ApprovalTest, ApproveRefusesAFailedResult) {
  Scenario s("version = 1\n[phase.schema]\napproval = true\nrun = \"exit 1\"\n");
  ASSERT_EQ(s.Run("run").status, 1);
  ShellResult r = s.Run("approve schema");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("cannot approve schema: it has no result awaiting approval (previous "
                       "attempt failed)"),
            std::string::npos)
      << r.out;
}

TEST(ApprovalTest, ApproveRefusesAPhaseThatDoesNotWaitForApproval) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 1);
  ShellResult r = s.Run("approve api");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("cannot approve api: it does not wait for approval (add `approval = true` "
                       "to [phase.api] in "),
            std::string::npos)
      << r.out;
}

TEST(ApprovalTest, ApproveRefusesAnUnknownPhase) {
  Scenario s(Manifest());
  ShellResult r = s.Run("approve shema");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("unknown phase 'shema' (did you mean 'schema'?)"), std::string::npos)
      << r.out;
}

TEST(ApprovalTest, ANewResultNeedsANewApproval) {
  Scenario s(Manifest("v1"));
  ASSERT_EQ(s.Run("run").status, 1);
  std::string first = SchemaResult(s);
  ASSERT_EQ(s.Run("approve schema").status, 0);
  ASSERT_EQ(s.Run("run").status, 0);
  s.SetManifest(Manifest("v2"));
  ShellResult stale = s.Run("approve schema");
  EXPECT_EQ(stale.status, 2) << stale.out;
  EXPECT_NE(stale.out.find("no result awaiting approval (command changed)"), std::string::npos)
      << stale.out;
  ShellResult rerun = s.Run("run");
  EXPECT_EQ(rerun.status, 1) << rerun.out;  // the new result waits again
  EXPECT_EQ(s.State("schema"), "awaiting-approval");
  std::string second = SchemaResult(s);
  ASSERT_NE(first, second);
  ShellResult r = s.Run("approve schema");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("approved schema: result " + second.substr(0, 12)), std::string::npos);
  EXPECT_NE(DecisionRefs(s.repo()).find("refs/orchestrate/approvals/schema/" + second),
            std::string::npos);
}

TEST(ApprovalTest, RejectStoresTheTextForTheNextAttempt) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 1);
  std::string result = SchemaResult(s);
  ShellResult r = s.Run("reject schema -m 'Name the column user_id.'");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("rejected schema: result " + result.substr(0, 12) +
                       ", with your text for its next attempt (refs/orchestrate/approvals/schema/" +
                       result + ")"),
            std::string::npos)
      << r.out;
  std::string ref = "refs/orchestrate/approvals/schema/" + result;
  EXPECT_EQ(s.Show(ref + ":feedback.md"), "Name the column user_id.");
  EXPECT_EQ(s.Show(ref + ":decision").substr(0, 9), "rejected\n");
  // Changing one's mind replaces the decision.
  ASSERT_EQ(s.Run("approve schema").status, 0);
  EXPECT_EQ(s.Show(ref + ":decision").substr(0, 9), "approved\n");
}

TEST(ApprovalTest, RejectNeedsAText) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 1);
  ShellResult blank = s.Run("reject schema -m '  '");
  EXPECT_EQ(blank.status, 2) << blank.out;
  EXPECT_NE(blank.out.find("reject schema: -m TEXT must say what to change; the phase's next "
                           "attempt reads it"),
            std::string::npos)
      << blank.out;
  ShellResult missing = s.Run("reject schema");
  EXPECT_EQ(missing.status, 2) << missing.out;
  EXPECT_NE(missing.out.find("--message is required"), std::string::npos) << missing.out;
  EXPECT_EQ(DecisionRefs(s.repo()), "");
}

TEST(ApprovalTest, RejectRefusesAPhaseWithNoResult) {
  Scenario s(Manifest());
  ShellResult r = s.Run("reject schema -m 'no'");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("cannot reject schema: it has no result awaiting approval (never run)"),
            std::string::npos)
      << r.out;
}

// A person approves on one clone; another clone pulls the approval.
TEST(ApprovalTest, CachePushAndPullShareDecisions) {
  Scenario s(Manifest());
  MustShell(
      "git init -q --bare ../remote.git && git remote add origin ../remote.git && "
      "git push -q origin main",
      s.repo());
  MustShell(
      "git clone -q -b main remote.git clone && cd clone && git config user.name T && "
      "git config user.email t@t",
      s.dir());
  std::string clone = s.dir() + "/clone";
  ASSERT_EQ(s.Run("run").status, 1);
  std::string ref = "refs/orchestrate/approvals/schema/" + SchemaResult(s);
  ASSERT_EQ(s.Run("approve schema").status, 0);
  ShellResult push = s.Run("cache push");
  ASSERT_EQ(push.status, 0) << push.out;
  EXPECT_NE(push.out.find(", and 1 approvals or rejections"), std::string::npos) << push.out;
  EXPECT_EQ(DecisionRefs(s.dir() + "/remote.git"), ref + "\n");

  ShellResult pull = Orchestrate("cache pull", clone);
  ASSERT_EQ(pull.status, 0) << pull.out;
  EXPECT_NE(pull.out.find("; 1 approvals or rejections here"), std::string::npos) << pull.out;
  EXPECT_EQ(DecisionRefs(clone), ref + "\n");
  EXPECT_EQ(Shell("git show " + ref + ":decision", clone).out.substr(0, 9), "approved\n");

  // The clone changes its mind: a later decision replaces the remote's.
  ASSERT_EQ(Orchestrate("reject schema -m 'Rename it.'", clone).status, 0);
  ASSERT_EQ(Orchestrate("cache push", clone).status, 0);
  ASSERT_EQ(s.Run("cache pull").status, 0);
  EXPECT_EQ(s.Show(ref + ":feedback.md"), "Rename it.");
}

// The run: a verified result waits for a person; its dependents wait,
// everything else goes on, and the output says how to proceed. Once
// approved, the next run continues from it without running it again.
TEST(ApprovalTest, TheRunWaitsForApprovalThenContinues) {
  Scenario s(Manifest() + "[phase.docs]\nrun = \"echo docs > docs.txt\"\n");
  ShellResult first = s.Run("run");
  EXPECT_EQ(first.status, 1) << first.out;
  std::string result = SchemaResult(s).substr(0, 12);
  EXPECT_NE(first.out.find("awaiting-approval schema (its result " + result +
                           " awaits approval: review it with `git diff "),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("then `orchestrate approve schema` (or `orchestrate reject schema -m "
                           "\"what to change\"`) and run again)"),
            std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("blocked api (waits for the approval of schema)"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("1 awaiting-approval (schema)"), std::string::npos) << first.out;
  EXPECT_EQ(s.State("schema"), "awaiting-approval");
  EXPECT_EQ(s.State("api"), "blocked");
  EXPECT_EQ(s.State("docs"), "succeeded");
  // The target holds what is done, not what waits.
  EXPECT_EQ(s.Files("orchestrate/integration"), "docs.txt\norchestrate.toml\n");
  ShellResult status = s.Run("status");
  EXPECT_NE(status.out.find("orchestrate approve schema"), std::string::npos) << status.out;
  ShellResult plan_doc = s.Run("status --format markdown");
  EXPECT_NE(plan_doc.out.find("## Awaiting approval\n\n- [ ] **schema** (awaiting-approval)"),
            std::string::npos)
      << plan_doc.out;
  ShellResult only = s.Run("run --only api");
  EXPECT_EQ(only.status, 2) << only.out;
  EXPECT_NE(only.out.find("cannot run with --only: dependency 'schema' waits for approval (its "
                          "result " +
                          result +
                          " awaits approval); approve it with `orchestrate approve "
                          "schema` (or pull the approval with `orchestrate cache "
                          "pull`), then run again"),
            std::string::npos)
      << only.out;
  ShellResult plan = s.Run("plan");
  EXPECT_NE(plan.out.find("awaiting-approval"), std::string::npos) << plan.out;

  ASSERT_EQ(s.Run("approve schema").status, 0);
  EXPECT_EQ(s.State("schema"), "fresh");
  ShellResult second = s.Run("run");
  EXPECT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("succeeded api"), std::string::npos) << second.out;
  EXPECT_EQ(s.Files("orchestrate/integration"),
            "api.txt\ndocs.txt\norchestrate.toml\nschema.txt\n");
  EXPECT_EQ(SchemaResult(s).substr(0, 12), result);  // not run again
}

// A rejection makes the phase stale: its next attempt reads the text in
// ORCHESTRATE_FEEDBACK_FILE, and its new result needs a new approval.
TEST(ApprovalTest, ARejectionIsTheNextAttemptsFeedback) {
  Scenario s(
      "version = 1\n[phase.schema]\napproval = true\n"
      "run = 'echo v >> schema.txt; if [ -n \"$ORCHESTRATE_FEEDBACK_FILE\" ]; then "
      "cp \"$ORCHESTRATE_FEEDBACK_FILE\" feedback.txt; fi'\n");
  ASSERT_EQ(s.Run("run").status, 1);
  std::string first = SchemaResult(s);
  EXPECT_EQ(s.Files(first).find("feedback.txt"), std::string::npos) << s.Files(first);
  ASSERT_EQ(s.Run("reject schema -m 'Name the column user_id.'").status, 0);
  EXPECT_EQ(s.State("schema"), "stale");
  ShellResult again = s.Run("run");
  EXPECT_EQ(again.status, 1) << again.out;
  std::string second = SchemaResult(s);
  ASSERT_NE(second, first);
  EXPECT_NE(s.Show(second + ":feedback.txt").find("Name the column user_id."), std::string::npos)
      << s.Show(second + ":feedback.txt");
  EXPECT_EQ(s.State("schema"), "awaiting-approval");
  ASSERT_EQ(s.Run("approve schema").status, 0);
  EXPECT_EQ(s.Run("run").status, 0);
}

TEST(ApprovalTest, HelpOfBothCommandsHasAnExampleAndExitStatuses) {
  TempDir dir;
  for (const char* command : {"approve", "reject"}) {
    std::string out = Orchestrate(std::string(command) + " --help", dir.path()).out;
    EXPECT_NE(out.find("\nExample:\n  orchestrate " + std::string(command) + " schema"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\nExit status: 0 "), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace orchestrate::testing
