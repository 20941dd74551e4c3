#include "orchestrate/worktree_pool.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace orchestrate {
namespace {

using Names = std::vector<std::string>;
using Owners = std::map<std::string, std::string>;

TEST(WorktreePoolTest, EmptyPoolNamesNewWorktreesFromW0) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {});
  EXPECT_EQ(pool.Acquire("a"), "w0");
  EXPECT_EQ(pool.Acquire("b"), "w1");
  EXPECT_EQ(pool.Acquire("c"), "w2");
}

TEST(WorktreePoolTest, ReleasedWorktreeIsReusedByTheNextPhase) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {});
  std::string a = pool.Acquire("a");
  pool.Release(a, "a", /*succeeded=*/true);
  EXPECT_EQ(pool.Acquire("b"), a);
}

TEST(WorktreePoolTest, BusyWorktreeIsNeverHandedOutTwice) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {"w0", "w1"});
  std::string a = pool.Acquire("a");
  std::string b = pool.Acquire("b");
  std::string c = pool.Acquire("c");
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(a, c);
  EXPECT_EQ(c, "w2");
}

TEST(WorktreePoolTest, PhaseGetsTheWorktreeItUsedInThePreviousRun) {
  RunState state;
  {
    WorktreePool first(state, KeepWorktrees::kFailed, {});
    std::string a = first.Acquire("a");
    std::string b = first.Acquire("b");
    ASSERT_EQ(b, "w1");
    first.Release(a, "a", true);
    first.Release(b, "b", true);
  }
  WorktreePool second(state, KeepWorktrees::kFailed, {"w0", "w1"});
  EXPECT_EQ(second.Acquire("b"), "w1");
  EXPECT_EQ(second.Acquire("a"), "w0");
}

TEST(WorktreePoolTest, PhaseTakesAnotherFreeWorktreeWhenItsLastOneIsBusy) {
  RunState state;
  state.worktree_last_phase = {{"w0", "a"}};
  WorktreePool pool(state, KeepWorktrees::kFailed, {"w0", "w1"});
  std::string b = pool.Acquire("b");
  std::string a = pool.Acquire("a");
  EXPECT_NE(a, b);
  EXPECT_TRUE(a == "w0" || a == "w1") << a << ": a free worktree on disk beats a new one";
  EXPECT_TRUE(b == "w0" || b == "w1") << b;
}

TEST(WorktreePoolTest, AcquireRecordsTheLastPhaseOfEachWorktree) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {});
  std::string w = pool.Acquire("a");
  EXPECT_EQ(state.worktree_last_phase, (Owners{{w, "a"}}));
  pool.Release(w, "a", true);
  EXPECT_EQ(pool.Acquire("b"), w);
  EXPECT_EQ(state.worktree_last_phase, (Owners{{w, "b"}}));
}

TEST(WorktreePoolTest, FailedPhaseKeepsItsWorktreeUnderKeepFailed) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {});
  std::string a = pool.Acquire("a");
  pool.Release(a, "a", /*succeeded=*/false);
  EXPECT_EQ(pool.kept(), (Owners{{a, "a"}}));
  EXPECT_EQ(state.kept_worktrees, (Owners{{a, "a"}}));
  EXPECT_NE(pool.Acquire("b"), a) << "a kept worktree is not free for other phases";
}

TEST(WorktreePoolTest, SucceededPhaseDoesNotKeepItsWorktreeUnderKeepFailed) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {});
  std::string a = pool.Acquire("a");
  pool.Release(a, "a", /*succeeded=*/true);
  EXPECT_TRUE(pool.kept().empty());
}

TEST(WorktreePoolTest, FailedPhaseGetsItsKeptWorktreeBackAndReleasesTheHold) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {});
  std::string a = pool.Acquire("a");
  pool.Release(a, "a", false);
  std::string b = pool.Acquire("b");
  pool.Release(b, "b", true);
  EXPECT_EQ(pool.Acquire("a"), a);
  EXPECT_TRUE(pool.kept().empty());
  pool.Release(a, "a", true);
  EXPECT_TRUE(pool.kept().empty());
}

