// validate, plan, graph, init, and manifest errors through the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kDiamond = R"(version = 1
[phase.schema]
run = "echo schema > schema.txt"
[phase.api]
deps = ["schema"]
run = "echo api > api.txt"
[phase.ui]
deps = ["schema"]
run = "echo ui > ui.txt"
[phase.release]
deps = ["api", "ui"]
verify = ["test -f api.txt && test -f ui.txt"]
)";

TEST(FoundationTest, ValidatePrintsSummary) {
  Scenario s(kDiamond);
  ShellResult r = s.Run("validate");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("4 phases, 4 dependencies, 0 pools"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("longest chain 3"), std::string::npos) << r.out;
}

TEST(FoundationTest, ManifestFoundFromSubdirectory) {
  Scenario s(kDiamond, {{"sub/dir/file.txt", "x"}});
  ShellResult r = Orchestrate("validate", s.repo() + "/sub/dir");
  EXPECT_EQ(r.status, 0) << r.out;
}

TEST(FoundationTest, DashCAndDashF) {
  Scenario s(kDiamond, {{"other/alt.toml", "version = 1\n[phase.only]\nrun = \"true\"\n"}});
  ShellResult r = Orchestrate("-C " + s.repo() + " validate -f other/alt.toml", "/");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("ok: 1 phase, 0 dependencies"), std::string::npos) << r.out;
}

TEST(FoundationTest, OutsideGitRepositoryIsUsageError) {
  TempDir d;
  WriteFile(d.path(), "orchestrate.toml", kDiamond);
  ShellResult r = Orchestrate("validate", d.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("not a git repository"), std::string::npos) << r.out;
}

TEST(FoundationTest, MissingManifestSaysHowToCreateOne) {
  TempDir d;
  InitRepo(d.path(), {{"a", "b"}});
  ShellResult r = Orchestrate("plan", d.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("orchestrate init"), std::string::npos) << r.out;
}

TEST(FoundationTest, ManifestErrorsAreReportedWithPositionsAndExit2) {
  Scenario s(
      "version = 1\n[phase.a]\nrun = \"true\"\ndep = [\"b\"]\n[phase.b]\ndeps = [\"c\"]\nrun = "
      "\"x\"\n");
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("orchestrate.toml:4:1: unknown key 'dep'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'deps'?"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown phase 'c'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 errors"), std::string::npos) << r.out;
  EXPECT_EQ(s.Rev("orchestrate/integration"), "");
}

TEST(FoundationTest, CycleIsPrintedAsPath) {
  Scenario s(
      "version = 1\n[phase.a]\ndeps = [\"c\"]\n[phase.b]\ndeps = [\"a\"]\n[phase.c]\ndeps = "
      "[\"b\"]\n");
  ShellResult r = s.Run("validate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("a -> c -> b -> a"), std::string::npos) << r.out;
}

TEST(FoundationTest, PlanListsWavesWithReasons) {
  Scenario s(kDiamond);
  ShellResult r = s.Run("plan");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("plan: 4 to run, 0 fresh"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wave 1:\n  run    schema"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("never run"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wave 3:"), std::string::npos) << r.out;
}

TEST(FoundationTest, PlanJsonMatchesSpec) {
  Scenario s(kDiamond);
  ShellResult r = s.Run("plan api --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["base"], s.Rev("HEAD"));
  ASSERT_EQ(j["phases"].size(), 2u);
  EXPECT_EQ(j["phases"][0]["name"], "schema");
  EXPECT_EQ(j["phases"][0]["action"], "run");
  EXPECT_EQ(j["phases"][0]["reason"], "never run");
  EXPECT_EQ(j["phases"][0]["key"].get<std::string>().size(), 40u);
  EXPECT_EQ(j["phases"][1]["deps"], nlohmann::json::array({"schema"}));
  EXPECT_EQ(j["phases"][1]["reason"], "dependency schema will run");
}

TEST(FoundationTest, PlanChangesNothing) {
  Scenario s(kDiamond);
  std::string refs_before = Shell("git for-each-ref; git status --porcelain", s.repo()).out;
  EXPECT_EQ(s.Run("plan").status, 0);
  EXPECT_EQ(s.Run("run -n").status, 0);
  EXPECT_EQ(Shell("git for-each-ref; git status --porcelain", s.repo()).out, refs_before);
  EXPECT_FALSE(FileExists(s.repo() + "/.orchestrate"));
}

TEST(FoundationTest, UnknownTargetSuggests) {
  Scenario s(kDiamond);
  ShellResult r = s.Run("plan shema");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown phase 'shema' (did you mean 'schema'?)"), std::string::npos)
      << r.out;
}

TEST(FoundationTest, GraphFormats) {
  Scenario s(kDiamond);
  ShellResult dot = s.Run("graph --format dot");
  EXPECT_EQ(dot.status, 0);
  EXPECT_NE(dot.out.find("digraph"), std::string::npos) << dot.out;
  ShellResult mermaid = s.Run("graph --format mermaid");
  EXPECT_NE(mermaid.out.find("flowchart"), std::string::npos) << mermaid.out;
  ShellResult json = s.Run("graph --format json api");
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["nodes"].size(), 2u);
  EXPECT_EQ(j["edges"].size(), 1u);
  ShellResult text = s.Run("graph");
  EXPECT_NE(text.out.find("release"), std::string::npos) << text.out;
}

TEST(FoundationTest, InitWritesValidStarterAndRefusesToOverwrite) {
  TempDir d;
  InitRepo(d.path(), {{"README", "x"}});
  ShellResult r = Orchestrate("init", d.path());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Orchestrate("validate", d.path()).status, 0);
  ShellResult again = Orchestrate("init", d.path());
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
}

TEST(FoundationTest, HelpAndVersion) {
  TempDir d;
  ShellResult v = Orchestrate("--version", d.path());
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("orchestrate "), std::string::npos);
  for (const char* cmd :
       {"run", "plan", "explain", "graph", "status", "log", "validate", "init", "clean", "cache"}) {
    ShellResult h = Orchestrate(std::string(cmd) + " --help", d.path());
    EXPECT_EQ(h.status, 0) << cmd << ": " << h.out;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(FoundationTest, BadCommandLineValuesAreUsageErrors) {
  Scenario s(kDiamond);
  ShellResult dir = s.Run("-C /no/such/dir plan");
  EXPECT_EQ(dir.status, 2);
  EXPECT_NE(dir.out.find("-C /no/such/dir: no such directory"), std::string::npos) << dir.out;
  ShellResult force = s.Run("run --force nope");
  EXPECT_EQ(force.status, 2);
  EXPECT_NE(force.out.find("--force: unknown phase 'nope'"), std::string::npos) << force.out;
  EXPECT_EQ(s.Run("run -j 0").status, 2);
  ShellResult base = s.Run("plan --base no-such-rev");
  EXPECT_EQ(base.status, 2);
  EXPECT_NE(base.out.find("cannot resolve base 'no-such-rev'"), std::string::npos) << base.out;
  ShellResult file = s.Run("validate -f missing.toml");
  EXPECT_EQ(file.status, 2);
  EXPECT_NE(file.out.find("missing.toml does not exist"), std::string::npos) << file.out;
}

TEST(FoundationTest, UnknownCommandLineOptionIsUsageError) {
  TempDir d;
  EXPECT_EQ(Orchestrate("plan --no-such-flag", d.path()).status, 2);
}

}  // namespace
}  // namespace orchestrate::testing
