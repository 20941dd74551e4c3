#include "orchestrate/run_state.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <cfloat>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <limits>
#include <thread>
#include <tuple>
#include <vector>

#include "orchestrate/error.h"
#include "support/error_message.h"
#include "support/fake_ids.h"
#include "support/test_repo.h"
#include "support/text.h"

namespace orchestrate {
namespace {

using testing::FileExists;
using testing::MessageOf;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

PhaseRecord SampleRecord() {
  PhaseRecord r;
  r.state = PhaseState::kFailed;
  r.key = std::string(40, 'a');
  r.result = testing::Oid(std::string(40, 'b'));
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
  r.usage.Edit().input_tokens = 21294;
  r.usage.Edit().output_tokens = 0;  // known to be zero, not unknown
  r.usage.Edit().cost_usd = 0.10457895;
  r.usage.Edit().model = "claude-sonnet-4-5";
  return r;
}

RunState SampleState() {
  RunState s;
  s.run_started_at = 1700000000;
  s.run_pid = 4242;
  s.base = testing::Oid(std::string(40, 'c'));
  s.phases["api"] = SampleRecord();
  PhaseRecord fresh;
  fresh.state = PhaseState::kFresh;
  s.phases["ui"] = fresh;
  s.failed_keys = {{"api", {"k1", "k2"}}};
  s.kept_worktrees = {{"w1", "api"}};
  s.worktree_last_phase = {{"w0", "ui"}, {"w1", "api"}};
  return s;
}

// Doubles are compared bit for bit: the file must give back exactly what was saved.
bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void ExpectSameRecord(const PhaseRecord& a, const PhaseRecord& b) {
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.result, b.result);
  EXPECT_EQ(a.branch, b.branch);
  EXPECT_EQ(a.worktree, b.worktree);
  EXPECT_EQ(a.log_path, b.log_path);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_TRUE(SameBits(a.duration_s, b.duration_s)) << a.duration_s << " vs " << b.duration_s;
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.recorded_at, b.recorded_at);
  EXPECT_EQ(a.handoff_first_line, b.handoff_first_line);
  EXPECT_EQ(a.saved_attempts, b.saved_attempts);
  EXPECT_EQ(a.usage, b.usage);
}

void ExpectSameState(const RunState& a, const RunState& b) {
  EXPECT_EQ(a.run_started_at, b.run_started_at);
  EXPECT_EQ(a.run_pid, b.run_pid);
  EXPECT_EQ(a.base, b.base);
  ASSERT_EQ(a.phases.size(), b.phases.size());
  for (auto i = a.phases.begin(), j = b.phases.begin(); i != a.phases.end(); ++i, ++j) {
    EXPECT_EQ(i->first, j->first);
    ExpectSameRecord(i->second, j->second);
  }
  EXPECT_EQ(a.failed_keys, b.failed_keys);
  EXPECT_EQ(a.kept_worktrees, b.kept_worktrees);
  EXPECT_EQ(a.worktree_last_phase, b.worktree_last_phase);
}

RunState SaveAndLoad(const RunState& s, const std::string& path) {
  s.Save(path);
  return RunState::Load(path);
}

// Strings that a line format with escapes and front coding could get wrong.
std::vector<std::string> AwkwardStrings() {
  return {"",
          "\t",
          "\n",
          "\\",
          "\\t",
          "\\n",
          "ends with a backslash\\",
          "\\\\n",
          "a\tb\nc\\d",
          "\r\n",
          std::string("nul\0byte", 8),
          "UTF-8: é — ✓ 日本語",
          "0:looks front-coded",
          "12:",
          ":",
          "# orchestrate state v2",
          "{\"version\": 1}",
          "phase\tx\ty",
          " leading and trailing spaces ",
          std::string(300 * 1024, 'x') + "\tlonger than the buffers\n"};
}

