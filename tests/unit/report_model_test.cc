#include <gtest/gtest.h>

#include "orchestrate/report.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

TEST(TailOfFileTest, TheLastLinesEachWithItsNewline) {
  testing::TempDir dir;
  testing::WriteFile(dir.path(), "log", "one\ntwo\nthree\n");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 2), "two\nthree\n");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 3), "one\ntwo\nthree\n");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 10), "one\ntwo\nthree\n");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 0), "");
}

TEST(TailOfFileTest, AnUnterminatedLastLineIsCompletedAndEmptyLinesCount) {
  testing::TempDir dir;
  testing::WriteFile(dir.path(), "log", "a\n\nb");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 1), "b\n");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 2), "\nb\n");
  EXPECT_EQ(TailOfFile(dir.path() + "/log", 3), "a\n\nb\n");
}

TEST(TailOfFileTest, AMissingFileHasNoTail) {
  testing::TempDir dir;
  EXPECT_EQ(TailOfFile(dir.path() + "/missing", 5), "");
}

}  // namespace
}  // namespace orchestrate
