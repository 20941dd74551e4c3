// Rate limits as agent CLIs report them (SPEC 8): matched whatever the exit
// status, waited out until the time the output names, the whole pool paused,
// given up after settings.requeue_max of waiting.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// A stand-in agent that prints `message` and exits `status` on its first
// `limited` calls, then writes done.txt.
std::pair<std::string, std::string> LimitedAgent(const std::string& message, int status,
                                                 int limited) {
  return {"tools/limited.sh",
          "n=$(cat ../../count 2>/dev/null || echo 0); n=$((n+1)); echo $n > ../../count\n"
          "if [ $n -le " +
              std::to_string(limited) + " ]; then echo '" + message + "'; exit " +
              std::to_string(status) +
              "; fi\n"
              "echo done > done.txt\n"};
}

const char* kManifest = R"(version = 1
[agents.limited]
command = "sh tools/limited.sh"
requeue_on = ["rate limit", "hit your limit"]
[phase.p]
agent = "limited"
prompt_text = "go"
)";

TEST(RateLimitTest, LimitReportedWithExitZeroIsRequeuedNotRecorded) {
  // aider prints the error and exits 0.
  Scenario s(kManifest, {LimitedAgent("litellm.RateLimitError: rate limit reached", 0, 1)});
  ShellResult r = s.Run("run", "ORCHESTRATE_REQUEUE_BACKOFF=0.1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(CountLines(r.out, "requeued p"), 1) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:done.txt"), "done\n");
}

TEST(RateLimitTest, WaitsUntilTheTimeTheOutputNames) {
  Scenario s(kManifest, {LimitedAgent("429 rate limit; Retry-After: 1", 1, 1)});
  ShellResult r = s.Run("run", "ORCHESTRATE_REQUEUE_BACKOFF=0.1");
  ASSERT_EQ(r.status, 0) << r.out;
  // 1 s named by the output, plus a little (the first backoff, 0.1 s).
  EXPECT_TRUE(Has(r.out, "retrying in 1.1s")) << r.out;
}

TEST(RateLimitTest, GivesUpAfterRequeueMaxOfWaiting) {
  std::string manifest = std::string(kManifest);
  manifest.insert(manifest.find("[agents"), "[settings]\nrequeue_max = \"1s\"\n");
  Scenario s(manifest, {LimitedAgent("You have hit your limit", 1, 5)});
  ShellResult r = s.Run("run", "ORCHESTRATE_REQUEUE_BACKOFF=0.6");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(Has(r.out, "would pass settings.requeue_max (1s)")) << r.out;
  EXPECT_EQ(CountLines(r.out, "requeued p"), 1) << r.out;
}

TEST(RateLimitTest, ARequeuePausesTheWholePool) {
  // a and b start together (pool depth 2); a is limited for 2 s at once, so
  // c, ready all along, must not start in a's place before the wait ends.
  Scenario s(R"(version = 1
[settings]
jobs = 2
[pools.llm]
depth = 2
[agents.limited]
command = "sh tools/limited.sh"
requeue_on = ["rate limit"]
[phase.a]
agent = "limited"
prompt_text = "go"
pool = "llm"
priority = 3
[phase.b]
run = "sleep 1; echo b > b.txt"
pool = "llm"
priority = 2
[phase.c]
run = "date +%s.%N > ../../c-started; echo c > c.txt"
pool = "llm"
priority = 1
)",
             {{"tools/limited.sh",
               "if [ ! -e ../../limited ]; then date +%s.%N > ../../limited; "
               "echo 'rate limit, retry after 2s'; exit 1; fi\necho a > a.txt\n"}});
  ShellResult r = s.Run("run", "ORCHESTRATE_REQUEUE_BACKOFF=0.1");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "pool llm waits until")) << r.out;
  double limited = std::stod(ReadFile(s.repo() + "/.orchestrate/limited"));
  double c_started = std::stod(ReadFile(s.repo() + "/.orchestrate/c-started"));
  EXPECT_GE(c_started - limited, 1.9) << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
