// Every manifest error a user can hit: message, line and column.
#include "support/manifest_errors.h"

#include <gtest/gtest.h>

#include "orchestrate/manifest.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::TempDir;
using testing::WriteFile;

class ManifestErrorTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.path() + "/orchestrate.toml"; }

  std::vector<std::string> Errors(std::string_view text) {
    return testing::ManifestErrors(text, Path());
  }
  std::string Error(std::string_view text) { return testing::ManifestError(text, Path()); }
  // `body` after a version line: line 2 is the first line of `body`.
  std::string ErrorIn(std::string_view body) { return Error("version = 1\n" + std::string(body)); }

  TempDir dir_;
};

TEST_F(ManifestErrorTest, TomlSyntaxErrorAtItsPosition) {
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \n"),
            "3:7: Error while parsing key-value pair: expected value, saw '\\n'");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nrun = \"y\"\n"),
            "4:7: Error while parsing key-value pair: cannot redefine existing string 'run'");
}

TEST_F(ManifestErrorTest, MissingVersion) {
  EXPECT_EQ(Error("[phase.a]\nrun = \"x\"\n"),
            "1:1: missing required key 'version' (add `version = 1` at the top)");
}

TEST_F(ManifestErrorTest, UnsupportedVersion) {
  EXPECT_EQ(Error("version = 2\n[phase.a]\nrun = \"x\"\n"),
            "1:1: unsupported manifest version 2 (this orchestrate reads version 1)");
}

TEST_F(ManifestErrorTest, VersionOfWrongType) {
  EXPECT_EQ(Error("\nversion = \"1\"\n[phase.a]\nrun = \"x\"\n"),
            "2:1: 'version' must be an integer, not a string");
}

TEST_F(ManifestErrorTest, UnknownPhaseKeyWithSuggestion) {
  EXPECT_EQ(ErrorIn("[phase.b]\n[phase.api]\nrun = \"x\"\n  dep = [\"b\"]\n"),
            "5:3: unknown key 'dep' in [phase.api] (did you mean 'deps'?)");
}

TEST_F(ManifestErrorTest, UnknownKeyWithoutSuggestion) {
  EXPECT_EQ(ErrorIn("[phase.api]\nrun = \"x\"\ncolour = \"red\"\n"),
            "4:1: unknown key 'colour' in [phase.api]");
}

TEST_F(ManifestErrorTest, UnknownSettingsAndPoolKeys) {
  EXPECT_EQ(Errors("version = 1\n[settings]\njob = 2\n[pools.p]\ndepht = 2\n"
                   "[phase.a]\nrun = \"x\"\n"),
            (std::vector<std::string>{"3:1: unknown key 'job' in [settings] (did you mean 'jobs'?)",
                                      "5:1: unknown key 'depht' in [pools.p] (did you mean "
                                      "'depth'?)"}));
}

TEST_F(ManifestErrorTest, UnknownTopLevelTableWithSuggestion) {
  EXPECT_EQ(ErrorIn("[phases.x]\nrun = \"x\"\n"),
            "2:2: unknown table 'phases' (did you mean 'phase'?)");
  EXPECT_EQ(ErrorIn("[pool.x]\ndepth = 1\n[phase.a]\nrun = \"x\"\n"),
            "2:2: unknown table 'pool' (did you mean 'pools'?)");
}

TEST_F(ManifestErrorTest, UnknownTopLevelKey) {
  EXPECT_EQ(ErrorIn("jobs = 2\n[phase.a]\nrun = \"x\"\n"),
            "2:1: unknown key 'jobs' at the top level");
}

TEST_F(ManifestErrorTest, WrongScalarTypes) {
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nretries = \"2\"\n"),
            "4:1: 'retries' must be an integer, not a string");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = 5\n"), "3:1: 'run' must be a string, not an integer");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nmerge = \"no\"\n"),
            "4:1: 'merge' must be a boolean (true or false), not a string");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\npriority = 1.5\n"),
            "4:1: 'priority' must be an integer, not a float");
}

