// What orchestrate reports, and the command line around it: durations,
// states of dead runs, logs from records, explain, --force, clean, prune.
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// a and b write x.txt differently; c needs both: an input conflict.
const char* kInputConflict = R"(version = 1
[phase.a]
run = "echo a > x.txt"
[phase.b]
run = "echo b > x.txt"
[phase.c]
deps = ["a", "b"]
run = "echo c > c.txt"
)";

TEST(ReportsTest, AnInputConflictTakesNoTimeInAnyReport) {
  Scenario s(kInputConflict);
  ShellResult r = s.Run("run --junit ../junit.xml --events ../events.ndjson");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("INPUT-CONFLICT c (0s)"), std::string::npos) << r.out;
  std::string xml = ReadFile(s.dir() + "/junit.xml");
  EXPECT_NE(xml.find("<testcase name=\"c\" classname=\"orchestrate\" time=\"0.000\">"),
            std::string::npos)
      << xml;
  std::string events = ReadFile(s.dir() + "/events.ndjson");
  bool seen = false;
  std::istringstream lines(events);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json e = nlohmann::json::parse(line);
    if (e.value("phase", "") != "c" || e.value("state", "") != "input-conflict") continue;
    EXPECT_EQ(e["duration_s"], 0) << line;
    seen = true;
  }
  EXPECT_TRUE(seen) << events;
  ShellResult status = s.Run("status");
  std::string c = StatusLine(status.out, "c");
  EXPECT_TRUE(std::regex_search(c, std::regex("input-conflict +- "))) << status.out;
  nlohmann::json json = s.Status();
  for (const auto& p : json["phases"]) {
    if (p["name"] == "c") {
      EXPECT_EQ(p["duration_s"], 0) << p;
    }
  }
}

TEST(ReportsTest, RunAndStatusPrintAPhaseDurationAlike) {
  Scenario s("version = 1\n[phase.p]\nrun = \"sleep 0.2; echo p > p.txt\"\n");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  std::smatch m;
  std::regex succeeded("succeeded p \\(([^)]*)\\)");
  ASSERT_TRUE(std::regex_search(r.out, m, succeeded)) << r.out;
  std::string shown = m[1].str();
  std::string status = s.Run("status").out;
  EXPECT_NE(StatusLine(status, "p").find(" " + shown + " "), std::string::npos) << shown << "\n"
                                                                                << status;
}

TEST(ReportsTest, StatusShowsThePhasesOfAKilledRunAsInterrupted) {
  Scenario s(
      "version = 1\n[phase.slow]\n"
      "run = \"echo $$ > ../../slow.pid.tmp; mv ../../slow.pid.tmp ../../slow.pid; sleep 60\"\n");
  BackgroundRun run(s.repo(), "run");
  std::string status;
  ASSERT_TRUE(WaitUntil([&] {
    status = s.Run("status").out;
    return Has(StatusLine(status, "slow"), "running");
  })) << status
      << run.Output();
  ASSERT_TRUE(WaitForFile(s.repo() + "/.orchestrate/slow.pid")) << run.Output();
  std::string child = ReadFile(s.repo() + "/.orchestrate/slow.pid");
  std::string pid = std::to_string(run.pid());
  run.Signal("KILL");
  ASSERT_EQ(run.Wait(), 137);
  child = child.substr(0, child.find('\n'));
  Shell("kill -KILL -- -" + child + " " + child);  // the phase outlives its run

  ShellResult after = s.Run("status");
  EXPECT_EQ(after.status, 0);
  std::string line = StatusLine(after.out, "slow");
  EXPECT_NE(line.find("interrupted"), std::string::npos) << after.out;
  EXPECT_NE(line.find("its run (pid " + pid + ") ended without finishing it"), std::string::npos)
      << after.out;
  nlohmann::json json = s.Status();
  EXPECT_EQ(json["phases"][0]["state"], "interrupted") << json;
}

