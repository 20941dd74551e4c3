#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "orchestrate/events.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;
using Type = Event::Type;

Event Make(Type type, const std::string& phase, double time_s) {
  Event e;
  e.type = type;
  e.phase = phase;
  e.time_s = time_s;
  return e;
}

Event Started(const std::string& phase, int slot, double time_s) {
  Event e = Make(Type::kPhaseStarted, phase, time_s);
  e.slot = slot;
  e.reason = "never run";
  return e;
}

Event Finished(const std::string& phase, int slot, PhaseState state, double time_s) {
  Event e = Make(Type::kPhaseFinished, phase, time_s);
  e.slot = slot;
  e.state = state;
  e.attempts = 1;
  return e;
}

Event Command(const std::string& phase, const std::string& step, double time_s) {
  Event e = Make(Type::kCommandStarted, phase, time_s);
  e.step = step;
  e.text = "make " + phase;
  return e;
}

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
    Event run = Make(Type::kRunStarted, "", 0);
    run.jobs = 2;
    run.total = 5;
    sink.OnEvent(run);
    sink.OnEvent(Make(Type::kPhaseFresh, "schema", 0.5));
    sink.OnEvent(Started("api", 0, 1));
    sink.OnEvent(Command("api", "run", 1));
    sink.OnEvent(Command("api", "verify", 3));
    sink.OnEvent(Started("ui", 1, 1.5));
    sink.OnEvent(Finished("api", 0, PhaseState::kSucceeded, 4));
    sink.OnEvent(Started("db", 0, 4));
    sink.OnEvent(Finished("ui", 1, PhaseState::kFailed, 5));
    Event blocked = Finished("docs", -1, PhaseState::kBlocked, 5);
    blocked.reason = "blocked by ui";
    sink.OnEvent(blocked);
    sink.OnEvent(Finished("db", 0, PhaseState::kSucceeded, 6.25));
  }

  testing::TempDir dir_;
  std::string path_ = dir_.path() + "/trace.json";
};

TEST_F(TraceWriterTest, OneSlicePerStartedPhaseOnItsSlotsTrack) {
  auto writer = MakeTraceWriter(path_);
  WriteSample(*writer);
  writer->OnEvent(Make(Type::kRunFinished, "", 7));
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
  writer->OnEvent(Started("api", 0, 1));
  writer->OnEvent(Command("api", "run", 1));
  writer->OnTick(9);
  writer->Close();
  std::vector<Json> phases = Select(Read(), "X", "phase");
  ASSERT_EQ(phases.size(), 1u);
  EXPECT_EQ(phases[0]["args"]["state"], "interrupted");
  EXPECT_EQ(phases[0]["dur"], 8000000);
}

TEST_F(TraceWriterTest, RequeuedPhaseStartedAgainGetsASecondSlice) {
  auto writer = MakeTraceWriter(path_);
  writer->OnEvent(Started("api", 0, 0));
  Event requeued = Make(Type::kPhaseRequeued, "api", 2);
  requeued.text = "rate limit";
  requeued.backoff_s = 30;
  writer->OnEvent(requeued);
  writer->OnEvent(Started("api", 1, 32));
  writer->OnEvent(Finished("api", 1, PhaseState::kSucceeded, 40));
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
  MakeTraceWriter(path_)->OnEvent(Started("api", 0, 0));
  EXPECT_EQ(Select(Read(), "X", "phase").size(), 1u);
}

}  // namespace
}  // namespace orchestrate
