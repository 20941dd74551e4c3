// One phase run by a worker (ExecutePhase) with a fake command runner: a
// real repository and worktree, no processes. Retries with feedback and
// rate-limit detection, which the Builder tests see only as outcomes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "git_fixture.h"
#include "orchestrate/phase_execution.h"

namespace orchestrate::testing {
namespace {

namespace fs = std::filesystem;

/// The value of `key` in a "KEY=VALUE" environment; empty when absent.
std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& entry : env)
    if (entry.rfind(key + "=", 0) == 0) return entry.substr(key.size() + 1);
  return "";
}

class BuilderPhaseTest : public GitRepoTest {
 protected:
  /// A command's turn: what it does in the worktree (spec.cwd), the output
  /// it appends to the log, and its exit status.
  struct Turn {
    std::function<void(const ProcessSpec&)> act;
    std::string output;
    int exit_code = 0;
  };

  PhaseOutcome Execute() {
    phase_.name = "a";
    phase_.run = "make";
    PhaseJob job;
    job.phase = &phase_;
    job.settings = &settings_;
    job.repo_root = root();
    job.worktree_name = "w0";
    job.worktree_dir = tmp_.path() + "/worktrees";
    job.branch = "refs/heads/orchestrate/phase/a";
    job.input = initial_;
    job.base = initial_;
    job.log_path = tmp_.path() + "/a.log";
    job.phase_dir = tmp_.path() + "/run/w0";
    job.env = {"PATH=/usr/bin:/bin"};
    job.run_command = [this](const ProcessSpec& spec, const std::atomic<bool>*,
                             const ProcessHooks&) {
      specs_.push_back(spec);
      Turn turn = turns_.at(specs_.size() - 1);
      if (turn.act) turn.act(spec);
      ProcessResult r;
      r.exit_code = turn.exit_code;
      r.log_begin = static_cast<int64_t>(fs::file_size(spec.log_path));
      std::ofstream(spec.log_path, std::ios::app) << turn.output;
      r.log_end = static_cast<int64_t>(fs::file_size(spec.log_path));
      return r;
    };
    std::atomic<bool> cancel{false};
    return ExecutePhase(job, cancel, [](const Event&) {});
  }

  Phase phase_;
  Settings settings_;
  std::vector<Turn> turns_;
  std::vector<ProcessSpec> specs_;
};

TEST_F(BuilderPhaseTest, ARetryGetsFeedbackAndBuildsOnTheFailedAttempt) {
  phase_.retries = 1;
  std::string feedback;
  turns_.push_back({[](const ProcessSpec& s) { WriteFile(s.cwd, "x.txt", "first\n"); },
                    "error: test_api failed\n", 2});
  turns_.push_back({[&feedback](const ProcessSpec& s) {
                      feedback = ReadFile(EnvValue(s.env, "ORCHESTRATE_FEEDBACK_FILE"));
                      WriteFile(s.cwd, "x.txt", ReadFile(s.cwd + "/x.txt") + "second\n");
                    },
                    "ok\n", 0});
  PhaseOutcome out = Execute();
  ASSERT_EQ(out.state, PhaseState::kSucceeded) << out.failure;
  EXPECT_EQ(out.attempts, 2);
  ASSERT_EQ(specs_.size(), 2u);
  EXPECT_EQ(EnvValue(specs_[0].env, "ORCHESTRATE_FEEDBACK_FILE"), "");
  EXPECT_EQ(EnvValue(specs_[0].env, "ORCHESTRATE_ATTEMPT"), "1");
  EXPECT_EQ(EnvValue(specs_[1].env, "ORCHESTRATE_ATTEMPT"), "2");
  EXPECT_NE(feedback.find("# Attempt 1 of phase a failed"), std::string::npos) << feedback;
  EXPECT_NE(feedback.find("Failed run command: `make`"), std::string::npos) << feedback;
  EXPECT_NE(feedback.find("Result: exit status 2"), std::string::npos) << feedback;
  EXPECT_NE(feedback.find("error: test_api failed"), std::string::npos) << feedback;
  EXPECT_EQ(Git("show " + out.result.hex() + ":x.txt"), "first\nsecond");
  ASSERT_EQ(out.commands.size(), 2u);
  EXPECT_EQ(out.commands[0].exit_code, 2);
}

TEST_F(BuilderPhaseTest, WithoutRetriesAFailureEndsThePhaseWithItsLogTail) {
  turns_.push_back({nullptr, "error: test_api failed\n", 2});
  PhaseOutcome out = Execute();
  EXPECT_EQ(out.state, PhaseState::kFailed);
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(out.failure, "run `make` exit status 2");
  EXPECT_EQ(out.log_tail, "error: test_api failed\n");
}

TEST_F(BuilderPhaseTest, OutputMatchingRequeueOnAsksForARequeueWithoutCountingTheAttempt) {
  phase_.details.Edit().requeue_on = {"rate limit"};
  phase_.retries = 3;
  turns_.push_back({nullptr, "Error: Rate limit exceeded, retry after 30s\n", 1});
  PhaseOutcome out = Execute();
  EXPECT_TRUE(out.requeue);
  EXPECT_EQ(out.requeue_pattern, "rate limit");
  EXPECT_EQ(out.attempts, 0);
  EXPECT_EQ(specs_.size(), 1u);  // no retry: it waits instead
}

// Two running phases save the same commit of a phase at once: its own
// start, and another phase taking its old worktree. Both once named the
// same ref within one second, and the second write found the first's lock
// and stopped the run (found by FaultTest).
TEST_F(BuilderPhaseTest, TwoPhasesSavingTheSameAttemptAtOnceSaveItOnce) {
  std::vector<ObjectId> commits;
  for (int i = 0; i < 20; ++i)
    commits.push_back(CommitOnBranch("work", "main", {{"n.txt", std::to_string(i) + "\n"}}));
  Git("checkout -q main");
  for (const ObjectId& commit : commits) {
    std::string saved[2];
    std::string error[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
      threads.emplace_back([&, t] {
        try {
          std::unique_ptr<Repo> repo = Repo::Open(root());
          saved[t] = SaveAttempt(*repo, "p", commit);
        } catch (const std::exception& e) {
          error[t] = e.what();
        }
      });
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(error[0] + error[1], "");
    EXPECT_EQ(saved[0].empty() + saved[1].empty(), 1) << saved[0] << " / " << saved[1];
  }
}

}  // namespace
}  // namespace orchestrate::testing
