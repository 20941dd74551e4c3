#include "orchestrate/manifest.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "support/manifest_errors.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::TempDir;
using testing::WriteFile;

// The example of SPEC section 2, verbatim.
constexpr const char* kSpecExample =
    R"(version = 1                         # required; any other value is an error

[settings]
base = "HEAD"                       # commit-ish the run starts from
target = "orchestrate/integration"  # branch that receives all merged results
jobs = 4                            # default concurrency; -j overrides
keep_worktrees = "failed"           # "always" | "failed" | "never"
worktree_copy = [".env"]            # untracked files copied from your checkout into each worktree
worktree_link = ["node_modules"]    # directories symlinked from your checkout into each worktree

[pools.llm]                         # at most `depth` phases of this pool at once
depth = 2

[agents.claude]                     # a reusable command template
command = "claude -p --model {model} < {prompt_file}"
model = "sonnet"
requeue_on = ["rate limit", "HTTP 429"]   # output that means "try later", not "failed"

[phase.schema]
description = "Add the user model"
agent = "claude"                    # either agent (+ prompt) …
prompt = "prompts/schema.md"        # relative to the manifest, read from disk when the run starts
model = "opus"                      # fills {model}; overrides the agent's default
deps = []
verify = ["make test"]              # all must pass, in order, after the result is committed
setup = ["npm ci"]                  # run in the fresh worktree before the phase; never committed
inputs = ["src/model/**", "prompts/schema.md"]   # optional; narrows what makes it stale
env = { LOG_LEVEL = "debug" }
key_env = ["NODE_VERSION"]          # inherited variables whose values enter the key
pool = "llm"
priority = 10                       # higher runs first among ready phases
timeout = "30m"                     # per command; "90s", "1h30m" accepted
retries = 2                         # re-runs with feedback after a failed run or verify
merge = true                        # false: result is cached but not merged into target

[phase.api]
deps = ["schema"]
run = "make api"                    # … or a plain shell command
verify = ["make test-api"]
)";

class ManifestTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.path() + "/orchestrate.toml"; }
  bool Parse(std::string_view text) { return ParseManifest(text, Path(), &manifest_, &diags_); }

  std::vector<std::string> Errors(std::string_view text) {
    return testing::ManifestErrors(text, Path());
  }
  std::string Error(std::string_view text) { return testing::ManifestError(text, Path()); }

  TempDir dir_;
  Manifest manifest_;
  std::vector<Diagnostic> diags_;
};

TEST_F(ManifestTest, SpecExampleParsesIntoTheModel) {
  WriteFile(dir_.path(), "prompts/schema.md", "Add a user model.\n");
  ASSERT_TRUE(Parse(kSpecExample)) << ::testing::PrintToString(diags_.size());
  const Manifest& m = manifest_;
  EXPECT_EQ(m.path, Path());
  EXPECT_EQ(m.dir, dir_.path());
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.settings.base, "HEAD");
  EXPECT_EQ(m.settings.target, "orchestrate/integration");
  EXPECT_EQ(m.settings.jobs, 4);
  EXPECT_EQ(m.settings.keep_worktrees, KeepWorktrees::kFailed);
  EXPECT_EQ(m.settings.worktree_copy, std::vector<std::string>{".env"});
  EXPECT_EQ(m.settings.worktree_link, std::vector<std::string>{"node_modules"});
  ASSERT_EQ(m.pools.size(), 1u);
  EXPECT_EQ(m.pools[0].name, "llm");
  EXPECT_EQ(m.pools[0].depth, 2);
  EXPECT_EQ(m.pools[0].pos.line, 11);
}

TEST_F(ManifestTest, SpecExampleAgentKeepsEveryStringKeyAsAVariable) {
  WriteFile(dir_.path(), "prompts/schema.md", "x");
  ASSERT_TRUE(Parse(kSpecExample));
  ASSERT_EQ(manifest_.agents.size(), 1u);
  const Agent& agent = manifest_.agents[0];
  EXPECT_EQ(agent.name, "claude");
  EXPECT_EQ(agent.command, "claude -p --model {model} < {prompt_file}");
  EXPECT_EQ(agent.model, "sonnet");
  EXPECT_EQ(agent.requeue_on, (std::vector<std::string>{"rate limit", "HTTP 429"}));
  EXPECT_EQ(agent.vars,
            (std::map<std::string, std::string>{{"command", agent.command}, {"model", "sonnet"}}));
  EXPECT_EQ(agent.pos.line, 14);
}

