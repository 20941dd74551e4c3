// Hostile or mistaken single values: paths leaving the repository, names no
// environment can hold, names equal except for case, characters the TOML
// parser mishandles. Each is an error at its own line and column.
#include <gtest/gtest.h>

#include "orchestrate/manifest.h"
#include "support/manifest_errors.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::TempDir;
using testing::WriteFile;

class ManifestValuesTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.path() + "/orchestrate.toml"; }
  std::vector<std::string> Errors(std::string_view text) {
    return testing::ManifestErrors(text, Path());
  }
  std::string Error(std::string_view text) { return testing::ManifestError(text, Path()); }
  // `body` after a version line: line 2 is the first line of `body`.
  std::string ErrorIn(std::string_view body) { return Error("version = 1\n" + std::string(body)); }
  std::string SettingError(std::string_view key, std::string_view entry) {
    return ErrorIn("[settings]\n" + std::string(key) + " = [\"ok\", \"" + std::string(entry) +
                   "\"]\n[phase.a]\n");
  }
  bool Parses(std::string_view text) {
    Manifest m;
    std::vector<Diagnostic> diags;
    return ParseManifest(text, Path(), &m, &diags);
  }

  TempDir dir_;
};

TEST_F(ManifestValuesTest, WorktreePathsRejectGitDirectory) {
  EXPECT_EQ(SettingError("worktree_link", ".git"),
            "3:24: 'worktree_link' entry '.git' reaches into git's own files: '.git' is not "
            "allowed in these paths");
  EXPECT_EQ(SettingError("worktree_copy", "sub/.git/config"),
            "3:24: 'worktree_copy' entry 'sub/.git/config' reaches into git's own files: '.git' "
            "is not allowed in these paths");
}

TEST_F(ManifestValuesTest, WorktreePathsRejectTheRepositoryItself) {
  EXPECT_EQ(SettingError("worktree_copy", "."),
            "3:24: 'worktree_copy' entry '.' names the repository itself: list the files or "
            "directories to copy");
  EXPECT_EQ(SettingError("worktree_link", "./"),
            "3:24: 'worktree_link' entry './' names the repository itself: list the files or "
            "directories to link");
  EXPECT_EQ(SettingError("worktree_copy", ""),
            "3:24: 'worktree_copy' entry '' names the repository itself: list the files or "
            "directories to copy");
}

TEST_F(ManifestValuesTest, WorktreePathsRejectAbsoluteAndEscapingPaths) {
  EXPECT_EQ(SettingError("worktree_copy", "/etc/passwd"),
            "3:24: 'worktree_copy' entry '/etc/passwd' is an absolute path: entries are relative "
            "to the repository root");
  EXPECT_EQ(SettingError("worktree_copy", "a/../../b"),
            "3:24: 'worktree_copy' entry 'a/../../b' leaves the repository: '..' is not allowed "
            "in these paths");
  EXPECT_EQ(SettingError("worktree_link", ".orchestrate/worktrees"),
            "3:24: 'worktree_link' entry '.orchestrate/worktrees' is inside .orchestrate/, which "
            "holds the worktrees themselves");
}

TEST_F(ManifestValuesTest, WorktreePathsAcceptOrdinaryEntries) {
  EXPECT_TRUE(
      Parses("version = 1\n[settings]\nworktree_copy = [\".env\", \"config/.gitkeep\", "
             "\".github/x\"]\nworktree_link = [\"node_modules\", \"a/./b\"]\n"
             "[phase.a]\n"));
}

TEST_F(ManifestValuesTest, AbsolutePromptIsRejectedBecausePromptsAreRelative) {
  WriteFile(dir_.path(), "p.md", "hello");
  EXPECT_EQ(ErrorIn("[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\nprompt = \"" +
                    dir_.path() + "/p.md\"\n"),
            "6:1: prompt file '" + dir_.path() +
                "/p.md' is an absolute path: 'prompt' is relative to the manifest's directory (a "
                "file outside it can be reached with '../')");
  EXPECT_TRUE(
      Parses("version = 1\n[agents.c]\ncommand = \"c\"\n[phase.x]\nagent = \"c\"\n"
             "prompt = \"p.md\"\n"));
}

TEST_F(ManifestValuesTest, EnvNamesAnEnvironmentCannotHold) {
  EXPECT_EQ(ErrorIn("[phase.a]\nenv = { \"A=B\" = \"1\" }\n"),
            "3:9: 'env' variable name 'A=B' contains '=': a name ends at the first '='");
  EXPECT_EQ(ErrorIn("[phase.a]\nenv = { \"\" = \"1\" }\n"),
            "3:9: 'env' has an empty variable name");
  EXPECT_EQ(ErrorIn("[phase.a]\nenv = { \"A\\u0000B\" = \"1\" }\n"),
            "3:9: 'env' variable names must not contain a NUL character");
  EXPECT_EQ(ErrorIn("[phase.a]\nenv = { A = \"x\\u0000y\" }\n"),
            "3:9: 'env' value of 'A' contains a NUL character, which no environment variable can "
            "hold");
}

