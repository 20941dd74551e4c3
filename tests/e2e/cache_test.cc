// Incremental runs: keys, records, explained staleness, sharing via git.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const std::string kHeader = "version = 1\n";

std::string Chain() {
  return kHeader + LoggedPhase("schema", "") + LoggedPhase("api", "\"schema\"") +
         LoggedPhase("ui", "\"schema\"") + LoggedPhase("docs", "");
}

TEST(CacheTest, SecondRunRunsNothingAndKeepsTarget) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  std::string target = s.Rev("orchestrate/integration");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Ran(s.repo()), "");
  EXPECT_EQ(s.Rev("orchestrate/integration"), target);
  // The second run took the target from the memo of the first one's merge.
  EXPECT_NE(ReadFile(s.repo() + "/.orchestrate/target_memo").find("\t" + target + "\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("4 fresh"), std::string::npos) << r.out;
  auto plan = nlohmann::json::parse(s.Run("plan --json").out);
  for (auto& p : plan["phases"]) EXPECT_EQ(p["action"], "fresh") << p;
}

TEST(CacheTest, NoOpRunLeavesTheStateFileAsItWas) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  std::string path = s.repo() + "/.orchestrate/state";
  std::string state = ReadFile(path);
  ASSERT_NE(state.find("\tsucceeded\t"), std::string::npos) << state;  // written by the first run
  std::remove(path.c_str());
  // Every phase fresh from the cache, but the state had no record of them.
  ASSERT_EQ(s.Run("run").status, 0);
  state = ReadFile(path);
  EXPECT_NE(state.find("docs"), std::string::npos) << state;
  // Nothing changed: the file is not rewritten, not even its run line.
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(ReadFile(path), state);
  auto status = s.Status();
  for (auto& p : status["phases"]) EXPECT_EQ(p["state"], "fresh") << p;
  // A run that does something writes it.
  std::string m = Chain();
  m.replace(m.find("echo docs > docs.txt"), 20, "echo DOCS > docs.txt");
  s.SetManifest(m);
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_NE(ReadFile(path), state);
  EXPECT_EQ(Ran(s.repo()), "docs\n");
}

TEST(CacheTest, RecordIndexIsOnlyACacheOfTheRefs) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  std::string index = s.repo() + "/.orchestrate/record_index";
  ASSERT_TRUE(FileExists(index));
  // A damaged index is read around: everything is still fresh.
  WriteFile(s.repo(), ".orchestrate/record_index", "# orchestrate record index 2\ngarbage\tline\n");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Ran(s.repo()), "");
  std::string rebuilt = ReadFile(index);  // from the refs
  EXPECT_EQ(rebuilt.rfind("# orchestrate record index 5 ", 0), 0u) << rebuilt;
  EXPECT_NE(rebuilt.find("schema"), std::string::npos);
  // A record deleted behind its back is a miss, whatever the index says.
  Shell("git update-ref -d $(git for-each-ref --format='%(refname)' refs/orchestrate/cache/docs/)",
        s.repo());
  r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Ran(s.repo()), "docs\n");
}

TEST(CacheTest, ChangedCommandRerunsItAndDependentsOnly) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  std::string m = Chain();
  m.replace(m.find("echo schema > schema.txt"), 24, "echo SCHEMA > schema.txt");
  s.SetManifest(m);
  auto plan = nlohmann::json::parse(s.Run("plan --json").out);
  std::map<std::string, std::string> action, reason;
  for (auto& p : plan["phases"]) action[p["name"]] = p["action"], reason[p["name"]] = p["reason"];
  EXPECT_EQ(action["schema"], "run");
  EXPECT_EQ(reason["schema"], "command changed");
  EXPECT_EQ(action["api"], "run");
  EXPECT_EQ(action["docs"], "fresh");
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  std::string ran = Ran(s.repo());
  EXPECT_NE(ran.find("schema"), std::string::npos);
  EXPECT_NE(ran.find("api"), std::string::npos);
  EXPECT_NE(ran.find("ui"), std::string::npos);
  EXPECT_EQ(ran.find("docs"), std::string::npos) << ran;
}

