#include <gtest/gtest.h>

#include "orchestrate/events.h"
#include "support/event_builders.h"
#include "support/fake_ids.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using namespace testing::event_builders;

std::vector<Event> SampleRun() {
  Event fresh = PhaseFresh("schema");
  fresh.result = PaddedId("1111111aaaa");
  Event failed = PhaseFinished("ui", PhaseState::kFailed, 20, 20)
                     .Attempts(2)
                     .Reason("verify `make test` exit status 2 | see log");
  failed.failed_command = "make test";
  failed.log_tail = "```\nexpected 3, got 4\n";
  return {RunStartedEvent(4, 2),
          PhaseFinished("api", PhaseState::kSucceeded, 72, 72),
          fresh,
          failed,
          PhaseBlocked("docs", "ui", 0),
          TargetUpdated("orchestrate/integration", "abc1234def"),
          RunFinishedEvent(92, 1)};
}

class StepSummaryWriterTest : public ::testing::Test {
 protected:
  std::string Write(const std::vector<Event>& events) {
    auto writer = MakeStepSummaryWriter(path_);
    for (const Event& e : events) writer->OnEvent(e);
    writer->Close();
    return testing::ReadFile(path_);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.path() + "/summary.md";
};

TEST_F(StepSummaryWriterTest, TablesPhasesInFinishOrder) {
  std::string md = Write(SampleRun());
  EXPECT_TRUE(
      md.starts_with("## orchestrate\n\n"
                     "1 succeeded, 1 fresh, 1 failed (ui), 1 blocked (docs) in 1m32s\n\n"
                     "Target `orchestrate/integration` is at `abc1234`\n\n"))
      << md;
  EXPECT_NE(md.find("| Phase | State | Duration | Attempts | Notes |\n"
                    "|---|---|---|---|---|\n"
                    "| api | succeeded | 1m12s | 1 |  |\n"
                    "| schema | fresh | 0s |  | cached 1111111 |\n"
                    "| ui | failed | 20s | 2 | verify `make test` exit status 2 \\| see log |\n"
                    "| docs | blocked | 0s |  | blocked by ui |\n"),
            std::string::npos)
      << md;
}

TEST_F(StepSummaryWriterTest, UsageAddsACostColumnAndATotal) {
  Event api = PhaseFinished("api", PhaseState::kSucceeded, 72, 72);
  api.usage.cost_usd = 0.6;
  api.usage.input_tokens = 1200;
  Event ui = PhaseFinished("ui", PhaseState::kSucceeded, 20, 20);
  ui.usage.cost_usd = 0.05;
  std::string md =
      Write({api, ui, PhaseFinished("lint", PhaseState::kSucceeded, 1, 1), RunFinishedEvent(92)});
  EXPECT_NE(md.find("Cost: $0.65 (1.2k in tokens)\n\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| Phase | State | Duration | Attempts | Cost | Notes |\n"
                    "|---|---|---|---|---|---|\n"
                    "| api | succeeded | 1m12s | 1 | $0.60 (1.2k in tokens) |  |\n"
                    "| ui | succeeded | 20s | 1 | $0.05 |  |\n"
                    "| lint | succeeded | 1s | 1 |  |  |\n"),
            std::string::npos)
      << md;
}

TEST_F(StepSummaryWriterTest, FailureSectionFencesTheLogTail) {
  std::string md = Write(SampleRun());
  EXPECT_NE(md.find("### Failures\n\n#### ui (failed)\n\n"
                    "verify `make test` exit status 2 | see log\n\n"
                    "Command: `make test`\n\n"
                    "````text\n```\nexpected 3, got 4\n````\n"),
            std::string::npos)
      << md;
}

TEST_F(StepSummaryWriterTest, AppendsToWhatIsAlreadyThere) {
  testing::WriteFile(dir_.path(), "summary.md", "# Build\n\n");
  Write(SampleRun());
  std::string md = Write({PhaseFinished("lint", PhaseState::kSucceeded, 3, 3)});
  EXPECT_TRUE(md.starts_with("# Build\n\n## orchestrate\n")) << md;
  size_t second = md.find("## orchestrate", md.find("## orchestrate") + 1);
  ASSERT_NE(second, std::string::npos) << md;
  EXPECT_NE(md.find("| ui | failed"), std::string::npos);
  EXPECT_NE(md.find("| lint | succeeded", second), std::string::npos) << md;
}

TEST_F(StepSummaryWriterTest, CommandWithBackticksStaysOneCodeSpan) {
  Event e = PhaseFinished("ui", PhaseState::kFailed, 3, 3);
  e.failed_command = "test `date` = x`";
  std::string md = Write({e});
  EXPECT_NE(md.find("Command: `` test `date` = x` ``\n"), std::string::npos) << md;
}

TEST_F(StepSummaryWriterTest, NoFailureSectionWhenAllSucceeded) {
  std::string md = Write({PhaseFinished("lint", PhaseState::kSucceeded, 3, 3)});
  EXPECT_EQ(md.find("Failures"), std::string::npos) << md;
  EXPECT_NE(md.find("1 succeeded in 3s"), std::string::npos) << md;
}

}  // namespace
}  // namespace orchestrate
