#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "orchestrate/events.h"
#include "support/event_builders.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;
using namespace testing::event_builders;

class TraceWriterTest : public ::testing::Test {
 protected:
  Json Read() { return Json::parse(testing::ReadFile(path_)); }

  // Events of the trace with this "ph" (and category, when given).
  std::vector<Json> Select(const Json& trace, const std::string& ph,
                           const std::string& category = "") {
    std::vector<Json> selected;
    for (const Json& e : trace.at("traceEvents")) {
      if (e.at("ph") == ph && (category.empty() || e.value("cat", "") == category)) {
        selected.push_back(e);
      }
    }
    return selected;
  }

  // Two slots: api (slot 0) then db (slot 0), ui (slot 1) fails; schema fresh,
  // docs blocked.
  void WriteSample(EventSink& sink) {
    sink.OnEvent(RunStartedEvent(5, 2));
    sink.OnEvent(PhaseFresh("schema", 0.5));
    sink.OnEvent(PhaseStarted("api", 0, 1));
    sink.OnEvent(CommandStarted("api", "run", "make api", 1));
    sink.OnEvent(CommandStarted("api", "verify", "make api", 3));
    sink.OnEvent(PhaseStarted("ui", 1, 1.5));
    sink.OnEvent(PhaseFinished("api", PhaseState::kSucceeded, 4, 3).Slot(0));
    sink.OnEvent(PhaseStarted("db", 0, 4));
    sink.OnEvent(PhaseFinished("ui", PhaseState::kFailed, 5, 3.5).Slot(1));
    sink.OnEvent(PhaseBlocked("docs", "ui", 5));
    sink.OnEvent(PhaseFinished("db", PhaseState::kSucceeded, 6.25, 2.25).Slot(0));
  }

  testing::TempDir dir_;
  std::string path_ = dir_.path() + "/trace.json";
};

TEST_F(TraceWriterTest, OneSlicePerStartedPhaseOnItsSlotsTrack) {
  auto writer = MakeTraceWriter(path_);
  WriteSample(*writer);
  writer->OnEvent(RunFinishedEvent(7, 1));
  writer->Close();
  Json trace = Read();
  EXPECT_EQ(trace["displayTimeUnit"], "ms");
  std::vector<Json> phases = Select(trace, "X", "phase");
  ASSERT_EQ(phases.size(), 3u);
  std::map<std::string, Json> by_name;
  for (const Json& p : phases) by_name[p["name"]] = p;
  EXPECT_EQ(by_name["api"]["tid"], 0);
  EXPECT_EQ(by_name["api"]["ts"], 1000000);
  EXPECT_EQ(by_name["api"]["dur"], 3000000);
  EXPECT_EQ(by_name["api"]["pid"], 1);
  EXPECT_EQ(by_name["ui"]["tid"], 1);
  EXPECT_EQ(by_name["ui"]["args"]["state"], "failed");
  EXPECT_EQ(by_name["ui"]["args"]["reason"], "never run");
  EXPECT_EQ(by_name["ui"]["args"]["attempts"], 1);
  EXPECT_EQ(by_name["db"]["tid"], 0);
  EXPECT_EQ(by_name["db"]["dur"], 2250000);
}

TEST_F(TraceWriterTest, CommandsAreSlicesInsideTheirPhase) {
  auto writer = MakeTraceWriter(path_);
  WriteSample(*writer);
  writer->Close();
  std::vector<Json> commands = Select(Read(), "X", "command");
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0]["name"], "run");
  EXPECT_EQ(commands[0]["dur"], 2000000);
  EXPECT_EQ(commands[1]["name"], "verify");
  EXPECT_EQ(commands[1]["args"]["command"], "make api");
  EXPECT_EQ(commands[1]["ts"].get<int64_t>() + commands[1]["dur"].get<int64_t>(), 4000000);
}

TEST_F(TraceWriterTest, NamesEachTrack) {
  auto writer = MakeTraceWriter(path_);
  WriteSample(*writer);
  writer->Close();
  std::map<int, std::string> names;
  for (const Json& m : Select(Read(), "M")) {
    if (m["name"] == "thread_name") names[m["tid"]] = m["args"]["name"];
  }
  EXPECT_EQ(names,
            (std::map<int, std::string>{{0, "job 1"}, {1, "job 2"}, {2, "cache"}, {3, "blocked"}}));
}

TEST_F(TraceWriterTest, FreshAndBlockedPhasesAreInstantsOnTheirOwnTracks) {
  auto writer = MakeTraceWriter(path_);
  WriteSample(*writer);
  writer->Close();
  std::vector<Json> instants = Select(Read(), "i");
  ASSERT_EQ(instants.size(), 2u);
  EXPECT_EQ(instants[0]["name"], "schema");
  EXPECT_EQ(instants[0]["tid"], 2);
  EXPECT_EQ(instants[0]["s"], "t");
  EXPECT_EQ(instants[0]["ts"], 500000);
  EXPECT_EQ(instants[1]["name"], "docs");
  EXPECT_EQ(instants[1]["tid"], 3);
  EXPECT_EQ(instants[1]["args"]["reason"], "blocked by ui");
}

TEST_F(TraceWriterTest, CloseAfterInterruptEndsOpenPhasesAsInterrupted) {
  auto writer = MakeTraceWriter(path_);
  writer->OnEvent(PhaseStarted("api", 0, 1));
  writer->OnEvent(CommandStarted("api", "run", "make api", 1));
  writer->OnTick(9);
  writer->Close();
  std::vector<Json> phases = Select(Read(), "X", "phase");
  ASSERT_EQ(phases.size(), 1u);
  EXPECT_EQ(phases[0]["args"]["state"], "interrupted");
  EXPECT_EQ(phases[0]["dur"], 8000000);
}

TEST_F(TraceWriterTest, RequeuedPhaseStartedAgainGetsASecondSlice) {
  auto writer = MakeTraceWriter(path_);
  writer->OnEvent(PhaseStarted("api", 0, 0));
  writer->OnEvent(PhaseRequeued("api", "rate limit", 30, 2));
  writer->OnEvent(PhaseStarted("api", 1, 32));
  writer->OnEvent(PhaseFinished("api", PhaseState::kSucceeded, 40, 8).Slot(1));
  writer->Close();
  Json trace = Read();
  std::vector<Json> phases = Select(trace, "X", "phase");
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0]["args"]["state"], "requeued");
  EXPECT_EQ(phases[0]["tid"], 0);
  EXPECT_EQ(phases[1]["args"]["state"], "succeeded");
  EXPECT_EQ(phases[1]["tid"], 1);
  std::vector<Json> instants = Select(trace, "i", "requeued");
  ASSERT_EQ(instants.size(), 1u);
  EXPECT_EQ(instants[0]["args"]["pattern"], "rate limit");
}

TEST_F(TraceWriterTest, DestroyingTheWriterWritesTheTrace) {
  MakeTraceWriter(path_)->OnEvent(PhaseStarted("api", 0, 0));
  EXPECT_EQ(Select(Read(), "X", "phase").size(), 1u);
}

}  // namespace
}  // namespace orchestrate
