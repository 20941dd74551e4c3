// `ci emit`: the command around the pipeline model (tests/unit/ci_pipeline_test.cc
// checks the pipelines; tests/engines/ runs them).
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const std::string kManifest =
    "version = 1\n[phase.schema]\nrun = \"echo s > s.txt\"\n"
    "[phase.api]\ndeps = [\"schema\"]\nrun = \"echo a > a.txt\"\n"
    "[phase.docs]\nrun = \"echo d > d.txt\"\n";

TEST(CiEmitTest, GitHubWorkflowGoesToStdoutOrToAFile) {
  Scenario s(kManifest);
  ShellResult r = s.Run("ci emit github");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("  phase-api:\n    name: \"api\"\n    needs: [orchestrate-package, "
                       "phase-schema]\n"),
            std::string::npos)
      << r.out;
  ShellResult file = s.Run("ci emit github -o workflow.yml");
  ASSERT_EQ(file.status, 0) << file.out;
  EXPECT_EQ(file.out, "");
  EXPECT_EQ(ReadFile(s.repo() + "/workflow.yml"), r.out);
}

TEST(CiEmitTest, NamedPhasesSelectThemAndTheirDependencies) {
  Scenario s(kManifest);
  ShellResult r = s.Run("ci emit gitlab api");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("phase-schema:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("phase-api:\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("phase-docs:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("orchestrate run api --junit"), std::string::npos) << r.out;
}

TEST(CiEmitTest, UnknownPhaseIsAUsageError) {
  Scenario s(kManifest);
  ShellResult r = s.Run("ci emit github apj");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("unknown phase 'apj' (did you mean 'api'?)"), std::string::npos) << r.out;
}

TEST(CiEmitTest, UnknownEngineIsAUsageError) {
  Scenario s(kManifest);
  ShellResult r = s.Run("ci emit jenkins");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("jenkins"), std::string::npos) << r.out;
  EXPECT_EQ(s.Run("ci").status, 2);
}

TEST(CiEmitTest, DynamicModesAreForGitLabOnly) {
  Scenario s(kManifest);
  ShellResult r = s.Run("ci emit github --dynamic");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--dynamic and --child are for gitlab: GitHub Actions has no child "
                       "pipelines"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(s.Run("ci emit gitlab --dynamic --child").status, 2);
}

TEST(CiEmitTest, UnwritableOutputIsAUsageError) {
  Scenario s(kManifest);
  ShellResult r = s.Run("ci emit github -o no/such/dir/workflow.yml");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("cannot write no/such/dir/workflow.yml: No such file or directory"),
            std::string::npos)
      << r.out;
}

TEST(CiEmitTest, ChildPipelineHasJobsOnlyForPhasesThatAreNotFresh) {
  Scenario s(kManifest);
  ASSERT_EQ(s.Run("run").status, 0);
  std::string m = kManifest;
  m.replace(m.find("echo a > a.txt"), 14, "echo A > a.txt");
  s.SetManifest(m);
  ShellResult r = s.Run("ci emit gitlab --child");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("phase-api:\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("phase-schema:\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("phase-docs:\n"), std::string::npos) << r.out;
  // api's dependency is fresh, so it waits only for the package.
  EXPECT_NE(r.out.find("  needs:\n    - pipeline: $PARENT_PIPELINE_ID\n      job: "
                       "orchestrate-package\n  script:\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("integrate:\n"), std::string::npos) << r.out;
}

TEST(CiEmitTest, PoolGitHubCannotLimitIsAWarning) {
  Scenario s(
      "version = 1\n[pools.llm]\ndepth = 1\n"
      "[phase.a]\nrun = \"true\"\npool = \"llm\"\n[phase.b]\nrun = \"true\"\npool = \"llm\"\n"
      "[phase.c]\nrun = \"true\"\npool = \"llm\"\n");
  ShellResult r = s.Run("ci emit github -o w.yml");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out,
            "orchestrate: warning: pool 'llm' (depth 1, 3 phases) is not limited: a GitHub "
            "concurrency group cancels a waiting job when a third one joins it\n");
  EXPECT_NE(ReadFile(s.repo() + "/w.yml").find("# Note: pool 'llm'"), std::string::npos);
  ShellResult gitlab = s.Run("ci emit gitlab -o g.yml");
  EXPECT_EQ(gitlab.out, "");
}

TEST(CiEmitTest, ManifestOutsideTheRootIsPassedWithDashF) {
  Scenario s(kManifest);
  MustShell("mkdir ci && git mv orchestrate.toml ci/ && git commit -qm move", s.repo());
  ShellResult r = s.Run("ci emit gitlab -f ci/orchestrate.toml");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("orchestrate run -f 'ci/orchestrate.toml' api --only"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