TEST_F(ManifestTest, SpecExamplePhasesHaveEveryKey) {
  WriteFile(dir_.path(), "prompts/schema.md", "x");
  ASSERT_TRUE(Parse(kSpecExample));
  ASSERT_EQ(manifest_.phases.size(), 2u);
  const Phase& p = manifest_.phases[0];
  EXPECT_EQ(p.name, "schema");
  EXPECT_EQ(p.description(), "Add the user model");
  EXPECT_EQ(p.agent, "claude");
  EXPECT_EQ(p.prompt(), "prompts/schema.md");
  EXPECT_EQ(p.model(), "opus");
  EXPECT_TRUE(p.deps.empty());
  EXPECT_EQ(p.verify, std::vector<std::string>{"make test"});
  EXPECT_EQ(p.setup(), std::vector<std::string>{"npm ci"});
  EXPECT_EQ(p.inputs, (std::vector<std::string>{"src/model/**", "prompts/schema.md"}));
  EXPECT_EQ(p.env(), (std::map<std::string, std::string>{{"LOG_LEVEL", "debug"}}));
  EXPECT_EQ(p.key_env(), std::vector<std::string>{"NODE_VERSION"});
  EXPECT_EQ(p.pool(), "llm");
  EXPECT_EQ(p.priority, 10);
  EXPECT_EQ(p.timeout(), std::chrono::minutes(30));
  EXPECT_EQ(p.retries, 2);
  EXPECT_TRUE(p.merge);
  EXPECT_FALSE(p.IsGate());
  EXPECT_EQ(p.pos.line, 19);
  EXPECT_EQ(p.pos.column, 1);
  EXPECT_EQ(p.key_pos.at("timeout").line, 32);
  EXPECT_EQ(p.key_pos.at("timeout").column, 1);
  EXPECT_EQ(p.key_pos.size(), 15u);
}

TEST_F(ManifestTest, SpecExampleRunPhaseHasDefaults) {
  WriteFile(dir_.path(), "prompts/schema.md", "x");
  ASSERT_TRUE(Parse(kSpecExample));
  const Phase& api = manifest_.phases[1];
  EXPECT_EQ(api.name, "api");
  EXPECT_EQ(api.run, "make api");
  EXPECT_EQ(api.deps, std::vector<std::string>{"schema"});
  EXPECT_EQ(api.verify, std::vector<std::string>{"make test-api"});
  EXPECT_EQ(api.priority, 0);
  EXPECT_EQ(api.retries, 0);
  EXPECT_EQ(api.timeout(), std::nullopt);
  EXPECT_TRUE(api.merge);
  EXPECT_TRUE(api.pool().empty());
  EXPECT_EQ(api.pos.line, 36);
}

TEST_F(ManifestTest, DefaultsWhenSettingsAreAbsent) {
  ASSERT_TRUE(Parse("version = 1\n[phase.a]\nverify = [\"true\"]\n"));
  EXPECT_EQ(manifest_.settings.base, "HEAD");
  EXPECT_EQ(manifest_.settings.target, "orchestrate/integration");
  EXPECT_EQ(manifest_.settings.jobs, 0);
  EXPECT_EQ(manifest_.settings.keep_worktrees, KeepWorktrees::kFailed);
  EXPECT_EQ(manifest_.settings.cache_remote, "");
  EXPECT_EQ(manifest_.settings.cache_trust, CacheTrust::kAny);
  EXPECT_TRUE(manifest_.phases[0].IsGate());
}

TEST_F(ManifestTest, CacheRemoteIsANonEmptyString) {
  ASSERT_TRUE(
      Parse("version = 1\n[settings]\ncache_remote = \"origin\"\n[phase.a]\nrun = \"true\"\n"));
  EXPECT_EQ(manifest_.settings.cache_remote, "origin");
  EXPECT_EQ(Error("version = 1\n[settings]\ncache_remote = 3\n[phase.a]\nrun = \"true\"\n"),
            "3:1: 'cache_remote' must be a string, not an integer");
  EXPECT_EQ(Error("version = 1\n[settings]\ncache_remot = \"x\"\n[phase.a]\nrun = \"true\"\n"),
            "3:1: unknown key 'cache_remot' in [settings] (did you mean 'cache_remote'?)");
}

