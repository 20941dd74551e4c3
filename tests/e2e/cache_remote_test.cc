// Sharing records with a remote: cache push/pull anywhere in a repository,
// and settings.cache_remote / --cache-remote around a run.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

std::string Manifest(const std::string& settings = "") {
  return "version = 1\n" + settings + LoggedPhase("schema", "") + LoggedPhase("api", "\"schema\"");
}

int RemoteRecords(const std::string& remote) {
  return std::stoi(Shell("git for-each-ref refs/orchestrate/cache | wc -l", remote).out);
}

TEST(CacheRemoteTest, PushIntoANonBareRepositoryWorksLikeGitPush) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 0);
  MustShell("git init -q other && cd other && git commit -q --allow-empty -m first", s.dir());
  ShellResult r = s.Run("cache push ../other");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("pushed 2 cache records to ../other"), std::string::npos) << r.out;
  EXPECT_EQ(RemoteRecords(s.dir() + "/other"), 2);
  // The records are complete there: another clone can use them.
  ShellResult again = s.Run("cache push ../other");
  EXPECT_EQ(again.status, 0) << again.out;
  MustShell("git -C other fsck --no-dangling 2>&1", s.dir());
}

TEST(CacheRemoteTest, PushIntoANonBareRepositoryKeepsItsOwnRecords) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 0);
  MustShell("git init -q other && cd other && git commit -q --allow-empty -m first", s.dir());
  std::string ref =
      Shell("git for-each-ref --format='%(refname)' refs/orchestrate/cache | head -1", s.repo())
          .out;
  ref.pop_back();
  MustShell("git update-ref " + ref + " HEAD", s.dir() + "/other");
  ShellResult r = s.Run("cache push ../other");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("pushed 1 cache records to ../other (1 already recorded there"),
            std::string::npos)
      << r.out;
}

TEST(CacheRemoteTest, MissingPathSaysItDoesNotExist) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 0);
  for (const char* action : {"pull", "push"}) {
    ShellResult r = s.Run(std::string("cache ") + action + " ../nowhere.git");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("remote repository ../nowhere.git does not exist: give the path of a "
                         "git repository, a URL or a remote name"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("unsupported URL protocol"), std::string::npos) << r.out;
  }
}

TEST(CacheRemoteTest, NamedRemoteWhoseDirectoryIsGoneSaysSo) {
  Scenario s(Manifest());
  MustShell("git remote add gone ../gone.git", s.repo());
  ShellResult r = s.Run("cache pull gone");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("remote repository ../gone.git (the URL of remote 'gone') does not exist"),
            std::string::npos)
      << r.out;
}

TEST(CacheRemoteTest, PushPullAndListNeedNoManifest) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 0);
  s.AddOrigin();
  std::string clone = s.CloneOrigin("clone");
  ASSERT_EQ(s.Run("cache push").status, 0);
  MustShell("git rm -q orchestrate.toml && git commit -q -m 'no manifest'", clone);
  ShellResult pull = Orchestrate("cache pull", clone);
  ASSERT_EQ(pull.status, 0) << pull.out;
  EXPECT_NE(pull.out.find("pulled 2 new cache records from origin (2 in all)"), std::string::npos)
      << pull.out;
  ShellResult list = Orchestrate("cache list", clone);
  EXPECT_EQ(list.status, 0) << list.out;
  EXPECT_NE(list.out.find("2 records"), std::string::npos) << list.out;
  ShellResult push = Orchestrate("cache push", clone);
  EXPECT_EQ(push.status, 0) << push.out;
  // prune asks the manifest which records are usable: it still needs one.
  EXPECT_EQ(Orchestrate("cache prune", clone).status, 2);
}

TEST(CacheRemoteTest, PullNeverReplacesARecordAlreadyHere) {
  Scenario s(Manifest());
  ASSERT_EQ(s.Run("run").status, 0);
  s.AddOrigin();
  std::string clone = s.CloneOrigin("clone");
  ASSERT_EQ(s.Run("cache push").status, 0);
  ASSERT_EQ(Orchestrate("cache pull", clone).status, 0);
  std::string ref =
      Shell("git for-each-ref --format='%(refname)' refs/orchestrate/cache | head -1", clone).out;
  ref.pop_back();
  std::string mine = Shell("git rev-parse " + ref, clone).out;
  // Whoever can write the remote puts another commit under that record's name.
  MustShell("git update-ref " + ref + " main", s.dir() + "/remote.git");
  ShellResult r = Orchestrate("cache pull", clone);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Shell("git rev-parse " + ref, clone).out, mine);
}

TEST(CacheRemoteTest, CacheOutsideARepositoryIsAUsageError) {
  TempDir dir;
  ShellResult r = Orchestrate("cache pull", dir.path());
  EXPECT_EQ(r.status, 2) << r.out;
}

TEST(CacheRemoteTest, RunWithCacheRemotePullsBeforePlanningAndPushesAfter) {
  Scenario s(Manifest());
  s.AddOrigin();
  std::string clone = s.CloneOrigin("clone");
  ShellResult first = s.Run("run --cache-remote origin");
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_EQ(RemoteRecords(s.dir() + "/remote.git"), 2);
  ShellResult second = Orchestrate("run --cache-remote origin", clone);
  ASSERT_EQ(second.status, 0) << second.out;
  EXPECT_NE(second.out.find("2 fresh"), std::string::npos) << second.out;
  EXPECT_EQ(Ran(clone), "");
}

TEST(CacheRemoteTest, SettingsCacheRemoteDoesTheSameAndTheFlagOverridesIt) {
  Scenario s(Manifest("[settings]\ncache_remote = \"origin\"\n"));
  s.AddOrigin();
  std::string clone = s.CloneOrigin("clone");
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(RemoteRecords(s.dir() + "/remote.git"), 2);
  ShellResult fresh = Orchestrate("run", clone);
  ASSERT_EQ(fresh.status, 0) << fresh.out;
  EXPECT_EQ(Ran(clone), "");
  MustShell("git init -q --bare ../elsewhere.git", s.repo());
  ShellResult elsewhere = s.Run("run --cache-remote ../elsewhere.git");
  ASSERT_EQ(elsewhere.status, 0) << elsewhere.out;
  EXPECT_EQ(RemoteRecords(s.dir() + "/elsewhere.git"), 2);
}

TEST(CacheRemoteTest, UnreachableRemoteIsAOneLineWarningNeverAFailure) {
  Scenario s(Manifest());
  ShellResult r = s.Run("run --cache-remote ../nowhere.git");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(CountLines(r.out,
                       "warning: cache remote: not pulled, running on local records only: "
                       "remote repository ../nowhere.git does not exist"),
            1)
      << r.out;
  EXPECT_EQ(CountLines(r.out,
                       "warning: cache remote: new records not pushed (push them later "
                       "with `orchestrate cache push ../nowhere.git`)"),
            1)
      << r.out;
  EXPECT_EQ(Ran(s.repo()), "schema\napi\n");
}

TEST(CacheRemoteTest, EmptyCacheRemoteIsAManifestError) {
  Scenario s(Manifest("[settings]\ncache_remote = \"\"\n"));
  ShellResult r = s.Run("validate");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("orchestrate.toml:3:1: 'cache_remote' must not be empty"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
