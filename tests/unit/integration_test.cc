#include "orchestrate/integration.h"

#include <gtest/gtest.h>

#include "git_fixture.h"
#include "orchestrate/error.h"
#include "support/error_message.h"

namespace orchestrate::testing {
namespace {

class IntegrationTest : public GitRepoTest {
 protected:
  /// A result of `phase`: `files` committed on top of the initial commit.
  PhaseResult Result(const std::string& phase,
                     const std::vector<std::pair<std::string, std::string>>& files) {
    ObjectId commit = CommitOnBranch("result-" + phase, initial_, files);
    Git("checkout -q main");
    return PhaseResult{phase, commit, initial_, {}};
  }
  std::string Show(const ObjectId& commit, const std::string& path) {
    return Trimmed("git show " + commit.hex() + ":" + path, root());
  }
};

TEST_F(IntegrationTest, InputWithoutDepsIsTheBase) {
  MergeOutcome out = MergeInput(*repo_, initial_, {});
  EXPECT_TRUE(out.failures.empty());
  EXPECT_EQ(out.commit, initial_);
}

TEST_F(IntegrationTest, InputOfOneDepIsThatResult) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  MergeOutcome out = MergeInput(*repo_, initial_, {a});
  EXPECT_TRUE(out.failures.empty());
  EXPECT_EQ(out.commit, a.commit);
}

TEST_F(IntegrationTest, InputHoldsEveryDepsChanges) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  PhaseResult c = Result("c", {{"dir/b.txt", "from c\n"}});
  MergeOutcome out = MergeInput(*repo_, initial_, {a, b, c});
  ASSERT_TRUE(out.failures.empty());
  EXPECT_EQ(Show(out.commit, "a.txt"), "from a");
  EXPECT_EQ(Show(out.commit, "new.txt"), "from b");
  EXPECT_EQ(Show(out.commit, "dir/b.txt"), "from c");
  EXPECT_TRUE(repo_->IsAncestor(a.commit, out.commit));
  EXPECT_TRUE(repo_->IsAncestor(b.commit, out.commit));
  EXPECT_TRUE(repo_->IsAncestor(c.commit, out.commit));
}

TEST_F(IntegrationTest, InputMergeIsDeterministicAndNamesThePhase) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  MergeOutcome first = MergeInput(*repo_, initial_, {a, b});
  MergeOutcome second = MergeInput(*repo_, initial_, {a, b});
  ASSERT_TRUE(first.failures.empty());
  EXPECT_EQ(first.commit, second.commit);
  EXPECT_EQ(Git("log -1 --format=%s " + first.commit.hex()), "orchestrate: merge b");
  Signature fixed = FixedSignature();
  int64_t newest = std::max(std::stoll(Git("log -1 --format=%ct " + a.commit.hex())),
                            std::stoll(Git("log -1 --format=%ct " + b.commit.hex())));
  std::string time = std::to_string(newest + 1);
  EXPECT_EQ(Git("log -1 --format='%an <%ae> %at' " + first.commit.hex()),
            fixed.name + " <" + fixed.email + "> " + time);
  EXPECT_EQ(Git("log -1 --format='%cn %ct' " + first.commit.hex()), fixed.name + " " + time);
}

TEST_F(IntegrationTest, InputMergeDependsOnDepOrder) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  MergeOutcome ab = MergeInput(*repo_, initial_, {a, b});
  MergeOutcome ba = MergeInput(*repo_, initial_, {b, a});
  ASSERT_TRUE(ab.failures.empty());
  ASSERT_TRUE(ba.failures.empty());
  EXPECT_NE(ab.commit, ba.commit);
  EXPECT_EQ(repo_->TreeOf(ab.commit), repo_->TreeOf(ba.commit));
}

TEST_F(IntegrationTest, InputStopsAtTheFirstConflictNamingPhaseAndPaths) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}, {"dir/b.txt", "a's b\n"}});
  PhaseResult b = Result("b", {{"a.txt", "from b\n"}, {"dir/b.txt", "b's b\n"}});
  PhaseResult c = Result("c", {{"dir/b.txt", "c's b\n"}});
  MergeOutcome out = MergeInput(*repo_, initial_, {a, b, c});
  ASSERT_EQ(out.failures.size(), 1u) << "merging stops at b";
  EXPECT_EQ(out.failures[0].phase, "b");
  EXPECT_EQ(out.failures[0].paths, (std::vector<std::string>{"a.txt", "dir/b.txt"}));
}