TEST(WorktreePoolTest, KeptWorktreeSurvivesIntoTheNextRun) {
  RunState state;
  {
    WorktreePool first(state, KeepWorktrees::kFailed, {});
    first.Release(first.Acquire("a"), "a", false);
  }
  WorktreePool second(state, KeepWorktrees::kFailed, {"w0"});
  EXPECT_EQ(second.kept(), (Owners{{"w0", "a"}}));
  EXPECT_EQ(second.Acquire("b"), "w1");
  EXPECT_EQ(second.Acquire("a"), "w0");
}

TEST(WorktreePoolTest, KeptWorktreeWinsOverTheLastUsedOne) {
  RunState state;
  state.kept_worktrees = {{"w1", "a"}};
  state.worktree_last_phase = {{"w0", "a"}, {"w1", "a"}};
  WorktreePool pool(state, KeepWorktrees::kFailed, {"w0", "w1"});
  EXPECT_EQ(pool.Acquire("a"), "w1");
}

TEST(WorktreePoolTest, NeverKeepsNothingEvenAfterFailure) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kNever, {});
  std::string a = pool.Acquire("a");
  pool.Release(a, "a", /*succeeded=*/false);
  EXPECT_TRUE(pool.kept().empty());
  EXPECT_EQ(pool.Acquire("b"), a) << "under \"never\" a failed phase's worktree is recycled";
}

TEST(WorktreePoolTest, AlwaysKeepsOneWorktreePerPhase) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kAlways, {});
  std::string a = pool.Acquire("a");
  pool.Release(a, "a", /*succeeded=*/true);
  std::string b = pool.Acquire("b");
  pool.Release(b, "b", /*succeeded=*/false);
  EXPECT_NE(a, b);
  EXPECT_EQ(pool.kept(), (Owners{{a, "a"}, {b, "b"}}));
  EXPECT_EQ(pool.Acquire("a"), a);
  EXPECT_EQ(pool.Acquire("b"), b);
  EXPECT_EQ(pool.Acquire("c"), "w2");
}

TEST(WorktreePoolTest, ForgetsBookkeepingOfWorktreesThatNoLongerExist) {
  RunState state;
  state.kept_worktrees = {{"w0", "a"}, {"w3", "b"}};
  state.worktree_last_phase = {{"w0", "a"}, {"w4", "c"}};
  WorktreePool pool(state, KeepWorktrees::kFailed, {"w0"});
  EXPECT_EQ(pool.kept(), (Owners{{"w0", "a"}}));
  EXPECT_EQ(state.worktree_last_phase, (Owners{{"w0", "a"}}));
  EXPECT_EQ(pool.Acquire("b"), "w1") << "w0 is still kept for a; b's w3 is gone";
}

TEST(WorktreePoolTest, NewNamesSkipWorktreesOnDisk) {
  RunState state;
  state.kept_worktrees = {{"w0", "x"}, {"w2", "y"}};
  WorktreePool pool(state, KeepWorktrees::kFailed, {"w0", "w2"});
  EXPECT_EQ(pool.Acquire("a"), "w1");
  EXPECT_EQ(pool.Acquire("b"), "w3");
}

TEST(WorktreePoolTest, PrefersAnExistingFreeWorktreeToANewOne) {
  RunState state;
  WorktreePool pool(state, KeepWorktrees::kFailed, {"w5"});
  EXPECT_EQ(pool.Acquire("a"), "w5");
  EXPECT_EQ(pool.Acquire("b"), "w0");
}

TEST(WorktreePoolTest, StateRecordsKeptAndLastUsedWorktrees) {
  RunState state;
  {
    WorktreePool pool(state, KeepWorktrees::kFailed, {});
    std::string a = pool.Acquire("a");
    std::string b = pool.Acquire("b");
    pool.Release(a, "a", false);
    pool.Release(b, "b", true);
  }
  EXPECT_EQ(state.kept_worktrees, (Owners{{"w0", "a"}}));
  EXPECT_EQ(state.worktree_last_phase, (Owners{{"w0", "a"}, {"w1", "b"}}));
}

}  // namespace
}  // namespace orchestrate
