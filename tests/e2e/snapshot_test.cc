// The manifest snapshot (.orchestrate/manifest_snapshot) through the real binary.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kChain = R"(version = 1
[phase.schema]
run = "echo schema > schema.txt"
[phase.api]
deps = ["schema"]
run = "echo api > api.txt"
)";

std::string SnapshotOf(const Scenario& s) { return s.repo() + "/.orchestrate/manifest_snapshot"; }

TEST(SnapshotTest, OnlyRunWritesTheSnapshot) {
  Scenario s(kChain);
  ASSERT_EQ(s.Run("run").status, 0);  // creates .orchestrate/ after reading the manifest
  ASSERT_EQ(s.Run("run").status, 0);
  ASSERT_TRUE(FileExists(SnapshotOf(s)));
  std::filesystem::remove(SnapshotOf(s));
  for (const char* command :
       {"plan", "status", "validate", "graph", "explain api", "log api", "cache list", "clean"}) {
    ShellResult r = s.Run(command);
    EXPECT_EQ(r.status, 0) << command << "\n" << r.out;
    EXPECT_FALSE(FileExists(SnapshotOf(s))) << command;
  }
  ASSERT_EQ(s.Run("run -n").status, 0);
  EXPECT_TRUE(FileExists(SnapshotOf(s)));
}

TEST(SnapshotTest, AnEditedManifestIsReadAfresh) {
  Scenario s(kChain);
  ASSERT_EQ(s.Run("run").status, 0);
  ASSERT_EQ(s.Run("run").status, 0);
  ASSERT_TRUE(FileExists(SnapshotOf(s)));
  s.SetManifest(std::string(kChain) + "[phase.ui]\ndeps = [\"schema\"]\nrun = \"true\"\n", false);
  ShellResult plan = s.Run("plan");
  EXPECT_EQ(plan.status, 0) << plan.out;
  EXPECT_NE(plan.out.find("ui"), std::string::npos) << plan.out;
  s.SetManifest(std::string(kChain) + "[phase.ui]\ndeps = [\"shema\"]\n", false);
  for (const char* command : {"plan", "run", "validate"}) {
    ShellResult r = s.Run(command);
    EXPECT_EQ(r.status, 2) << command << "\n" << r.out;
    EXPECT_NE(r.out.find("depends on unknown phase 'shema' (did you mean 'schema'?)"),
              std::string::npos)
        << command << "\n"
        << r.out;
  }
}

}  // namespace
}  // namespace orchestrate::testing
