#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "git_fixture.h"
#include "orchestrate/git.h"

namespace orchestrate::testing {
namespace {

using GitRefsTest = GitRepoTest;

TEST_F(GitRefsTest, ReadRefResolvesSymbolicRefsAndReportsAbsence) {
  EXPECT_EQ(repo_->ReadRef("HEAD"), initial_);
  EXPECT_EQ(repo_->ReadRef("refs/heads/main"), initial_);
  EXPECT_EQ(repo_->ReadRef("refs/heads/missing"), std::nullopt);
}

TEST_F(GitRefsTest, WriteRefCreatesAndMovesEvenTheCheckedOutBranch) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  repo_->WriteRef("refs/orchestrate/x", initial_, "test");
  EXPECT_EQ(Id("refs/orchestrate/x"), initial_);
  repo_->WriteRef("refs/heads/main", initial_, "test");
  EXPECT_EQ(Git("rev-parse refs/heads/main"), initial_.hex());
  repo_->WriteRef("refs/heads/main", second, "test");
  EXPECT_EQ(repo_->ReadRef("refs/heads/main"), second);
}

TEST_F(GitRefsTest, WriteRefIfWithoutExpectationOnlyCreates) {
  EXPECT_TRUE(repo_->WriteRefIf("refs/orchestrate/new", initial_, std::nullopt, "create"));
  EXPECT_EQ(Git("rev-parse refs/orchestrate/new"), initial_.hex());
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  EXPECT_FALSE(repo_->WriteRefIf("refs/orchestrate/new", second, std::nullopt, "create"));
  EXPECT_EQ(repo_->ReadRef("refs/orchestrate/new"), initial_);
}

TEST_F(GitRefsTest, WriteRefIfMovesOnlyFromExpectedValue) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  repo_->WriteRef("refs/orchestrate/cas", initial_, "setup");
  EXPECT_FALSE(repo_->WriteRefIf("refs/orchestrate/cas", initial_, second, "stale"));
  EXPECT_EQ(repo_->ReadRef("refs/orchestrate/cas"), initial_);
  EXPECT_TRUE(repo_->WriteRefIf("refs/orchestrate/cas", second, initial_, "move"));
  EXPECT_EQ(Git("rev-parse refs/orchestrate/cas"), second.hex());
}

TEST_F(GitRefsTest, WriteRefIfWithExpectationFailsWhenRefIsMissing) {
  EXPECT_FALSE(repo_->WriteRefIf("refs/orchestrate/none", initial_, initial_, "move"));
  EXPECT_EQ(repo_->ReadRef("refs/orchestrate/none"), std::nullopt);
}

TEST_F(GitRefsTest, WriteRefIfWorksOnPackedRefs) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  repo_->WriteRef("refs/orchestrate/packed", initial_, "setup");
  Git("pack-refs --all");
  EXPECT_FALSE(repo_->WriteRefIf("refs/orchestrate/packed", second, second, "stale"));
  EXPECT_TRUE(repo_->WriteRefIf("refs/orchestrate/packed", second, initial_, "move"));
  EXPECT_EQ(Git("rev-parse refs/orchestrate/packed"), second.hex());
}

// The stamp changes whenever git rewrites the file holding the ref: the
// loose file (a new inode each time, by rename) or packed-refs.
TEST_F(GitRefsTest, StampOfRefChangesWhenGitRewritesTheRefLooseOrPacked) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  repo_->WriteRef("refs/orchestrate/s", initial_, "setup");
  RefStamp loose = repo_->StampOfRef("refs/orchestrate/s");
  EXPECT_TRUE(loose.known);
  EXPECT_FALSE(loose.packed);
  EXPECT_EQ(repo_->StampOfRef("refs/orchestrate/s"), loose);
  Git("update-ref refs/orchestrate/s " + second.hex());
  RefStamp moved = repo_->StampOfRef("refs/orchestrate/s");
  EXPECT_TRUE(moved.known);
  EXPECT_NE(moved, loose);

  Git("pack-refs --all");
  RefStamp packed = repo_->StampOfRef("refs/orchestrate/s");
  EXPECT_TRUE(packed.known);
  EXPECT_TRUE(packed.packed);
  repo_->WriteRef("refs/orchestrate/other", initial_, "setup");
  Git("pack-refs --all");
  EXPECT_NE(repo_->StampOfRef("refs/orchestrate/s"), packed);
}

