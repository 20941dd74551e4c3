// The run-time model (build.h): one PhaseRun per graph node, and the state
// file as its projection.
#include "orchestrate/build.h"

#include <gtest/gtest.h>

#include "support/manifest_builder.h"

namespace orchestrate::testing {
namespace {

PhaseRecord Shown(PhaseState state, const std::string& key) {
  PhaseRecord r;
  r.state = state;
  r.key = key;
  return r;
}

class BuildModelTest : public ::testing::Test {
 protected:
  BuildModelTest() : manifest_(MakeManifest({{"a", {}}, {"b", {"a"}}})), build_(manifest_) {}

  int Index(const std::string& name) const { return *build_.graph().Find(name); }

  Manifest manifest_;
  Build build_;
};

TEST_F(BuildModelTest, LoadGivesEachGraphPhaseItsRecord) {
  RunState state;
  state.phases["b"] = Shown(PhaseState::kFailed, "kb");
  build_.Load(state);
  ASSERT_EQ(build_.size(), 2);
  EXPECT_FALSE(build_[Index("a")].recorded);
  ASSERT_TRUE(build_[Index("b")].recorded);
  EXPECT_EQ(build_[Index("b")].recorded->key, "kb");
  EXPECT_EQ(build_[Index("b")].state, PhaseState::kStale);  // this run has not decided it
  EXPECT_TRUE(build_.bookkeeping().phases.empty());
}

TEST_F(BuildModelTest, StateKeepsPhasesOutsideTheGraphAndTheBookkeeping) {
  RunState state;
  state.base = "base1";
  state.phases["gone"] = Shown(PhaseState::kSucceeded, "kg");
  state.phases["a"] = Shown(PhaseState::kSucceeded, "ka");
  state.failed_keys["a"] = {"k0"};
  state.kept_worktrees["w0"] = "gone";
  build_.Load(state);
  build_.Recorded(Index("b")).state = PhaseState::kBlocked;
  RunState written = build_.State();
  EXPECT_EQ(written.base, "base1");
  ASSERT_EQ(written.phases.size(), 3u);
  EXPECT_EQ(written.phases.at("gone").key, "kg");
  EXPECT_EQ(written.phases.at("a").key, "ka");
  EXPECT_EQ(written.phases.at("b").state, PhaseState::kBlocked);
  EXPECT_EQ(written.failed_keys.at("a"), std::set<std::string>{"k0"});
  EXPECT_EQ(written.kept_worktrees.at("w0"), "gone");
}

TEST_F(BuildModelTest, APhaseNoRunTouchedIsNotWritten) {
  build_.Load({});
  EXPECT_TRUE(build_.State().phases.empty());
}

TEST_F(BuildModelTest, RecordedByNameFindsGraphPhasesAndOthers) {
  build_.Load({});
  build_.Recorded("a").attempts = 2;
  build_.Recorded("gone").attempts = 3;
  EXPECT_EQ(build_[Index("a")].recorded->attempts, 2);
  EXPECT_EQ(build_.bookkeeping().phases.at("gone").attempts, 3);
}

TEST_F(BuildModelTest, InterruptLeftRunningReachesEveryRecord) {
  RunState state;
  state.phases["a"] = Shown(PhaseState::kRunning, "ka");
  state.phases["gone"] = Shown(PhaseState::kRequeued, "kg");
  state.phases["b"] = Shown(PhaseState::kSucceeded, "kb");
  build_.Load(state);
  EXPECT_TRUE(build_.InterruptLeftRunning());
  RunState written = build_.State();
  EXPECT_EQ(written.phases.at("a").state, PhaseState::kInterrupted);
  EXPECT_EQ(written.phases.at("gone").state, PhaseState::kInterrupted);
  EXPECT_EQ(written.phases.at("b").state, PhaseState::kSucceeded);
  EXPECT_FALSE(build_.InterruptLeftRunning());
}

}  // namespace
}  // namespace orchestrate::testing