TEST_F(ManifestTest, CacheTrustSigned) {
  ASSERT_TRUE(
      Parse("version = 1\n[settings]\ncache_trust = \"signed\"\n[phase.a]\nrun = \"true\"\n"));
  EXPECT_EQ(manifest_.settings.cache_trust, CacheTrust::kSigned);
}

TEST_F(ManifestTest, BudgetIsAPositiveNumberOfDollars) {
  EXPECT_FALSE(manifest_.settings.budget_usd);
  ASSERT_TRUE(Parse("version = 1\n[settings]\nbudget_usd = 7.5\n[phase.a]\nrun = \"true\"\n"));
  EXPECT_EQ(manifest_.settings.budget_usd, 7.5);
  ASSERT_TRUE(Parse("version = 1\n[settings]\nbudget_usd = 20\n[phase.a]\nrun = \"true\"\n"));
  EXPECT_EQ(manifest_.settings.budget_usd, 20.0);
  EXPECT_EQ(Error("version = 1\n[settings]\nbudget_usd = 0\n[phase.a]\nrun = \"true\"\n"),
            "3:1: 'budget_usd' must be a positive number of US dollars, not 0 (leave it out for "
            "no budget)");
  EXPECT_EQ(Error("version = 1\n[settings]\nbudget_usd = -2.5\n[phase.a]\nrun = \"true\"\n"),
            "3:1: 'budget_usd' must be a positive number of US dollars, not -2.5 (leave it out "
            "for no budget)");
  EXPECT_EQ(Error("version = 1\n[settings]\nbudget_usd = \"$5\"\n[phase.a]\nrun = \"true\"\n"),
            "3:1: 'budget_usd' must be a number of US dollars like 20 or 7.5, not a string");
}

TEST_F(ManifestTest, AgentUsageFormat) {
  ASSERT_TRUE(
      Parse("version = 1\n[agents.c]\ncommand = \"c\"\nusage = \"claude-json\"\n"
            "[agents.x]\ncommand = \"x\"\nusage = \"codex-json\"\n"
            "[agents.p]\ncommand = \"p\"\n[phase.a]\nrun = \"true\"\n"));
  EXPECT_EQ(manifest_.agents[0].usage, UsageFormat::kClaudeJson);
  EXPECT_EQ(manifest_.agents[1].usage, UsageFormat::kCodexJson);
  EXPECT_EQ(manifest_.agents[2].usage, UsageFormat::kFile);
  EXPECT_EQ(Error("version = 1\n[agents.c]\ncommand = \"c\"\nusage = \"claude-jsn\"\n"
                  "[phase.a]\nrun = \"true\"\n"),
            "4:1: 'usage' must be \"claude-json\" or \"codex-json\", not \"claude-jsn\" (did you "
            "mean 'claude-json'?) (leave it out to read only ORCHESTRATE_USAGE_FILE)");
  EXPECT_EQ(
      Error("version = 1\n[agents.c]\ncommand = \"c\"\nusage = 1\n[phase.a]\nrun = \"true\"\n"),
      "4:1: 'usage' in [agents.c] must be a string, not an integer (agent keys are "
      "placeholders of its command)");
}

TEST_F(ManifestTest, ApprovalIsABoolean) {
  ASSERT_TRUE(Parse("version = 1\n[phase.a]\nrun = \"true\"\napproval = true\n[phase.b]\n"));
  EXPECT_TRUE(manifest_.phases[0].approval);
  EXPECT_FALSE(manifest_.phases[1].approval);
  EXPECT_EQ(Error("version = 1\n[phase.a]\nrun = \"true\"\napproval = \"yes\"\n"),
            "4:1: 'approval' must be a boolean (true or false), not a string");
}