// A cache record's ref (refs/orchestrate/cache/PHASE/KEY) is stamped
// through a directory Repo keeps open. When git removes that directory
// (pack-refs prunes the emptied ones) and makes it again, the stamp is
// still the one of the file git reads.
TEST_F(GitRefsTest, StampOfADeepRefFollowsGitWhenItsDirectoryIsRemovedAndMadeAgain) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  const std::string a = "refs/orchestrate/cache/a/k1";
  const std::string b = "refs/orchestrate/cache/b/k2";
  auto inode_of = [&](const std::string& ref) {
    struct stat st;
    EXPECT_EQ(stat((root() + "/.git/" + ref).c_str(), &st), 0) << ref;
    return static_cast<uint64_t>(st.st_ino);
  };
  repo_->WriteRef(a, initial_, "setup");
  repo_->WriteRef(b, initial_, "setup");
  RefStamp loose_a = repo_->StampOfRef(a);
  RefStamp loose_b = repo_->StampOfRef(b);
  ASSERT_TRUE(loose_a.known && loose_b.known);
  EXPECT_FALSE(loose_a.packed);
  EXPECT_EQ(loose_a.inode, inode_of(a));
  EXPECT_EQ(loose_b.inode, inode_of(b));

  Git("pack-refs --all");
  ASSERT_FALSE(std::filesystem::exists(root() + "/.git/refs/orchestrate/cache/a"));
  RefStamp packed = repo_->StampOfRef(a);
  EXPECT_TRUE(packed.known);
  EXPECT_TRUE(packed.packed);

  Git("update-ref " + a + " " + second.hex());  // loose again, in a new directory
  RefStamp again = repo_->StampOfRef(a);
  EXPECT_TRUE(again.known);
  EXPECT_FALSE(again.packed);
  EXPECT_EQ(again.inode, inode_of(a));
  EXPECT_NE(again, loose_a);
  EXPECT_EQ(repo_->ReadRef(a), second);
}

TEST_F(GitRefsTest, StampOfRefSaysNothingForRefsItCannotVouchFor) {
  EXPECT_FALSE(repo_->StampOfRef("HEAD").known);
  EXPECT_FALSE(repo_->StampOfRef("refs/worktree/x").known);
  EXPECT_FALSE(repo_->StampOfRef("refs/bisect/bad").known);
  EXPECT_FALSE(repo_->StampOfRef("refs/../config").known);
  EXPECT_FALSE(repo_->StampOfRef("refs/orchestrate/missing").known);  // no packed-refs either
}

TEST_F(GitRefsTest, DeleteRefRemovesRefAndIgnoresMissingOnes) {
  repo_->WriteRef("refs/orchestrate/gone", initial_, "setup");
  repo_->DeleteRef("refs/orchestrate/gone");
  EXPECT_EQ(repo_->ReadRef("refs/orchestrate/gone"), std::nullopt);
  EXPECT_NE(Shell("git rev-parse --verify -q refs/orchestrate/gone", root()).status, 0);
  EXPECT_NO_THROW(repo_->DeleteRef("refs/orchestrate/gone"));
}

TEST_F(GitRefsTest, ListRefsFiltersByPrefixAndSortsByName) {
  ObjectId second = CommitOnBranch("main", "main", {{"a.txt", "2\n"}});
  repo_->WriteRef("refs/orchestrate/b/2", second, "setup");
  repo_->WriteRef("refs/orchestrate/a", initial_, "setup");
  repo_->WriteRef("refs/orchestrate/b/1", initial_, "setup");
  repo_->WriteRef("refs/other/c", initial_, "setup");
  Git("pack-refs --all");
  repo_->WriteRef("refs/orchestrate/b/0", second, "loose after packing");
  using Refs = std::vector<std::pair<std::string, ObjectId>>;
  EXPECT_EQ(repo_->ListRefs("refs/orchestrate/"), (Refs{{"refs/orchestrate/a", initial_},
                                                        {"refs/orchestrate/b/0", second},
                                                        {"refs/orchestrate/b/1", initial_},
                                                        {"refs/orchestrate/b/2", second}}));
  EXPECT_EQ(repo_->ListRefs("refs/orchestrate/b/1"), (Refs{{"refs/orchestrate/b/1", initial_}}));
  EXPECT_TRUE(repo_->ListRefs("refs/none/").empty());
}

}  // namespace
}  // namespace orchestrate::testing