TEST_F(ManifestErrorTest, WrongListTypes) {
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nverify = \"make test\"\n"),
            "4:1: 'verify' must be an array of strings, not a string (write verify = [\"...\"])");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nsetup = [\"a\", 2]\n"),
            "4:15: 'setup' must be an array of strings, but element 2 is an integer");
}

TEST_F(ManifestErrorTest, EnvMustBeATableOfStrings) {
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nenv = { PORT = 8080 }\n"),
            "4:9: 'env' values must be strings, but 'PORT' is an integer (quote the value)");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\nenv = [\"A=1\"]\n"),
            "4:1: 'env' must be a table of strings, not an array");
}

TEST_F(ManifestErrorTest, SectionsMustBeTables) {
  EXPECT_EQ(ErrorIn("settings = 1\n[phase.a]\nrun = \"x\"\n"),
            "2:1: 'settings' must be a table, not an integer");
  EXPECT_EQ(ErrorIn("[phase]\nb = 1\na.run = \"x\"\n"),
            "3:1: 'phase.b' must be a table ([phase.b]), not an integer");
}

TEST_F(ManifestErrorTest, InvalidNames) {
  EXPECT_EQ(ErrorIn("[phase.\"a b\"]\nrun = \"x\"\n"),
            "2:1: invalid phase name 'a b': names match [A-Za-z0-9][A-Za-z0-9._-]{0,99} (they "
            "become branch and directory names)");
  EXPECT_EQ(ErrorIn("[pools.\"-p\"]\n[phase.a]\nrun = \"x\"\n"),
            "2:1: invalid pool name '-p': names match [A-Za-z0-9][A-Za-z0-9._-]{0,99} (they "
            "become branch and directory names)");
  EXPECT_EQ(ErrorIn("[phase.\"a..b\"]\nrun = \"x\"\n"),
            "2:1: invalid phase name 'a..b': git branch names cannot contain '..' or end in '.' "
            "or '.lock'");
  EXPECT_EQ(ErrorIn("[phase.\"x.lock\"]\nrun = \"x\"\n"),
            "2:1: invalid phase name 'x.lock': git branch names cannot contain '..' or end in '.' "
            "or '.lock'");
}

TEST_F(ManifestErrorTest, UnknownDependencyWithSuggestion) {
  EXPECT_EQ(ErrorIn("[phase.schema]\nrun = \"x\"\n[phase.api]\nrun = \"y\"\n"
                    "deps = [\"schema\", \"shema\"]\n"),
            "6:19: phase 'api' depends on unknown phase 'shema' (did you mean 'schema'?)");
  EXPECT_EQ(ErrorIn("[phase.api]\nrun = \"y\"\ndeps = [\n  \"zzz\",\n]\n"),
            "5:3: phase 'api' depends on unknown phase 'zzz'");
}

TEST_F(ManifestErrorTest, UnknownPoolAndAgent) {
  EXPECT_EQ(ErrorIn("[pools.llm]\n[phase.a]\nrun = \"x\"\npool = \"lm\"\n"),
            "5:1: phase 'a' uses unknown pool 'lm' (did you mean 'llm'?)");
  EXPECT_EQ(ErrorIn("[phase.a]\nrun = \"x\"\npool = \"gpu\"\n"),
            "4:1: phase 'a' uses unknown pool 'gpu' (define it with [pools.gpu])");
  EXPECT_EQ(ErrorIn("[agents.claude]\ncommand = \"c\"\n[phase.a]\nagent = \"clade\"\n"
                    "prompt_text = \"hi\"\n"),
            "5:1: phase 'a' uses unknown agent 'clade' (did you mean 'claude'?)");
}

TEST_F(ManifestErrorTest, RunTogetherWithAgent) {
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\nprompt_text = \"p\"\n"
                    "run = \"make\"\n"),
            "7:1: phase 'x' has both 'run' and 'agent': use one");
}

