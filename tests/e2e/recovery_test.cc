// Signals, crashes and recovery: nothing lost, nothing half-done recorded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kSlow = R"(version = 1
[phase.quick]
run = "echo quick > quick.txt"
[phase.slow]
run = "echo $$ > ../../slow.pid; echo partial > partial.txt; sleep 30; echo done > slow.txt"
[phase.after]
deps = ["slow"]
run = "echo after > after.txt"
)";

// Starts `orchestrate run` in the background; returns its pid.
std::string StartInBackground(const Scenario& s, const std::string& args = "run") {
  std::string out = MustShell("env CI=true ORCHESTRATE_KILL_GRACE=1 " + ShellQuote(ORCHESTRATE_BINARY) + " " + args +
                                  " > ../run.out 2>&1 & echo $!",
                              s.repo());
  return out.substr(0, out.find('\n'));
}

void WaitForFile(const std::string& path) {
  for (int i = 0; i < 200 && !FileExists(path); ++i) Shell("sleep 0.05");
  ASSERT_TRUE(FileExists(path)) << path;
}

int WaitForExit(const std::string& pid) {
  for (int i = 0; i < 300; ++i) {
    if (!ProcessAlive(pid)) return 0;
    Shell("sleep 0.05");
  }
  return -1;
}

TEST(RecoveryTest, SigintStopsPhasesRecordsInterruptedAndNextRunCompletes) {
  Scenario s(kSlow);
  std::string pid = StartInBackground(s);
  WaitForFile(s.repo() + "/.orchestrate/slow.pid");
  std::string child = ReadFile(s.repo() + "/.orchestrate/slow.pid");
  Shell("sleep 0.3; kill -INT " + pid);
  ASSERT_EQ(WaitForExit(pid), 0);
  std::string out = ReadFile(s.dir() + "/run.out");
  EXPECT_NE(out.find("interrupted by SIGINT"), std::string::npos) << out;
  EXPECT_FALSE(ProcessAlive(child)) << "phase process survived SIGINT";
  auto status = nlohmann::json::parse(s.Run("status --json").out);
  std::map<std::string, std::string> states;
  for (auto& p : status["phases"]) states[p["name"]] = p["state"];
  EXPECT_EQ(states["slow"], "interrupted");
  EXPECT_EQ(states["quick"], "succeeded");
  // The next run resumes: quick is fresh, slow runs again (faster this time).
  s.SetManifest(std::string(kSlow).replace(std::string(kSlow).find("sleep 30"), 8, "sleep 0"), false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fresh quick"), std::string::npos) << r.out;
  EXPECT_EQ(s.Show("orchestrate/integration:after.txt"), "after\n");
}

TEST(RecoveryTest, InterruptExitStatus130) {
  Scenario s(kSlow);
  ShellResult r = Shell("env CI=true " + ShellQuote(ORCHESTRATE_BINARY) +
                            " run & pid=$!; i=0; while [ ! -f .orchestrate/slow.pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
                            "kill -INT $pid; wait $pid; echo status=$?",
                        s.repo());
  EXPECT_NE(r.out.find("status=130"), std::string::npos) << r.out;
}

TEST(RecoveryTest, SigtermExitStatus143) {
  Scenario s(kSlow);
  ShellResult r = Shell("env CI=true " + ShellQuote(ORCHESTRATE_BINARY) +
                            " run & pid=$!; i=0; while [ ! -f .orchestrate/slow.pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
                            "kill -TERM $pid; wait $pid; echo status=$?",
                        s.repo());
  EXPECT_NE(r.out.find("status=143"), std::string::npos) << r.out;
}

// The terminal closed: the phases are stopped as for SIGTERM (exit 143).
TEST(RecoveryTest, SighupStopsPhasesLikeSigterm) {
  Scenario s(kSlow);
  std::string pid = StartInBackground(s);
  WaitForFile(s.repo() + "/.orchestrate/slow.pid");
  std::string child = ReadFile(s.repo() + "/.orchestrate/slow.pid");
  ShellResult r = Shell("kill -HUP " + pid);
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_EQ(WaitForExit(pid), 0);
  EXPECT_FALSE(ProcessAlive(child)) << "phase process survived SIGHUP";
  auto status = nlohmann::json::parse(s.Run("status --json").out);
  std::map<std::string, std::string> states;
  for (auto& p : status["phases"]) states[p["name"]] = p["state"];
  EXPECT_EQ(states["slow"], "interrupted");
}

TEST(RecoveryTest, SighupExitStatus143) {
  Scenario s(kSlow);
  ShellResult r = Shell("env CI=true " + ShellQuote(ORCHESTRATE_BINARY) +
                            " run & pid=$!; i=0; while [ ! -f .orchestrate/slow.pid ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
                            "kill -HUP $pid; wait $pid; echo status=$?",
                        s.repo());
  EXPECT_NE(r.out.find("status=143"), std::string::npos) << r.out;
}

TEST(RecoveryTest, SigkillThenNextRunReapsAndCompletes) {
  Scenario s(kSlow);
  std::string pid = StartInBackground(s);
  WaitForFile(s.repo() + "/.orchestrate/slow.pid");
  Shell("sleep 0.3");
  std::string child = ReadFile(s.repo() + "/.orchestrate/slow.pid");
  Shell("kill -KILL " + pid);
  ASSERT_EQ(WaitForExit(pid), 0);
  ASSERT_TRUE(ProcessAlive(child)) << "the phase should outlive a SIGKILLed orchestrate";
  // Leave libgit2-style debris behind too.
  MustShell("mkdir -p .git/worktrees/w9 .orchestrate/worktrees/w9 && echo garbage > .git/worktrees/w9/gitdir", s.repo());
  s.SetManifest(std::string(kSlow).replace(std::string(kSlow).find("sleep 30"), 8, "sleep 0"), false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("left running by a killed run"), std::string::npos) << r.out;
  EXPECT_FALSE(ProcessAlive(child)) << "leftover phase process was not reaped";
  EXPECT_EQ(s.Show("orchestrate/integration:slow.txt"), "done\n");
}

TEST(RecoveryTest, InterruptedWorkIsSavedBeforeReuse) {
  Scenario s(kSlow);
  std::string pid = StartInBackground(s);
  WaitForFile(s.repo() + "/.orchestrate/slow.pid");
  Shell("sleep 0.3; kill -INT " + pid);
  ASSERT_EQ(WaitForExit(pid), 0);
  s.SetManifest(std::string(kSlow).replace(std::string(kSlow).find("sleep 30"), 8, "sleep 0"), false);
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  // partial.txt, left uncommitted by the interrupted attempt, is saved.
  std::string refs = Shell("git for-each-ref --format='%(refname)' refs/orchestrate/attempts/", s.repo()).out;
  ASSERT_NE(refs.find("refs/orchestrate/attempts/slow/"), std::string::npos) << refs << r.out;
  std::string ref = refs.substr(0, refs.find('\n'));
  EXPECT_EQ(s.Show(ref + ":partial.txt"), "partial\n");
}

}  // namespace
}  // namespace orchestrate::testing