TEST_F(ManifestTest, PhasesPoolsAndAgentsKeepFileOrder) {
  ASSERT_TRUE(Parse(R"(version = 1
[pools.z]
[pools.a]
[agents.zz]
command = "x"
[agents.aa]
command = "y"
[phase.zeta]
run = "true"
[phase.alpha]
deps = ["zeta"]
[phase.mid]
run = "true"
)"));
  ASSERT_EQ(manifest_.phases.size(), 3u);
  EXPECT_EQ(manifest_.phases[0].name, "zeta");
  EXPECT_EQ(manifest_.phases[1].name, "alpha");
  EXPECT_EQ(manifest_.phases[2].name, "mid");
  EXPECT_EQ(manifest_.pools[0].name, "z");
  EXPECT_EQ(manifest_.pools[0].depth, 1);
  EXPECT_EQ(manifest_.agents[0].name, "zz");
}

TEST_F(ManifestTest, FindLooksUpByName) {
  WriteFile(dir_.path(), "prompts/schema.md", "x");
  ASSERT_TRUE(Parse(kSpecExample));
  EXPECT_EQ(manifest_.FindPhase("api"), &manifest_.phases[1]);
  EXPECT_EQ(manifest_.FindPhase("nope"), nullptr);
  EXPECT_EQ(manifest_.FindPool("llm"), &manifest_.pools[0]);
  EXPECT_EQ(manifest_.FindPool("api"), nullptr);
  EXPECT_EQ(manifest_.FindAgent("claude"), &manifest_.agents[0]);
  EXPECT_EQ(manifest_.FindAgent("llm"), nullptr);
}

TEST_F(ManifestTest, AgentCommandVarsLetThePhaseModelWin) {
  Agent agent;
  agent.vars = {{"command", "c {model}"}, {"model", "sonnet"}, {"temperature", "0"}};
  Phase phase;
  phase.name = "api";
  std::map<std::string, std::string> vars = AgentCommandVars(agent, phase);
  EXPECT_EQ(vars["model"], "sonnet");
  EXPECT_EQ(vars["phase"], "api");
  EXPECT_EQ(vars["temperature"], "0");
  phase.details.Edit().model = "opus";
  EXPECT_EQ(AgentCommandVars(agent, phase)["model"], "opus");
  agent.vars.erase("model");
  phase.details.Edit().model.clear();
  EXPECT_EQ(AgentCommandVars(agent, phase).count("model"), 0u);
}

TEST_F(ManifestTest, LoadReadsTheFileFromDisk) {
  WriteFile(dir_.path(), "orchestrate.toml", "version = 1\n[phase.a]\nrun = \"true\"\n");
  ASSERT_TRUE(LoadManifest(Path(), &manifest_, &diags_));
  EXPECT_EQ(manifest_.phases.at(0).run, "true");
  EXPECT_EQ(manifest_.path, Path());
}

TEST_F(ManifestTest, LoadReadsALargeFileWhole) {
  std::string text = "version = 1\n";
  for (int i = 0; i < 3000; ++i)
    text += "[phase.p" + std::to_string(i) + "]\nrun = \"echo " + std::to_string(i) + "\"\n";
  WriteFile(dir_.path(), "orchestrate.toml", text);
  ASSERT_TRUE(LoadManifest(Path(), &manifest_, &diags_));
  ASSERT_EQ(manifest_.phases.size(), 3000u);
  EXPECT_EQ(manifest_.phases.back().run, "echo 2999");
}

TEST_F(ManifestTest, LoadReportsAMissingFile) {
  std::string missing = dir_.path() + "/nope.toml";
  ASSERT_FALSE(LoadManifest(missing, &manifest_, &diags_));
  ASSERT_EQ(diags_.size(), 1u);
  EXPECT_EQ(diags_[0].Format(), missing + ": cannot read manifest: no such file");
}

TEST_F(ManifestTest, LoadReportsADirectory) {
  ASSERT_FALSE(LoadManifest(dir_.path(), &manifest_, &diags_));
  ASSERT_EQ(diags_.size(), 1u);
  EXPECT_EQ(diags_[0].Format(), dir_.path() + ": cannot read manifest: cannot read the file");
}

TEST_F(ManifestTest, LoadReportsErrorsWithThePathAsGiven) {
  WriteFile(dir_.path(), "orchestrate.toml", "version = 1\n[phase.a]\nrun = 1\n");
  ASSERT_FALSE(LoadManifest(Path(), &manifest_, &diags_));
  ASSERT_EQ(diags_.size(), 1u);
  EXPECT_EQ(diags_[0].Format(), Path() + ":3:1: 'run' must be a string, not an integer");
}

TEST_F(ManifestTest, FindManifestWalksUpFromTheStartDirectory) {
  WriteFile(dir_.path(), "orchestrate.toml", "version = 1\n");
  WriteFile(dir_.path(), "a/b/c/file", "");
  EXPECT_EQ(FindManifest(dir_.path() + "/a/b/c"), Path());
  EXPECT_EQ(FindManifest(dir_.path() + "/a/b/c/"), Path());
  EXPECT_EQ(FindManifest(dir_.path()), Path());
}

TEST_F(ManifestTest, FindManifestPrefersTheNearestFile) {
  WriteFile(dir_.path(), "orchestrate.toml", "version = 1\n");
  WriteFile(dir_.path(), "sub/orchestrate.toml", "version = 1\n");
  EXPECT_EQ(FindManifest(dir_.path() + "/sub"), dir_.path() + "/sub/orchestrate.toml");
}

TEST_F(ManifestTest, FindManifestIgnoresADirectoryOfThatName) {
  WriteFile(dir_.path(), "orchestrate.toml/x", "");
  // Nothing above a fresh temporary directory is expected to hold a manifest.
  EXPECT_EQ(FindManifest(dir_.path()), std::nullopt);
}

TEST_F(ManifestTest, StarterManifestValidates) {
  ASSERT_TRUE(Parse(StarterManifest())) << (diags_.empty() ? "" : diags_[0].Format());
  ASSERT_EQ(manifest_.phases.size(), 2u);
  EXPECT_FALSE(manifest_.phases[0].run.empty());
  EXPECT_EQ(manifest_.phases[1].deps, std::vector<std::string>{manifest_.phases[0].name});
  EXPECT_FALSE(manifest_.phases[1].verify.empty());
  EXPECT_NE(StarterManifest().find("# [agents.claude]"), std::string::npos);
}

TEST_F(ManifestTest, StarterManifestAgentExampleValidatesWhenUncommented) {
  std::string text = StarterManifest();
  for (const char* line :
       {"# [agents.claude]\n", "# command = ", "# model = ", "# usage = ", "# requeue_on = ",
        "# [pools.llm]\n", "# depth = ", "# agent = ", "# prompt = ", "# pool = ", "# timeout = ",
        "# retries = ", "# approval = "}) {
    size_t at = text.find(line);
    ASSERT_NE(at, std::string::npos) << line;
    text.erase(at, 2);
  }
  size_t run = text.find("run = \"cat");
  text.erase(run, text.find('\n', run) - run + 1);  // an agent phase has no `run`
  WriteFile(dir_.path(), "prompts/check.md", "Check the greeting.");
  ASSERT_TRUE(Parse(text)) << (diags_.empty() ? "" : diags_[0].Format()) << "\n" << text;
  EXPECT_EQ(manifest_.phases[1].agent, "claude");
  EXPECT_EQ(manifest_.phases[1].pool(), "llm");
  EXPECT_TRUE(manifest_.phases[1].approval);
  // Print mode edits files only with acceptEdits; the path is quoted.
  EXPECT_EQ(manifest_.agents[0].command,
            "claude -p --permission-mode acceptEdits --output-format json --model {model} < "
            "\"{prompt_file}\"");
  EXPECT_EQ(manifest_.agents[0].usage, UsageFormat::kClaudeJson);
}

TEST_F(ManifestTest, PhaseKeyPositionsAreWhereEachKeyWasWritten) {
  ASSERT_TRUE(Parse("version = 1\n[phase.a]\nrun = \"x\"\n  deps = []\n"));
  const KeyPositions& keys = manifest_.phases[0].key_pos;
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.at("run").line, 3);
  EXPECT_EQ(keys.at("deps").line, 4);
  EXPECT_EQ(keys.at("deps").column, 3);
}

