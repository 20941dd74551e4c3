#include <gtest/gtest.h>

#include "orchestrate/cache.h"

namespace orchestrate {
namespace {

bool Matches(const std::vector<std::string>& patterns, const std::string& path) {
  return MatchesInputs(patterns, path);
}

TEST(InputGlobsTest, ExactPathMatchesOnlyItself) {
  EXPECT_TRUE(Matches({"prompts/schema.md"}, "prompts/schema.md"));
  EXPECT_FALSE(Matches({"prompts/schema.md"}, "prompts/schema.md.bak"));
  EXPECT_FALSE(Matches({"prompts/schema.md"}, "other/prompts/schema.md"));
}

TEST(InputGlobsTest, PatternsAreAnchoredAtTheRepositoryRoot) {
  EXPECT_TRUE(Matches({"*.c"}, "main.c"));
  EXPECT_FALSE(Matches({"*.c"}, "src/main.c"));
  EXPECT_TRUE(Matches({"/src/*.c"}, "src/main.c"));
}

TEST(InputGlobsTest, TrailingDoubleStarMatchesEverythingInside) {
  EXPECT_TRUE(Matches({"src/model/**"}, "src/model/user.c"));
  EXPECT_TRUE(Matches({"src/model/**"}, "src/model/deep/er/user.c"));
  EXPECT_FALSE(Matches({"src/model/**"}, "src/modelx/user.c"));
  EXPECT_FALSE(Matches({"src/model/**"}, "src/view/user.c"));
  EXPECT_FALSE(Matches({"src/**"}, "src"));
}

TEST(InputGlobsTest, LeadingDoubleStarMatchesAtAnyDepthIncludingTheRoot) {
  EXPECT_TRUE(Matches({"**/*.c"}, "main.c"));
  EXPECT_TRUE(Matches({"**/*.c"}, "src/main.c"));
  EXPECT_TRUE(Matches({"**/*.c"}, "a/b/c/main.c"));
  EXPECT_FALSE(Matches({"**/*.c"}, "a/b/main.h"));
}

TEST(InputGlobsTest, InnerDoubleStarMatchesZeroOrMoreDirectories) {
  EXPECT_TRUE(Matches({"src/**/test.c"}, "src/test.c"));
  EXPECT_TRUE(Matches({"src/**/test.c"}, "src/a/test.c"));
  EXPECT_TRUE(Matches({"src/**/test.c"}, "src/a/b/test.c"));
  EXPECT_FALSE(Matches({"src/**/test.c"}, "lib/a/test.c"));
  EXPECT_TRUE(Matches({"a/**/b/**/c"}, "a/x/b/y/z/c"));
  EXPECT_FALSE(Matches({"a/**/b/**/c"}, "a/x/y/z/c"));
}

TEST(InputGlobsTest, StarAndQuestionMarkStayWithinOneComponent) {
  EXPECT_TRUE(Matches({"src/*.c"}, "src/main.c"));
  EXPECT_TRUE(Matches({"src/*.c"}, "src/.c"));
  EXPECT_FALSE(Matches({"src/*.c"}, "src/main.h"));
  EXPECT_TRUE(Matches({"src/?.c"}, "src/a.c"));
  EXPECT_FALSE(Matches({"src/?.c"}, "src/ab.c"));
  EXPECT_TRUE(Matches({"src*"}, "srcs/main.c"));  // via the directory srcs
  EXPECT_TRUE(Matches({"s*c/m*n.c"}, "src/main.c"));
  EXPECT_FALSE(Matches({"s*/main.c"}, "src/sub/main.c"));
}

TEST(InputGlobsTest, StarBacktracksOverRepeatedText) {
  EXPECT_TRUE(Matches({"*ab*ab"}, "xabyabab"));
  EXPECT_FALSE(Matches({"*ab*ab"}, "xabyaba"));
  EXPECT_TRUE(Matches({"a*"}, "a"));
  EXPECT_TRUE(Matches({"**.md"}, "README.md"));  // not a whole component: like *
}

TEST(InputGlobsTest, BracketExpressionsMatchOneCharacter) {
  EXPECT_TRUE(Matches({"v[0-9].txt"}, "v7.txt"));
  EXPECT_FALSE(Matches({"v[0-9].txt"}, "vx.txt"));
  EXPECT_TRUE(Matches({"v[!0-9].txt"}, "vx.txt"));
  EXPECT_FALSE(Matches({"v[^0-9].txt"}, "v7.txt"));
  EXPECT_TRUE(Matches({"[ab]c"}, "bc"));
  EXPECT_TRUE(Matches({"[]]"}, "]"));
  EXPECT_TRUE(Matches({"a[b"}, "a[b"));  // unclosed: a literal '['
}

TEST(InputGlobsTest, BackslashEscapesAGlobCharacter) {
  EXPECT_TRUE(Matches({"a\\*b"}, "a*b"));
  EXPECT_FALSE(Matches({"a\\*b"}, "axb"));
  EXPECT_TRUE(Matches({"\\!important"}, "!important"));
}

TEST(InputGlobsTest, DirectoryPatternSelectsEverythingUnderIt) {
  EXPECT_TRUE(Matches({"src"}, "src/main.c"));
  EXPECT_TRUE(Matches({"src"}, "src/a/b.c"));
  EXPECT_TRUE(Matches({"src"}, "src"));
  EXPECT_TRUE(Matches({"src/*"}, "src/a/b.c"));
  EXPECT_TRUE(Matches({"**/test"}, "lib/test/data.txt"));
  EXPECT_FALSE(Matches({"src"}, "srcs/main.c"));
}

TEST(InputGlobsTest, TrailingSlashMatchesDirectoriesOnly) {
  EXPECT_TRUE(Matches({"docs/"}, "docs/a.md"));
  EXPECT_FALSE(Matches({"docs/"}, "docs"));
}

TEST(InputGlobsTest, ExclusionRemovesWhatEarlierPatternsSelected) {
  std::vector<std::string> patterns = {"src/**", "!src/generated/**", "!**/*.orig"};
  EXPECT_TRUE(Matches(patterns, "src/main.c"));
  EXPECT_FALSE(Matches(patterns, "src/generated/parser.c"));
  EXPECT_FALSE(Matches(patterns, "src/main.c.orig"));
  EXPECT_FALSE(Matches(patterns, "README.md"));
}

TEST(InputGlobsTest, LastMatchingPatternWins) {
  std::vector<std::string> patterns = {"src/**", "!src/gen", "src/gen/keep.c"};
  EXPECT_TRUE(Matches(patterns, "src/gen/keep.c"));
  EXPECT_FALSE(Matches(patterns, "src/gen/other.c"));
  EXPECT_TRUE(Matches({"!src/a.c", "src/**"}, "src/a.c"));
}

TEST(InputGlobsTest, ExclusionAloneSelectsNothing) {
  EXPECT_FALSE(Matches({"!src/a.c"}, "src/b.c"));
  EXPECT_FALSE(Matches({}, "src/b.c"));
}

TEST(InputGlobsTest, EmptyPatternsAndPathsMatchNothing) {
  EXPECT_FALSE(Matches({""}, "a"));
  EXPECT_FALSE(Matches({"!"}, "a"));
  EXPECT_FALSE(Matches({"**"}, ""));
}

TEST(InputGlobsTest, LoneDoubleStarMatchesEveryPath) {
  EXPECT_TRUE(Matches({"**"}, "a"));
  EXPECT_TRUE(Matches({"**"}, "a/b/c"));
}

}  // namespace
}  // namespace orchestrate
