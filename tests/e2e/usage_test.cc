// The demo's stand-in agent reports usage the way orchestrate reads it
// (ORCHESTRATE_USAGE_FILE), so the demo needs no network to show usage.
#include "orchestrate/usage.h"

#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const std::string kStandIn =
    std::string(ORCHESTRATE_SOURCE_DIR) + "/examples/demo/stand-in-agent.sh";

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

// Gives the record of `phase` in `repo` a usage with `cost` dollars, the way
// a run that read the phase's usage would have stored it.
void RecordCost(const std::string& repo, const std::string& phase, const std::string& cost) {
  MustShell("ref=$(git for-each-ref --format='%(refname)' refs/orchestrate/cache/" + phase +
                "/) && git show $ref:record.json | sed '1a\\  \"usage\": {\"cost_usd\": " + cost +
                "},' > ../record.json && blob=$(git hash-object -w ../record.json) && "
                "tree=$( (git ls-tree $ref | grep -v 'record.json$'; "
                "printf '100644 blob %s\\trecord.json\\n' $blob) | git mktree) && "
                "git update-ref $ref $(git commit-tree $tree -p $ref^ -m record)",
            repo);
}

std::string PlanManifest(const std::string& version) {
  return "version = 1\n"
         "[phase.schema]\nrun = \"echo " +
         version +
         " > schema.txt\"\n"
         "[phase.api]\nrun = \"echo " +
         version +
         " > api.txt\"\n"
         "[phase.docs]\nrun = \"echo " +
         version + " > docs.txt\"\n";
}

TEST(PlanCostTest, PlanSaysWhatThePhasesToRunCostLastTime) {
  Scenario s(PlanManifest("v1"));
  ASSERT_EQ(s.Run("run").status, 0);
  RecordCost(s.repo(), "schema", "2.5");
  RecordCost(s.repo(), "api", "1.6");
  s.SetManifest(PlanManifest("v2"));  // every phase is stale now
  ShellResult r = s.Run("plan");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("plan: 3 to run, about $4.10 by their last runs (1 with no recorded "
                       "cost), 0 fresh (base "),
            std::string::npos)
      << r.out;
  ShellResult j = s.Run("plan --json");
  ASSERT_EQ(j.status, 0) << j.out;
  EXPECT_NE(j.out.find("\"estimate\": {\n    \"cost_usd\": 4.1,\n    \"phases_with_cost\": 2,\n"
                       "    \"phases_without_cost\": 1\n  }"),
            std::string::npos)
      << j.out;
}

TEST(PlanCostTest, NoRecordedCostAddsNothingToTheText) {
  Scenario s(PlanManifest("v1"));
  ShellResult r = s.Run("plan");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("plan: 3 to run, 0 fresh (base "), std::string::npos) << r.out;
  EXPECT_NE(s.Run("plan --json").out.find("\"cost_usd\": null"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate::testing
