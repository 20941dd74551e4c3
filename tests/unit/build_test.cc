// The run-time model (build.h): one PhaseRun per graph node, and the state
// file and the phase events as its projections.
#include "orchestrate/build.h"

#include <gtest/gtest.h>

#include "support/fake_ids.h"
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
  EXPECT_EQ(build_[Index("b")].state, PhaseState::kFailed);  // as the last run left it
  EXPECT_FALSE(build_[Index("b")].reached);
  EXPECT_EQ(build_[Index("a")].state, PhaseState::kStale);  // no run touched it
  EXPECT_EQ(build_[Index("b")].recorded, &build_.bookkeeping().phases.at("b"));  // not a copy
}

TEST_F(BuildModelTest, StateKeepsPhasesOutsideTheGraphAndTheBookkeeping) {
  RunState state;
  state.base = testing::FakeId("base1");
  state.phases["gone"] = Shown(PhaseState::kSucceeded, "kg");
  state.phases["a"] = Shown(PhaseState::kSucceeded, "ka");
  state.failed_keys["a"] = {"k0"};
  state.kept_worktrees["w0"] = "gone";
  build_.Load(state);
  build_.Recorded(Index("b"));
  build_[Index("b")].state = PhaseState::kBlocked;
  RunState written = build_.State();
  EXPECT_EQ(written.base, testing::FakeId("base1"));
  ASSERT_EQ(written.phases.size(), 3u);
  EXPECT_EQ(written.phases.at("gone").key, "kg");
  EXPECT_EQ(written.phases.at("a").key, "ka");
  EXPECT_EQ(written.phases.at("b").state, PhaseState::kBlocked);
  EXPECT_EQ(written.failed_keys.at("a"), std::set<std::string>{"k0"});
  EXPECT_EQ(written.kept_worktrees.at("w0"), "gone");
}

TEST_F(BuildModelTest, TheStateFileShowsThePhaseRunsStateNotItsRecordsCopy) {
  RunState state;
  state.phases["a"] = Shown(PhaseState::kSucceeded, "ka");
  build_.Load(state);
  build_[Index("a")].state = PhaseState::kRunning;
  EXPECT_EQ(build_.State().phases.at("a").state, PhaseState::kRunning);
}