TEST(RunStateTest, MissingFileLoadsAsEmptyState) {
  TempDir tmp;
  RunState s = RunState::Load(tmp.path() + "/state");
  EXPECT_TRUE(s.phases.empty());
  EXPECT_TRUE(s.failed_keys.empty());
  EXPECT_TRUE(s.kept_worktrees.empty());
  EXPECT_EQ(s.run_pid, 0);
  EXPECT_TRUE(s.base.empty());
}

TEST(RunStateTest, SaveThenLoadGivesBackEveryField) {
  TempDir tmp;
  RunState saved = SampleState();
  ExpectSameState(SaveAndLoad(saved, tmp.path() + "/state"), saved);
}

TEST(RunStateTest, EveryFieldRoundTripsWithAwkwardStrings) {
  TempDir tmp;
  RunState saved;
  int i = 0;
  for (const std::string& s : AwkwardStrings()) {
    std::string name = s + "#" + std::to_string(i++);  // names must differ
    PhaseRecord& r = saved.phases[name];
    r.key = r.branch = r.worktree = r.log_path = r.reason = r.handoff_first_line = s;
    r.result = testing::FakeId(s);
    r.saved_attempts = {s, s + "2"};
    if (!s.empty()) r.usage.Edit().model = s;  // an empty model is no model
    saved.failed_keys[name] = {s, "k"};
    saved.kept_worktrees[name] = s;
    saved.worktree_last_phase[s] = name;
  }
  ExpectSameState(SaveAndLoad(saved, tmp.path() + "/state"), saved);
}

TEST(RunStateTest, NeighbouringLinesThatShareBeginningsRoundTrip) {
  TempDir tmp;
  RunState saved;
  // Sorted, each name and path a prefix of, equal to, longer or shorter
  // than the one before it.
  for (std::string name : {"a", "ab", "abc", "abd", "b", "ba", "bab", "c"}) {
    PhaseRecord& r = saved.phases[name];
    r.branch = "orchestrate/phase/" + name;
    r.log_path = name.size() % 2 ? "/logs/" + name + ".log" : "";
    r.worktree = "/w/" + std::string(name.size(), 'w');
    r.reason = name == "abd" ? "" : "no cache record";
    r.handoff_first_line = "# " + name;
    saved.failed_keys[name] = {"k" + name};
    saved.kept_worktrees["w" + name] = name;
  }
  ExpectSameState(SaveAndLoad(saved, tmp.path() + "/state"), saved);
}

TEST(RunStateTest, NumbersRoundTripExactly) {
  TempDir tmp;
  RunState saved;
  saved.run_started_at = std::numeric_limits<int64_t>::min();
  saved.run_pid = -1;
  int i = 0;
  for (double d : {0.0, -0.0, 0.1, 1.0 / 3, 12.25, -1.5, 1e-300, 5e-324, DBL_MAX, 1e21,
                   123456789.123456789, std::numeric_limits<double>::infinity()}) {
    PhaseRecord& r = saved.phases["p" + std::to_string(i++)];
    r.duration_s = d;
    r.attempts = i % 2 ? std::numeric_limits<int>::max() : std::numeric_limits<int>::min();
    r.started_at = std::numeric_limits<int64_t>::max() - i;
    r.recorded_at = -i;
  }
  RunState loaded = SaveAndLoad(saved, tmp.path() + "/state");
  ExpectSameState(loaded, saved);
  EXPECT_TRUE(std::signbit(loaded.phases["p1"].duration_s)) << "-0.0 keeps its sign";
}

TEST(RunStateTest, EmptyAndSingleEmptyContainersStayDistinct) {
  TempDir tmp;
  RunState saved;
  saved.phases["none"].saved_attempts = {};
  saved.phases["one empty"].saved_attempts = {""};
  saved.phases["two empty"].saved_attempts = {"", "x"};
  saved.failed_keys = {{"no keys", {}}, {"one empty key", {""}}};
  saved.kept_worktrees = {{"", ""}};
  saved.worktree_last_phase = {{"w", ""}};
  ExpectSameState(SaveAndLoad(saved, tmp.path() + "/state"), saved);
}

