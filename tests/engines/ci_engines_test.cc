// Generated pipelines on real CI engines: the GitHub workflow checked by
// action-validator, the GitLab pipeline run by gitlab-ci-local (shell
// executor, one copy of the repository per job) against a local bare remote.
// The tools come from npm (scripts/deps.sh); without them the tests skip.
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// The tool's path: on PATH, else where scripts/deps.sh installs it.
std::string FindTool(const std::string& name) {
  ShellResult on_path = Shell("command -v " + name);
  if (on_path.status == 0) return on_path.out.substr(0, on_path.out.find('\n'));
  std::string installed =
      std::string(ORCHESTRATE_SOURCE_DIR) + "/build/test-tools/node_modules/.bin/" + name;
  return FileExists(installed) ? installed : "";
}

std::string OrchestrateDir() {
  std::string binary = ORCHESTRATE_BINARY;
  return binary.substr(0, binary.rfind('/'));
}

class GitHubWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    validator_ = FindTool("action-validator");
    if (validator_.empty())
      GTEST_SKIP()
          << "action-validator is not installed (npm @action-validator/cli; scripts/deps.sh)";
  }
  ShellResult Validate(const std::string& file) {
    return Shell(ShellQuote(validator_) + " " + ShellQuote(file) + " 2>&1");
  }
  std::string validator_;
};

TEST_F(GitHubWorkflowTest, EmittedWorkflowIsValid) {
  Scenario s(
      "version = 1\n[pools.llm]\ndepth = 1\n"
      "[phase.schema]\nrun = \"true\"\ntimeout = \"20m\"\nkey_env = [\"NODE_VERSION\"]\n"
      "[phase.\"api.v2\"]\ndeps = [\"schema\"]\nrun = \"true\"\npool = \"llm\"\n"
      "[phase.web]\ndeps = [\"schema\"]\nrun = \"true\"\npool = \"llm\"\n"
      "[phase.release]\ndeps = [\"api.v2\", \"web\"]\nverify = [\"true\"]\n");
  ShellResult emit = s.Run("ci emit github -o orchestrate.yml");
  ASSERT_EQ(emit.status, 0) << emit.out;
  ShellResult r = Validate(s.repo() + "/orchestrate.yml");
  EXPECT_EQ(r.status, 0) << r.out << ReadFile(s.repo() + "/orchestrate.yml");
}

TEST_F(GitHubWorkflowTest, ValidatorRejectsABrokenWorkflow) {
  TempDir dir;
  WriteFile(dir.path(), "broken.yml", "name: x\non: push\njobs:\n  a:\n    runs-on: 3\n");
  EXPECT_NE(Validate(dir.path() + "/broken.yml").status, 0);
}

TEST_F(GitHubWorkflowTest, ExampleWorkflowIsValid) {
  std::string example = std::string(ORCHESTRATE_SOURCE_DIR) + "/examples/ci/github-actions.yml";
  ShellResult r = Validate(example);
  EXPECT_EQ(r.status, 0) << r.out;
}

// A repository whose phases log what they run into ../ran.log (outside every
// copy gitlab-ci-local makes), its bare remote, and the emitted pipeline.
class GitLabPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runner_ = FindTool("gitlab-ci-local");
    if (runner_.empty())
      GTEST_SKIP()
          << "gitlab-ci-local is not installed (npm gitlab-ci-local@4.65.1; scripts/deps.sh)";
    if (Shell("command -v rsync").status != 0) GTEST_SKIP() << "rsync is not installed";
    std::string log = dir_.path() + "/ran.log", flag = dir_.path() + "/fail-b";
    auto phase = [&](const std::string& name, const std::string& deps, const std::string& pool) {
      std::string fail = name == "b" ? "if [ -e " + flag + " ]; then exit 1; fi; " : "";
      return "[phase." + name + "]\ndeps = [" + deps + "]\n" + pool + "run = \"" + fail + "echo " +
             name + " >> " + log + "; echo " + name + " > " + name + ".txt\"\n";
    };
    std::string manifest =
        "version = 1\n[settings]\ntarget = \"integration\"\n"
        "[pools.llm]\ndepth = 1\n" +
        phase("a", "", "") + phase("b", "\"a\"", "pool = \"llm\"\n") +
        phase("c", "\"a\"", "pool = \"llm\"\n") + phase("d", "\"b\", \"c\"", "");
    repo_ = dir_.path() + "/repo";
    InitRepo(repo_, {{"orchestrate.toml", manifest}, {".gitignore", ".gitlab-ci-local/\n"}});
    ShellResult emit = Orchestrate("ci emit gitlab -o .gitlab-ci.yml", repo_);
    ASSERT_EQ(emit.status, 0) << emit.out;
    CommitAll(repo_, "pipeline");
    remote_ = dir_.path() + "/remote.git";
    MustShell("git init -q --bare " + ShellQuote(remote_) + " && git push -q " +
                  ShellQuote(remote_) + " main",
              repo_);
  }

  // One pipeline on fresh runners (no job copy left from a previous one).
  ShellResult Pipeline() {
    MustShell("rm -rf .gitlab-ci-local", repo_);
    std::string remote = ShellQuote(remote_);
    return Shell("PATH=" + ShellQuote(OrchestrateDir()) + ":$PATH timeout 500 " +
                     ShellQuote(runner_) + " --shell-isolation --variable ORCHESTRATE_REMOTE=" +
                     remote + " --variable ORCHESTRATE_PUSH_REMOTE=" + remote + " 2>&1",
                 repo_);
  }

  std::string Ran() {
    std::string path = dir_.path() + "/ran.log";
    std::string ran = ReadFile(path);
    std::remove(path.c_str());
    return ran;
  }

  int RemoteRecords() {
    return std::stoi(Shell("git for-each-ref refs/orchestrate/cache | wc -l", remote_).out);
  }

  TempDir dir_;
  std::string runner_, repo_, remote_;
};

