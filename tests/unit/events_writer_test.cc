#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "orchestrate/events.h"
#include "support/event_builders.h"
#include "support/fake_ids.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;
using namespace testing::event_builders;

std::vector<Event> SampleRun() {
  Event fresh = PhaseFresh("schema", 0.1);
  fresh.result = PaddedId("1111111");
  fresh.duration_s = 12.5;
  Event started = PhaseStarted("ui", 1, 0.2);
  started.worktree = "/repo/.orchestrate/worktrees/ui";
  started.branch = "orchestrate/ui";
  started.log_path = "/repo/.orchestrate/logs/ui.log";
  started.started_at = 1700000000;
  Event finished = PhaseFinished("ui", PhaseState::kFailed, 40.0004, 39.8).Slot(1).Attempts(2);
  finished.failed_command = "make test";
  finished.log_tail = "bad byte \xff here\n";
  finished.commands = {{"verify", "make test", 2, "exit status 2", 3.5}};
  return {RunStartedEvent(3, 2),
          fresh,
          started,
          CommandStarted("ui", "verify", "make test", 0.3),
          PhaseRequeued("ui", "rate limit", 30, 1.25),
          finished,
          MessageEvent("cache pushed", true, 41),
          TargetUpdated("orchestrate/integration", "2222222", 41.5),
          RunFinishedEvent(42, 1)};
}

std::vector<Json> ReadLines(const std::string& path) {
  std::vector<Json> lines;
  std::string text = testing::ReadFile(path);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "last line has no newline";
    if (end == std::string::npos) break;
    lines.push_back(Json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

class EventsWriterTest : public ::testing::Test {
 protected:
  std::vector<Json> WriteSample() {
    auto writer = MakeEventsWriter(path_);
    for (const Event& e : SampleRun()) writer->OnEvent(e);
    writer->Close();
    return ReadLines(path_);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.path() + "/events.ndjson";
};

TEST_F(EventsWriterTest, WritesOneParsableObjectPerEvent) {
  std::vector<Json> lines = WriteSample();
  ASSERT_EQ(lines.size(), 9u);
  std::vector<std::string> names;
  for (const Json& line : lines) names.push_back(line.at("event"));
  EXPECT_EQ(names, (std::vector<std::string>{"run_started", "phase_fresh", "phase_started",
                                             "command_started", "phase_requeued", "phase_finished",
                                             "message", "target_updated", "run_finished"}));
  for (const Json& line : lines) EXPECT_TRUE(line.contains("time_s")) << line;
}

TEST_F(EventsWriterTest, NamesTheFieldsOfEachEvent) {
  std::vector<Json> lines = WriteSample();
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(
      lines[0],
      Json::parse(
          R"({"event":"run_started","time_s":0,"base":"abc1234000000000000000000000000000000000",
                                      "total":3,"jobs":2})"));
  EXPECT_EQ(lines[1], Json::parse(R"({"event":"phase_fresh","time_s":0.1,"phase":"schema",
      "state":"fresh","reason":"fresh","result":"1111111000000000000000000000000000000000","duration_s":12.5})"));
  EXPECT_EQ(lines[2]["slot"], 1);
  EXPECT_EQ(lines[2]["worktree"], "/repo/.orchestrate/worktrees/ui");
  EXPECT_EQ(lines[2]["branch"], "orchestrate/ui");
  EXPECT_EQ(lines[2]["log_path"], "/repo/.orchestrate/logs/ui.log");
  EXPECT_EQ(lines[2]["started_at"], 1700000000);
  EXPECT_EQ(lines[3], Json::parse(R"({"event":"command_started","time_s":0.3,"phase":"ui",
                                      "step":"verify","command":"make test"})"));
  EXPECT_EQ(lines[4], Json::parse(R"({"event":"phase_requeued","time_s":1.25,"phase":"ui",
                                      "pattern":"rate limit","backoff_s":30})"));
  EXPECT_EQ(lines[6], Json::parse(R"({"event":"message","time_s":41,"text":"cache pushed",
                                      "warning":true})"));
  EXPECT_EQ(lines[7], Json::parse(R"({"event":"target_updated","time_s":41.5,
      "branch":"orchestrate/integration","result":"2222222000000000000000000000000000000000"})"));
  EXPECT_EQ(lines[8], Json::parse(R"({"event":"run_finished","time_s":42,"duration_s":42,
                                      "exit_status":1})"));
}

TEST_F(EventsWriterTest, FinishedPhaseCarriesStateCommandsAndFailure) {
  Json finished = WriteSample().at(5);
  EXPECT_EQ(finished["state"], "failed");
  EXPECT_EQ(finished["slot"], 1);
  EXPECT_EQ(finished["attempts"], 2);
  EXPECT_EQ(finished["time_s"], 40.0);
  EXPECT_DOUBLE_EQ(finished["duration_s"].get<double>(), 39.8);
  EXPECT_EQ(finished["failed_command"], "make test");
  EXPECT_EQ(finished["commands"], Json::parse(R"([{"step":"verify","command":"make test",
      "exit_code":2,"describe":"exit status 2","duration_s":3.5}])"));
  // Invalid UTF-8 from a log is replaced, not fatal.
  EXPECT_EQ(finished["log_tail"], "bad byte \xEF\xBF\xBD here\n");
  EXPECT_FALSE(finished.contains("worktree"));
  EXPECT_FALSE(finished.contains("base"));
}

TEST_F(EventsWriterTest, EachLineIsOnDiskBeforeClose) {
  auto writer = MakeEventsWriter(path_);
  std::vector<Event> run = SampleRun();
  writer->OnEvent(run[0]);
  writer->OnEvent(run[1]);
  EXPECT_EQ(ReadLines(path_).size(), 2u);
  writer->Close();
}

TEST_F(EventsWriterTest, TruncatesAnOldFile) {
  testing::WriteFile(dir_.path(), "events.ndjson", "old\n");
  WriteSample();
  EXPECT_EQ(ReadLines(path_).size(), 9u);
}

}  // namespace
}  // namespace orchestrate