TEST(CacheTest, EarlyCutoffWhenDependencyResultIsUnchanged) {
  std::string m = kHeader +
                  "[phase.gen]\nrun = \"echo gen >> ../../ran.log; echo same > gen.txt\"\n" +
                  LoggedPhase("use", "\"gen\"");
  Scenario s(m);
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  // A different command producing the same content.
  m.replace(m.find("echo same > gen.txt"), 19, "printf 'same\\n' > gen.txt");
  s.SetManifest(m);
  ShellResult r = s.Run("run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Ran(s.repo()), "gen\n");
}

TEST(CacheTest, EnvAndKeyEnvChangesRerun) {
  std::string m = kHeader + LoggedPhase("a", "", "env = { LEVEL = \"1\" }\n") +
                  LoggedPhase("b", "", "key_env = [\"TOOL_VERSION\"]\n") + LoggedPhase("c", "");
  Scenario s(m);
  ASSERT_EQ(s.Run("run", "TOOL_VERSION=1").status, 0);
  Ran(s.repo());
  ASSERT_EQ(s.Run("run", "TOOL_VERSION=1 UNRELATED=$RANDOM").status, 0);
  EXPECT_EQ(Ran(s.repo()), "");  // the inherited environment does not enter the key
  auto plan = nlohmann::json::parse(s.Run("plan --json", "TOOL_VERSION=2").out);
  EXPECT_EQ(plan["phases"][1]["reason"], "key_env TOOL_VERSION changed");
  ASSERT_EQ(s.Run("run", "TOOL_VERSION=2").status, 0);
  EXPECT_EQ(Ran(s.repo()), "b\n");
  m.replace(m.find("LEVEL = \"1\""), 11, "LEVEL = \"2\"");
  s.SetManifest(m);
  plan = nlohmann::json::parse(s.Run("plan --json", "TOOL_VERSION=2").out);
  EXPECT_EQ(plan["phases"][0]["reason"], "env LEVEL changed");
}

TEST(CacheTest, InputsNarrowWhatMakesStale) {
  std::string m =
      kHeader + LoggedPhase("narrow", "", "inputs = [\"src/**\"]\n") + LoggedPhase("wide", "");
  Scenario s(m, {{"src/x.c", "1"}, {"README", "r"}});
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  WriteFile(s.repo(), "README", "changed");
  CommitAll(s.repo(), "readme");
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(Ran(s.repo()), "wide\n");
  WriteFile(s.repo(), "src/x.c", "2");
  CommitAll(s.repo(), "src");
  auto plan = nlohmann::json::parse(s.Run("plan --json").out);
  EXPECT_EQ(plan["phases"][0]["reason"], "input src/x.c changed");
}

TEST(CacheTest, PromptEditMakesOnlyItsPhaseStale) {
  std::string m = kHeader +
                  "[agents.a]\ncommand = \"sh -c \\\"$(cat {prompt_file})\\\"\"\n"
                  "[phase.p1]\nagent = \"a\"\nprompt = \"prompts/p1.md\"\n"
                  "[phase.p2]\nagent = \"a\"\nprompt = \"prompts/p2.md\"\n";
  Scenario s(m, {{"prompts/p1.md", "echo p1 > p1.txt"}, {"prompts/p2.md", "echo p2 > p2.txt"}});
  ASSERT_EQ(s.Run("run").status, 0) << s.Run("log p1").out;
  WriteFile(s.repo(), "prompts/p1.md",
            "echo P1 > p1.txt");  // edited, not committed: read from disk
  auto plan = nlohmann::json::parse(s.Run("plan --json").out);
  EXPECT_EQ(plan["phases"][0]["action"], "run");
  EXPECT_EQ(plan["phases"][0]["reason"], "prompt prompts/p1.md changed");
  EXPECT_EQ(plan["phases"][1]["action"], "fresh");
}

TEST(CacheTest, FailedPhaseRerunsAloneAfterFix) {
  std::string m = kHeader + LoggedPhase("ok", "") +
                  "[phase.flaky]\nrun = \"echo flaky >> ../../ran.log; test -f ../../fixed\"\n" +
                  LoggedPhase("after", "\"flaky\"");
  Scenario s(m);
  EXPECT_EQ(s.Run("run").status, 1);
  Ran(s.repo());
  auto plan = nlohmann::json::parse(s.Run("plan --json").out);
  EXPECT_EQ(plan["phases"][1]["reason"], "previous attempt failed");
  WriteFile(s.repo() + "/.orchestrate", "fixed", "");
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(Ran(s.repo()), "flaky\nafter\n");
  // Same key failed once and succeeded once: flagged as flaky.
  EXPECT_NE(s.Run("status").out.find("FLAKY"), std::string::npos);
}

TEST(CacheTest, ForceAndAlways) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  ASSERT_EQ(s.Run("run --force docs").status, 0);
  EXPECT_EQ(Ran(s.repo()), "docs\n");
  ASSERT_EQ(s.Run("run -B").status, 0);
  EXPECT_EQ(CountLines(Ran(s.repo()), ""), 4);
  auto plan = nlohmann::json::parse(s.Run("plan --json --force api").out);
  EXPECT_EQ(plan["phases"][1]["reason"], "forced");
}

TEST(CacheTest, OnlyRunsNamedPhaseOnRecordedDeps) {
  Scenario s(Chain());
  ShellResult refused = s.Run("run api --only");
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.out.find("dependency 'schema'"), std::string::npos) << refused.out;
  ASSERT_EQ(s.Run("run schema").status, 0);
  Ran(s.repo());
  ShellResult r = s.Run("run api --only");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Ran(s.repo()), "api\n");
}

TEST(CacheTest, ExplainShowsComponentsAndDifferences) {
  std::string m = kHeader + LoggedPhase("a", "", "env = { LEVEL = \"1\" }\n");
  Scenario s(m);
  ASSERT_EQ(s.Run("run").status, 0);
  m.replace(m.find("LEVEL = \"1\""), 11, "LEVEL = \"2\"");
  s.SetManifest(m);
  ShellResult r = s.Run("explain a");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("~ env LEVEL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  command"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("env LEVEL changed"), std::string::npos) << r.out;
}

