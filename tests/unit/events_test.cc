#include "orchestrate/events.h"

#include <gtest/gtest.h>

#include "../../src/sink_support.h"
#include "orchestrate/error.h"
#include "support/event_builders.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using namespace testing::event_builders;

constexpr PhaseState kAllStates[] = {
    PhaseState::kFresh,         PhaseState::kStale,         PhaseState::kRunning,
    PhaseState::kSucceeded,     PhaseState::kFailed,        PhaseState::kTimedOut,
    PhaseState::kInputConflict, PhaseState::kMergeConflict, PhaseState::kBlocked,
    PhaseState::kInterrupted,   PhaseState::kError,
};

TEST(PhaseStateTest, EveryStateRoundTripsThroughItsName) {
  for (PhaseState state : kAllStates) {
    std::optional<PhaseState> parsed = ParsePhaseState(ToString(state));
    ASSERT_TRUE(parsed.has_value()) << ToString(state);
    EXPECT_EQ(*parsed, state);
  }
}

TEST(PhaseStateTest, NamesAreTheSpecsSpelling) {
  EXPECT_EQ(ToString(PhaseState::kTimedOut), "timed-out");
  EXPECT_EQ(ToString(PhaseState::kInputConflict), "input-conflict");
  EXPECT_EQ(ToString(PhaseState::kMergeConflict), "merge-conflict");
  EXPECT_EQ(ToString(PhaseState::kSucceeded), "succeeded");
}

TEST(PhaseStateTest, UnknownNameDoesNotParse) {
  EXPECT_FALSE(ParsePhaseState("timed_out").has_value());
  EXPECT_FALSE(ParsePhaseState("").has_value());
  EXPECT_FALSE(ParsePhaseState("Failed").has_value());
}

TEST(PhaseStateTest, OnlySucceededAndFreshAreSuccesses) {
  for (PhaseState state : kAllStates) {
    bool expected = state == PhaseState::kSucceeded || state == PhaseState::kFresh;
    EXPECT_EQ(IsSuccess(state), expected) << ToString(state);
  }
}

TEST(PhaseStateTest, FailuresAreStatesThatRanAndDidNotSucceed) {
  EXPECT_TRUE(IsFailure(PhaseState::kFailed));
  EXPECT_TRUE(IsFailure(PhaseState::kTimedOut));
  EXPECT_TRUE(IsFailure(PhaseState::kMergeConflict));
  EXPECT_TRUE(IsFailure(PhaseState::kError));
  EXPECT_TRUE(IsFailure(PhaseState::kInterrupted));
  EXPECT_FALSE(IsFailure(PhaseState::kBlocked));
  EXPECT_FALSE(IsFailure(PhaseState::kSucceeded));
  EXPECT_FALSE(IsFailure(PhaseState::kStale));
}

TEST(StripTerminalControlsTest, RemovesColorsAndKeepsText) {
  EXPECT_EQ(StripTerminalControls("\x1b[1;31merror\x1b[0m: bad\n"), "error: bad\n");
  EXPECT_EQ(StripTerminalControls("\x1b]0;title\x07ok"), "ok");
}

TEST(StripTerminalControlsTest, KeepsTheLastRewriteOfALine) {
  EXPECT_EQ(StripTerminalControls("10%\r50%\r100%\ndone\r\n"), "100%\ndone\n");
}

TEST(StripTerminalControlsTest, DropsOtherControlCharacters) {
  EXPECT_EQ(StripTerminalControls(std::string("a\x01\bb\tc\x7f", 7)), "ab\tc");
}

TEST(SummarizeOutcomesTest, CountsInFixedOrderAndNamesTheUnsuccessful) {
  std::vector<Event> finished = {
      PhaseFinished("ui", PhaseState::kFailed), PhaseFinished("api", PhaseState::kSucceeded),
      PhaseBlocked("docs", "ui", 0), PhaseFinished("schema", PhaseState::kFresh),
      PhaseFinished("db", PhaseState::kSucceeded)};
  EXPECT_EQ(JoinSummary(SummarizeOutcomes(finished, 7)),
            "2 succeeded, 1 fresh, 1 failed (ui), 1 blocked (docs), 2 not run");
}

TEST(SummarizeOutcomesTest, ShortensLongNameLists) {
  std::vector<Event> finished;
  for (int i = 0; i < 7; ++i)
    finished.push_back(PhaseFinished("p" + std::to_string(i), PhaseState::kFailed));
  EXPECT_EQ(JoinSummary(SummarizeOutcomes(finished, 7)), "7 failed (p0, p1, p2, p3, p4, +2 more)");
}

TEST(SummarizeOutcomesTest, EmptyRunSaysNothingRan) {
  EXPECT_EQ(JoinSummary(SummarizeOutcomes({}, 0)), "nothing ran");
}

TEST(DescribeFailureTest, FallsBackToTheFailedCommand) {
  Event e = PhaseFinished("ui", PhaseState::kFailed);
  e.commands = {{"run", "make ui", 0, "exit status 0", 1},
                {"verify", "make test", 2, "exit status 2", 1}};
  EXPECT_EQ(DescribeFailure(e), "verify `make test` exit status 2");
  e.reason = "verify failed";
  EXPECT_EQ(DescribeFailure(e), "verify failed");
}

TEST(RunRecordTest, PhasesStillRunningAtTheEndCountAsInterrupted) {
  RunRecord record;
  record.Add(PhaseStarted("api", 0, 2));
  record.Tick(12);
  std::vector<Event> outcomes = record.Outcomes();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].state, PhaseState::kInterrupted);
  EXPECT_DOUBLE_EQ(outcomes[0].duration_s, 10);
  EXPECT_DOUBLE_EQ(record.duration_s(), 12);
}

TEST(SinkFileTest, UnwritablePathIsAUsageErrorNamingThePath) {
  testing::TempDir dir;
  std::string path = dir.path() + "/missing/events.ndjson";
  try {
    MakeEventsWriter(path);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot open '" + path +
                  "' for writing: No such file or directory; check that its directory exists "
                  "and is writable");
  }
}

}  // namespace
}  // namespace orchestrate