TEST(ReportsTest, LogPrintsTheRecordsLogInACloneThatPulledTheRecords) {
  Scenario s("version = 1\n[phase.p]\nrun = \"echo hello from p; echo p > p.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  MustShell(
      "git clone -q repo clone && cd clone && "
      "git fetch -q origin 'refs/orchestrate/*:refs/orchestrate/*'",
      s.dir());
  ShellResult log = Orchestrate("log p", s.dir() + "/clone");
  EXPECT_EQ(log.status, 0) << log.out;
  EXPECT_NE(log.out.find("hello from p"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("p has not run here; this is the log in its cache record"),
            std::string::npos)
      << log.out;
}

TEST(ReportsTest, LogOfAPhaseWithNeitherLogNorRecordSaysSo) {
  Scenario s("version = 1\n[phase.p]\nrun = \"true\"\n");
  ShellResult log = s.Run("log p");
  EXPECT_EQ(log.status, 2);
  EXPECT_NE(log.out.find("phase 'p' has no log yet"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("no cache record holds one; it has not run here"), std::string::npos)
      << log.out;
}

const std::string kLong = "echo " + std::string(70, 'x');

TEST(ReportsTest, ExplainShowsAChangedValueInFull) {
  Scenario s("version = 1\n[phase.p]\nrun = \"" + kLong + " 1 > p.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  s.SetManifest("version = 1\n[phase.p]\nrun = \"" + kLong + " 2 > p.txt\"\n", false);
  ShellResult r = s.Run("explain p");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("~ command\n      now:  " + kLong + " 2 > p.txt\n      last: " + kLong +
                       " 1 > p.txt\n"),
            std::string::npos)
      << r.out;
}

TEST(ReportsTest, ExplainOfAFreshPhaseShowsItsComponentsToo) {
  Scenario s("version = 1\n[phase.p]\nrun = \"echo 1 > p.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  ShellResult r = s.Run("explain p --json");
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["action"], "fresh");
  ASSERT_EQ(j["components"].size(), 2u) << j;
  EXPECT_EQ(j["components"][1]["name"], "command");
  EXPECT_EQ(j["components"][1]["change"], "same");
  EXPECT_EQ(j["components"][1]["now"], "echo 1 > p.txt");
}

TEST(ReportsTest, ExplainJsonHasEveryComponentNowAndLastInFull) {
  Scenario s("version = 1\n[phase.p]\nrun = \"" + kLong + " 1 > p.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  s.SetManifest("version = 1\n[phase.p]\nrun = \"" + kLong + " 2 > p.txt\"\n", false);
  ShellResult r = s.Run("explain p --json");
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["phase"], "p");
  EXPECT_EQ(j["action"], "run");
  EXPECT_EQ(j["last_record"]["key"].get<std::string>().size(), 40u) << j;
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& c : j["components"]) by_name[c["name"]] = c;
  ASSERT_TRUE(by_name.count("command")) << j;
  EXPECT_EQ(by_name["command"]["now"], kLong + " 2 > p.txt");
  EXPECT_EQ(by_name["command"]["last"], kLong + " 1 > p.txt");
  EXPECT_EQ(by_name["command"]["change"], "changed");
  ASSERT_TRUE(by_name.count("base")) << j;
  EXPECT_EQ(by_name["base"]["change"], "same");
  EXPECT_EQ(by_name["base"]["now"], by_name["base"]["last"]);
}

const char* kThree = R"(version = 1
[phase.api]
run = "echo api > api.txt"
[phase.docs]
run = "echo docs > docs.txt"
[phase.other]
run = "echo other > other.txt"
)";

TEST(ReportsTest, ForceTakesOnePhasePerUse) {
  Scenario s(kThree);
  ASSERT_EQ(s.Run("run").status, 0);
  ShellResult r = s.Run("run --force api docs");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("succeeded api"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fresh docs"), std::string::npos) << r.out;  // selected, not forced
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;       // not selected
  ShellResult both = s.Run("run --force api --force docs");
  EXPECT_NE(both.out.find("succeeded api"), std::string::npos) << both.out;
  EXPECT_NE(both.out.find("succeeded docs"), std::string::npos) << both.out;
}

TEST(ReportsTest, ForcingAnUnknownPhaseIsAUsageErrorWithASuggestion) {
  Scenario s(kThree);
  for (const char* command : {"run --force dosc", "plan --force dosc", "run -n --force dosc"}) {
    ShellResult r = s.Run(command);
    EXPECT_EQ(r.status, 2) << command << r.out;
    EXPECT_NE(r.out.find("--force: unknown phase 'dosc' (did you mean 'docs'?)"), std::string::npos)
        << command << r.out;
  }
  EXPECT_EQ(s.Rev("orchestrate/integration"), "");  // nothing ran
}

TEST(ReportsTest, ValidateCountsInTheSingularToo) {
  Scenario s("version = 1\n[phase.a]\nrun = \"true\"\n[phase.b]\ndeps = [\"a\"]\nrun = \"true\"\n");
  ShellResult r = s.Run("validate");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find(": ok: 2 phases, 1 dependency, 0 pools, 0 agents, longest chain 2\n"),
            std::string::npos)
      << r.out;
}