TEST(KeyPositionsTest, FindsRecordedKeysOnly) {
  KeyPositions keys;
  EXPECT_EQ(keys.Find("run"), nullptr);
  keys.Add("run", {3, 1});
  keys.Add("deps", {4, 5});
  ASSERT_NE(keys.Find("deps"), nullptr);
  EXPECT_EQ(keys.Find("deps")->column, 5);
  EXPECT_TRUE(keys.contains("run"));
  EXPECT_FALSE(keys.contains("ru"));
  EXPECT_EQ(keys.at("run").line, 3);
  EXPECT_THROW(keys.at("pool"), std::out_of_range);
  EXPECT_EQ(keys.size(), 2u);
}

struct Named {
  std::string name;
};

TEST(NameIndexTest, FindsEachNameAtItsIndex) {
  std::vector<Named> items;
  for (int i = 0; i < 5000; ++i) items.push_back({"phase-" + std::to_string(i)});
  NameIndex index(items);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(index.Find(items[i].name), i) << items[i].name;
  EXPECT_EQ(index.Find("phase-5000"), -1);
  EXPECT_EQ(index.Find("phase-"), -1);
  EXPECT_EQ(index.Find(""), -1);
}

TEST(NameIndexTest, EmptyIndexesFindNothing) {
  EXPECT_EQ(NameIndex().Find("a"), -1);
  EXPECT_EQ(NameIndex(std::vector<Named>{}).Find("a"), -1);
}