TEST_F(GitLabPipelineTest, RunsEveryPhaseInDependencyOrderAndFillsTheRemote) {
  ShellResult r = Pipeline();
  ASSERT_EQ(r.status, 0) << r.out;
  std::string ran = Ran();
  ASSERT_EQ(ran.size(), 8u) << ran;
  EXPECT_EQ(ran.substr(0, 2), "a\n") << ran;
  EXPECT_EQ(ran.substr(6, 2), "d\n") << ran;
  EXPECT_EQ(RemoteRecords(), 4);
  EXPECT_EQ(Shell("git show integration:d.txt integration:b.txt", remote_).out, "d\nb\n");
  // Each job ran its phase alone, on its dependencies' pulled records.
  EXPECT_NE(r.out.find("orchestrate run d --only"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pulled 3 new cache records"), std::string::npos) << r.out;
  // The package and the reports are no uncommitted change of the checkout.
  EXPECT_EQ(r.out.find("uncommitted changes"), std::string::npos) << r.out;
}

TEST_F(GitLabPipelineTest, ReRunAfterAFailureRedoesOnlyTheFailedPhaseAndItsDependents) {
  WriteFile(dir_.path(), "fail-b", "");
  ShellResult failed = Pipeline();
  ASSERT_NE(failed.status, 0) << failed.out;
  std::string ran = Ran();
  EXPECT_TRUE(ran == "a\nc\n") << ran;  // b failed, d never started
  EXPECT_EQ(RemoteRecords(), 2);
  EXPECT_EQ(Shell("git rev-parse -q --verify integration", remote_).status, 1);

  std::remove((dir_.path() + "/fail-b").c_str());  // the fix
  ShellResult fixed = Pipeline();
  ASSERT_EQ(fixed.status, 0) << fixed.out;
  EXPECT_EQ(Ran(), "b\nd\n");
  EXPECT_EQ(RemoteRecords(), 4);
  EXPECT_EQ(Shell("git show integration:a.txt integration:d.txt", remote_).out, "a\nd\n");
}

TEST_F(GitLabPipelineTest, DynamicParentAndChildPipelinesPassGitLabsSchema) {
  ASSERT_EQ(Orchestrate("ci emit gitlab --dynamic -o parent.yml", repo_).status, 0);
  ASSERT_EQ(Orchestrate("ci emit gitlab --child -o child.yml", repo_).status, 0);
  CommitAll(repo_, "parent and child");
  ShellResult parent = Shell(ShellQuote(runner_) + " --file parent.yml --list 2>&1", repo_);
  ASSERT_EQ(parent.status, 0) << parent.out;
  EXPECT_NE(parent.out.find("[orchestrate-package]"), std::string::npos) << parent.out;
  EXPECT_NE(parent.out.find("[generate]"), std::string::npos) << parent.out;
  ShellResult child = Shell(ShellQuote(runner_) + " --file child.yml --list 2>&1", repo_);
  ASSERT_EQ(child.status, 0) << child.out;
  EXPECT_NE(child.out.find("[phase-b,phase-c]"), std::string::npos) << child.out;
}

}  // namespace
}  // namespace orchestrate::testing
