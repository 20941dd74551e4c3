// Agent phases: templates, prompts, models, setup, retries with feedback,
// requeue on rate limits, handoffs, markdown status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// A stand-in agent: records its arguments and prompt, then does what the
// prompt's first line says.
const char* kAgentScript = R"SH(#!/bin/sh
echo "args: $*" >> "$ORCHESTRATE_PHASE.args"
cp "$ORCHESTRATE_PROMPT_FILE" "$ORCHESTRATE_PHASE.prompt"
sh -c "$(head -n 1 "$ORCHESTRATE_PROMPT_FILE")"
)SH";

TEST(AgentTest, TemplatePlaceholdersModelOverrideAndPrompts) {
  Scenario s(R"(version = 1
[agents.fake]
command = "sh tools/agent.sh --model {model} --phase {phase} --temp {temperature} --branch {branch} < /dev/null"
model = "cheap"
temperature = "0.2"
[phase.easy]
agent = "fake"
prompt = "prompts/easy.md"
[phase.hard]
agent = "fake"
model = "strong"
prompt_text = "echo hard > hard.txt"
)",
             {{"tools/agent.sh", kAgentScript},
              {"prompts/easy.md", "echo easy > easy.txt\nmore words\n"}});
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/phase/easy:easy.args"),
            "args: --model cheap --phase easy --temp 0.2 --branch orchestrate/phase/easy\n");
  EXPECT_EQ(s.Show("orchestrate/phase/hard:hard.args"),
            "args: --model strong --phase hard --temp 0.2 --branch orchestrate/phase/hard\n");
  EXPECT_EQ(s.Show("orchestrate/phase/easy:easy.prompt"), "echo easy > easy.txt\nmore words\n");
  EXPECT_EQ(s.Show("orchestrate/integration:hard.txt"), "hard\n");
  // The prompt is materialized outside the worktree: never committed there.
  EXPECT_EQ(
      Shell("git ls-tree -r --name-only orchestrate/integration | grep -c prompt.md", s.repo()).out,
      "0\n");
}

TEST(AgentTest, UndefinedPlaceholderIsAnErrorWithPosition) {
  Scenario s(
      "version = 1\n[agents.a]\ncommand = \"run {modle}\"\nmodel = \"x\"\n[phase.p]\nagent = "
      "\"a\"\nprompt_text = \"hi\"\n");
  ShellResult r = s.Run("validate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("orchestrate.toml:3:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{modle}"), std::string::npos) << r.out;
}

TEST(AgentTest, MissingPromptFileIsAnError) {
  Scenario s(
      "version = 1\n[agents.a]\ncommand = \"cat {prompt_file}\"\n[phase.p]\nagent = \"a\"\nprompt "
      "= \"prompts/nope.md\"\n");
  ShellResult r = s.Run("plan");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("orchestrate.toml:6:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prompts/nope.md"), std::string::npos) << r.out;
}

TEST(AgentTest, AgentWithoutPromptIsAnError) {
  Scenario s(
      "version = 1\n[agents.a]\ncommand = \"cat {prompt_file}\"\n[phase.p]\nagent = \"a\"\n");
  ShellResult r = s.Run("validate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.out.find(
          "orchestrate.toml:5:1: phase 'p' uses agent 'a' but has no 'prompt' or 'prompt_text'"),
      std::string::npos)
      << r.out;
}

TEST(AgentTest, RetryGetsFeedbackAndSucceeds) {
  Scenario s(R"(version = 1
[phase.fixme]
run = "if [ -n \"$ORCHESTRATE_FEEDBACK_FILE\" ]; then cp \"$ORCHESTRATE_FEEDBACK_FILE\" feedback.txt; echo fixed > value.txt; else echo broken > value.txt; fi; echo attempt=$ORCHESTRATE_ATTEMPT >> attempts.txt"
verify = ["grep -q fixed value.txt || { echo 'value is not fixed'; exit 5; }"]
retries = 2
)");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  std::string feedback = s.Show("orchestrate/phase/fixme:feedback.txt");
  EXPECT_NE(feedback.find("grep -q fixed value.txt"), std::string::npos) << feedback;
  EXPECT_NE(feedback.find("exit status 5"), std::string::npos) << feedback;
  EXPECT_NE(feedback.find("value is not fixed"), std::string::npos) << feedback;
  EXPECT_EQ(s.Show("orchestrate/phase/fixme:attempts.txt"), "attempt=1\nattempt=2\n");
  auto status = s.Status();
  EXPECT_EQ(status["phases"][0]["attempts"], 2);
}

