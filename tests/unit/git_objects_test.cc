#include <gtest/gtest.h>

#include <filesystem>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace orchestrate::testing {
namespace {

using GitObjectsTest = GitRepoTest;

TEST_F(GitObjectsTest, DiscoverFindsRepositoryFromSubdirectory) {
  std::unique_ptr<Repo> found = Repo::Discover(root() + "/dir");
  EXPECT_EQ(found->workdir(), root());
  EXPECT_EQ(found->commondir(), root() + "/.git");
}

TEST_F(GitObjectsTest, DiscoverOutsideRepositoryTellsUserWhatToDo) {
  std::string outside = tmp_.path() + "/plain";
  std::filesystem::create_directories(outside);
  try {
    Repo::Discover(outside);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "not a git repository (or any parent): " + outside +
                  " — run orchestrate inside a git repository, or pass -C DIR");
  }
}

TEST_F(GitObjectsTest, OpenOfMissingDirectoryIsInfraError) {
  try {
    Repo::Open(tmp_.path() + "/missing");
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("git: opening repository " + tmp_.path() + "/missing: "),
              std::string::npos)
        << e.what();
  }
}

TEST_F(GitObjectsTest, ResolveCommitPeelsRevisionsAndReportsAbsence) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "changed\n"}});
  EXPECT_EQ(repo_->ResolveCommit("HEAD"), second);
  EXPECT_EQ(repo_->ResolveCommit("main~1"), initial_);
  EXPECT_EQ(repo_->ResolveCommit(initial_.ShortHex(10)), initial_);
  Git("tag -a v1 -m release " + initial_.hex());
  EXPECT_EQ(repo_->ResolveCommit("v1"), initial_);
  EXPECT_EQ(repo_->ResolveCommit("main~5"), std::nullopt);
  EXPECT_EQ(repo_->ResolveCommit("no-such-branch"), std::nullopt);
  EXPECT_EQ(repo_->ResolveCommit(repo_->TreeOf(initial_).hex()), std::nullopt);
}

TEST_F(GitObjectsTest, ReadsTreeParentsAndMessageOfCommit) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "changed\n"}});
  EXPECT_EQ(repo_->TreeOf(second), Id(second.hex() + "^{tree}"));
  EXPECT_EQ(repo_->ParentsOf(second), std::vector<ObjectId>{initial_});
  EXPECT_TRUE(repo_->ParentsOf(initial_).empty());
  EXPECT_EQ(repo_->MessageOf(second), "change on main\n");
}

TEST_F(GitObjectsTest, LookingUpMissingCommitIsInfraError) {
  ObjectId missing = testing::Oid(std::string(40, '1'));
  try {
    repo_->TreeOf(missing);
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("git: looking up commit " + missing.hex() + ": "),
              std::string::npos)
        << e.what();
  }
}

TEST_F(GitObjectsTest, HasObjectAnswersForPresentMissingAndNullIds) {
  EXPECT_TRUE(repo_->HasObject(initial_));
  EXPECT_TRUE(repo_->HasObject(repo_->TreeOf(initial_)));
  EXPECT_FALSE(repo_->HasObject(testing::Oid(std::string(40, '2'))));
  EXPECT_FALSE(repo_->HasObject(ObjectId()));
}

TEST_F(GitObjectsTest, WalkTreeVisitsNestedBlobsInPathOrder) {
  for (const char* path : {"z", "a-b", "a/c/d", "a/b.txt", "a.txt"}) WriteFile(root(), path, path);
  MustShell("ln -s a.txt link", root());
  ObjectId commit = Oid(CommitAll(root(), "nested"));
  std::vector<std::string> paths;
  std::vector<std::string> listed;
  repo_->WalkTree(repo_->TreeOf(commit), [&](const std::string& path, const ObjectId& blob) {
    paths.push_back(path);
    listed.push_back(blob.hex() + " " + path);
  });
  EXPECT_EQ(paths, (std::vector<std::string>{"a-b", "a.txt", "a/b.txt", "a/c/d", "dir/b.txt",
                                             "link", "z"}));
  std::string expected = Git("ls-tree -r --format='%(objectname) %(path)' " + commit.hex());
  std::string joined;
  for (const std::string& line : listed) joined += (joined.empty() ? "" : "\n") + line;
  EXPECT_EQ(joined, expected);
}

