#include "orchestrate/ci_pipeline.h"

#include <gtest/gtest.h>

#include <optional>

#include "support/manifest_builder.h"

namespace orchestrate {
namespace {

using testing::MakeManifest;

class CiPipelineTest : public ::testing::Test {
 protected:
  CiPipelineTest()
      : manifest_(MakeManifest({{"schema", {}},
                                {"api.v2", {"schema"}},
                                {"web", {"schema"}},
                                {"release", {"api.v2", "web"}},
                                {"docs", {}}})) {
    manifest_.settings.target = "integration";
  }

  CiPipeline Build(CiEngine engine, const std::vector<std::string>& targets = {}) {
    graph_.emplace(manifest_);
    std::vector<int> selected;
    std::string err;
    EXPECT_TRUE(graph_->Select(targets, &selected, &err)) << err;
    return BuildCiPipeline(*graph_, selected, targets, engine, "orchestrate.toml");
  }

  void AddPool(const std::string& name, int depth, const std::vector<int>& members) {
    manifest_.pools.push_back(Pool{name, depth, {}});
    for (int m : members) manifest_.phases[m].details.Edit().pool = name;
  }

  static const CiJob& Job(const CiPipeline& p, const std::string& phase) {
    for (const CiJob& job : p.jobs)
      if (job.phase == phase) return job;
    throw std::runtime_error("no job for " + phase);
  }

