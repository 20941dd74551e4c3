// Helpers for tests that need real git repositories and real processes.
// Tests may use the git command line to set up and inspect; the product never does.
#pragma once

#include <string>
#include <vector>

#include "orchestrate/object_id.h"

namespace orchestrate::testing {

/// A fresh directory under $TMPDIR, removed (recursively) on destruction
/// unless ORCHESTRATE_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Result of a shell command run by a test.
struct ShellResult {
  int status = -1;  ///< exit status (128+signal when killed)
  std::string out;  ///< stdout and stderr, interleaved
};

/// Runs `command` with /bin/sh -c in `cwd`, capturing output.
ShellResult Shell(const std::string& command, const std::string& cwd = ".");

/// Like Shell but fails the current test (ADD_FAILURE) when status != 0.
std::string MustShell(const std::string& command, const std::string& cwd = ".");

/// Writes `content` to `dir/relpath`, creating parent directories.
void WriteFile(const std::string& dir, const std::string& relpath, const std::string& content);
std::string ReadFile(const std::string& path);
bool FileExists(const std::string& path);

/// Initializes a git repository in `dir` with user.name/email set, `files`
/// (pairs of path and content) written and committed as one commit on
/// branch main. Returns the commit id.
std::string InitRepo(const std::string& dir,
                     const std::vector<std::pair<std::string, std::string>>& files);

/// `git add -A && git commit -m message` in `dir`; returns the new HEAD id.
std::string CommitAll(const std::string& dir, const std::string& message);

/// The id whose hex is `hex` (trailing whitespace ignored, as git prints
/// it); throws std::invalid_argument when it is not one.
ObjectId Oid(std::string hex);

/// True when `program` is found on PATH (tests skip what needs a missing tool).
bool Installed(const std::string& program);

/// Single-quotes `s` for /bin/sh.
std::string ShellQuote(const std::string& s);

}  // namespace orchestrate::testing