TEST(RunStateTest, EveryPhaseStateRoundTrips) {
  TempDir tmp;
  RunState saved;
  for (PhaseState st :
       {PhaseState::kFresh, PhaseState::kStale, PhaseState::kRunning, PhaseState::kSucceeded,
        PhaseState::kFailed, PhaseState::kTimedOut, PhaseState::kInputConflict,
        PhaseState::kMergeConflict, PhaseState::kBlocked, PhaseState::kInterrupted,
        PhaseState::kError, PhaseState::kSkippedBudget})
    saved.phases[std::string(ToString(st))].state = st;
  RunState loaded = SaveAndLoad(saved, tmp.path() + "/state");
  ASSERT_EQ(loaded.phases.size(), saved.phases.size());
  for (const auto& [name, r] : saved.phases) EXPECT_EQ(loaded.phases[name].state, r.state) << name;
}

TEST(RunStateTest, WritesAVersionedHeaderAndOneLinePerPhase) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  SampleState().Save(path);
  std::string text = ReadFile(path);
  EXPECT_EQ(text.rfind("# orchestrate state v2\n", 0), 0u) << text;
  EXPECT_EQ(text.back(), '\n');
  int phase_lines = 0;
  for (size_t at = 0; (at = text.find("\nphase\t", at)) != std::string::npos; ++at) ++phase_lines;
  EXPECT_EQ(phase_lines, 2);
  EXPECT_NE(text.find("\t" + std::string(40, 'a') + "\t"), std::string::npos) << "keys as is";
}

TEST(RunStateTest, UsageIsALineAfterItsPhaseOnlyWhenKnown) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  SampleState().Save(path);
  std::string text = ReadFile(path);
  EXPECT_NE(text.find("\trefs/orchestrate/attempts/api/1700000000-abc\n"
                      "usage\t21294\t0\t0.10457895\tclaude-sonnet-4-5\nphase\t"),
            std::string::npos)
      << text;
  EXPECT_EQ(testing::CountLines(text, "usage\t"), 1) << "ui reported none:\n" << text;
  PhaseRecord partial;
  partial.usage.Edit().cost_usd = 1.5;
  RunState saved;
  saved.phases["p"] = partial;
  RunState loaded = SaveAndLoad(saved, path);
  EXPECT_EQ(loaded.phases["p"].usage, partial.usage);  // unknown figures stay unknown
}

TEST(RunStateTest, SaveReplacesThePreviousFileAndLeavesNoTemporaryFile) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  SampleState().Save(path);
  RunState second;
  second.base = testing::FakeId("second");
  second.Save(path);
  EXPECT_EQ(RunState::Load(path).base, testing::FakeId("second"));
  EXPECT_TRUE(RunState::Load(path).phases.empty());
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "state");
  }
  EXPECT_EQ(entries, 1);
}

TEST(RunStateTest, ReaderNeverSeesAHalfWrittenFile) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
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
  std::string path = tmp.path() + "/missing/state";
  std::string msg = MessageOf<InfraError>([&] { SampleState().Save(path); });
  EXPECT_EQ(msg, "cannot write " + path +
                     ": No such file or directory (check the disk and the directory)");
}

// Makes writes beyond `bytes` fail with EFBIG, as a full disk would fail them.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_limit_);
    rlimit limit = old_limit_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_limit_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_limit_{};
  void (*old_handler_)(int);
};

TEST(RunStateTest, SaveThatCannotWriteEverythingSaysSoAndKeepsThePreviousFile) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  SampleState().Save(path);
  RunState big = SampleState();
  for (int i = 0; i < 4000; ++i) big.phases["phase" + std::to_string(i)] = SampleRecord();
  std::string msg;
  {
    FileSizeLimit limit(200 * 1024);  // more than one buffer, less than the file
    msg = MessageOf<InfraError>([&] { big.Save(path); });
  }
  EXPECT_EQ(msg, "cannot write " + path + ": File too large (check the disk and the directory)");
  ExpectSameState(RunState::Load(path), SampleState());
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "state") << "the temporary file is removed";
  }
  EXPECT_EQ(entries, 1);
}