TEST(AgentTest, RetriesExhaustedFails) {
  Scenario s("version = 1\n[phase.p]\nrun = \"echo try >> tries.txt; exit 1\"\nretries = 1\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1);
  auto status = s.Status();
  EXPECT_EQ(status["phases"][0]["attempts"], 2);
}

TEST(AgentTest, RequeueOnRateLimitDoesNotConsumeRetries) {
  Scenario s(R"(version = 1
[agents.limited]
command = "sh tools/limited.sh"
requeue_on = ["rate limit"]
[phase.p]
agent = "limited"
prompt_text = "go"
retries = 0
)",
             {{"tools/limited.sh",
               "n=$(cat ../../count 2>/dev/null || echo 0); n=$((n+1)); echo $n > ../../count\n"
               "if [ $n -le 2 ]; then echo 'Error: Rate Limit exceeded (HTTP 429)'; exit 1; fi\n"
               "echo attempt=$ORCHESTRATE_ATTEMPT > done.txt\n"}});
  ShellResult r = s.Run("run", "ORCHESTRATE_REQUEUE_BACKOFF=0.1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(ReadFile(s.repo() + "/.orchestrate/count"), "3\n");
  EXPECT_EQ(s.Show("orchestrate/phase/p:done.txt"), "attempt=1\n");
  EXPECT_EQ(CountLines(r.out, "requeued"), 2) << r.out;
}

TEST(AgentTest, HandoffsReachDependentsAndAreNotCommitted) {
  Scenario s(R"(version = 1
[phase.first]
run = "echo one > one.txt; printf '# Added one.txt\nDetails here\n' > \"$ORCHESTRATE_HANDOFF_FILE\""
[phase.second]
deps = ["first"]
run = "cat \"$ORCHESTRATE_DEPS_DIR/first.md\" > got.md"
)");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/phase/second:got.md"), "# Added one.txt\nDetails here\n");
  EXPECT_EQ(Shell("git ls-tree -r --name-only orchestrate/integration", s.repo()).out,
            "got.md\none.txt\norchestrate.toml\n");
  ShellResult status = s.Run("status");
  EXPECT_NE(status.out.find("handoff: # Added one.txt"), std::string::npos) << status.out;
  // A fresh dependency still hands off its recorded summary.
  ShellResult again = s.Run("run --force second");
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(s.Show("orchestrate/phase/second:got.md"), "# Added one.txt\nDetails here\n");
}

TEST(AgentTest, SetupCopyAndLink) {
  Scenario s(R"(version = 1
[settings]
worktree_copy = [".env"]
worktree_link = ["deps"]
[phase.p]
setup = ["echo installed > installed.marker"]
run = "cat .env > seen-env.txt; cat deps/lib.txt > seen-lib.txt; cat installed.marker > seen-setup.txt"
)",
             {{".gitignore", "*.marker\n"}});
  WriteFile(s.repo(), ".env", "SECRET=1\n");
  WriteFile(s.repo(), "deps/lib.txt", "library\n");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(s.Show("orchestrate/phase/p:seen-env.txt"), "SECRET=1\n");
  EXPECT_EQ(s.Show("orchestrate/phase/p:seen-lib.txt"), "library\n");
  EXPECT_EQ(s.Show("orchestrate/phase/p:seen-setup.txt"), "installed\n");
  std::string tree = Shell("git ls-tree -r --name-only orchestrate/phase/p", s.repo()).out;
  EXPECT_EQ(tree.find(".env"), std::string::npos) << tree;
  EXPECT_EQ(tree.find("deps"), std::string::npos) << tree;
  EXPECT_EQ(tree.find("installed.marker"), std::string::npos) << tree;
}

TEST(AgentTest, ReusedWorktreeKeepsIgnoredFiles) {
  Scenario s(R"(version = 1
[phase.a]
setup = ["test -f cache.marker && echo reused >> ../../setup.log || { echo fresh >> ../../setup.log; touch cache.marker; }"]
run = "date +%s%N > a.txt"
)",
             {{".gitignore", "*.marker\n"}});
  ASSERT_EQ(s.Run("run").status, 0);
  ASSERT_EQ(s.Run("run --force a").status, 0);
  EXPECT_EQ(ReadFile(s.repo() + "/.orchestrate/setup.log"), "fresh\nreused\n");
}

TEST(AgentTest, MarkdownStatusIsAPlanDocument) {
  Scenario s(R"(version = 1
[phase.done]
description = "Finished work"
run = "echo '# Did the thing' > \"$ORCHESTRATE_HANDOFF_FILE\""
[phase.broken]
run = "exit 1"
[phase.waiting]
deps = ["broken"]
run = "true"
)");
  s.Run("run");
  ShellResult r = s.Run("status --format markdown");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("## Completed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("## In progress"), std::string::npos);
  EXPECT_NE(r.out.find("## Pending"), std::string::npos);
  EXPECT_NE(r.out.find("## Failed"), std::string::npos);
  EXPECT_NE(r.out.find("**done** — Finished work"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("handoff: # Did the thing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("`orchestrate/phase/done`"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