TEST_F(BuildModelTest, SucceededCountsThisRunsStateOnceReached) {
  PhaseRun phase;
  phase.state = PhaseState::kSucceeded;  // the last run's
  EXPECT_FALSE(phase.Succeeded());
  phase.reused = true;  // fresh, outside the selection
  EXPECT_TRUE(phase.Succeeded());
  phase.reached = true;
  phase.state = PhaseState::kMergeConflict;
  EXPECT_FALSE(phase.Succeeded());
  phase.state = PhaseState::kFresh;
  EXPECT_TRUE(phase.Succeeded());
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

TEST_F(BuildModelTest, TheStartedEventShowsWhereTheRecordSaysItRuns) {
  build_.Load({});
  PhaseRun& b = build_[Index("b")];
  b.Work().job_slot = 1;
  b.Work().reason = "never run";
  b.Work().started_at = 1700000000;
  b.Work().attempts_done = 2;
  PhaseRecord& r = build_.Recorded(Index("b"));
  r.worktree = "/wt/w1";
  r.branch = "orchestrate/phase/b";
  r.log_path = "/logs/b.log";
  Event e = StartedEvent(build_, Index("b"));
  EXPECT_EQ(e.type, Event::Type::kPhaseStarted);
  EXPECT_EQ(e.phase, "b");
  EXPECT_EQ(e.slot, 1);
  EXPECT_EQ(e.reason, "never run");
  EXPECT_EQ(e.worktree, "/wt/w1");
  EXPECT_EQ(e.branch, "orchestrate/phase/b");
  EXPECT_EQ(e.log_path, "/logs/b.log");
  EXPECT_EQ(e.started_at, 1700000000);
  EXPECT_EQ(e.attempts, 2);
}

TEST_F(BuildModelTest, TheFinishedEventJoinsTheRecordAndHowThePhaseEnded) {
  build_.Load({});
  PhaseRun& a = build_[Index("a")];
  a.state = PhaseState::kFailed;
  a.Work().job_slot = 0;
  a.ended = std::make_unique<PhaseOutcome>();
  a.ended->failed_command = "make test";
  a.ended->log_tail = "boom";
  a.ended->worktree_path = "/wt/w0";
  a.ended->commands.push_back({"run", "make test", 2, "exit status 2", 1.5});
  PhaseRecord& r = build_.Recorded(Index("a"));
  r.duration_s = 3;
  r.attempts = 2;
  r.reason = "run `make test` exit status 2";
  r.log_path = "/logs/a.log";
  Event e = FinishedEvent(build_, Index("a"));
  EXPECT_EQ(e.type, Event::Type::kPhaseFinished);
  EXPECT_EQ(e.state, PhaseState::kFailed);
  EXPECT_EQ(e.duration_s, 3);
  EXPECT_EQ(e.attempts, 2);
  EXPECT_EQ(e.reason, "run `make test` exit status 2");
  EXPECT_EQ(e.failed_command, "make test");
  EXPECT_EQ(e.log_tail, "boom");
  EXPECT_EQ(e.worktree, "/wt/w0");
  EXPECT_EQ(e.log_path, "/logs/a.log");
  ASSERT_EQ(e.commands.size(), 1u);
  EXPECT_EQ(e.commands[0].command, "make test");
}

TEST_F(BuildModelTest, TheRequeuedEventNamesThePatternAndTheWait) {
  build_.Load({});
  PhaseRun& a = build_[Index("a")];
  a.state = PhaseState::kRequeued;
  a.ended = std::make_unique<PhaseOutcome>();
  a.ended->requeue_pattern = "rate limit";
  a.Work().wait_s = 30;
  a.Work().attempts_done = 1;
  Event e = RequeuedEvent(build_, Index("a"));
  EXPECT_EQ(e.type, Event::Type::kPhaseRequeued);
  EXPECT_EQ(e.phase, "a");
  EXPECT_EQ(e.text, "rate limit");
  EXPECT_EQ(e.backoff_s, 30);
  EXPECT_EQ(e.attempts, 1);
}

TEST_F(BuildModelTest, APhaseThatCouldNotStartHasNoLogInItsFinishedEvent) {
  build_.Load({});
  build_[Index("b")].state = PhaseState::kInputConflict;
  build_.Recorded(Index("b")).log_path = "/logs/b.log";  // of an earlier run
  EXPECT_EQ(FinishedEvent(build_, Index("b")).log_path, "");
}

TEST_F(BuildModelTest, FreshAndBlockedEvents) {
  build_.Load({});
  PhaseRun& a = build_[Index("a")];
  a.result = testing::FakeId("r1");
  a.record_duration_s = 4;
  a.record_attempts = 1;
  Event fresh = FreshEvent(build_, Index("a"));
  EXPECT_EQ(fresh.type, Event::Type::kPhaseFresh);
  EXPECT_EQ(fresh.state, PhaseState::kFresh);
  EXPECT_EQ(fresh.result, testing::FakeId("r1"));
  EXPECT_EQ(fresh.duration_s, 4);
  EXPECT_EQ(fresh.attempts, 1);
  EXPECT_EQ(fresh.reason, "fresh");
  build_.Recorded(Index("b")).reason = "blocked by a";
  build_.Recorded(Index("b")).duration_s = 9;  // of an earlier run: not this one's
  Event blocked = BlockedEvent(build_, Index("b"));
  EXPECT_EQ(blocked.type, Event::Type::kPhaseFinished);
  EXPECT_EQ(blocked.state, PhaseState::kBlocked);
  EXPECT_EQ(blocked.reason, "blocked by a");
  EXPECT_EQ(blocked.duration_s, 0);
}

}  // namespace
}  // namespace orchestrate::testing