TEST(RunStateTest, SaveOverADirectorySaysItCannotWriteIt) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  std::filesystem::create_directories(path + "/child");
  std::string msg = MessageOf<InfraError>([&] { SampleState().Save(path); });
  EXPECT_EQ(msg, "cannot write " + path + ": Is a directory (check the disk and the directory)");
  EXPECT_TRUE(std::filesystem::is_directory(path + "/child"));
}

TEST(RunStateTest, LoadOfADirectorySaysItCannotRead) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  std::filesystem::create_directories(path);
  EXPECT_EQ(MessageOf<InfraError>([&] { RunState::Load(path); }),
            "cannot read " + path + ": Is a directory");
}

TEST(RunStateTest, UnknownVersionSaysToDeleteTheFile) {
  TempDir tmp;
  WriteFile(tmp.path(), "state", "# orchestrate state v3\nwhatever\tcomes\tnext\n");
  std::string path = tmp.path() + "/state";
  EXPECT_EQ(MessageOf<InfraError>([&] { RunState::Load(path); }),
            path +
                " has format version 3; this orchestrate reads version 2 and the JSON of version "
                "1 — delete it (it only holds the last run's states)");
}

std::string CorruptMessage(const std::string& path, int line, const std::string& what) {
  return path + " is corrupt (line " + std::to_string(line) + ": " + what +
         "); delete it (it only holds the last run's states)";
}

TEST(RunStateTest, CorruptFileSaysWhereAndThatItCanBeDeleted) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  const std::string h = "# orchestrate state v2\n";
  const std::string phase_a = "phase\t0:a\tfresh\t\t\t0:\t0:\t0:\t0:\t\t\t\t\t0:\n";
  const std::vector<std::tuple<std::string, int, std::string>> cases = {
      {"", 1, "no \"# orchestrate state vN\" header"},
      {"not json", 1, "no \"# orchestrate state vN\" header"},
      {"[1, 2]\n", 1, "no \"# orchestrate state vN\" header"},
      {"# orchestrate state vX\n", 1, "the header's version is not a number"},
      {"# orchestrate state v2", 1, "the line has no end; the file was cut short"},
      {h + "run\t1\t2\tbase", 2, "the line has no end; the file was cut short"},
      {h + "bogus\t1\n", 2, "unknown record \"bogus\""},
      {h + "\n", 2, "unknown record \"\""},
      {h + "run\t1\t2\n", 2, "run has 3 fields, not 4"},
      {h + "run\tabc\t2\tbase\n", 2, "\"abc\" is not a number"},
      {h + "run\t1\t99999999999\tbase\n", 2, "\"99999999999\" is not a number"},
      {h + "run\t1\t2\tbase\n", 2, "\"base\" is not an object id"},
      {h + "kept\t0:bad\\x\ta\n", 2, "a backslash not followed by t, n, r or \\"},
      {h + "kept\t0:bad\\\ta\n", 2, "a backslash not followed by t, n, r or \\"},
      {h + "phase\t0:a\tfresh\n", 2, "phase has 3 fields, not at least 14"},
      {h + "phase\t0:a\tnope\t\t\t0:\t0:\t0:\t0:\t\t\t\t\t0:\n", 2, "unknown phase state \"nope\""},
      {h + "phase\ta\tfresh\t\t\t0:\t0:\t0:\t0:\t\t\t\t\t0:\n", 2,
       "field 2 does not start with a count and a colon"},
      {h + "phase\t1:a\tfresh\t\t\t0:\t0:\t0:\t0:\t\t\t\t\t0:\n", 2,
       "field 2 shares more than the previous line has"},
      {h + phase_a + phase_a, 3, "phase \"a\" is repeated"},
      {h + "failed\n", 2, "failed names no phase"},
      {h + "kept\t0:w1\n", 2, "kept has 2 fields, not 3"},
      {h + "usage\t1\t2\t0.5\tm\n", 2, "usage does not follow a phase line"},
      {h + phase_a + "kept\t0:w1\ta\nusage\t1\t2\t0.5\tm\n", 4,
       "usage does not follow a phase line"},
      {h + phase_a + "usage\t1\t2\t0.5\n", 3, "usage has 4 fields, not 5"},
      {h + phase_a + "usage\tmany\t2\t0.5\tm\n", 3, "\"many\" is not a number"},
  };
  for (const auto& [content, line, what] : cases) {
    WriteFile(tmp.path(), "state", content);
    EXPECT_EQ(MessageOf<InfraError>([&] { RunState::Load(path); }),
              CorruptMessage(path, line, what))
        << "content: " << content;
  }
}

