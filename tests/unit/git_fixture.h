// Shared by the git_*_test.cc files: a fresh repository per test and short
// ways to ask the git command line about it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "orchestrate/git.h"
#include "support/test_repo.h"

namespace orchestrate::testing {

/// `command` run in `dir` with trailing newlines removed.
inline std::string Trimmed(const std::string& command, const std::string& dir) {
  std::string out = MustShell(command, dir);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

/// A test with a repository at `root()` (initial commit on main: a.txt, dir/b.txt).
class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitGit();
    initial_ = Oid(InitRepo(root(), {{"a.txt", "a\n"}, {"dir/b.txt", "b\n"}}));
    repo_ = Repo::Open(root());
  }

  std::string root() const { return tmp_.path() + "/repo"; }
  /// `git <args>` in the repository, trimmed.
  std::string Git(const std::string& args) { return Trimmed("git " + args, root()); }
  /// The object `rev` names, via `git rev-parse`.
  ObjectId Id(const std::string& rev) { return Oid(Git("rev-parse " + rev)); }
  /// Commits `files` on top of `parent` (a commit-ish) via the CLI, on
  /// branch `branch`.
  ObjectId CommitOnBranch(const std::string& branch, const std::string& parent,
                          const std::vector<std::pair<std::string, std::string>>& files) {
    Git("checkout -q -B " + branch + " " + parent);
    for (const auto& [path, content] : files) WriteFile(root(), path, content);
    return Oid(CommitAll(root(), "change on " + branch));
  }
  ObjectId CommitOnBranch(const std::string& branch, const ObjectId& parent,
                          const std::vector<std::pair<std::string, std::string>>& files) {
    return CommitOnBranch(branch, parent.hex(), files);
  }

  TempDir tmp_;
  ObjectId initial_;
  std::unique_ptr<Repo> repo_;
};

}  // namespace orchestrate::testing
