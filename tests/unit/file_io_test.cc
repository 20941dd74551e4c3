#include "../../src/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/error.h"
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

TEST(FileIoTest, LineReaderReadsLinesAcrossItsBufferAndLongerThanIt) {
  testing::TempDir dir;
  std::vector<std::string> written;
  std::string text;
  for (int i = 0; i < 3000; ++i) {  // about 60 KB: several buffers' worth
    written.push_back("line " + std::to_string(i) + std::string(static_cast<size_t>(i % 37), '.'));
    text += written.back() + '\n';
  }
  written.push_back(std::string(70000, 'y'));  // longer than the buffer
  text += written.back() + '\n';
  written.push_back("last, without a newline");
  text += written.back();
  testing::WriteFile(dir.path(), "lines", text);

  std::string path = dir.path() + "/lines";
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 0);
  LineReader lines(fd.get(), path);
  std::vector<std::string> read;
  std::string_view line;
  LineReader::Result result;
  while ((result = lines.Next(line)) == LineReader::Result::kLine) read.emplace_back(line);
  ASSERT_EQ(result, LineReader::Result::kUnterminatedLine);
  read.emplace_back(line);
  EXPECT_EQ(read, written);
  EXPECT_EQ(lines.Next(line), LineReader::Result::kEnd);
}

TEST(FileIoTest, LineReaderSaysWhichFileItCannotRead) {
  testing::TempDir dir;
  FileDescriptor fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_GE(fd.get(), 0);
  LineReader lines(fd.get(), dir.path());
  std::string_view line;
  try {
    lines.Next(line);
    FAIL() << "a directory was read as lines";
  } catch (const InfraError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read " + dir.path() + ": Is a directory");
  }
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

// The names in `dir`, without . and ..
std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = readdir(d))
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
  closedir(d);
  return names;
}

TEST(FileIoTest, ReadWholeFileSaysWhyItFailed) {
  testing::TempDir dir;
  errno = 0;
  EXPECT_FALSE(ReadWholeFile(dir.path() + "/missing"));
  EXPECT_EQ(errno, ENOENT);
  EXPECT_FALSE(ReadWholeFile(dir.path()));
  EXPECT_EQ(errno, EISDIR);
}

TEST(FileIoTest, ErrnoTextNamesTheError) {
  EXPECT_EQ(ErrnoText(ENOENT), "No such file or directory");
  EXPECT_EQ(ErrnoText(ENOSPC), "No space left on device");
}

TEST(FileIoTest, FirstLineOfStopsAtTheNewline) {
  testing::TempDir dir;
  testing::WriteFile(dir.path(), "two", "gitdir: /x/y\nsecond\n");
  testing::WriteFile(dir.path(), "unterminated", "only");
  EXPECT_EQ(FirstLineOf(dir.path() + "/two"), "gitdir: /x/y");
  EXPECT_EQ(FirstLineOf(dir.path() + "/unterminated"), "only");
  EXPECT_EQ(FirstLineOf(dir.path() + "/missing"), "");
}

TEST(FileIoTest, ReplaceFileReplacesTheWholeContentAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/state";
  testing::WriteFile(dir.path(), "state", std::string(10000, 'o'));
  EXPECT_TRUE(ReplaceFile(path, "new\n"));
  EXPECT_EQ(testing::ReadFile(path), "new\n");
  EXPECT_TRUE(ReplaceFile(path, "fast", Durability::kFast));
  EXPECT_EQ(testing::ReadFile(path), "fast");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"state"});
}

TEST(FileIoTest, ReplaceFileWritesThroughTheCallback) {
  testing::TempDir dir;
  std::string path = dir.path() + "/index";
  EXPECT_TRUE(ReplaceFile(path, [](int fd) { return WriteAll(fd, "a") && WriteAll(fd, "b"); }));
  EXPECT_EQ(testing::ReadFile(path), "ab");
}

TEST(FileIoTest, AFailedWriteLeavesTheOldFileAndNoTemporaryFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/state";
  testing::WriteFile(dir.path(), "state", "old");
  errno = 0;
  EXPECT_FALSE(ReplaceFile(path, [](int fd) {
    WriteAll(fd, "half");
    errno = ENOSPC;
    return false;
  }));
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_EQ(testing::ReadFile(path), "old");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"state"});
}

TEST(FileIoTest, ReplaceFileFailsInAMissingDirectory) {
  testing::TempDir dir;
  errno = 0;
  EXPECT_FALSE(ReplaceFile(dir.path() + "/no/such/dir/state", "x"));
  EXPECT_EQ(errno, ENOENT);
}

TEST(FileIoTest, ARenameThatFailsLeavesNoTemporaryFile) {
  testing::TempDir dir;
  std::string path = dir.path() + "/taken";
  ASSERT_EQ(mkdir(path.c_str(), 0755), 0);
  testing::WriteFile(path, "inside", "x");  // a non-empty directory cannot be replaced
  EXPECT_FALSE(ReplaceFile(path, "x"));
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"taken"});
}

TEST(FileIoTest, WriteFailureSaysWhatToDo) {
  EXPECT_EQ(WriteFailure("/r/.orchestrate/state", ENOSPC),
            "cannot write /r/.orchestrate/state: No space left on device (free some disk space)");
  EXPECT_EQ(WriteFailure("/r/x", EACCES),
            "cannot write /r/x: Permission denied (check the permissions of the directory)");
  EXPECT_EQ(WriteFailure("/r/x", EIO),
            "cannot write /r/x: Input/output error (check the disk and the directory)");
}

}  // namespace
}  // namespace orchestrate