TEST_F(IntegrationTest, TargetCollectsEveryConflict) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}, {"dir/b.txt", "a's b\n"}});
  PhaseResult b = Result("b", {{"a.txt", "from b\n"}});
  PhaseResult ok = Result("ok", {{"ok.txt", "fine\n"}});
  PhaseResult c = Result("c", {{"dir/b.txt", "c's b\n"}});
  MergeOutcome out = MergeTarget(*repo_, initial_, {a, b, ok, c});
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].phase, "b");
  EXPECT_EQ(out.failures[0].paths, (std::vector<std::string>{"a.txt"}));
  EXPECT_EQ(out.failures[1].phase, "c");
  EXPECT_EQ(out.failures[1].paths, (std::vector<std::string>{"dir/b.txt"}));
}

TEST_F(IntegrationTest, TargetWithoutConflictsMergesEveryResult) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  MergeOutcome target = MergeTarget(*repo_, initial_, {a, b});
  ASSERT_TRUE(target.failures.empty());
  EXPECT_EQ(target.commit, MergeInput(*repo_, initial_, {a, b}).commit);
  EXPECT_EQ(Show(target.commit, "a.txt"), "from a");
  EXPECT_EQ(Show(target.commit, "new.txt"), "from b");
}

TEST_F(IntegrationTest, TargetMemoGivesTheSameCommitWithoutMerging) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  TargetMemo memo(root() + "/.git/target_memo");
  MergeOutcome first = MergeTarget(*repo_, initial_, {a, b}, &memo);
  ASSERT_TRUE(first.failures.empty());
  EXPECT_EQ(memo.Find(TargetMemo::Digest(initial_, {a, b})), first.commit);
  EXPECT_EQ(MergeTarget(*repo_, initial_, {a, b}).commit, first.commit);  // deterministic
  EXPECT_EQ(MergeTarget(*repo_, initial_, {a, b}, &memo).commit, first.commit);
}

TEST_F(IntegrationTest, TargetMemoDigestIsTheBlobIdOfItsText) {
  // The format of .orchestrate/target_memo entries: ids are their 20 bytes,
  // an unknown input 20 zero bytes.
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  a.input = ObjectId();
  b.input = a.commit;
  b.deps = {"a", "x"};
  auto bytes = [](const ObjectId& id) {
    return std::string(reinterpret_cast<const char*>(id.data()), ObjectId::kSize);
  };
  const std::string nul(1, '\0');
  std::string text = "orchestrate target merge 2\n" + bytes(initial_) + "\n";
  text += "a" + nul + bytes(a.commit) + nul + std::string(20, '\0') + "\n";
  text += "b" + nul + bytes(b.commit) + nul + bytes(b.input) + nul + "a" + nul + "x\n";
  EXPECT_EQ(TargetMemo::Digest(initial_, {a, b}), HashBlob(text).hex());
}

TEST_F(IntegrationTest, TargetMemoDigestCoversEveryInput) {
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  PhaseResult b = Result("b", {{"new.txt", "from b\n"}});
  std::string digest = TargetMemo::Digest(initial_, {a, b});
  EXPECT_NE(TargetMemo::Digest(initial_, {b, a}), digest);
  EXPECT_NE(TargetMemo::Digest(a.commit, {a, b}), digest);
  PhaseResult other = b;
  other.input = a.commit;
  EXPECT_NE(TargetMemo::Digest(initial_, {a, other}), digest);
  other = b;
  other.deps = {"a"};
  EXPECT_NE(TargetMemo::Digest(initial_, {a, other}), digest);
  other = b;
  other.phase = "c";
  EXPECT_NE(TargetMemo::Digest(initial_, {a, other}), digest);
}

TEST_F(IntegrationTest, TargetMemoKeepsTheRecentEntriesAndIgnoresDamage) {
  std::string path = root() + "/.git/target_memo";
  WriteFile(root(), ".git/target_memo", "garbage\n");
  TargetMemo memo(path);
  EXPECT_FALSE(memo.Find("x"));
  for (size_t i = 0; i < TargetMemo::kMaxEntries + 4; ++i)
    memo.Remember(HashBlob(std::to_string(i)).hex(), initial_);
  EXPECT_FALSE(memo.Find(HashBlob("0").hex()));  // the oldest went
  EXPECT_EQ(memo.Find(HashBlob(std::to_string(TargetMemo::kMaxEntries + 3)).hex()), initial_);
  EXPECT_THROW(TargetMemo(root() + "/no-such-dir/memo").Remember(HashBlob("x").hex(), initial_),
               InfraError);
}

TEST_F(IntegrationTest, AConflictingTargetMergeIsNotRemembered) {
  PhaseResult a = Result("a", {{"a.txt", "one\n"}});
  PhaseResult b = Result("b", {{"a.txt", "two\n"}});
  TargetMemo memo(root() + "/.git/target_memo");
  MergeOutcome out = MergeTarget(*repo_, initial_, {a, b}, &memo);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_FALSE(memo.Find(TargetMemo::Digest(initial_, {a, b})));
}

