#include "orchestrate/color.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace orchestrate {
namespace {

// An environment of exactly these variables.
GetEnv Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(UseColorTest, AutoFollowsTheTerminal) {
  EXPECT_TRUE(UseColor("auto", true, Env({{"TERM", "xterm"}})));
  EXPECT_FALSE(UseColor("auto", false, Env({{"TERM", "xterm"}})));
}

TEST(UseColorTest, DumbTerminalGetsNoColor) {
  EXPECT_FALSE(UseColor("auto", true, Env({{"TERM", "dumb"}})));
}

TEST(UseColorTest, NoColorCountsOnlyWhenNotEmpty) {
  EXPECT_FALSE(UseColor("auto", true, Env({{"NO_COLOR", "1"}})));
  EXPECT_TRUE(UseColor("auto", true, Env({{"NO_COLOR", ""}})));
}

TEST(UseColorTest, ForceColorAndClicolorForceForceIt) {
  EXPECT_TRUE(UseColor("auto", false, Env({{"FORCE_COLOR", "1"}})));
  EXPECT_TRUE(UseColor("auto", false, Env({{"CLICOLOR_FORCE", "1"}})));
  EXPECT_TRUE(UseColor("auto", false, Env({{"FORCE_COLOR", "1"}, {"TERM", "dumb"}})));
  EXPECT_FALSE(UseColor("auto", false, Env({{"FORCE_COLOR", "0"}})));
  EXPECT_FALSE(UseColor("auto", false, Env({{"CLICOLOR_FORCE", ""}})));
}

TEST(UseColorTest, NoColorWinsOverForceColor) {
  EXPECT_FALSE(UseColor("auto", true, Env({{"NO_COLOR", "1"}, {"FORCE_COLOR", "1"}})));
}

TEST(UseColorTest, TheFlagWinsOverTheEnvironment) {
  EXPECT_TRUE(UseColor("always", false, Env({{"NO_COLOR", "1"}, {"TERM", "dumb"}})));
  EXPECT_FALSE(UseColor("never", true, Env({{"FORCE_COLOR", "1"}})));
}

}  // namespace
}  // namespace orchestrate