  Manifest manifest_;
  std::optional<Graph> graph_;
};

TEST_F(CiPipelineTest, OneJobPerPhaseWithExactlyTheManifestsEdges) {
  CiPipeline p = Build(CiEngine::kGitHub);
  ASSERT_EQ(p.jobs.size(), 5u);
  EXPECT_EQ(Job(p, "schema").needs, std::vector<std::string>{});
  EXPECT_EQ(Job(p, "api.v2").needs, std::vector<std::string>{"phase-schema"});
  EXPECT_EQ(Job(p, "release").needs, (std::vector<std::string>{"phase-api_v2", "phase-web"}));
  EXPECT_EQ(Job(p, "docs").needs, std::vector<std::string>{});
  EXPECT_EQ(p.target_branch, "integration");
}

TEST_F(CiPipelineTest, SelectionIsTheNamedPhasesAndTheirDependencies) {
  CiPipeline p = Build(CiEngine::kGitLab, {"api.v2"});
  ASSERT_EQ(p.jobs.size(), 2u);
  EXPECT_EQ(p.jobs[0].phase, "schema");
  EXPECT_EQ(p.jobs[1].phase, "api.v2");
  EXPECT_EQ(p.targets, std::vector<std::string>{"api.v2"});
}

TEST_F(CiPipelineTest, NeedsOnlyJobsInThePipeline) {
  graph_.emplace(manifest_);
  // As for a child pipeline of the stale phases: schema was fresh.
  CiPipeline p = BuildCiPipeline(*graph_, {1, 3}, {}, CiEngine::kGitLab, "orchestrate.toml");
  EXPECT_EQ(Job(p, "api.v2").needs, std::vector<std::string>{});
  EXPECT_EQ(Job(p, "release").needs, std::vector<std::string>{"phase-api_v2"});
}

TEST_F(CiPipelineTest, JobIdsStayUniqueWhenDotsBecomeUnderscores) {
  manifest_.phases.push_back(Phase{});
  manifest_.phases.back().name = "api_v2";
  CiPipeline p = Build(CiEngine::kGitHub);
  EXPECT_EQ(Job(p, "api.v2").id, "phase-api_v2");
  EXPECT_EQ(Job(p, "api_v2").id, "phase-api_v2-2");
}

TEST_F(CiPipelineTest, JobTimeoutCoversEveryCommandOfEveryAttempt) {
  manifest_.phases[0].run = "make";
  manifest_.phases[0].verify = {"make test"};
  manifest_.phases[0].details.Edit().timeout = std::chrono::minutes(30);
  manifest_.phases[0].retries = 1;
  manifest_.phases[1].details.Edit().timeout =
      std::chrono::seconds(90);  // a gate: one command, verify
  manifest_.phases[1].verify = {"true"};
  CiPipeline p = Build(CiEngine::kGitHub);
  EXPECT_EQ(Job(p, "schema").timeout_minutes, 30 * 2 * 2 + 10);
  EXPECT_EQ(Job(p, "api.v2").timeout_minutes, 2 + 10);
  EXPECT_EQ(Job(p, "web").timeout_minutes, 0);
}

TEST_F(CiPipelineTest, KeyEnvIsTheUnionOfTheSelectedPhases) {
  manifest_.phases[0].details.Edit().key_env = {"NODE_VERSION", "CC"};
  manifest_.phases[3].details.Edit().key_env = {"CC"};
  manifest_.phases[4].details.Edit().key_env = {"DOCS_ONLY"};
  EXPECT_EQ(Build(CiEngine::kGitHub, {"release"}).key_env,
            (std::vector<std::string>{"CC", "NODE_VERSION"}));
}

TEST_F(CiPipelineTest, PoolOfDepthOneIsOneGroup) {
  AddPool("llm", 1, {1, 2});
  CiPipeline p = Build(CiEngine::kGitHub);
  EXPECT_EQ(Job(p, "api.v2").group, "pool-llm");
  EXPECT_EQ(Job(p, "web").group, "pool-llm");
  EXPECT_EQ(Job(p, "schema").group, "");
  EXPECT_TRUE(p.unenforced_pools.empty());
}

TEST_F(CiPipelineTest, PoolDeeperThanItsMembersNeedsNoGroup) {
  AddPool("llm", 2, {1, 2});
  CiPipeline p = Build(CiEngine::kGitLab);
  EXPECT_EQ(Job(p, "api.v2").group, "");
  EXPECT_EQ(Job(p, "web").group, "");
}

TEST_F(CiPipelineTest, GitLabSpreadsAPoolOverDepthResourceGroups) {
  AddPool("llm", 2, {0, 1, 2, 4});
  CiPipeline p = Build(CiEngine::kGitLab);
  // Topo order: schema, api.v2, web, docs (release is not in the pool).
  EXPECT_EQ(Job(p, "schema").group, "pool-llm-1");
  EXPECT_EQ(Job(p, "api.v2").group, "pool-llm-2");
  EXPECT_EQ(Job(p, "web").group, "pool-llm-1");
  EXPECT_EQ(Job(p, "docs").group, "pool-llm-2");
  EXPECT_TRUE(p.unenforced_pools.empty());
}

TEST_F(CiPipelineTest, GitHubCannotLimitAPoolWhoseGroupsWouldHoldThreeJobs) {
  AddPool("llm", 1, {1, 2, 4});
  CiPipeline github = Build(CiEngine::kGitHub);
  EXPECT_EQ(Job(github, "api.v2").group, "");
  ASSERT_EQ(github.unenforced_pools.size(), 1u);
  EXPECT_EQ(github.unenforced_pools[0],
            "pool 'llm' (depth 1, 3 phases) is not limited: a GitHub concurrency group cancels a "
            "waiting job when a third one joins it");
  CiPipeline gitlab = Build(CiEngine::kGitLab);
  EXPECT_EQ(Job(gitlab, "api.v2").group, "pool-llm");
  EXPECT_TRUE(gitlab.unenforced_pools.empty());
}

TEST_F(CiPipelineTest, GitHubWorkflowHasTheJobsEdgesGroupsAndTimeouts) {
  AddPool("llm", 1, {1, 2});
  manifest_.phases[1].details.Edit().timeout = std::chrono::minutes(5);
  manifest_.phases[1].run = "make api";
  manifest_.phases[0].details.Edit().key_env = {"NODE_VERSION"};
  std::string yaml = FormatGitHubWorkflow(Build(CiEngine::kGitHub));
  EXPECT_NE(yaml.find("  phase-api_v2:\n    name: \"api.v2\"\n"
                      "    needs: [orchestrate-package, phase-schema]\n"
                      "    runs-on: ubuntu-latest\n    timeout-minutes: 15\n"
                      "    concurrency:\n"
                      "      group: \"orchestrate-${{ github.run_id }}-pool-llm\"\n"
                      "      cancel-in-progress: false\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("env:\n  NODE_VERSION: ${{ vars.NODE_VERSION }}\n"), std::string::npos);
  EXPECT_NE(yaml.find("orchestrate run api.v2 --only\n"), std::string::npos);
  EXPECT_NE(yaml.find("needs: [orchestrate-package, phase-schema, phase-api_v2, phase-web, "
                      "phase-release, phase-docs]"),
            std::string::npos);
  EXPECT_NE(yaml.find("fetch-depth: 0"), std::string::npos);
}

TEST_F(CiPipelineTest, GitHubWorkflowNeverRunsPullRequestsAndPushesOnlyFromProtectedRefs) {
  std::string yaml = FormatGitHubWorkflow(Build(CiEngine::kGitHub));
  EXPECT_EQ(yaml.find("pull_request"), std::string::npos);
  size_t pushes = 0;
  for (size_t at = yaml.find("orchestrate cache push"); at != std::string::npos;
       at = yaml.find("orchestrate cache push", at + 1)) {
    ++pushes;
    size_t step = yaml.rfind("      - name:", at);
    EXPECT_NE(yaml.substr(step, at - step).find("if: github.ref_protected"), std::string::npos);
  }
  EXPECT_EQ(pushes, 5u);
}

TEST_F(CiPipelineTest, GitLabPipelineHasTheJobsEdgesGroupsAndTimeouts) {
  AddPool("llm", 1, {1, 2});
  manifest_.phases[1].details.Edit().timeout = std::chrono::minutes(5);
  manifest_.phases[1].run = "make api";
  std::string yaml = FormatGitLabPipeline(Build(CiEngine::kGitLab), GitLabMode::kStatic);
  EXPECT_NE(yaml.find("phase-api_v2:\n  stage: phases\n  extends: .orchestrate\n  needs:\n"
                      "    - orchestrate-package\n    - job: phase-schema\n      artifacts: false\n"
                      "  resource_group: pool-llm\n  timeout: 15 minutes\n"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("orchestrate run api.v2 --only\n"), std::string::npos);
  EXPECT_NE(yaml.find("integrate:\n  stage: integrate\n"), std::string::npos);
  EXPECT_EQ(yaml.find("trigger:"), std::string::npos);
}

TEST_F(CiPipelineTest, GitLabParentGeneratesAndTriggersTheChildPipeline) {
  std::string yaml =
      FormatGitLabPipeline(Build(CiEngine::kGitLab, {"release"}), GitLabMode::kParent);
  EXPECT_NE(yaml.find("orchestrate ci emit gitlab --child release -o orchestrate-child.yml"),
            std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("  trigger:\n    include:\n      - artifact: orchestrate-child.yml\n"
                      "        job: generate\n    strategy: depend\n"),
            std::string::npos);
  EXPECT_EQ(yaml.find("phase-release:"), std::string::npos);
}

TEST_F(CiPipelineTest, GitLabChildTakesThePackageFromTheParentPipeline) {
  std::string yaml = FormatGitLabPipeline(Build(CiEngine::kGitLab), GitLabMode::kChild);
  EXPECT_EQ(yaml.find("orchestrate-package:\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("    - pipeline: $PARENT_PIPELINE_ID\n      job: orchestrate-package\n"),
            std::string::npos);
  // needs: would let integrate start at once: it names every phase job.
  size_t integrate = yaml.find("integrate:\n");
  ASSERT_NE(integrate, std::string::npos);
  for (const char* id : {"phase-schema", "phase-release", "phase-docs"})
    EXPECT_NE(yaml.find(std::string("    - job: ") + id + "\n", integrate), std::string::npos)
        << id;
}

TEST_F(CiPipelineTest, ManifestElsewhereIsNamedWithDashF) {
  graph_.emplace(manifest_);
  std::vector<int> all = graph_->topo_order();
  std::string yaml = FormatGitLabPipeline(
      BuildCiPipeline(*graph_, all, {}, CiEngine::kGitLab, "ci/orchestrate.toml"),
      GitLabMode::kStatic);
  EXPECT_NE(yaml.find("orchestrate run -f 'ci/orchestrate.toml' schema --only"), std::string::npos);
}

TEST(YamlQuoteTest, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(YamlQuote("1e3"), "\"1e3\"");
  EXPECT_EQ(YamlQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

}  // namespace
}  // namespace orchestrate
