#include "orchestrate/graph_algorithms.h"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(GraphAlgorithmsTest, FindsNoCycleInDag) {
  EXPECT_TRUE(FindCycle(3, {{1, 0}, {2, 1}, {2, 0}}).empty());
}

TEST(GraphAlgorithmsTest, ReportsCycleAsClosedPath) {
  // 0 -> 1 -> 2 -> 0
  std::vector<int> cycle = FindCycle(3, {{0, 1}, {1, 2}, {2, 0}});
  ASSERT_EQ(cycle.size(), 4u);
  EXPECT_EQ(cycle.front(), cycle.back());
  EXPECT_EQ(cycle, (std::vector<int>{0, 1, 2, 0}));
}

TEST(GraphAlgorithmsTest, SelfLoopIsACycle) {
  EXPECT_EQ(FindCycle(2, {{1, 1}}), (std::vector<int>{1, 1}));
}

TEST(GraphAlgorithmsTest, FindsNoCycleWhenNodesDependOnLaterOnes) {
  EXPECT_TRUE(FindCycle(3, {{0, 2}, {1, 2}, {0, 1}}).empty());
  EXPECT_TRUE(FindCycle(4, {}).empty());
}

TEST(GraphAlgorithmsTest, FindsACycleAmongEdgesThatMostlyPointBack) {
  // 1 -> 3 -> 2 -> 1; the rest points to lower indices.
  EXPECT_EQ(FindCycle(4, {{1, 0}, {2, 1}, {3, 2}, {1, 3}}), (std::vector<int>{1, 3, 2, 1}));
}

TEST(GraphAlgorithmsTest, TopologicalOrderPutsDepsFirstAndKeepsIndexOrder) {
  // 0 depends on 2; 1 has no deps.
  EXPECT_EQ(TopologicalOrder(3, {{0, 2}}), (std::vector<int>{1, 2, 0}));
}

TEST(GraphAlgorithmsTest, TopologicalOrderIsIndexOrderWhenDepsComeFirst) {
  EXPECT_EQ(TopologicalOrder(4, {{3, 0}, {1, 0}, {2, 1}, {3, 2}}), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(TopologicalOrder(3, {}), (std::vector<int>{0, 1, 2}));
}

TEST(GraphAlgorithmsTest, TopologicalOrderOfACycleLeavesItsNodesOut) {
  EXPECT_EQ(TopologicalOrder(3, {{1, 2}, {2, 1}}), (std::vector<int>{0}));
}

TEST(GraphAlgorithmsTest, CriticalPathFollowsDependentsWrittenBeforeTheirDeps) {
  // 0 depends on 2, 2 depends on 1.
  std::vector<double> w = CriticalPathWeights(3, {{0, 2}, {2, 1}}, {1, 2, 3});
  EXPECT_DOUBLE_EQ(w[0], 1);
  EXPECT_DOUBLE_EQ(w[2], 4);
  EXPECT_DOUBLE_EQ(w[1], 6);
}

TEST(GraphAlgorithmsTest, CriticalPathSumsHeaviestChainOfDependents) {
  // 1 and 2 depend on 0; 3 depends on 2.
  std::vector<double> w = CriticalPathWeights(4, {{1, 0}, {2, 0}, {3, 2}}, {1, 5, 1, 1});
  EXPECT_DOUBLE_EQ(w[0], 6);  // 0 -> 1 (5) beats 0 -> 2 -> 3 (2)
  EXPECT_DOUBLE_EQ(w[2], 2);
  EXPECT_DOUBLE_EQ(w[3], 1);
}

}  // namespace
}  // namespace orchestrate
