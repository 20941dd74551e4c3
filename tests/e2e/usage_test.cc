// The demo's stand-in agent reports usage the way orchestrate reads it
// (ORCHESTRATE_USAGE_FILE), so the demo needs no network to show usage.
#include <gtest/gtest.h>

#include "orchestrate/usage.h"
#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const std::string kStandIn = std::string(ORCHESTRATE_SOURCE_DIR) + "/examples/demo/stand-in-agent.sh";

std::string RunStandIn(const TempDir& dir, const std::string& model) {
  WriteFile(dir.path(), "p.md", "# Task\nAPPEND a.txt: hello\nAPPEND b.txt: hi\n");
  return MustShell("ORCHESTRATE_USAGE_FILE=usage.json DEMO_AGENT_DELAY=0 sh " +
                       ShellQuote(kStandIn) + " --model " + model + " --prompt p.md",
                   dir.path());
}

TEST(StandInUsageTest, WritesAUsageFileOrchestrateReads) {
  TempDir dir;
  std::string out = RunStandIn(dir, "small");
  EXPECT_NE(out.find("-> usage: "), std::string::npos) << out;
  std::string warning;
  Usage usage = ReadUsageFile(dir.path() + "/usage.json", &warning);
  EXPECT_EQ(warning, "");
  EXPECT_GT(usage.input_tokens.value_or(0), 0);
  EXPECT_EQ(usage.output_tokens, 2 * 40 + 60);  // two changes
  ASSERT_TRUE(usage.cost_usd);
  EXPECT_GT(*usage.cost_usd, 0);
  EXPECT_EQ(usage.model, "stand-in-small");
}

TEST(StandInUsageTest, TheLargeModelCostsMore) {
  TempDir small_dir, large_dir;
  RunStandIn(small_dir, "small");
  RunStandIn(large_dir, "large");
  std::string warning;
  double small = *ReadUsageFile(small_dir.path() + "/usage.json", &warning).cost_usd;
  double large = *ReadUsageFile(large_dir.path() + "/usage.json", &warning).cost_usd;
  EXPECT_NEAR(large, 5 * small, 1e-6);
}

TEST(StandInUsageTest, WithoutTheVariableItWritesNothing) {
  TempDir dir;
  WriteFile(dir.path(), "p.md", "# Task\nAPPEND a.txt: hello\n");
  MustShell("DEMO_AGENT_DELAY=0 sh " + ShellQuote(kStandIn) + " --prompt p.md", dir.path());
  EXPECT_FALSE(FileExists(dir.path() + "/usage.json"));
}

}  // namespace
}  // namespace orchestrate::testing
