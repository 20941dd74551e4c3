#include "orchestrate/refs.h"

#include <gtest/gtest.h>

#include "support/test_repo.h"

namespace orchestrate::refs {
namespace {

TEST(RefsTest, PhaseBranchesHaveAShortAndAFullName) {
  EXPECT_EQ(PhaseBranch("api"), "orchestrate/phase/api");
  EXPECT_EQ(PhaseBranchRef("api"), "refs/heads/orchestrate/phase/api");
  EXPECT_EQ(BranchRef(PhaseBranch("api")), PhaseBranchRef("api"));
  EXPECT_TRUE(PhaseBranchRef("api").starts_with(kPhaseBranchRoot));
  EXPECT_TRUE(PhaseBranchRef("api").starts_with(kOwnBranchRoot));
}

TEST(RefsTest, ThePhaseOfABranchRef) {
  EXPECT_EQ(PhaseOfBranchRef("refs/heads/orchestrate/phase/api"), "api");
  EXPECT_EQ(PhaseOfBranchRef("refs/heads/orchestrate/phase/web.ui"), "web.ui");
  EXPECT_EQ(PhaseOfBranchRef("refs/heads/orchestrate/phase/"), std::nullopt);
  EXPECT_EQ(PhaseOfBranchRef("refs/heads/main"), std::nullopt);
  EXPECT_EQ(PhaseOfBranchRef("orchestrate/phase/api"), std::nullopt);  // a short name
}

TEST(RefsTest, BranchesAndTheirRefs) {
  EXPECT_EQ(BranchRef("orchestrate/integration"), "refs/heads/orchestrate/integration");
  EXPECT_EQ(BranchOfRef("refs/heads/main"), "main");
  EXPECT_EQ(BranchOfRef("refs/heads/"), std::nullopt);
  EXPECT_EQ(BranchOfRef("refs/tags/v1"), std::nullopt);
}

TEST(RefsTest, CacheRecordsAreKeyedByPhaseAndKey) {
  EXPECT_EQ(CacheRefs("api"), "refs/orchestrate/cache/api/");
  EXPECT_EQ(CacheRef("api", "0123abcd"), "refs/orchestrate/cache/api/0123abcd");
  EXPECT_TRUE(CacheRef("api", "k").starts_with(kCacheRoot));
  EXPECT_TRUE(std::string(kCacheRoot).starts_with(kOwnRoot));
}

TEST(RefsTest, ParseCacheRefUndoesCacheRef) {
  std::optional<CacheRefName> name = ParseCacheRef(CacheRef("web.ui", "0123abcd"));
  ASSERT_TRUE(name);
  EXPECT_EQ(name->phase, "web.ui");
  EXPECT_EQ(name->key, "0123abcd");
  for (const char* bad :
       {"refs/orchestrate/cache/api", "refs/orchestrate/cache/api/", "refs/orchestrate/cache//k",
        "refs/orchestrate/attempts/api/1-abc", "refs/heads/main"})
    EXPECT_EQ(ParseCacheRef(bad), std::nullopt) << bad;
}

TEST(RefsTest, AttemptsAreNamedByTimeAndCommit) {
  EXPECT_EQ(AttemptRefs("api"), "refs/orchestrate/attempts/api/");
  EXPECT_EQ(AttemptRef("api", 1700000000, testing::Oid("0123456789abcdef0123456789abcdef01234567")),
            "refs/orchestrate/attempts/api/1700000000-0123456789ab");
  EXPECT_TRUE(AttemptRef("api", 1, ObjectId()).starts_with(kAttemptRoot));
}

TEST(RefsTest, TargetMarks) {
  EXPECT_EQ(TargetMark("orchestrate/integration"),
            "refs/orchestrate/targets/orchestrate/integration");
  EXPECT_EQ(TargetPendingMark("main"), "refs/orchestrate/target-pending/main");
  EXPECT_TRUE(TargetMark("main").starts_with(kTargetMarkRoot));
  EXPECT_TRUE(TargetPendingMark("main").starts_with(kTargetPendingRoot));
}

}  // namespace
}  // namespace orchestrate::refs