TEST_F(ManifestErrorTest, AgentWithoutPrompt) {
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\n"),
            "5:1: phase 'x' uses agent 'c' but has no 'prompt' or 'prompt_text' to give it");
}

TEST_F(ManifestErrorTest, PromptAndPromptTextTogether) {
  WriteFile(dir_.path(), "p.md", "x");
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\nprompt = \"p.md\"\n"
                    "prompt_text = \"hi\"\n"),
            "7:1: phase 'x' has both 'prompt' and 'prompt_text': use one");
}

TEST_F(ManifestErrorTest, AgentKeysWithoutAgent) {
  WriteFile(dir_.path(), "p.md", "x");
  EXPECT_EQ(Errors("version = 1\n[phase.x]\nrun = \"make\"\nprompt = \"p.md\"\n"
                   "prompt_text = \"hi\"\nmodel = \"opus\"\n"),
            (std::vector<std::string>{
                "4:1: 'prompt' in phase 'x' needs an 'agent': it only makes sense with an agent",
                "5:1: phase 'x' has both 'prompt' and 'prompt_text': use one",
                "5:1: 'prompt_text' in phase 'x' needs an 'agent': it only makes sense with an "
                "agent",
                "6:1: 'model' in phase 'x' needs an 'agent': it only makes sense with an agent"}));
}

TEST_F(ManifestErrorTest, EmptyStringsWhereANameOrCommandIsNeeded) {
  EXPECT_EQ(ErrorIn("[phase.x]\nrun = \"\"\n"), "3:1: 'run' must not be empty");
  EXPECT_EQ(ErrorIn("[settings]\ntarget = \"\"\n[phase.x]\nrun = \"x\"\n"),
            "3:1: 'target' must not be empty");
}

TEST_F(ManifestErrorTest, BadDurations) {
  EXPECT_EQ(ErrorIn("[phase.x]\nrun = \"x\"\ntimeout = \"5 minutes\"\n"),
            "4:1: invalid duration '5 minutes' for 'timeout' (use forms like 90s, 30m, 1h30m)");
  EXPECT_EQ(ErrorIn("[phase.x]\nrun = \"x\"\ntimeout = 300\n"),
            "4:1: 'timeout' must be a duration string like \"30m\" or \"1h30m\", not an integer");
  EXPECT_EQ(ErrorIn("[phase.x]\nrun = \"x\"\ntimeout = \"0s\"\n"),
            "4:1: 'timeout' must be longer than 0s");
}

TEST_F(ManifestErrorTest, UndefinedPlaceholderWithSuggestion) {
  EXPECT_EQ(ErrorIn("[agents.claude]\ntemperature = \"0.2\"\n"
                    "  command = \"claude --temp {temprature} < {prompt_file}\"\n"
                    "[phase.a]\nagent = \"claude\"\nprompt_text = \"x\"\n"
                    "[phase.b]\nagent = \"claude\"\nprompt_text = \"y\"\n"),
            "4:3: undefined placeholder {temprature} in agent 'claude' command (did you mean "
            "{temperature}?)");
}

TEST_F(ManifestErrorTest, ModelPlaceholderNeedsAModelFromAgentOrPhase) {
  EXPECT_EQ(ErrorIn("[agents.claude]\ncommand = \"claude --model {model} -p {branch}\"\n"
                    "[phase.a]\nagent = \"claude\"\nprompt_text = \"x\"\nmodel = \"opus\"\n"
                    "[phase.b]\nagent = \"claude\"\nprompt_text = \"y\"\n"),
            "3:1: undefined placeholder {model} in agent 'claude' command: set 'model' in "
            "[agents.claude] or in [phase.b]");
}