TEST(NameIndexTest, FirstOfEqualNamesWinsAndEmptyNamesCount) {
  NameIndex index(std::vector<Named>{{"a"}, {""}, {"b"}, {"a"}});
  EXPECT_EQ(index.Find("a"), 0);
  EXPECT_EQ(index.Find(""), 1);
  EXPECT_EQ(index.Find("b"), 2);
}

TEST(NameIndexTest, CopiesKeepWorkingWithoutTheItems) {
  NameIndex copy;
  {
    std::vector<Named> items = {{"a-rather-long-name-beyond-small-strings"}, {"b"}};
    copy = NameIndex(items);
  }
  EXPECT_EQ(copy.Find("a-rather-long-name-beyond-small-strings"), 0);
  EXPECT_EQ(copy.Find("b"), 1);
}

TEST(DiagnosticTest, FormatsFileLineColumnAndMessage) {
  EXPECT_EQ((Diagnostic{"o.toml", {3, 7}, "bad"}).Format(), "o.toml:3:7: bad");
  EXPECT_EQ((Diagnostic{"o.toml", {}, "cannot read"}).Format(), "o.toml: cannot read");
}

TEST(NameTest, AcceptsTheSpecNameSyntax) {
  EXPECT_TRUE(IsValidName("a"));
  EXPECT_TRUE(IsValidName("Api_v2.1-x"));
  EXPECT_TRUE(IsValidName("0day"));
  EXPECT_TRUE(IsValidName(std::string(100, 'a')));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("-a"));
  EXPECT_FALSE(IsValidName(".a"));
  EXPECT_FALSE(IsValidName("a/b"));
  EXPECT_FALSE(IsValidName("é"));
  EXPECT_FALSE(IsValidName(std::string(101, 'a')));
}

TEST(SuggestTest, SuggestsTheClosestCandidateWithinAThirdOfTheWord) {
  EXPECT_EQ(Suggest("dep", {"env", "deps", "setup"}), "deps");
  EXPECT_EQ(Suggest("shema", {"api", "schema"}), "schema");
  EXPECT_EQ(Suggest("dpes", {"deps"}), "deps");  // a swap is one edit
  EXPECT_EQ(Suggest("retires", {"retries"}), "retries");
  EXPECT_EQ(Suggest("temprature", {"temperature", "model"}), "temperature");
  EXPECT_EQ(Suggest("dscriptoin", {"description"}), "description");  // 2 edits, 10 letters
}

TEST(SuggestTest, StaysQuietWhenNothingIsClose) {
  EXPECT_EQ(Suggest("frobnicate", {"deps", "verify"}), "");
  EXPECT_EQ(Suggest("abcd", {"abxy"}), "");  // 2 edits in 4 letters
  EXPECT_EQ(Suggest("a", {"b"}), "");        // would rewrite the whole word
  EXPECT_EQ(Suggest("x", {}), "");
}

TEST(SuggestTest, PrefersTheFirstOfEquallyCloseCandidates) {
  EXPECT_EQ(Suggest("pol", {"pool", "poll"}), "pool");
}

TEST(SuggestTest, LengthAloneRulesOutFarCandidates) {
  // "dependencies" is 8 letters longer than "dep": never within reach.
  EXPECT_EQ(Suggest("dep", {"dependencies", "deps"}), "deps");
  EXPECT_EQ(Suggest("schema", {"s", "schema-migrations", "schemas", "schema"}), "schema");
  EXPECT_EQ(Suggest("retries", {"retries-and-more", "retires"}), "retires");
}

}  // namespace
}  // namespace orchestrate