TEST(CacheTest, RecordsSurviveGcAndArePulledByAClone) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  Ran(s.repo());
  std::string target = s.Rev("orchestrate/integration");
  MustShell("git gc -q --prune=now", s.repo());
  s.AddOrigin();
  ShellResult push = s.Run("cache push");
  ASSERT_EQ(push.status, 0) << push.out;
  EXPECT_NE(push.out.find("pushed 4"), std::string::npos) << push.out;
  std::string clone = s.CloneOrigin("clone");
  ShellResult pull = Orchestrate("cache pull", clone);
  ASSERT_EQ(pull.status, 0) << pull.out;
  ShellResult r = Orchestrate("run", clone);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("4 fresh"), std::string::npos) << r.out;
  EXPECT_EQ(Shell("git rev-parse orchestrate/integration^{tree}", clone).out,
            Shell("git rev-parse " + target + "^{tree}", s.repo()).out);
}

TEST(CacheTest, ConcurrentPushesFromTwoClonesDoNotConflict) {
  Scenario s(Chain());
  s.AddOrigin();
  for (const char* c : {"c1", "c2"}) ASSERT_EQ(Orchestrate("run", s.CloneOrigin(c)).status, 0);
  ShellResult both = Shell("(" + OrchestrateCommand("-C c1 cache push") + " & " +
                               OrchestrateCommand("-C c2 cache push") + " & wait) 2>&1",
                           s.dir());
  EXPECT_EQ(both.out.find("error"), std::string::npos) << both.out;
  ShellResult again = Orchestrate("cache push", s.dir() + "/c1");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(
      std::stoi(
          Shell("git for-each-ref refs/orchestrate/cache | wc -l", s.dir() + "/remote.git").out),
      4);
}

TEST(CacheTest, MissingRemoteIsUsageError) {
  Scenario s(Chain());
  ASSERT_EQ(s.Run("run").status, 0);
  ShellResult r = s.Run("cache push nowhere");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("nowhere"), std::string::npos) << r.out;
  ShellResult pull = s.Run("cache pull");
  EXPECT_EQ(pull.status, 2) << pull.out;
  EXPECT_NE(pull.out.find("origin"), std::string::npos) << pull.out;
}

TEST(CacheTest, ListPruneAndCleanCache) {
  std::string m = kHeader + LoggedPhase("a", "") + LoggedPhase("b", "");
  Scenario s(m);
  ASSERT_EQ(s.Run("run").status, 0);
  m.replace(m.find("echo a > a.txt"), 14, "echo A > a.txt");
  s.SetManifest(m);
  ASSERT_EQ(s.Run("run").status, 0);
  ShellResult list = s.Run("cache list");
  EXPECT_NE(list.out.find("3 records"), std::string::npos) << list.out;
  ShellResult prune = s.Run("cache prune");
  EXPECT_NE(prune.out.find("removed 1 of 3"), std::string::npos) << prune.out;
  EXPECT_EQ(s.Run("plan --json").out.find("\"run\""), std::string::npos);
  ShellResult clean = s.Run("clean --cache");
  EXPECT_NE(clean.out.find("removing 2 cache records"), std::string::npos) << clean.out;
}

TEST(CacheTest, ReportsJunitTraceEventsAndStepSummary) {
  std::string m = kHeader + LoggedPhase("good", "") +
                  "[phase.bad]\nrun = \"echo 'oops <&>'; exit 2\"\n" +
                  LoggedPhase("blocked", "\"bad\"");
  Scenario s(m);
  ASSERT_EQ(s.Run("run good").status, 0);
  ShellResult r = s.Run("run --junit ../junit.xml --trace ../trace.json --events ../events.ndjson",
                        "GITHUB_STEP_SUMMARY=" + s.dir() + "/summary.md");
  EXPECT_EQ(r.status, 1) << r.out;
  std::string junit = ReadFile(s.dir() + "/junit.xml");
  EXPECT_EQ(CountLines(junit, "<testcase"), 3) << junit;
  EXPECT_NE(junit.find("<failure"), std::string::npos);
  EXPECT_NE(junit.find("oops &lt;&amp;&gt;"), std::string::npos) << junit;
  EXPECT_NE(junit.find("fresh"), std::string::npos);
  auto trace = nlohmann::json::parse(ReadFile(s.dir() + "/trace.json"));
  EXPECT_TRUE(trace.contains("traceEvents"));
  std::istringstream events(ReadFile(s.dir() + "/events.ndjson"));
  std::vector<std::string> kinds;
  for (std::string line; std::getline(events, line);)
    kinds.push_back(nlohmann::json::parse(line)["event"]);
  ASSERT_FALSE(kinds.empty());
  EXPECT_EQ(kinds.front(), "run_started");
  EXPECT_EQ(kinds.back(), "run_finished");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "phase_fresh"), kinds.end());
  EXPECT_NE(ReadFile(s.dir() + "/summary.md").find("bad"), std::string::npos);
}

}  // namespace
}  // namespace orchestrate::testing
