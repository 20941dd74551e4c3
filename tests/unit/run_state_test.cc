#include "orchestrate/run_state.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include "orchestrate/error.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::FileExists;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::string InfraMessage(const std::function<void()>& f) {
  try {
    f();
  } catch (const InfraError& e) {
    return e.what();
  }
  return "(no InfraError)";
}

PhaseRecord SampleRecord() {
  PhaseRecord r;
  r.state = PhaseState::kFailed;
  r.key = std::string(40, 'a');
  r.result = std::string(40, 'b');
  r.branch = "orchestrate/phase/api";
  r.worktree = "/repo/.orchestrate/worktrees/w1";
  r.log_path = "/repo/.orchestrate/logs/api.log";
  r.reason = "command changed";
  r.duration_s = 12.25;
  r.attempts = 3;
  r.started_at = 1700000000;
  r.recorded_at = 1700000012;
  r.handoff_first_line = "# API — done";
  r.saved_attempts = {"refs/orchestrate/attempts/api/1700000000-abc"};
  return r;
}

RunState SampleState() {
  RunState s;
  s.run_started_at = 1700000000;
  s.run_pid = 4242;
  s.base = std::string(40, 'c');
  s.phases["api"] = SampleRecord();
  PhaseRecord fresh;
  fresh.state = PhaseState::kFresh;
  s.phases["ui"] = fresh;
  s.failed_keys = {{"api", {"k1", "k2"}}};
  s.succeeded_keys = {{"api", {"k2"}}, {"ui", {"k3"}}};
  s.kept_worktrees = {{"w1", "api"}};
  s.worktree_last_phase = {{"w0", "ui"}, {"w1", "api"}};
  return s;
}

void ExpectSameRecord(const PhaseRecord& a, const PhaseRecord& b) {
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.result, b.result);
  EXPECT_EQ(a.branch, b.branch);
  EXPECT_EQ(a.worktree, b.worktree);
  EXPECT_EQ(a.log_path, b.log_path);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_DOUBLE_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
  EXPECT_EQ(a.handoff_first_line, b.handoff_first_line);
  EXPECT_EQ(a.saved_attempts, b.saved_attempts);
}

TEST(RunStateTest, MissingFileLoadsAsEmptyState) {
  TempDir tmp;
  RunState s = RunState::Load(tmp.path() + "/state.json");
  EXPECT_TRUE(s.phases.empty());
  EXPECT_TRUE(s.failed_keys.empty());
  EXPECT_TRUE(s.kept_worktrees.empty());
  EXPECT_EQ(s.run_pid, 0);
  EXPECT_EQ(s.base, "");
}

TEST(RunStateTest, SaveThenLoadGivesBackEveryField) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  RunState saved = SampleState();
  saved.Save(path);
  RunState loaded = RunState::Load(path);
  EXPECT_EQ(loaded.run_started_at, saved.run_started_at);
  EXPECT_EQ(loaded.run_pid, saved.run_pid);
  EXPECT_EQ(loaded.base, saved.base);
  ASSERT_EQ(loaded.phases.size(), 2u);
  ExpectSameRecord(loaded.phases["api"], saved.phases["api"]);
  ExpectSameRecord(loaded.phases["ui"], saved.phases["ui"]);
  EXPECT_EQ(loaded.failed_keys, saved.failed_keys);
  EXPECT_EQ(loaded.succeeded_keys, saved.succeeded_keys);
  EXPECT_EQ(loaded.kept_worktrees, saved.kept_worktrees);
  EXPECT_EQ(loaded.worktree_last_phase, saved.worktree_last_phase);
}

TEST(RunStateTest, EveryPhaseStateRoundTrips) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  RunState saved;
  for (PhaseState st : {PhaseState::kFresh, PhaseState::kStale, PhaseState::kRunning,
                        PhaseState::kSucceeded, PhaseState::kFailed, PhaseState::kTimedOut,
                        PhaseState::kInputConflict, PhaseState::kMergeConflict,
                        PhaseState::kBlocked, PhaseState::kInterrupted, PhaseState::kError})
    saved.phases[std::string(ToString(st))].state = st;
  saved.Save(path);
  RunState loaded = RunState::Load(path);
  ASSERT_EQ(loaded.phases.size(), saved.phases.size());
  for (const auto& [name, r] : saved.phases) EXPECT_EQ(loaded.phases[name].state, r.state) << name;
}

TEST(RunStateTest, SaveReplacesThePreviousFileAndLeavesNoTemporaryFile) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  SampleState().Save(path);
  RunState second;
  second.base = "second";
  second.Save(path);
  EXPECT_EQ(RunState::Load(path).base, "second");
  EXPECT_TRUE(RunState::Load(path).phases.empty());
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "state.json");
  }
  EXPECT_EQ(entries, 1);
}

