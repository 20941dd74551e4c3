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
  ASSERT_EQ(s.Run("run").status, 0);
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
  ASSERT_EQ(s.Run("run").status, 0);
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
  ASSERT_EQ(s.Run("run").status, 0);
  std::string first = SchemaResult(s);
  ASSERT_EQ(s.Run("approve schema").status, 0);
  s.SetManifest(Manifest("v2"));
  ShellResult stale = s.Run("approve schema");
  EXPECT_EQ(stale.status, 2) << stale.out;
  EXPECT_NE(stale.out.find("no result awaiting approval (command changed)"), std::string::npos)
      << stale.out;
  ASSERT_EQ(s.Run("run").status, 0);
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
  ASSERT_EQ(s.Run("run").status, 0);
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
  ASSERT_EQ(s.Run("run").status, 0);
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
  ASSERT_EQ(s.Run("run").status, 0);
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
