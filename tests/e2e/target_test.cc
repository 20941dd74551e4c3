// What the target branch holds after runs in which phases fail (SPEC 2.5:
// the base merged with the results of every phase that succeeded).
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const std::string kTwo =
    "version = 1\n"
    "[phase.a]\nrun = \"echo a > a.txt\"\n"
    "[phase.b]\nrun = \"echo b > b.txt\"\n";

TEST(TargetTest, FailedPhaseResultLeavesTheTarget) {
  Scenario s(kTwo);
  ASSERT_EQ(s.Run("run").status, 0);
  EXPECT_EQ(s.Files("orchestrate/integration"), "a.txt\nb.txt\norchestrate.toml\n");
  std::string failing = kTwo;
  failing.replace(failing.find("echo a > a.txt"), 14, "exit 1");
  s.SetManifest(failing, /*commit=*/false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(s.Files("orchestrate/integration"), "b.txt\norchestrate.toml\n") << r.out;
}

TEST(TargetTest, RunWithNoSuccessLeavesNoStaleResultsInTarget) {
  Scenario s("version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n");
  ASSERT_EQ(s.Run("run").status, 0);
  std::string base = s.Rev("HEAD");
  EXPECT_EQ(s.Files("orchestrate/integration"), "a.txt\norchestrate.toml\n");
  s.SetManifest("version = 1\n[phase.a]\nrun = \"exit 1\"\n", /*commit=*/false);
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 1) << r.out;
  // a failed: its old result must not stay in the target, which is the base
  // merged with no result at all.
  EXPECT_EQ(s.Files("orchestrate/integration"), "orchestrate.toml\n") << r.out;
  EXPECT_EQ(s.Rev("orchestrate/integration"), base);
}

}  // namespace
}  // namespace orchestrate::testing