TEST(ReportsTest, CleanBranchesDeletesABranchMainContainsAndSaysWhyOthersStay) {
  Scenario s(
      "version = 1\n"
      "[phase.nothing]\nrun = \"exit 1\"\n"
      "[phase.work]\nrun = \"echo w > w.txt; git add w.txt; "
      "git -c user.name=x -c user.email=x@x commit -qm w; exit 1\"\n");
  ASSERT_EQ(s.Run("run").status, 1);
  ASSERT_EQ(s.Rev("orchestrate/phase/nothing"), s.Rev("main"));
  // A lock a killed process left on the branch does not stop the deletion.
  WriteFile(s.repo() + "/.git/refs/heads/orchestrate/phase", "nothing.lock", "");
  ShellResult r = s.Run("clean --branches");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("removed " + s.repo() +
                       "/.git/refs/heads/orchestrate/phase/nothing.lock, left by a process "
                       "killed while writing refs/heads/orchestrate/phase/nothing\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("kept branch orchestrate/phase/nothing"), std::string::npos) << r.out;
  EXPECT_EQ(s.Rev("orchestrate/phase/nothing"), "");  // main holds its commit
  std::string work = s.Rev("orchestrate/phase/work");
  ASSERT_NE(work, "");
  EXPECT_NE(r.out.find("kept branch orchestrate/phase/work: its commit " + work.substr(0, 12) +
                       " is in no cache record, saved attempt or other branch"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("removed 1 phase branch\n"), std::string::npos) << r.out;
}

// Saves `rev` as an attempt of `phase` saved at unix time `at`.
void SaveAttempt(const Scenario& s, const std::string& phase, int64_t at, const std::string& rev) {
  MustShell("git update-ref refs/orchestrate/attempts/" + phase + "/" + std::to_string(at) + "-" +
                s.Rev(rev).substr(0, 12) + " " + rev,
            s.repo());
}

std::string Attempts(const Scenario& s) {
  return Shell("git for-each-ref --format='%(refname)' refs/orchestrate/attempts/", s.repo()).out;
}

TEST(ReportsTest, CachePruneOlderThanDaysAlsoPrunesSavedAttempts) {
  Scenario s("version = 1\n[phase.p]\nrun = \"echo p > p.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  int64_t now = std::time(nullptr);
  SaveAttempt(s, "p", now - 8 * 86400, "main");
  SaveAttempt(s, "p", now - 3600, "main");
  ShellResult r = s.Run("cache prune --older-than 7d");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("removed 0 of 1 cache records\nremoved 1 saved attempt\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Attempts(s), "refs/orchestrate/attempts/p/" + std::to_string(now - 3600) + "-" +
                             s.Rev("main").substr(0, 12) + "\n");
  ShellResult bad = s.Run("cache prune --older-than 7days");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("invalid age '7days' for --older-than (use forms like 7d, 12h, 30m, 90s)"),
            std::string::npos)
      << bad.out;
}

TEST(ReportsTest, CleanAttemptsRemovesEverySavedAttempt) {
  Scenario s("version = 1\n[phase.p]\nrun = \"echo p > p.txt\"\n");
  SaveAttempt(s, "p", std::time(nullptr), "main");
  SaveAttempt(s, "q", std::time(nullptr) - 60, "main");
  ShellResult r = s.Run("clean --attempts");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("removed 2 saved attempts\n"), std::string::npos) << r.out;
  EXPECT_EQ(Attempts(s), "");
}

TEST(ReportsTest, StatusShowsTheLatestSavedAttemptsAndCountsTheRest) {
  // Each run commits new work and fails; with keep_worktrees = "never" the
  // next run saves it before reusing the branch.
  Scenario s(
      "version = 1\n[settings]\nkeep_worktrees = \"never\"\n"
      "[phase.bad]\nrun = \"date +%s%N > w.txt; git add w.txt; "
      "git -c user.name=x -c user.email=x@x commit -qm w; exit 1\"\n");
  for (int i = 0; i < 6; ++i) ASSERT_EQ(s.Run("run").status, 1);
  ASSERT_GE(CountLines(Attempts(s), "refs/orchestrate/attempts/bad/"), 5) << Attempts(s);
  nlohmann::json json = s.Status();
  size_t saved = json["phases"][0]["saved_attempts"].size();
  ASSERT_GT(saved, 3u) << json;
  std::string line = StatusLine(s.Run("status").out, "bad");
  size_t shown = 0;
  for (size_t at = line.find("saved refs/"); at != std::string::npos;
       at = line.find("saved refs/", at + 1))
    ++shown;
  EXPECT_EQ(shown, 3u) << line;
  std::string newest = json["phases"][0]["saved_attempts"].back();
  EXPECT_NE(line.find("saved " + newest), std::string::npos) << line;
  EXPECT_NE(line.find(std::to_string(saved - 3) +
                      " earlier saved attempts (`orchestrate log bad` lists them)"),
            std::string::npos)
      << line;
}

TEST(ReportsTest, DirtyManifestAloneGivesNoUncommittedNotice) {
  Scenario s("version = 1\n[phase.p]\nrun = \"true\"\n");
  s.SetManifest("version = 1\n[phase.p]\nrun = \"echo p\"\n", false);
  ShellResult first = s.Run("run");
  EXPECT_EQ(first.out.find("uncommitted changes"), std::string::npos) << first.out;
  WriteFile(s.repo(), "src.txt", "x");
  ShellResult second = s.Run("run");
  EXPECT_NE(second.out.find("your uncommitted changes are not part of the base"), std::string::npos)
      << second.out;
}

}  // namespace
}  // namespace orchestrate::testing