TEST_F(IntegrationTest, MissingTargetMayBeCreated) {
  EXPECT_NO_THROW(CheckTarget(*repo_, "orchestrate/integration"));
}

TEST_F(IntegrationTest, UpdateTargetMovesTheBranchAndRemembersIt) {
  UpdateTarget(*repo_, "orchestrate/integration", initial_);
  EXPECT_EQ(Git("rev-parse orchestrate/integration"), initial_.hex());
  EXPECT_EQ(Git("rev-parse refs/orchestrate/targets/orchestrate/integration"), initial_.hex());
  EXPECT_NO_THROW(CheckTarget(*repo_, "orchestrate/integration"));
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  UpdateTarget(*repo_, "orchestrate/integration", a.commit);
  EXPECT_EQ(Git("rev-parse orchestrate/integration"), a.commit.hex());
  EXPECT_NO_THROW(CheckTarget(*repo_, "orchestrate/integration"));
  EXPECT_EQ(Git("rev-parse HEAD"), initial_.hex()) << "the user's checkout is untouched";
}

TEST_F(IntegrationTest, UpdateTargetToWhereItIsWritesNothing) {
  UpdateTarget(*repo_, "orchestrate/integration", initial_);
  std::string reflog = Git("reflog show --format=%gs orchestrate/integration");
  UpdateTarget(*repo_, "orchestrate/integration", initial_);  // a no-op run
  EXPECT_EQ(Git("reflog show --format=%gs orchestrate/integration"), reflog);
  PhaseResult a = Result("a", {{"a.txt", "from a\n"}});
  UpdateTarget(*repo_, "orchestrate/integration", a.commit);
  EXPECT_NE(Git("reflog show --format=%gs orchestrate/integration"), reflog);
  EXPECT_EQ(Git("rev-parse refs/orchestrate/targets/orchestrate/integration"), a.commit.hex());
}

TEST_F(IntegrationTest, TargetOrchestrateDidNotCreateIsRefused) {
  Git("branch integration " + initial_.hex());
  std::string msg = MessageOf<UsageError>([&] { CheckTarget(*repo_, "integration"); });
  EXPECT_EQ(msg,
            "refusing to move target branch 'integration': it holds commits orchestrate did not "
            "write (orchestrate did not create it). Keep that work on another branch, then "
            "delete 'integration' (git branch -D integration), or set settings.target to a new "
            "branch name");
}

TEST_F(IntegrationTest, TargetWithForeignCommitsIsRefusedNamingBothCommits) {
  UpdateTarget(*repo_, "integration", initial_);
  ObjectId foreign = CommitOnBranch("integration", initial_, {{"mine.txt", "mine\n"}});
  Git("checkout -q main");
  std::string msg = MessageOf<UsageError>([&] { CheckTarget(*repo_, "integration"); });
  EXPECT_NE(msg.find("refusing to move target branch 'integration'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("orchestrate last wrote " + initial_.ShortHex(12) + ", but it now points at " +
                     foreign.ShortHex(12)),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("git branch -D integration"), std::string::npos) << msg;
}

TEST_F(IntegrationTest, CheckedOutTargetIsRefused) {
  std::string msg = MessageOf<UsageError>([&] { CheckTarget(*repo_, "main"); });
  EXPECT_EQ(msg,
            "the target branch 'main' is checked out in your checkout, and orchestrate never "
            "touches your checkout: switch to another branch, or set settings.target to another "
            "name");
}

TEST_F(IntegrationTest, TargetCheckedOutInALinkedWorktreeIsRefused) {
  UpdateTarget(*repo_, "integration", initial_);
  std::string linked = tmp_.path() + "/linked";
  Git("worktree add -q " + linked + " integration");
  std::string msg = MessageOf<UsageError>([&] { CheckTarget(*repo_, "integration"); });
  EXPECT_EQ(msg, "the target branch 'integration' is checked out in the linked worktree " + linked +
                     ", and orchestrate never moves a branch under a checkout: switch that "
                     "checkout to another branch, or set settings.target to another name");
  Git("-C " + linked + " checkout -q --detach");
  CheckTarget(*repo_, "integration");  // detached: the branch is free to move
  Git("-C " + linked + " checkout -q -b integration-2");
  CheckTarget(*repo_, "integration");  // a name that starts the same is another branch
}

TEST_F(IntegrationTest, CheckedOutTargetIsRefusedEvenWhenOrchestrateWroteIt) {
  UpdateTarget(*repo_, "integration", initial_);
  Git("checkout -q integration");
  std::string msg = MessageOf<UsageError>([&] { CheckTarget(*repo_, "integration"); });
  EXPECT_NE(msg.find("'integration' is checked out in your checkout"), std::string::npos) << msg;
}

}  // namespace
}  // namespace orchestrate::testing
