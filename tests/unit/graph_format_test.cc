#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "orchestrate/graph.h"
#include "support/manifest_builder.h"

namespace orchestrate {
namespace {

using testing::MakeManifest;
using testing::PhaseSpec;

class GraphFormatTest : public ::testing::Test {
 protected:
  GraphFormatTest()
      : manifest_(MakeManifest({{"schema", {}},
                                {"api.v2", {"schema"}},
                                {"web-ui", {"schema"}},
                                {"release", {"api.v2", "web-ui"}},
                                {"docs", {}}})) {
    manifest_.phases[0].details.Edit().description = "Define the \"users\" table\\index";
    manifest_.phases[1].details.Edit().description = "Serve <users> & #tags";
    manifest_.phases[1].details.Edit().pool = "agents";
    manifest_.phases[1].priority = 7;
    graph_.emplace(manifest_);
  }

  std::string Format(GraphFormat format) {
    return FormatGraph(*graph_, graph_->topo_order(), format);
  }

  Manifest manifest_;
  std::optional<Graph> graph_;
};

TEST_F(GraphFormatTest, TextListsPhasesWaveByWave) {
  EXPECT_EQ(Format(GraphFormat::kText),
            "wave 1 (2 phases)\n"
            "  schema: Define the \"users\" table\\index\n"
            "  docs\n"
            "wave 2 (2 phases)\n"
            "  api.v2 (after schema): Serve <users> & #tags\n"
            "  web-ui (after schema)\n"
            "wave 3 (1 phase)\n"
            "  release (after api.v2, web-ui)\n");
}

TEST_F(GraphFormatTest, TextKeepsMultiLineDescriptionsOnOneLine) {
  manifest_.phases[4].details.Edit().description = "first\nsecond";
  std::string text = FormatGraph(*graph_, {4}, GraphFormat::kText);
  EXPECT_EQ(text, "wave 1 (1 phase)\n  docs: first second\n");
}

TEST_F(GraphFormatTest, TextOfNothingSaysSo) {
  EXPECT_EQ(FormatGraph(*graph_, {}, GraphFormat::kText), "no phases\n");
}

TEST_F(GraphFormatTest, DotDrawsEdgesFromDependencyToDependent) {
  std::string dot = Format(GraphFormat::kDot);
  EXPECT_EQ(dot.rfind("digraph orchestrate {\n  rankdir=LR;\n", 0), 0u) << dot;
  EXPECT_NE(dot.find("  \"schema\" -> \"api.v2\";\n"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  \"api.v2\" -> \"release\";\n"), std::string::npos) << dot;
  EXPECT_NE(dot.find("  \"docs\";\n"), std::string::npos) << dot;
  EXPECT_EQ(dot.find("\"release\" -> "), std::string::npos) << dot;
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

TEST_F(GraphFormatTest, StatesColourDotNodes) {
  std::map<std::string, std::string> states = {{"schema", "succeeded"}, {"docs", "blocked"}};
  std::string dot = FormatGraph(*graph_, graph_->topo_order(), GraphFormat::kDot, &states);
  EXPECT_NE(dot.find("  \"docs\" [style=filled, fillcolor=\"#f5b971\", xlabel=\"blocked\"];\n"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("fillcolor=\"#6cc070\", xlabel=\"succeeded\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("  \"release\";\n"), std::string::npos) << "no state, no colour\n" << dot;
}

TEST_F(GraphFormatTest, StatesBecomeMermaidClasses) {
  std::map<std::string, std::string> states = {{"web-ui", "awaiting-approval"},
                                               {"release", "awaiting-approval"}};
  std::string mermaid = FormatGraph(*graph_, graph_->topo_order(), GraphFormat::kMermaid, &states);
  EXPECT_NE(mermaid.find("  classDef s_awaiting_approval fill:#f7e07b,stroke:#555\n"
                         "  class n2,n3 s_awaiting_approval\n"),
            std::string::npos)
      << mermaid;
  EXPECT_NE(mermaid.find("web-ui (awaiting-approval)"), std::string::npos) << mermaid;
  EXPECT_EQ(Format(GraphFormat::kMermaid).find("classDef"), std::string::npos);
}

TEST_F(GraphFormatTest, DotEscapesDescriptionsInTooltips) {
  std::string dot = Format(GraphFormat::kDot);
  EXPECT_NE(dot.find("  \"schema\" [tooltip=\"Define the \\\"users\\\" table\\\\index\"];\n"),
            std::string::npos)
      << dot;
}

TEST_F(GraphFormatTest, DotAndMermaidDrawOnlyEdgesAmongSelected) {
  // release without its deps: no edges at all.
  EXPECT_EQ(FormatGraph(*graph_, {3}, GraphFormat::kDot).find("->"), std::string::npos);
  EXPECT_EQ(FormatGraph(*graph_, {3}, GraphFormat::kMermaid).find("-->"), std::string::npos);
}

TEST_F(GraphFormatTest, MermaidUsesSafeIdsAndLabels) {
  std::string mermaid = Format(GraphFormat::kMermaid);
  EXPECT_EQ(mermaid.rfind("flowchart LR\n", 0), 0u) << mermaid;
  EXPECT_NE(mermaid.find("  n1[\"api.v2<br/>Serve #60;users#62; #38; #35;tags\"]\n"),
            std::string::npos)
      << mermaid;
  EXPECT_NE(mermaid.find("  n0[\"schema<br/>Define the #quot;users#quot; table\\index\"]\n"),
            std::string::npos)
      << mermaid;
  EXPECT_NE(mermaid.find("  n2[\"web-ui\"]\n"), std::string::npos) << mermaid;
}

TEST_F(GraphFormatTest, MermaidDrawsEdgesFromDependencyToDependent) {
  std::string mermaid = Format(GraphFormat::kMermaid);
  EXPECT_NE(mermaid.find("  n0 --> n1\n"), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find("  n2 --> n3\n"), std::string::npos) << mermaid;
  EXPECT_EQ(mermaid.find("n3 -->"), std::string::npos) << mermaid;
}

TEST_F(GraphFormatTest, JsonListsNodesAndEdges) {
  std::string text = Format(GraphFormat::kJson);
  nlohmann::json doc = nlohmann::json::parse(text);
  ASSERT_EQ(doc["nodes"].size(), 5u);
  const nlohmann::json& api = doc["nodes"][1];  // topo order: schema, api.v2, web-ui, ...
  EXPECT_EQ(api["name"], "api.v2");
  EXPECT_EQ(api["description"], "Serve <users> & #tags");
  EXPECT_EQ(api["deps"], nlohmann::json::array({"schema"}));
  EXPECT_EQ(api["pool"], "agents");
  EXPECT_EQ(api["priority"], 7);
  EXPECT_EQ(api["wave"], 2);
  EXPECT_TRUE(doc["nodes"][0]["pool"].is_null());
  EXPECT_EQ(doc["nodes"][3]["deps"], nlohmann::json::array({"api.v2", "web-ui"}));
  EXPECT_EQ(doc["edges"].size(), 4u);
  EXPECT_EQ(doc["edges"][0], nlohmann::json({{"from", "schema"}, {"to", "api.v2"}}));
  EXPECT_NE(text.find("\n  \"edges\": ["), std::string::npos) << "indented by two spaces";
}

TEST_F(GraphFormatTest, JsonKeepsOnlySelectedDepsAndEdges) {
  nlohmann::json doc = nlohmann::json::parse(FormatGraph(*graph_, {2, 3}, GraphFormat::kJson));
  ASSERT_EQ(doc["nodes"].size(), 2u);
  EXPECT_EQ(doc["nodes"][0]["wave"], 1);
  EXPECT_EQ(doc["nodes"][1]["deps"], nlohmann::json::array({"web-ui"}));
  EXPECT_EQ(doc["edges"], nlohmann::json::parse(R"([{"from": "web-ui", "to": "release"}])"));
}

}  // namespace
}  // namespace orchestrate
