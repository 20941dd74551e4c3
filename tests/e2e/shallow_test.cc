// A shallow clone (CI checkouts are often depth 1): libgit2 1.5 does not
// read .git/shallow, so its ancestry and merge-base walks stopped the run
// with "object not found" on the boundary commit. orchestrate walks the
// history the clone has instead (git_history.cc).
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

// A diamond: d's input merges b's and c's results, and the target merges all.
constexpr const char* kDiamond = R"(version = 1
[phase.a]
run = "echo a > a.txt"
[phase.b]
run = "echo b > b.txt"
deps = ["a"]
[phase.c]
run = "echo c > c.txt"
deps = ["a"]
[phase.d]
run = "cat b.txt c.txt > d.txt"
deps = ["b", "c"]
)";

std::string ShallowClone(const Scenario& s) {
  for (int i = 0; i < 3; ++i)
    MustShell("echo " + std::to_string(i) +
                  " > history.txt && git add history.txt && git commit -qm h" + std::to_string(i),
              s.repo());
  MustShell("git clone -q --depth 1 file://" + s.repo() + " clone", s.dir());
  std::string clone = s.dir() + "/clone";
  EXPECT_EQ(Shell("git rev-parse --is-shallow-repository", clone).out, "true\n");
  return clone;
}

TEST(ShallowTest, DiamondRunsAndMergesInADepthOneClone) {
  Scenario s(kDiamond);
  std::string clone = ShallowClone(s);
  ShellResult r = Orchestrate("run", clone);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("object not found"), std::string::npos) << r.out;
  EXPECT_EQ(Shell("git show orchestrate/integration:d.txt", clone).out, "b\nc\n");
  EXPECT_EQ(Shell("git show orchestrate/integration:a.txt", clone).out, "a\n");
  // And the next run finds every phase fresh.
  ShellResult again = Orchestrate("run", clone);
  ASSERT_EQ(again.status, 0) << again.out;
  EXPECT_NE(again.out.find("4 fresh"), std::string::npos) << again.out;
}

TEST(ShallowTest, ConflictingPhasesAreStillAConflictNotAnError) {
  Scenario s(R"(version = 1
[phase.left]
run = "echo left > same.txt"
[phase.right]
run = "echo right > same.txt"
[phase.both]
run = "true"
deps = ["left", "right"]
)");
  std::string clone = ShallowClone(s);
  ShellResult r = Orchestrate("run", clone);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("same.txt"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("object not found"), std::string::npos) << r.out;
}

TEST(ShallowTest, ABaseOlderThanTheCloneSaysToFetchDeeper) {
  Scenario s(kDiamond);
  std::string clone = ShallowClone(s);
  for (const char* command : {"run --base HEAD~2", "plan --base HEAD~2"}) {
    ShellResult r = Orchestrate(command, clone);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("cannot resolve base 'HEAD~2' to a commit (check settings.base or --base; "
                         "this is a shallow clone, whose history may not reach it: fetch deeper "
                         "with `git fetch --deepen N` or `git fetch --unshallow`)"),
              std::string::npos)
        << command << "\n"
        << r.out;
  }
}

}  // namespace
}  // namespace orchestrate::testing
