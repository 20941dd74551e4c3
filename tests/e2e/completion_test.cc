// orchestrate completion bash|zsh|fish, loaded into the real shells.
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kManifest =
    "version = 1\n[phase.schema]\nrun = \"true\"\n[phase.api]\ndeps = [\"schema\"]\n"
    "run = \"true\"\n";

// A directory whose `orchestrate` is the binary under test, for PATH.
std::string BinDir(const TempDir& dir) {
  MustShell("mkdir -p bin && ln -sf " + ShellQuote(ORCHESTRATE_BINARY) + " bin/orchestrate",
            dir.path());
  return dir.path() + "/bin";
}

// What bash completes for the words of `line` (the last one being completed).
std::string BashComplete(const Scenario& s, const TempDir& bin, const std::string& line) {
  std::string script =
      "source <(orchestrate completion bash)\n"
      "COMP_WORDS=(" +
      line +
      ")\n"
      "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
      "_orchestrate\n"
      "printf '%s\\n' \"${COMPREPLY[@]}\" | sort\n";
  WriteFile(bin.path(), "complete.bash", script);
  return MustShell("PATH=" + BinDir(bin) + ":$PATH bash " + bin.path() + "/complete.bash",
                   s.repo());
}

TEST(CompletionTest, BashRegistersTheFunction) {
  TempDir bin;
  std::string out = MustShell("PATH=" + BinDir(bin) +
                              ":$PATH bash -c 'source <(orchestrate completion bash); complete -p "
                              "orchestrate'");
  EXPECT_EQ(out, "complete -F _orchestrate orchestrate\n");
}

TEST(CompletionTest, BashCompletesCommandsAndPhasesFirst) {
  Scenario s(kManifest);
  TempDir bin;
  std::string out = BashComplete(s, bin, "orchestrate ''");
  for (const char* word : {"run", "plan", "completion", "help", "api", "schema"})
    EXPECT_NE(out.find(std::string(word) + "\n"), std::string::npos) << word << "\n" << out;
  EXPECT_EQ(out.find("__phases"), std::string::npos) << out;
  EXPECT_EQ(BashComplete(s, bin, "orchestrate pl"), "plan\n");
}

TEST(CompletionTest, BashCompletesPhaseNamesFromTheManifest) {
  Scenario s(kManifest);
  TempDir bin;
  EXPECT_EQ(BashComplete(s, bin, "orchestrate run ''"), "api\nschema\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate explain s"), "schema\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate log a"), "api\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate plan --force ''"), "api\nschema\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate --force sc"), "schema\n");
}

TEST(CompletionTest, BashReadsTheManifestNamedByDashCAndFile) {
  Scenario s(kManifest);
  TempDir bin;
  MustShell(
      "mkdir -p sub && printf 'version = 1\\n[phase.only]\\nrun = \"true\"\\n' > "
      "sub/o.toml",
      s.repo());
  EXPECT_EQ(BashComplete(s, bin, "orchestrate -C sub --file o.toml run ''"), "only\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate -f sub/o.toml plan ''"), "only\n");
}

TEST(CompletionTest, BashCompletesOptionsAndTheirValues) {
  Scenario s(kManifest);
  TempDir bin;
  std::string options = BashComplete(s, bin, "orchestrate graph --");
  EXPECT_NE(options.find("--format\n"), std::string::npos) << options;
  EXPECT_NE(options.find("--status\n"), std::string::npos) << options;
  EXPECT_EQ(BashComplete(s, bin, "orchestrate graph --format m"), "mermaid\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate --color n"), "never\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate completion ''"), "bash\nfish\nzsh\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate help comp"), "completion\n");
  EXPECT_EQ(BashComplete(s, bin, "orchestrate -f orch"), "orchestrate.toml\n");
}

TEST(CompletionTest, ZshLoadsTheScript) {
  if (!Installed("zsh")) GTEST_SKIP() << "zsh is not installed";
  TempDir bin;
  ShellResult r =
      Shell("PATH=" + BinDir(bin) +
            ":$PATH zsh -fc 'autoload -U compinit && compinit -u && "
            "source <(orchestrate completion zsh) && print -r -- $_comps[orchestrate]'");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("_bash_complete"), std::string::npos) << r.out;
}

// As zsh's _bash_complete calls it: COMP_WORDS from $words (1-based),
// COMP_CWORD = CURRENT - 1.
TEST(CompletionTest, ZshCompletesPhaseNames) {
  if (!Installed("zsh")) GTEST_SKIP() << "zsh is not installed";
  Scenario s(kManifest);
  TempDir bin;
  ShellResult r = Shell("PATH=" + BinDir(bin) +
                            ":$PATH zsh -fc 'autoload -U compinit && compinit -u; "
                            "source <(orchestrate completion zsh); "
                            "COMP_WORDS=(orchestrate explain \"\"); COMP_CWORD=2; _orchestrate; "
                            "print -l -- $COMPREPLY'",
                        s.repo());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, "schema\napi\n");
}

TEST(CompletionTest, FishCompletesCommandsAndPhases) {
  if (!Installed("fish")) GTEST_SKIP() << "fish is not installed";
  Scenario s(kManifest);
  TempDir bin;
  std::string fish = "PATH=" + BinDir(bin) + ":$PATH fish --no-config -c " +
                     ShellQuote(
                         "orchestrate completion fish | source; complete -C'orchestrate ex'; "
                         "complete -C'orchestrate explain '");
  ShellResult r = Shell(fish, s.repo());
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("explain\t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nschema\t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\napi\t"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