TEST_F(ManifestValuesTest, KeyEnvNamesAnEnvironmentCannotHold) {
  EXPECT_EQ(ErrorIn("[phase.a]\nkey_env = [\"PATH\", \"X=1\"]\n"),
            "3:20: 'key_env' variable name 'X=1' contains '=': a name ends at the first '='");
  EXPECT_EQ(ErrorIn("[phase.a]\nkey_env = [\"\"]\n"), "3:12: 'key_env' has an empty variable name");
}

TEST_F(ManifestValuesTest, InputsThatCouldNeverMatch) {
  EXPECT_EQ(ErrorIn("[phase.a]\ninputs = [\"src/**\", \"../x/**\"]\n"),
            "3:21: 'inputs' pattern '../x/**' contains '..': patterns match paths inside the "
            "repository, so it would match nothing");
  EXPECT_EQ(ErrorIn("[phase.a]\ninputs = [\"!/abs/**\"]\n"),
            "3:11: 'inputs' pattern '!/abs/**' is an absolute path: patterns are relative to the "
            "repository root, so it would match nothing");
  EXPECT_EQ(ErrorIn("[phase.a]\ninputs = [\"./src/**\"]\n"),
            "3:11: 'inputs' pattern './src/**' contains a '.' component: write the path without "
            "'./'");
  EXPECT_EQ(ErrorIn("[phase.a]\ninputs = [\"!\"]\n"),
            "3:11: 'inputs' pattern '!' is empty: it would match nothing");
  EXPECT_TRUE(
      Parses("version = 1\n[phase.a]\ninputs = [\"src/**\", \"!src/gen/**\", \"*.md\", "
             "\".github/**\"]\n"));
}

TEST_F(ManifestValuesTest, NamesEqualExceptForCase) {
  EXPECT_EQ(ErrorIn("[phase.Build]\n[phase.build]\n"),
            "3:1: phase name 'build' differs from phase 'Build' only in case: names become "
            "branch and directory names, which collide on case-insensitive file systems (macOS, "
            "Windows); rename one");
  EXPECT_EQ(ErrorIn("[pools.LLM]\n[pools.llm]\n[phase.a]\n"),
            "3:1: pool name 'llm' differs from pool 'LLM' only in case: names become branch and "
            "directory names, which collide on case-insensitive file systems (macOS, Windows); "
            "rename one");
  EXPECT_EQ(ErrorIn("[agents.Claude]\ncommand = \"c\"\n[agents.claude]\ncommand = \"c\"\n"
                    "[phase.a]\n"),
            "4:1: agent name 'claude' differs from agent 'Claude' only in case: names become "
            "branch and directory names, which collide on case-insensitive file systems (macOS, "
            "Windows); rename one");
}

TEST_F(ManifestValuesTest, SameNameInDifferentKindsIsFine) {
  EXPECT_TRUE(Parses("version = 1\n[pools.Build]\n[phase.build]\npool = \"Build\"\n"));
}

// Found by the manifest fuzzer: toml++ 3.3 reaches an "unreachable" point
// (undefined behaviour) on U+FEF7 where whitespace is expected.
TEST_F(ManifestValuesTest, CharacterTomlPlusPlusMishandlesIsRejectedBeforeParsing) {
  EXPECT_EQ(Error("version = 1\xEF\xBB\xB7\n[phase.a]\n"),
            "1:12: character U+FEF7 is not accepted in a manifest (the TOML parser mishandles "
            "U+FC36-U+FEFE); inside a \"string\" write it as \\uFEF7");
  EXPECT_EQ(Error("version = 1\n[phase.a]\ndescription = \"\xC3\xA9\xEF\xB0\xB6\"\n"),
            "3:17: character U+FC36 is not accepted in a manifest (the TOML parser mishandles "
            "U+FC36-U+FEFE); inside a \"string\" write it as \\uFC36");
}

TEST_F(ManifestValuesTest, NeighboursOfTheMishandledRangeAreAccepted) {
  // U+FC35, U+FEFF (a byte order mark inside a string) and an escaped U+FEF7.
  EXPECT_TRUE(
      Parses("version = 1\n[phase.a]\ndescription = \"\xEF\xB0\xB5 \xEF\xBB\xBF "
             "\\uFEF7\"\n"));
}

}  // namespace
}  // namespace orchestrate