TEST_F(GitObjectsTest, BlobsRoundTripBinaryContent) {
  std::string content("bin\0ary\n", 8);
  ObjectId blob = repo_->WriteBlob(content);
  EXPECT_EQ(repo_->ReadBlob(blob), content);
  EXPECT_EQ(Git("cat-file -t " + blob.hex()), "blob");
  EXPECT_EQ(Git("cat-file -s " + blob.hex()), "8");
}

TEST_F(GitObjectsTest, FlatTreesRoundTrip) {
  std::map<std::string, ObjectId> files{{"one", repo_->WriteBlob("1")},
                                        {"two", repo_->WriteBlob("2")}};
  ObjectId tree = repo_->WriteTree(files);
  EXPECT_EQ(repo_->ReadTree(tree), files);
  EXPECT_EQ(Git("ls-tree --name-only " + tree.hex()), "one\ntwo");
  EXPECT_EQ(repo_->WriteTree({}).hex(), Git("hash-object -t tree /dev/null"));
}

TEST_F(GitObjectsTest, FlatTreeRejectsNamesWithSlash) {
  try {
    repo_->WriteTree({{"a/b", repo_->WriteBlob("x")}});
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("git: adding 'a/b' to a tree: "), std::string::npos);
  }
}

TEST_F(GitObjectsTest, CommitsWithFixedSignatureAreDeterministic) {
  ObjectId tree = repo_->TreeOf(initial_);
  ObjectId first = repo_->CreateCommit(tree, {initial_}, "record\n", FixedSignature());
  ObjectId again = repo_->CreateCommit(tree, {initial_}, "record\n", FixedSignature());
  EXPECT_EQ(first, again);
  EXPECT_EQ(Git("log -1 --format='%an <%ae> %at %ad' --date=raw " + first.hex()),
            "orchestrate <orchestrate@localhost> 946684800 946684800 +0000");
  EXPECT_EQ(repo_->ParentsOf(first), std::vector<ObjectId>{initial_});
  EXPECT_EQ(Git("for-each-ref --points-at " + first.hex()), "");
}

TEST_F(GitObjectsTest, CommitsWithoutSignatureUseUserConfiguration) {
  ObjectId commit = repo_->CreateCommit(repo_->TreeOf(initial_), {}, "mine", std::nullopt);
  EXPECT_EQ(Git("log -1 --format='%an <%ae>' " + commit.hex()), "Tester <tester@example.com>");
  EXPECT_TRUE(repo_->ParentsOf(commit).empty());
}

TEST_F(GitObjectsTest, IsAncestorFollowsHistory) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  ObjectId side = CommitOnBranch("side", initial_, {{"a.txt", "side\n"}});
  EXPECT_TRUE(repo_->IsAncestor(initial_, second));
  EXPECT_TRUE(repo_->IsAncestor(second, second));
  EXPECT_FALSE(repo_->IsAncestor(second, initial_));
  EXPECT_FALSE(repo_->IsAncestor(side, second));
}

// HashBlob computes the id without a repository; it must agree with git.
TEST(HashBlobTest, EqualsGitHashObject) {
  TempDir tmp;
  for (std::string content : {std::string(""), std::string("hello\n"), std::string("a\0b", 3),
                              std::string(100000, 'x')}) {
    WriteFile(tmp.path(), "blob", content);
    std::string git = MustShell("git hash-object blob", tmp.path());
    EXPECT_EQ(HashBlob(content).hex() + "\n", git) << content.size() << " bytes";
  }
}

TEST(HashBlobTest, EqualsTheIdGitStoresTheBlobUnder) {
  TempDir tmp;
  InitGit();
  InitRepo(tmp.path(), {{"f", "x"}});
  auto repo = Repo::Open(tmp.path());
  EXPECT_EQ(HashBlob("some content\n"), repo->WriteBlob("some content\n"));
}

}  // namespace
}  // namespace orchestrate::testing