TEST(RunStateTest, FileCutShortAnywhereIsAnErrorOrAnEarlierPartOfTheState) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  SampleState().Save(path);
  std::string text = ReadFile(path);
  for (size_t size = 0; size < text.size(); ++size) {
    WriteFile(tmp.path(), "state", text.substr(0, size));
    bool at_line_end = size > 0 && text[size - 1] == '\n';
    try {
      RunState s = RunState::Load(path);
      EXPECT_TRUE(at_line_end) << "cut at " << size << " was not noticed";
      EXPECT_LE(s.phases.size(), 2u);
    } catch (const InfraError& e) {
      EXPECT_FALSE(at_line_end) << "cut at " << size << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("delete it"), std::string::npos) << e.what();
    }
  }
}

// What version 1 wrote (nlohmann::json's dump(1)), with escapes in strings.
const char* kVersion1File = R"({
 "base": "cccccccccccccccccccccccccccccccccccccccc",
 "failed_keys": {
  "api": [
   "k1",
   "k2"
  ]
 },
 "kept_worktrees": {
  "w1": "api"
 },
 "phases": {
  "api": {
   "attempts": 3,
   "branch": "orchestrate/phase/api",
   "duration_s": 12.25,
   "handoff_first_line": "# API \u2014 done\ttabbed",
   "key": "aaaa",
   "log_path": "/repo/.orchestrate/logs/api.log",
   "reason": "line one\nline two \\ backslash \"quoted\"",
   "recorded_at": 1700000012,
   "result": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
   "saved_attempts": [
    "refs/orchestrate/attempts/api/1700000000-abc"
   ],
   "started_at": 1700000000,
   "state": "failed",
   "worktree": "/repo/.orchestrate/worktrees/w1"
  },
  "ui": {
   "attempts": 0,
   "branch": "",
   "duration_s": 0.0,
   "handoff_first_line": "",
   "key": "",
   "log_path": "",
   "reason": "",
   "recorded_at": 0,
   "result": "",
   "saved_attempts": [],
   "started_at": 0,
   "state": "fresh",
   "worktree": ""
  }
 },
 "run_pid": 4242,
 "run_started_at": 1700000000,
 "succeeded_keys": {
  "api": [
   "k2"
  ],
  "ui": [
   "k3"
  ]
 },
 "version": 1,
 "worktree_last_phase": {
  "w0": "ui",
  "w1": "api"
 }
}
)";

RunState Version1State() {
  RunState s = SampleState();
  s.base = testing::Oid(std::string(40, 'c'));
  PhaseRecord& api = s.phases["api"];
  api.key = "aaaa";
  api.result = testing::Oid(std::string(40, 'b'));
  api.reason = "line one\nline two \\ backslash \"quoted\"";
  api.handoff_first_line = "# API — done\ttabbed";
  api.usage = {};  // version 1 kept no usage
  return s;
}

TEST(RunStateTest, ReadsTheJsonOfVersion1AndSavesItAsVersion2) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  WriteFile(tmp.path(), "state", kVersion1File);
  RunState loaded = RunState::Load(path);
  ExpectSameState(loaded, Version1State());
  loaded.Save(path);
  EXPECT_EQ(ReadFile(path).rfind("# orchestrate state v2\n", 0), 0u);
  ExpectSameState(RunState::Load(path), Version1State());
}

