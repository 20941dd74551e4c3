#include <gtest/gtest.h>

#include <map>
#include <string>

#include "orchestrate/runner.h"

namespace orchestrate {
namespace {

std::function<const char*(const char*)> EnvOf(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(RunOptionsTest, EnvironmentKnobsSetBackoffAndKillGrace) {
  RunOptions o;
  ApplyEnvironmentKnobs(
      &o, EnvOf({{"ORCHESTRATE_REQUEUE_BACKOFF", "0.1"}, {"ORCHESTRATE_KILL_GRACE", "1"}}));
  EXPECT_EQ(o.requeue_backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(o.kill_grace, std::chrono::seconds(1));
}

TEST(RunOptionsTest, MissingOrInvalidKnobsKeepTheDefaults) {
  RunOptions o;
  ApplyEnvironmentKnobs(
      &o, EnvOf({{"ORCHESTRATE_REQUEUE_BACKOFF", "soon"}, {"ORCHESTRATE_KILL_GRACE", "-1"}}));
  EXPECT_EQ(o.requeue_backoff, std::chrono::seconds(10));
  EXPECT_EQ(o.kill_grace, std::chrono::seconds(5));
  ApplyEnvironmentKnobs(&o, EnvOf({{"ORCHESTRATE_KILL_GRACE", ""}}));
  EXPECT_EQ(o.kill_grace, std::chrono::seconds(5));
}

}  // namespace
}  // namespace orchestrate
