// Approvals: decisions on results stored as refs, replaced by later ones.
#include "orchestrate/approval.h"

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "support/error_message.h"

namespace orchestrate {
namespace {

class ApprovalTest : public testing::GitRepoTest {
 protected:
  ObjectId Result(const std::string& content) {
    return CommitOnBranch("orchestrate/phase/schema", initial_, {{"a.txt", content}});
  }
};

TEST_F(ApprovalTest, RefNamesPhaseAndResult) {
  ObjectId result = testing::Oid("0123abcd00000000000000000000000000000000");
  EXPECT_EQ(Approvals::RefOf("schema", result),
            "refs/orchestrate/approvals/schema/0123abcd00000000000000000000000000000000");
}

TEST_F(ApprovalTest, ApproveRecordsTheExactResult) {
  ObjectId result = Result("v1\n");
  Approvals approvals(*repo_);
  EXPECT_FALSE(approvals.Find("schema", result));
  approvals.Approve("schema", result, "key1");
  std::optional<Decision> d = approvals.Find("schema", result);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->approved);
  EXPECT_EQ(d->result, result);
  EXPECT_EQ(d->key, "key1");
  EXPECT_NE(d->who.find("<"), std::string::npos) << d->who;
  EXPECT_GT(d->at, 0);
  EXPECT_TRUE(approvals.IsApproved("schema", result));
  // A new result needs a new approval; another phase has none.
  EXPECT_FALSE(approvals.IsApproved("schema", Result("v2\n")));
  EXPECT_FALSE(approvals.IsApproved("api", result));
  // The decision keeps its result reachable: the result is its parent.
  EXPECT_EQ(Git("rev-parse refs/orchestrate/approvals/schema/" + result.hex() + "^"), result.hex());
}

TEST_F(ApprovalTest, RejectKeepsTheTextAndALaterDecisionReplacesIt) {
  ObjectId result = Result("v1\n");
  Approvals approvals(*repo_);
  approvals.Reject("schema", result, "key1", "Keep the old column names.\n");
  std::optional<Decision> d = approvals.Find("schema", result);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->approved);
  EXPECT_EQ(d->feedback, "Keep the old column names.\n");
  EXPECT_EQ(Git("cat-file -p refs/orchestrate/approvals/schema/" + result.hex() + ":feedback.md"),
            "Keep the old column names.");
  EXPECT_FALSE(approvals.IsApproved("schema", result));
  approvals.Approve("schema", result, "key1");
  EXPECT_TRUE(approvals.IsApproved("schema", result));
  EXPECT_EQ(approvals.Find("schema", result)->feedback, "");
}

TEST_F(ApprovalTest, ARefThatIsNoDecisionIsAnErrorNamingIt) {
  ObjectId result = Result("v1\n");
  std::string ref = Approvals::RefOf("schema", result);
  Git("update-ref " + ref + " " + result.hex());
  EXPECT_EQ(testing::MessageOf<InfraError>([&] { Approvals(*repo_).Find("schema", result); }),
            ref + " is not an approval orchestrate wrote; remove it with `git update-ref -d " +
                ref + "` and approve or reject again");
}

TEST_F(ApprovalTest, RejectionFeedbackNamesTheResultAndThePerson) {
  Decision d;
  d.phase = "schema";
  d.result = testing::Oid("0123456789abcdef0123456789abcdef01234567");
  d.who = "Ann <ann@example.com>";
  d.feedback = "Use snake_case.";
  EXPECT_EQ(RejectionFeedback(d),
            "A person rejected the previous result of phase schema (commit 0123456789ab), Ann "
            "<ann@example.com>:\n\nUse snake_case.\n");
}

}  // namespace
}  // namespace orchestrate
