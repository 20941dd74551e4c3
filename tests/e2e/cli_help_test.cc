// orchestrate help, placeholders, examples and exit statuses in --help, -j 0,
// log -f versus -f FILE, and the colour environment variables.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kManifest = "version = 1\n[phase.api]\nrun = \"echo api\"\n";

TEST(CliHelpTest, HelpCommandPrintsTheCommandsHelp) {
  TempDir dir;
  ShellResult r = Orchestrate("help run", dir.path());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "Usage: orchestrate run [OPTIONS]")) << r.out;
  EXPECT_EQ(r.out, Orchestrate("run --help", dir.path()).out);
}

TEST(CliHelpTest, HelpWithoutCommandListsCommands) {
  TempDir dir;
  ShellResult r = Orchestrate("help", dir.path());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(Has(r.out, "Usage: orchestrate [OPTIONS]")) << r.out;
  EXPECT_TRUE(Has(r.out, "completion")) << r.out;
}

TEST(CliHelpTest, HelpOfAnUnknownCommandSaysWhichExist) {
  TempDir dir;
  ShellResult r = Orchestrate("help nope", dir.path());
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_TRUE(Has(r.out, "help: unknown command 'nope'; commands: run, plan")) << r.out;
}

TEST(CliHelpTest, HelpManifestDescribesEveryTable) {
  TempDir dir;
  ShellResult r = Orchestrate("help manifest", dir.path());
  EXPECT_EQ(r.status, 0) << r.out;
  for (const char* table : {"[settings]", "[pools.NAME]", "[agents.NAME]", "[phase.NAME]"})
    EXPECT_TRUE(Has(r.out, table)) << table;
}

TEST(CliHelpTest, UsageNamesTheProgramNotItsPath) {
  TempDir dir;
  ShellResult r = Orchestrate("plan --help", dir.path());
  EXPECT_TRUE(Has(r.out, "Usage: orchestrate plan")) << r.out;
  EXPECT_FALSE(Has(r.out, ORCHESTRATE_BINARY)) << r.out;
}

TEST(CliHelpTest, PlaceholdersSayWhatTheValueIs) {
  TempDir dir;
  std::string out = Orchestrate("run --help", dir.path()).out;
  EXPECT_FALSE(Has(out, "TEXT")) << out;
  for (const char* term : {"-C DIR", "--file FILE", "--jobs N", "--force PHASE", "--base REV"})
    EXPECT_TRUE(Has(out, term)) << term << "\n" << out;
}

TEST(CliHelpTest, EveryCommandsHelpEndsWithAnExampleAndExitStatuses) {
  TempDir dir;
  for (const char* command : {"run", "plan", "explain", "graph", "status", "log", "validate",
                              "init", "clean", "cache", "report", "help", "completion"}) {
    std::string out = Orchestrate(std::string(command) + " --help", dir.path()).out;
    size_t example = out.find("\nExample:\n  orchestrate ");
    size_t exits = out.find("\nExit status: 0 ");
    EXPECT_NE(example, std::string::npos) << command << "\n" << out;
    EXPECT_NE(exits, std::string::npos) << command << "\n" << out;
    EXPECT_LT(example, exits) << command;
  }
}

TEST(CliHelpTest, ZeroJobsMustBeAtLeastOne) {
  Scenario s(kManifest);
  ShellResult r = s.Run("run -j 0");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_TRUE(Has(r.out, "--jobs: must be at least 1, not 0")) << r.out;
  EXPECT_TRUE(Has(s.Run("-j x").out, "--jobs: must be a whole number, not x"));
}

TEST(CliHelpTest, LogDashFFollowsAndDashFBeforeTheCommandNamesTheManifest) {
  Scenario s(kManifest);
  ASSERT_EQ(s.Run("run").status, 0);
  Shell("mv orchestrate.toml other.toml", s.repo());
  ShellResult follow = s.Run("-f other.toml log -f api");
  EXPECT_EQ(follow.status, 0) << follow.out;
  EXPECT_TRUE(Has(follow.out, "api")) << follow.out;
  ShellResult file = s.Run("log --file other.toml api");
  EXPECT_EQ(file.status, 0) << file.out;
  ShellResult missing = s.Run("log -f api");  // -f follows: the manifest is still searched for
  EXPECT_EQ(missing.status, 2) << missing.out;
  EXPECT_TRUE(Has(missing.out, "orchestrate.toml")) << missing.out;
}

TEST(CliHelpTest, ForceColorColoursPlainOutputAndNoColorWins) {
  Scenario s(kManifest);
  EXPECT_TRUE(Has(s.Run("run", "FORCE_COLOR=1 ").out, "\x1b["));
  EXPECT_TRUE(Has(s.Run("run --force api", "CLICOLOR_FORCE=1 ").out, "\x1b["));
  EXPECT_FALSE(Has(s.Run("run --force api", "FORCE_COLOR=1 NO_COLOR=1 ").out, "\x1b["));
  EXPECT_TRUE(Has(s.Run("run --force api", "FORCE_COLOR=1 NO_COLOR= ").out, "\x1b["));
  EXPECT_FALSE(Has(s.Run("run --force api", "TERM=dumb ").out, "\x1b["));
}

}  // namespace
}  // namespace orchestrate::testing