TEST(RunStateTest, ReaderNeverSeesAHalfWrittenFile) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  RunState big = SampleState();
  for (int i = 0; i < 400; ++i) big.phases["phase" + std::to_string(i)] = SampleRecord();
  big.Save(path);
  std::atomic<bool> done{false};
  std::string reader_error;
  std::thread reader([&] {
    while (!done) {
      try {
        if (RunState::Load(path).phases.size() != big.phases.size()) reader_error = "lost phases";
      } catch (const std::exception& e) {
        reader_error = e.what();
        return;
      }
    }
  });
  for (int i = 0; i < 60 && reader_error.empty(); ++i) big.Save(path);
  done = true;
  reader.join();
  EXPECT_EQ(reader_error, "");
}

TEST(RunStateTest, SaveIntoAMissingDirectorySaysItCannotWrite) {
  TempDir tmp;
  std::string path = tmp.path() + "/missing/state.json";
  std::string msg = InfraMessage([&] { SampleState().Save(path); });
  EXPECT_NE(msg.find("cannot write " + tmp.path() + "/missing/state.json"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("disk full or no permission"), std::string::npos) << msg;
}

TEST(RunStateTest, SaveOverADirectorySaysItCannotReplaceIt) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  std::filesystem::create_directories(path + "/child");
  std::string msg = InfraMessage([&] { SampleState().Save(path); });
  EXPECT_NE(msg.find("cannot replace " + path), std::string::npos) << msg;
  EXPECT_TRUE(std::filesystem::is_directory(path + "/child"));
}

TEST(RunStateTest, UnknownVersionSaysToDeleteTheFile) {
  TempDir tmp;
  WriteFile(tmp.path(), "state.json", R"({"version": 2, "phases": {}})");
  std::string path = tmp.path() + "/state.json";
  std::string msg = InfraMessage([&] { RunState::Load(path); });
  EXPECT_EQ(msg, path +
                     " has format version 2; this orchestrate reads version 1 — delete the file "
                     "to start afresh");
}

TEST(RunStateTest, MissingVersionIsReportedAsVersionZero) {
  TempDir tmp;
  WriteFile(tmp.path(), "state.json", R"({"phases": {}})");
  std::string msg = InfraMessage([&] { RunState::Load(tmp.path() + "/state.json"); });
  EXPECT_NE(msg.find("has format version 0; this orchestrate reads version 1"), std::string::npos)
      << msg;
}

TEST(RunStateTest, BadJsonSaysTheFileCanBeDeleted) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  for (std::string text : {"{\"version\": 1,", "", "[1, 2]", "not json"}) {
    WriteFile(tmp.path(), "state.json", text);
    std::string msg = InfraMessage([&] { RunState::Load(path); });
    EXPECT_EQ(msg, path + " is not valid JSON; delete it (it only holds the last run's states)")
        << "content: " << text;
  }
}

TEST(RunStateTest, MissingFieldsTakeTheirDefaults) {
  TempDir tmp;
  WriteFile(tmp.path(), "state.json", R"({"version": 1, "phases": {"a": {"key": "k"}}})");
  RunState s = RunState::Load(tmp.path() + "/state.json");
  ASSERT_EQ(s.phases.count("a"), 1u);
  EXPECT_EQ(s.phases["a"].key, "k");
  EXPECT_EQ(s.phases["a"].state, PhaseState::kStale);
  EXPECT_EQ(s.phases["a"].attempts, 0);
  EXPECT_TRUE(s.kept_worktrees.empty());
}

TEST(RunStateTest, FlakyWhenTheSameKeyBothFailedAndSucceeded) {
  RunState s;
  s.failed_keys = {{"api", {"k1", "k2"}}, {"ui", {"k9"}}};
  s.succeeded_keys = {{"api", {"k2", "k3"}}, {"docs", {"k9"}}};
  EXPECT_TRUE(s.IsFlaky("api", "k2"));
  EXPECT_FALSE(s.IsFlaky("api", "k1")) << "only failed";
  EXPECT_FALSE(s.IsFlaky("api", "k3")) << "only succeeded";
  EXPECT_FALSE(s.IsFlaky("ui", "k9")) << "never succeeded";
  EXPECT_FALSE(s.IsFlaky("docs", "k9")) << "never failed";
  EXPECT_FALSE(s.IsFlaky("unknown", "k2"));
}

TEST(RunStateTest, FlakinessSurvivesSaveAndLoad) {
  TempDir tmp;
  std::string path = tmp.path() + "/state.json";
  RunState s;
  s.failed_keys = {{"api", {"k"}}};
  s.succeeded_keys = {{"api", {"k"}}};
  s.Save(path);
  EXPECT_TRUE(RunState::Load(path).IsFlaky("api", "k"));
  EXPECT_TRUE(FileExists(path));
}

}  // namespace
}  // namespace orchestrate
