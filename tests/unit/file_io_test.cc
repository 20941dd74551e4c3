#include "../../src/file_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/test_repo.h"

namespace orchestrate {
namespace {

TEST(FileIoTest, ReadWholeFileReadsEveryByte) {
  testing::TempDir dir;
  std::string big(100000, 'x');
  big[5] = '\0';  // binary content stays as it is
  testing::WriteFile(dir.path(), "big", big);
  testing::WriteFile(dir.path(), "empty", "");
  EXPECT_EQ(ReadWholeFile(dir.path() + "/big"), big);
  EXPECT_EQ(ReadWholeFile(dir.path() + "/empty"), "");
}

TEST(FileIoTest, AMissingFileOrADirectoryIsNotRead) {
  testing::TempDir dir;
  EXPECT_FALSE(ReadWholeFile(dir.path() + "/missing"));
  EXPECT_FALSE(ReadWholeFile(dir.path()));
}

TEST(FileIoTest, WriteAllWritesEverythingOrSaysItFailed) {
  testing::TempDir dir;
  std::string path = dir.path() + "/out";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  std::string text(300000, 'y');
  EXPECT_TRUE(WriteAll(fd, text));
  close(fd);
  EXPECT_EQ(testing::ReadFile(path), text);
  EXPECT_FALSE(WriteAll(-1, "x"));
}

}  // namespace
}  // namespace orchestrate
