// The Repo queries the planner, maintenance and start-up checks use
// (git_content.cc, git_reachability.cc, git_config.cc).
#include <gtest/gtest.h>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace orchestrate::testing {
namespace {

using GitQueriesTest = GitRepoTest;

TEST_F(GitQueriesTest, ContentIdWithoutExclusionsIsTheTreesId) {
  ObjectId tree = repo_->TreeOf(initial_);
  EXPECT_EQ(repo_->ContentIdExcluding(tree, {}), tree);
  EXPECT_EQ(repo_->ContentIdExcluding(tree, {"absent.txt"}), tree);
}

TEST_F(GitQueriesTest, ContentIdIgnoresExactlyTheExcludedPaths) {
  ObjectId own_v1 =
      CommitOnBranch("v1", initial_, {{"dir/prompt.md", "prompt 1\n"}, {"manifest", "m 1\n"}});
  ObjectId own_v2 =
      CommitOnBranch("v2", own_v1, {{"dir/prompt.md", "prompt 2\n"}, {"manifest", "m 2\n"}});
  ObjectId v1 = repo_->TreeOf(own_v1);
  ObjectId v2 = repo_->TreeOf(own_v2);
  ASSERT_NE(v1, v2);
  std::set<std::string> own = {"dir/prompt.md", "manifest"};
  EXPECT_EQ(repo_->ContentIdExcluding(v1, own), repo_->ContentIdExcluding(v2, own));
  EXPECT_NE(repo_->ContentIdExcluding(v2, own), v2);

  ObjectId other_changed = CommitOnBranch("other", own_v2, {{"dir/b.txt", "changed\n"}});
  EXPECT_NE(repo_->ContentIdExcluding(repo_->TreeOf(other_changed), own),
            repo_->ContentIdExcluding(v2, own));
  // A whole directory can be excluded.
  EXPECT_EQ(repo_->ContentIdExcluding(repo_->TreeOf(other_changed), {"dir", "manifest"}),
            repo_->ContentIdExcluding(v1, {"dir", "manifest"}));
}

TEST_F(GitQueriesTest, ContentIdOfAMissingTreeIsAnInfraErrorNamingIt) {
  ObjectId missing = Oid(std::string(40, '1'));
  try {
    repo_->ContentIdExcluding(missing, {"a.txt"});
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("looking up tree " + missing.hex()), std::string::npos)
        << e.what();
  }
}

TEST_F(GitQueriesTest, ReachableFromAnyTip) {
  ObjectId side = CommitOnBranch("side", initial_, {{"c.txt", "c\n"}});
  ObjectId later = CommitOnBranch("later", side, {{"d.txt", "d\n"}});
  EXPECT_TRUE(repo_->IsReachableFromAny(side, {later}));
  EXPECT_TRUE(repo_->IsReachableFromAny(side, {initial_, side}));
  EXPECT_FALSE(repo_->IsReachableFromAny(later, {initial_, side}));
  EXPECT_FALSE(repo_->IsReachableFromAny(side, {}));
}

TEST_F(GitQueriesTest, ConfigValuesFromTheRepository) {
  EXPECT_EQ(repo_->ConfigString("orchestrate.test-value"), std::nullopt);
  EXPECT_FALSE(repo_->ConfigBool("orchestrate.test-flag"));
  Git("config orchestrate.test-value 'some text'");
  Git("config orchestrate.test-flag true");
  EXPECT_EQ(repo_->ConfigString("orchestrate.test-value"), "some text");
  EXPECT_TRUE(repo_->ConfigBool("orchestrate.test-flag"));
  Git("config orchestrate.test-flag no");
  EXPECT_FALSE(repo_->ConfigBool("orchestrate.test-flag"));
}

TEST_F(GitQueriesTest, ConfigEntriesMatchingAPattern) {
  Git("config filter.lfs.clean 'git-lfs clean -- %f'");
  Git("config filter.lfs.smudge 'git-lfs smudge -- %f'");
  Git("config filter.crypt.process 'git-crypt'");
  Git("config other.clean nothing");
  std::map<std::string, std::string> expected = {{"filter.crypt.process", "git-crypt"},
                                                 {"filter.lfs.clean", "git-lfs clean -- %f"},
                                                 {"filter.lfs.smudge", "git-lfs smudge -- %f"}};
  EXPECT_EQ(repo_->ConfigMatching("^filter\\..*\\.(clean|smudge|process)$"), expected);
  EXPECT_TRUE(repo_->ConfigMatching("^nothing\\.here$").empty());
}

TEST_F(GitQueriesTest, ShallowCloneIsRecognized) {
  EXPECT_FALSE(repo_->IsShallow());
  CommitOnBranch("main", initial_, {{"c.txt", "c\n"}});
  std::string clone = tmp_.path() + "/shallow";
  Trimmed("git clone -q --depth 1 file://" + root() + " " + clone, tmp_.path());
  EXPECT_TRUE(Repo::Open(clone)->IsShallow());
}

}  // namespace
}  // namespace orchestrate::testing