TEST_F(ManifestErrorTest, ModelPlaceholderReportedForEachPhaseWithoutAModel) {
  EXPECT_EQ(Errors("version = 1\n[agents.claude]\ncommand = \"claude --model {model}\"\n"
                   "[phase.a]\nagent = \"claude\"\nprompt_text = \"x\"\n"
                   "[phase.b]\nagent = \"claude\"\nprompt_text = \"x\"\nmodel = \"opus\"\n"
                   "[phase.c]\nagent = \"claude\"\nprompt_text = \"x\"\n"),
            (std::vector<std::string>{"3:1: undefined placeholder {model} in agent 'claude' "
                                      "command: set 'model' in [agents.claude] or in [phase.a]",
                                      "3:1: undefined placeholder {model} in agent 'claude' "
                                      "command: set 'model' in [agents.claude] or in [phase.c]"}));
}

TEST_F(ManifestErrorTest, MissingPromptFile) {
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\n"
                    "prompt = \"prompts/x.md\"\n"),
            "6:1: prompt file 'prompts/x.md' does not exist (relative to " + dir_.path() + ")");
  WriteFile(dir_.path(), "prompts/x.md/inner", "");
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\n"
                    "prompt = \"prompts/x.md\"\n"),
            "6:1: prompt file 'prompts/x.md' is a directory, not a file");
}

TEST_F(ManifestErrorTest, DependencyCycleStartsAtTheFirstPhaseWritten) {
  EXPECT_EQ(ErrorIn("[phase.c]\ndeps = [\"a\"]\n[phase.a]\ndeps = [\"b\"]\n[phase.b]\n"
                    "deps = [\"c\"]\n"),
            "2:1: dependency cycle: c -> a -> b -> c");
}

TEST_F(ManifestErrorTest, PhaseDependingOnItselfOrTwiceOnOne) {
  EXPECT_EQ(ErrorIn("[phase.a]\ndeps = [\"a\"]\n"), "3:9: phase 'a' depends on itself");
  EXPECT_EQ(ErrorIn("[phase.a]\n[phase.b]\ndeps = [\"a\", \"a\"]\n"),
            "4:14: phase 'b' lists dependency 'a' twice");
}

TEST_F(ManifestErrorTest, UnknownDependencyListedTwice) {
  EXPECT_EQ(
      Errors("version = 1\n[phase.a]\n[phase.b]\ndeps = [\"x\", \"a\", \"x\", \"b\", \"b\"]\n"),
      (std::vector<std::string>{"4:9: phase 'b' depends on unknown phase 'x'",
                                "4:19: phase 'b' lists dependency 'x' twice",
                                "4:24: phase 'b' depends on itself",
                                "4:29: phase 'b' depends on itself"}));
}

TEST_F(ManifestErrorTest, RepeatsAreCountedPerPhase) {
  // b and c both list a once: neither lists it twice.
  EXPECT_EQ(Error("version = 1\n[phase.a]\n[phase.b]\ndeps = [\"a\"]\n[phase.c]\n"
                  "deps = [\"a\", \"b\", \"a\"]\n"),
            "6:19: phase 'c' lists dependency 'a' twice");
}

TEST_F(ManifestErrorTest, CycleAmongPhasesWrittenBeforeTheirDeps) {
  EXPECT_EQ(ErrorIn("[phase.a]\ndeps = [\"b\"]\n[phase.b]\ndeps = [\"c\"]\n[phase.c]\n"
                    "[phase.d]\ndeps = [\"e\"]\n[phase.e]\ndeps = [\"d\"]\n"),
            "7:1: dependency cycle: d -> e -> d");
}

TEST_F(ManifestErrorTest, NumbersOutOfRange) {
  EXPECT_EQ(ErrorIn("[settings]\njobs = 0\n[phase.a]\n"), "3:1: 'jobs' must be at least 1, not 0");
  EXPECT_EQ(ErrorIn("[pools.p]\ndepth = 0\n[phase.a]\n"), "3:1: 'depth' must be at least 1, not 0");
  EXPECT_EQ(ErrorIn("[phase.a]\nretries = -1\n"), "3:1: 'retries' must be 0 or more, not -1");
  EXPECT_EQ(ErrorIn("[phase.a]\npriority = 9999999999\n"),
            "3:1: 'priority' is too large: 9999999999");
}

