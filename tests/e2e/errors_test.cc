// Every failure ends in a message and an exit status of SPEC section 5,
// never in an abort: the exceptions that reach main.
#include <gtest/gtest.h>

#include <string>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

const char* kManifest = "version = 1\n[phase.a]\nrun = \"true\"\n";

TEST(ErrorsTest, ACurrentDirectoryThatWasRemovedExitsThreeWithAMessage) {
  Scenario s(kManifest);
  // The shell stands in a directory that no longer exists when orchestrate
  // asks for its path (std::filesystem throws).
  ShellResult r = Shell("mkdir gone && cd gone && rmdir ../gone && exec env CI=true " +
                            ShellQuote(ORCHESTRATE_BINARY) + " validate",
                        s.repo());
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("orchestrate: error: cannot get current path: No such file or directory"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("terminate called"), std::string::npos) << r.out;
}

TEST(ErrorsTest, AManifestPathTooLongForTheSystemExitsThreeWithAMessage) {
  Scenario s(kManifest);
  std::string name(300, 'm');  // longer than NAME_MAX: stat fails with ENAMETOOLONG
  ShellResult r = s.Run("validate -f " + name + ".toml");
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("File name too long"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("terminate called"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
