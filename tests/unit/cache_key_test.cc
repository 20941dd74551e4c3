#include <gtest/gtest.h>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"

namespace orchestrate {
namespace {

KeyComponents Components(std::map<std::string, std::string> items) {
  KeyComponents key;
  key.items = std::move(items);
  return key;
}

// --- Hash ------------------------------------------------------------------

TEST(KeyHashTest, IsFortyHexDigits) {
  std::string hash = Components({{"command", "make"}}).Hash();
  ASSERT_EQ(hash.size(), 40u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(KeyHashTest, SameComponentsInAnyInsertionOrderGiveTheSameHash) {
  KeyComponents a, b;
  a.items["command"] = "make";
  a.items["merge"] = "true";
  a.items["env A"] = "1";
  b.items["env A"] = "1";
  b.items["merge"] = "true";
  b.items["command"] = "make";
  EXPECT_EQ(a.Hash(), b.Hash());
}

TEST(KeyHashTest, AnyChangedNameOrValueChangesTheHash) {
  KeyComponents base = Components({{"command", "make"}, {"merge", "true"}});
  EXPECT_NE(base.Hash(), Components({{"command", "make all"}, {"merge", "true"}}).Hash());
  EXPECT_NE(base.Hash(), Components({{"command", "make"}, {"merge", "false"}}).Hash());
  EXPECT_NE(base.Hash(), Components({{"command", "make"}}).Hash());
  EXPECT_NE(base.Hash(), Components({{"cmd", "make"}, {"merge", "true"}}).Hash());
}

TEST(KeyHashTest, SerializationIsUnambiguousWhateverValuesContain) {
  // Without length prefixes both would serialize to the same bytes.
  KeyComponents one = Components({{"a", std::string("x\nb\0y", 5)}});
  KeyComponents two = Components({{"a", "x"}, {"b", "y"}});
  EXPECT_NE(one.Hash(), two.Hash());
}

TEST(KeyHashTest, IsTheGitBlobIdOfTheDocumentedSerialization) {
  // Changing the serialization invalidates every cache: do it deliberately
  // (bump kKeyFormat) and update these values. Both were computed with
  // `printf 'orchestrate key 1\ncommand\0004\000make\n' | git hash-object --stdin`.
  EXPECT_EQ(Components({}).Hash(), "acd0037ef05f9ac7b7d0ced2980f37a21534da45");
  EXPECT_EQ(Components({{"command", "make"}}).Hash(), "d5cb12558dc7ddfadc2fc62ff0c36450f8f2a7d3");
}

// --- DescribeChanges ---------------------------------------------------------

std::vector<std::string> Changes(std::map<std::string, std::string> now,
                                 std::map<std::string, std::string> then) {
  return DescribeChanges(Components(std::move(now)), Components(std::move(then)));
}

using Reasons = std::vector<std::string>;

TEST(DescribeChangesTest, EqualComponentsHaveNoReasons) {
  EXPECT_TRUE(Changes({{"command", "make"}, {"base", "t1"}}, {{"command", "make"}, {"base", "t1"}})
                  .empty());
}

TEST(DescribeChangesTest, NamesEachSpecificationChange) {
  EXPECT_EQ(Changes({{"command", "a"}}, {{"command", "b"}}), Reasons{"command changed"});
  EXPECT_EQ(Changes({{"model", "opus"}}, {{"model", "sonnet"}}), Reasons{"model changed"});
  EXPECT_EQ(Changes({{"prompt prompts/a.md", "1"}}, {{"prompt prompts/a.md", "2"}}),
            Reasons{"prompt prompts/a.md changed"});
  EXPECT_EQ(Changes({{"prompt-text", "x"}}, {{"prompt-text", "y"}}), Reasons{"prompt changed"});
  EXPECT_EQ(Changes({{"setup", "npm ci"}}, {}), Reasons{"setup changed"});
  EXPECT_EQ(Changes({}, {{"verify", "make test"}}), Reasons{"verify changed"});
  EXPECT_EQ(Changes({{"env LOG_LEVEL", "debug"}}, {{"env LOG_LEVEL", "info"}}),
            Reasons{"env LOG_LEVEL changed"});
  EXPECT_EQ(Changes({{"merge", "true"}}, {{"merge", "false"}}), Reasons{"merge changed"});
  EXPECT_EQ(Changes({{"key_env NODE_VERSION", "20"}}, {{"key_env NODE_VERSION", "<unset>"}}),
            Reasons{"key_env NODE_VERSION changed"});
}

TEST(DescribeChangesTest, SwitchingPromptFileOrInlinePromptIsOnePromptChange) {
  EXPECT_EQ(Changes({{"prompt b.md", "1"}}, {{"prompt a.md", "1"}}), Reasons{"prompt changed"});
  EXPECT_EQ(Changes({{"prompt-text", "x"}}, {{"prompt a.md", "1"}}), Reasons{"prompt changed"});
}

TEST(DescribeChangesTest, NamesBaseAndInputChanges) {
  EXPECT_EQ(Changes({{"base", "t1"}}, {{"base", "t2"}}), Reasons{"base changed"});
  EXPECT_EQ(Changes({{"input src/x.c", "1"}, {"input src/y.c", "3"}},
                    {{"input src/x.c", "2"}, {"input src/z.c", "4"}}),
            (Reasons{"input src/x.c changed", "input src/y.c added", "input src/z.c removed"}));
}

TEST(DescribeChangesTest, SwitchingBetweenBaseAndInputsIsOneReason) {
  EXPECT_EQ(Changes({{"input a", "1"}, {"input b", "2"}}, {{"base", "t"}}),
            Reasons{"inputs changed"});
  EXPECT_EQ(Changes({{"base", "t"}}, {}), Reasons{"inputs changed"});
}

TEST(DescribeChangesTest, ListsFiveInputsThenCountsTheRest) {
  std::map<std::string, std::string> now, then;
  for (int i = 0; i < 8; ++i) {
    now["input f" + std::to_string(i)] = "new";
    then["input f" + std::to_string(i)] = "old";
  }
  now["command"] = "a";
  then["command"] = "b";
  EXPECT_EQ(Changes(now, then),
            (Reasons{"command changed", "input f0 changed", "input f1 changed", "input f2 changed",
                     "input f3 changed", "input f4 changed", "and 3 more inputs changed"}));
}

TEST(DescribeChangesTest, NamesDependencyChanges) {
  EXPECT_EQ(Changes({{"dep schema", "t1"}}, {{"dep schema", "t2"}}),
            Reasons{"dependency schema has a new result"});
  EXPECT_EQ(Changes({{"dep api", "t1"}}, {}), Reasons{"dependency api added"});
  EXPECT_EQ(Changes({}, {{"dep api", "t1"}}), Reasons{"dependency api removed"});
}

TEST(DescribeChangesTest, ReasonsComeInAStableOrder) {
  std::map<std::string, std::string> now = {
      {"command", "a"},  {"dep schema", "1"}, {"env X", "1"}, {"key_env K", "1"},
      {"merge", "true"}, {"verify", "v"},     {"base", "1"},  {"setup", "s"},
      {"model", "m"},    {"prompt p.md", "1"}};
  std::map<std::string, std::string> then;
  for (const auto& [name, value] : now) then[name] = value + "'";
  EXPECT_EQ(Changes(now, then),
            (Reasons{"command changed", "model changed", "prompt p.md changed", "setup changed",
                     "verify changed", "env X changed", "merge changed", "base changed",
                     "key_env K changed", "dependency schema has a new result"}));
}

TEST(DescribeChangesTest, UnknownComponentsAreNamed) {
  EXPECT_EQ(Changes({{"toolchain", "1"}}, {{"toolchain", "2"}}), Reasons{"toolchain changed"});
}

}  // namespace
}  // namespace orchestrate
