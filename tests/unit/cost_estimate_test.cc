// CostEstimate: the cost of re-running phases by their last records.
#include "orchestrate/cost_estimate.h"

#include <gtest/gtest.h>

#include "git_fixture.h"

namespace orchestrate {
namespace {

Usage Cost(double usd) {
  Usage usage;
  usage.cost_usd = usd;
  return usage;
}

Usage Tokens(int64_t input) {
  Usage usage;
  usage.input_tokens = input;
  return usage;
}

class CostEstimateTest : public testing::GitRepoTest {
 protected:
  void SetUp() override {
    GitRepoTest::SetUp();
    cache_ = std::make_unique<ResultCache>(*repo_);
  }
  // A record of `phase` started at `at` with `usage`.
  void Store(const std::string& phase, const std::string& key, int64_t at, Usage usage,
             const std::string& status = "succeeded") {
    Record r;
    r.phase = phase;
    r.key = key;
    r.status = status;
    r.result = initial_;
    r.input = initial_;
    r.result_tree = repo_->TreeOf(initial_);
    r.started_at = at;
    r.usage = usage;
    ASSERT_TRUE(cache_->Store(r));
  }

  std::unique_ptr<ResultCache> cache_;
};

TEST_F(CostEstimateTest, SumsTheLastRecordOfEachPhase) {
  Store("schema", "k1", 100, Cost(9.0));
  Store("schema", "k2", 200, Cost(2.5));  // newer: this one counts
  Store("api", "k1", 100, Cost(1.6), "failed");
  CostEstimate e = EstimateCost(*repo_, *cache_, {"schema", "api"});
  EXPECT_DOUBLE_EQ(e.cost_usd, 4.1);
  EXPECT_EQ(e.known, 2);
  EXPECT_EQ(e.unknown, 0);
  EXPECT_EQ(FormatEstimate(e), ", about $4.10 by their last runs");
}

TEST_F(CostEstimateTest, PhasesWithoutACostAreCountedAsUnknown) {
  Store("schema", "k1", 100, Cost(0.5));
  Store("lint", "k1", 100, Tokens(10));
  CostEstimate e = EstimateCost(*repo_, *cache_, {"schema", "lint", "never-run"});
  EXPECT_EQ(e.known, 1);
  EXPECT_EQ(e.unknown, 2);
  EXPECT_EQ(FormatEstimate(e), ", about $0.50 by their last runs (2 with no recorded cost)");
}

TEST_F(CostEstimateTest, NoRecordedCostSaysNothing) {
  CostEstimate e = EstimateCost(*repo_, *cache_, {"a", "b"});
  EXPECT_EQ(e.unknown, 2);
  EXPECT_EQ(FormatEstimate(e), "");
  EXPECT_EQ(FormatEstimate(EstimateCost(*repo_, *cache_, {})), "");
}

}  // namespace
}  // namespace orchestrate