TEST(RunStateTest, Version1WithMissingFieldsTakesTheirDefaults) {
  TempDir tmp;
  WriteFile(tmp.path(), "state", R"({"version": 1, "phases": {"a": {"key": "k"}}})");
  RunState s = RunState::Load(tmp.path() + "/state");
  ASSERT_EQ(s.phases.count("a"), 1u);
  EXPECT_EQ(s.phases["a"].key, "k");
  EXPECT_EQ(s.phases["a"].state, PhaseState::kStale);
  EXPECT_EQ(s.phases["a"].attempts, 0);
  EXPECT_TRUE(s.kept_worktrees.empty());
}

TEST(RunStateTest, JsonOfAnotherVersionSaysToDeleteTheFile) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  for (auto [text, version] :
       {std::pair{R"({"version": 2, "phases": {}})", 2}, std::pair{R"(  {"phases": {}})", 0}}) {
    WriteFile(tmp.path(), "state", text);
    EXPECT_EQ(MessageOf<InfraError>([&] { RunState::Load(path); }),
              path + " has format version " + std::to_string(version) +
                  "; this orchestrate reads version 2 and the JSON of version 1 — delete it (it "
                  "only holds the last run's states)")
        << text;
  }
}

TEST(RunStateTest, JsonOfVersion1WithAFieldOfTheWrongTypeSaysTheFileCanBeDeleted) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  for (std::string text : {R"({"version": 1, "phases": {"a": {"attempts": "three"}}})",
                           R"({"version": "1"})", R"({"version": 1, "failed_keys": [1]})"}) {
    WriteFile(tmp.path(), "state", text);
    std::string msg = MessageOf<InfraError>([&] { RunState::Load(path); });
    EXPECT_EQ(msg.rfind(path + " is not the JSON of version 1 (", 0), 0u) << msg;
    EXPECT_NE(msg.find("); delete it (it only holds the last run's states)"), std::string::npos)
        << msg;
  }
}

TEST(RunStateTest, BadJsonSaysTheFileCanBeDeleted) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  for (std::string text : {"{\"version\": 1,", "{", " {]"}) {
    WriteFile(tmp.path(), "state", text);
    EXPECT_EQ(MessageOf<InfraError>([&] { RunState::Load(path); }),
              path + " is not valid JSON; delete it (it only holds the last run's states)")
        << "content: " << text;
  }
}

TEST(RunStateTest, FailedKnowsWhichKeysOfWhichPhaseFailed) {
  RunState s;
  s.failed_keys = {{"api", {"k1", "k2"}}, {"ui", {"k9"}}};
  EXPECT_TRUE(s.Failed("api", "k2"));
  EXPECT_FALSE(s.Failed("api", "k3")) << "another key";
  EXPECT_FALSE(s.Failed("docs", "k9")) << "another phase's key";
  EXPECT_FALSE(s.Failed("unknown", "k2"));
}

TEST(RunStateTest, FailedKeysSurviveSaveAndLoad) {
  TempDir tmp;
  std::string path = tmp.path() + "/state";
  RunState s;
  s.failed_keys = {{"api", {"k"}}};
  s.Save(path);
  EXPECT_TRUE(RunState::Load(path).Failed("api", "k"));
}

// Files written before the twelfth round listed every key that succeeded.
TEST(RunStateTest, SucceededLinesOfOlderFilesAreReadPast) {
  TempDir tmp;
  WriteFile(tmp.path(), "state",
            "# orchestrate state v2\n"
            "phase\t0:api\tfresh\tk\t\t0:\t0:\t0:\t0:\t\t\t\t\t0:\n"
            "failed\t0:api\tk0\n"
            "succeeded\t0:api\tk\n"
            "succeeded\t0:ui\tk1\tk2\n"
            "kept\t0:w1\tapi\n");
  RunState loaded = RunState::Load(tmp.path() + "/state");
  EXPECT_EQ(loaded.phases.at("api").key, "k");
  EXPECT_TRUE(loaded.Failed("api", "k0"));
  EXPECT_EQ(loaded.kept_worktrees.at("w1"), "api");
  loaded.Save(tmp.path() + "/state");
  EXPECT_EQ(ReadFile(tmp.path() + "/state").find("succeeded"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate
