#include "orchestrate/graph.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "support/manifest_builder.h"

namespace orchestrate {
namespace {

using testing::MakeManifest;
using testing::PhaseSpec;

std::vector<std::string> Names(const Graph& g, const std::vector<int>& phases) {
  std::vector<std::string> out;
  for (int n : phases) out.push_back(g.node(n).phase->name);
  return out;
}

class GraphTest : public ::testing::Test {
 protected:
  // a <- b, a <- c, {b, c} <- d
  Manifest diamond_ = MakeManifest({{"a", {}}, {"b", {"a"}}, {"c", {"a"}}, {"d", {"b", "c"}}});
};

TEST_F(GraphTest, LinksDepsAndDependentsByIndex) {
  Graph g(diamond_);
  ASSERT_EQ(g.size(), 4);
  EXPECT_EQ(g.node(3).deps, (std::vector<int>{1, 2}));
  EXPECT_EQ(g.node(0).dependents, (std::vector<int>{1, 2}));
  EXPECT_EQ(g.node(2).phase, &diamond_.phases[2]);
  EXPECT_EQ(g.edge_count(), 4u);
}

TEST_F(GraphTest, DepthIsTheWaveOfEachPhase) {
  Graph g(diamond_);
  EXPECT_EQ(g.node(0).depth, 0);
  EXPECT_EQ(g.node(1).depth, 1);
  EXPECT_EQ(g.node(2).depth, 1);
  EXPECT_EQ(g.node(3).depth, 2);
}

TEST_F(GraphTest, LongestChainCountsPhases) {
  EXPECT_EQ(Graph(diamond_).longest_chain(), 3);
  Manifest empty;
  EXPECT_EQ(Graph(empty).longest_chain(), 0);
  Manifest lone = MakeManifest({{"x", {}}, {"y", {}}});
  EXPECT_EQ(Graph(lone).longest_chain(), 1);
}

TEST_F(GraphTest, CriticalPathCountsThePhasesBehindEach) {
  Graph g(diamond_);
  EXPECT_DOUBLE_EQ(g.node(0).critical_path, 3);
  EXPECT_DOUBLE_EQ(g.node(1).critical_path, 2);
  EXPECT_DOUBLE_EQ(g.node(3).critical_path, 1);
}

TEST_F(GraphTest, ComputeCriticalPathUsesGivenWeights) {
  Graph g(diamond_);
  g.ComputeCriticalPath({1, 10, 2, 1});
  EXPECT_DOUBLE_EQ(g.node(0).critical_path, 12);  // a -> b -> d
  EXPECT_DOUBLE_EQ(g.node(2).critical_path, 3);
  EXPECT_THROW(g.ComputeCriticalPath({1, 2}), std::invalid_argument);
}

TEST_F(GraphTest, TopoOrderPutsDepsFirstThenManifestOrder) {
  Manifest m = MakeManifest({{"deploy", {"api", "ui"}},
                             {"ui", {"schema"}},
                             {"api", {"schema"}},
                             {"schema", {}},
                             {"docs", {}}});
  Graph g(m);
  EXPECT_EQ(Names(g, g.topo_order()),
            (std::vector<std::string>{"schema", "ui", "api", "deploy", "docs"}));
}

TEST_F(GraphTest, PhasesWrittenBeforeTheirDepsGetDepthsAndCriticalPaths) {
  Manifest m = MakeManifest({{"deploy", {"api"}}, {"api", {"schema"}}, {"schema", {}}});
  Graph g(m);
  EXPECT_EQ(Names(g, g.topo_order()), (std::vector<std::string>{"schema", "api", "deploy"}));
  EXPECT_EQ(g.node(0).depth, 2);
  EXPECT_EQ(g.node(2).depth, 0);
  EXPECT_EQ(g.node(2).dependents, (std::vector<int>{1}));
  EXPECT_DOUBLE_EQ(g.node(2).critical_path, 3);
  EXPECT_DOUBLE_EQ(g.node(0).critical_path, 1);
  EXPECT_EQ(g.longest_chain(), 3);
}

TEST_F(GraphTest, DependentsListedInIndexOrder) {
  Manifest m = MakeManifest({{"c", {"a"}}, {"a", {}}, {"b", {"a"}}, {"d", {"a", "b"}}});
  Graph g(m);
  EXPECT_EQ(g.node(1).dependents, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(g.node(2).dependents, (std::vector<int>{3}));
  EXPECT_EQ(g.edge_count(), 4u);
}

TEST_F(GraphTest, FindsPhasesByName) {
  Graph g(diamond_);
  EXPECT_EQ(g.Find("c"), 2);
  EXPECT_EQ(g.Find("zz"), std::nullopt);
}

TEST_F(GraphTest, RepeatedDepCountsOnce) {
  Manifest m = MakeManifest({{"a", {}}, {"b", {"a", "a"}}});
  Graph g(m);
  EXPECT_EQ(g.node(1).deps, (std::vector<int>{0}));
  EXPECT_EQ(g.edge_count(), 1u);
}

TEST_F(GraphTest, RejectsUnvalidatedManifests) {
  Manifest unknown = MakeManifest({{"a", {"nope"}}});
  EXPECT_THROW(Graph{unknown}, std::logic_error);
  Manifest cycle = MakeManifest({{"a", {"b"}}, {"b", {"a"}}});
  EXPECT_THROW(Graph{cycle}, std::logic_error);
}

TEST_F(GraphTest, SelectWithoutTargetsTakesEveryPhase) {
  Graph g(diamond_);
  std::vector<int> out;
  std::string err;
  ASSERT_TRUE(g.Select({}, &out, &err));
  EXPECT_EQ(out, g.topo_order());
}

TEST_F(GraphTest, SelectAddsTransitiveDepsInTopoOrder) {
  Manifest m = MakeManifest(
      {{"docs", {}}, {"e2e", {"api"}}, {"api", {"schema"}}, {"schema", {}}, {"ui", {"schema"}}});
  Graph g(m);
  std::vector<int> out;
  std::string err;
  ASSERT_TRUE(g.Select({"e2e"}, &out, &err)) << err;
  EXPECT_EQ(Names(g, out), (std::vector<std::string>{"schema", "api", "e2e"}));
  ASSERT_TRUE(g.Select({"ui", "docs", "ui"}, &out, &err)) << err;
  EXPECT_EQ(Names(g, out), (std::vector<std::string>{"docs", "schema", "ui"}));
}

TEST_F(GraphTest, SelectSuggestsTheClosestNameForATypo) {
  Manifest m = MakeManifest({{"schema", {}}, {"api", {"schema"}}, {"scheme-docs", {}}});
  Graph g(m);
  std::vector<int> out;
  std::string err;
  EXPECT_FALSE(g.Select({"api", "shema"}, &out, &err));
  EXPECT_EQ(err, "unknown phase 'shema' (did you mean 'schema'?)");
}

TEST_F(GraphTest, SelectWithoutCloseNameSaysWhereToLook) {
  Graph g(diamond_);
  std::vector<int> out;
  std::string err;
  EXPECT_FALSE(g.Select({"frontend"}, &out, &err));
  EXPECT_EQ(err, "unknown phase 'frontend' ('orchestrate graph' lists the phases)");
}

TEST_F(GraphTest, WavesGroupPhasesThatCanRunTogether) {
  Graph g(diamond_);
  std::vector<std::vector<int>> waves = g.Waves(g.topo_order());
  EXPECT_EQ(waves, (std::vector<std::vector<int>>{{0}, {1, 2}, {3}}));
}

TEST_F(GraphTest, WavesCountDepthWithinTheSelection) {
  // Without a and b selected, c starts the first wave and d follows it.
  Graph g(diamond_);
  EXPECT_EQ(g.Waves({2, 3}), (std::vector<std::vector<int>>{{2}, {3}}));
  EXPECT_TRUE(g.Waves({}).empty());
}

}  // namespace
}  // namespace orchestrate
