#include <gtest/gtest.h>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

// libgit2 1.5.1 leaks PCRE2 match data whenever a config regex does not match
// (fixed upstream in libgit2 PR #6382); every remote lookup hits it. Tell
// LeakSanitizer, in sanitizer builds only, not to report that leak.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpcre2-8.so\n"; }

namespace orchestrate::testing {
namespace {

class GitRemoteTest : public GitRepoTest {
 protected:
  void SetUp() override {
    GitRepoTest::SetUp();
    MustShell("git init -q --bare " + ShellQuote(remote()));
    Git("remote add origin " + ShellQuote(remote()));
  }
  std::string remote() const { return tmp_.path() + "/remote.git"; }
  /// `git <args>` in the bare remote, trimmed.
  std::string RemoteGit(const std::string& args) { return Trimmed("git " + args, remote()); }
};

TEST_F(GitRemoteTest, PushesRefsToNamedRemote) {
  repo_->WriteRef("refs/orchestrate/runs/1", initial_, "test");
  std::vector<std::string> rejected = repo_->Push(
      "origin",
      {"refs/heads/main:refs/heads/main", "refs/orchestrate/runs/1:refs/orchestrate/runs/1"});
  EXPECT_TRUE(rejected.empty());
  EXPECT_EQ(RemoteGit("rev-parse refs/heads/main"), initial_.hex());
  EXPECT_EQ(RemoteGit("rev-parse refs/orchestrate/runs/1"), initial_.hex());
}

TEST_F(GitRemoteTest, PushesToPathWithoutConfiguredRemote) {
  EXPECT_TRUE(repo_->Push(remote(), {"refs/heads/main:refs/heads/copy"}).empty());
  EXPECT_EQ(RemoteGit("rev-parse refs/heads/copy"), initial_.hex());
}

TEST_F(GitRemoteTest, DivergentRefIsReportedAsRejectionWhileOthersArePushed) {
  ObjectId theirs = CommitOnBranch("theirs", initial_, {{"a.txt", "theirs\n"}});
  Git("push -q origin theirs:refs/heads/shared");
  CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  std::vector<std::string> rejected = repo_->Push(
      "origin", {"refs/heads/ours:refs/heads/shared", "refs/heads/main:refs/heads/main"});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0], "refs/heads/shared: cannot push non-fastforwardable reference");
  EXPECT_EQ(RemoteGit("rev-parse refs/heads/shared"), theirs.hex());
  EXPECT_EQ(RemoteGit("rev-parse refs/heads/main"), initial_.hex());
}

TEST_F(GitRemoteTest, RefHoldingCommitsUnknownLocallyIsReportedAsRejection) {
  std::string clone = tmp_.path() + "/clone";
  InitRepo(clone, {{"other.txt", "other\n"}});
  MustShell("git push -q " + ShellQuote(remote()) + " HEAD:refs/orchestrate/taken", clone);
  std::string theirs = Trimmed("git rev-parse HEAD", clone);
  std::vector<std::string> rejected =
      repo_->Push("origin", {"refs/heads/main:refs/orchestrate/taken"});
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].rfind("refs/orchestrate/taken: cannot push", 0), 0u) << rejected[0];
  EXPECT_EQ(RemoteGit("rev-parse refs/orchestrate/taken"), theirs);
}

TEST_F(GitRemoteTest, ForcedRefspecOverwritesDivergentRef) {
  CommitOnBranch("theirs", initial_, {{"a.txt", "theirs\n"}});
  Git("push -q origin theirs:refs/heads/shared");
  ObjectId ours = CommitOnBranch("ours", initial_, {{"a.txt", "ours\n"}});
  EXPECT_TRUE(repo_->Push("origin", {"+refs/heads/ours:refs/heads/shared"}).empty());
  EXPECT_EQ(RemoteGit("rev-parse refs/heads/shared"), ours.hex());
}

TEST_F(GitRemoteTest, FetchesGlobRefspecIntoLocalRefs) {
  std::string clone = tmp_.path() + "/clone";
  InitRepo(clone, {{"other.txt", "other\n"}});
  ObjectId record = Oid(Trimmed("git rev-parse HEAD", clone));
  MustShell("git push -q " + ShellQuote(remote()) +
                " HEAD:refs/orchestrate/cache/x HEAD:refs/orchestrate/cache/y/z",
            clone);
  repo_->Fetch("origin", {"+refs/orchestrate/*:refs/orchestrate/*"});
  using Refs = std::vector<std::pair<std::string, ObjectId>>;
  EXPECT_EQ(repo_->ListRefs("refs/orchestrate/"),
            (Refs{{"refs/orchestrate/cache/x", record}, {"refs/orchestrate/cache/y/z", record}}));
  EXPECT_TRUE(repo_->HasObject(record));
  EXPECT_EQ(repo_->ReadRef("refs/heads/main"), initial_);
}

TEST_F(GitRemoteTest, FetchFromPath) {
  Git("push -q origin main:refs/orchestrate/from-path");
  Git("update-ref -d refs/orchestrate/from-path");
  repo_->Fetch(remote(), {"refs/orchestrate/from-path:refs/orchestrate/from-path"});
  EXPECT_EQ(repo_->ReadRef("refs/orchestrate/from-path"), initial_);
}

TEST_F(GitRemoteTest, MissingRemoteTellsUserHowToAddOne) {
  Git("remote remove origin");
  for (auto attempt : {+[](Repo& r) { r.Push("origin", {"refs/heads/main"}); },
                       +[](Repo& r) { r.Fetch("origin", {"refs/heads/main"}); }}) {
    try {
      attempt(*repo_);
      FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()),
                "no remote named 'origin' (add one with `git remote add origin URL`, or name a "
                "remote or URL)");
    }
  }
}

TEST_F(GitRemoteTest, UnreachableRemoteIsUsageErrorNamingIt) {
  Git("remote set-url origin http://127.0.0.1:1/nowhere.git");  // nothing listens on port 1
  for (auto attempt : {+[](Repo& r) { r.Push("origin", {"refs/heads/main"}); },
                       +[](Repo& r) { r.Fetch("origin", {"refs/heads/main"}); }}) {
    try {
      attempt(*repo_);
      FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("cannot reach remote 'origin': ", 0), 0u) << e.what();
    }
  }
}

TEST_F(GitRemoteTest, MissingPathRemoteIsUsageErrorSayingItDoesNotExist) {
  std::string nowhere = tmp_.path() + "/nowhere.git";
  for (const std::string& remote : {nowhere, "file://" + nowhere}) {
    try {
      repo_->Fetch(remote, {"refs/heads/main"});
      FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()),
                "remote repository " + nowhere +
                    " does not exist: give the path of a git repository, a URL or a remote name");
    }
  }
}

TEST_F(GitRemoteTest, RemoteNamingAMissingPathSaysWhichRemote) {
  std::string nowhere = tmp_.path() + "/nowhere.git";
  Git("remote set-url origin " + ShellQuote(nowhere));
  try {
    repo_->Push("origin", {"refs/heads/main"});
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind(
            "remote repository " + nowhere + " (the URL of remote 'origin') does not exist", 0),
        0u)
        << e.what();
  }
}

}  // namespace
}  // namespace orchestrate::testing