TEST_F(ManifestErrorTest, KeepWorktreesValues) {
  EXPECT_EQ(ErrorIn("[settings]\nkeep_worktrees = \"sometimes\"\n[phase.a]\n"),
            "3:1: 'keep_worktrees' must be \"always\", \"failed\" or \"never\", not \"sometimes\"");
  EXPECT_EQ(ErrorIn("[settings]\nkeep_worktrees = \"faild\"\n[phase.a]\n"),
            "3:1: 'keep_worktrees' must be \"always\", \"failed\" or \"never\", not \"faild\" (did "
            "you mean 'failed'?)");
}

TEST_F(ManifestErrorTest, CacheTrustValues) {
  EXPECT_EQ(ErrorIn("[settings]\ncache_trust = \"nobody\"\n[phase.a]\n"),
            "3:1: 'cache_trust' must be \"any\" or \"signed\", not \"nobody\"");
  EXPECT_EQ(ErrorIn("[settings]\ncache_trust = \"signd\"\n[phase.a]\n"),
            "3:1: 'cache_trust' must be \"any\" or \"signed\", not \"signd\" (did you mean "
            "'signed'?)");
}

TEST_F(ManifestErrorTest, WorktreePathsStayInsideTheRepository) {
  EXPECT_EQ(ErrorIn("[settings]\nworktree_link = [\"../cache\"]\n[phase.a]\n"),
            "3:18: 'worktree_link' entry '../cache' leaves the repository: '..' is not allowed in "
            "these paths");
}

TEST_F(ManifestErrorTest, AgentProblems) {
  EXPECT_EQ(ErrorIn("[agents.c]\ncomand = \"x\"\n[phase.a]\n"),
            "2:1: agent 'c' has no 'command' (is 'comand' a misspelling of it?)");
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"x\"\ntemperature = 0.2\n[phase.a]\n"),
            "4:1: 'temperature' in [agents.c] must be a string, not a float (agent keys are "
            "placeholders of its command)");
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"x\"\nrequeue_on = [\"\"]\n[phase.a]\n"),
            "4:1: 'requeue_on' patterns must not be empty (\"\" matches any output)");
}

TEST_F(ManifestErrorTest, NoPhases) {
  EXPECT_EQ(Error("version = 1\n"), "1:1: no phases defined: add a [phase.NAME] table");
  EXPECT_EQ(Error("version = 1\n[phase]\n"), "1:1: no phases defined: add a [phase.NAME] table");
  EXPECT_EQ(Error("version = 1\nphase = 3\n"), "2:1: 'phase' must be a table, not an integer");
}

TEST_F(ManifestErrorTest, TableInsideAPhase) {
  EXPECT_EQ(ErrorIn("[phase.a.b]\nrun = \"x\"\n"), "2:10: unknown key 'b' in [phase.a]");
}

TEST_F(ManifestErrorTest, ReportsEveryErrorInFileOrder) {
  EXPECT_EQ(
      Errors("version = 1\n"
             "[settings]\n"
             "jobs = 0\n"
             "[phase.b]\n"
             "deps = [\"x\"]\n"
             "timeout = \"soon\"\n"
             "[phase.a]\n"
             "run = \"x\"\n"
             "retrys = 2\n"),
      (std::vector<std::string>{
          "3:1: 'jobs' must be at least 1, not 0", "5:9: phase 'b' depends on unknown phase 'x'",
          "6:1: invalid duration 'soon' for 'timeout' (use forms like 90s, 30m, 1h30m)",
          "9:1: unknown key 'retrys' in [phase.a] (did you mean 'retries'?)"}));
}

TEST_F(ManifestErrorTest, FormattedWithTheFileName) {
  Manifest manifest;
  std::vector<Diagnostic> diags;
  ASSERT_FALSE(
      ParseManifest("version = 3\n[phase.a]\n", "sub/orchestrate.toml", &manifest, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].Format(),
            "sub/orchestrate.toml:1:1: unsupported manifest version 3 (this orchestrate reads "
            "version 1)");
}

}  // namespace
}  // namespace orchestrate
