#include "orchestrate/template.h"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(TemplateTest, BuiltinPlaceholdersAreTheSpecsFive) {
  EXPECT_EQ(BuiltinPlaceholders(),
            (std::vector<std::string>{"phase", "model", "prompt_file", "worktree", "branch"}));
}

TEST(TemplateTest, PlaceholdersListedInOrderOnce) {
  EXPECT_EQ(TemplatePlaceholders("claude -p --model {model} < {prompt_file} # {model} {x-y_2}"),
            (std::vector<std::string>{"model", "prompt_file", "x-y_2"}));
}

TEST(TemplateTest, DoubledBracesAreLiteral) {
  EXPECT_TRUE(TemplatePlaceholders("echo {{model}} }}").empty());
  EXPECT_EQ(ExpandTemplate("echo {{model}} {{{model}}}", {{"model", "m"}}), "echo {model} {m}");
}

TEST(TemplateTest, ShellBracesAreNotPlaceholders) {
  EXPECT_TRUE(TemplatePlaceholders("echo ${HOME} | awk '{print $1}' {} { a } {1x}").empty());
  EXPECT_EQ(ExpandTemplate("echo ${HOME} {}", {{"HOME", "no"}}), "echo ${HOME} {}");
}

TEST(TemplateTest, ExpandReplacesKnownNamesAndKeepsUnknownOnes) {
  std::map<std::string, std::string> vars = {{"model", "opus"}, {"prompt_file", "/p/a.md"}};
  EXPECT_EQ(ExpandTemplate("claude --model {model} < {prompt_file} {other}", vars),
            "claude --model opus < /p/a.md {other}");
}

TEST(TemplateTest, ExpandKeepsLiteralTextAroundPlaceholdersAndBraces) {
  std::map<std::string, std::string> vars = {{"worktree", "/w"}, {"phase", "api"}};
  EXPECT_EQ(ExpandTemplate("cd {worktree} && awk '{print $1}' ${HOME}/{{x}} > {phase}.out", vars),
            "cd /w && awk '{print $1}' ${HOME}/{x} > api.out");
  EXPECT_EQ(ExpandTemplate("{phase}{phase}", vars), "apiapi");
  EXPECT_EQ(ExpandTemplate("}}{{", vars), "}{");
  EXPECT_EQ(ExpandTemplate("", vars), "");
  EXPECT_EQ(ExpandTemplate("no placeholders at all", vars), "no placeholders at all");
}

TEST(TemplateTest, ExpandDoesNotReexpandSubstitutedValues) {
  EXPECT_EQ(ExpandTemplate("{a}", {{"a", "{b}"}, {"b", "x"}}), "{b}");
}

TEST(TemplateTest, UnclosedBraceIsLiteral) {
  EXPECT_TRUE(TemplatePlaceholders("echo {model").empty());
  EXPECT_EQ(ExpandTemplate("echo {model", {{"model", "m"}}), "echo {model");
}

}  // namespace
}  // namespace orchestrate
