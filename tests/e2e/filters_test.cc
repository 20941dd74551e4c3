// External clean/smudge filters (git-lfs, git-crypt) are refused before
// anything runs, wherever git would find the attribute that assigns one:
// libgit2 runs no external filter (docs/running.md, "Repositories").
#include <gtest/gtest.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

constexpr const char* kManifest = "version = 1\n[phase.a]\nrun = \"echo a > a.txt\"\n";

void ExpectRefused(const Scenario& s, const std::string& file) {
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find(file + " assigns filter=lfs, whose clean command (`git-lfs clean -- %f`) "
                              "orchestrate cannot run"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(s.Rev("orchestrate/integration"), "");
}

TEST(FiltersTest, AttributesInASubdirectoryAreRead) {
  Scenario s(kManifest, {{"assets/models/.gitattributes", "*.bin filter=lfs -text\n"}});
  MustShell("git config filter.lfs.clean 'git-lfs clean -- %f'", s.repo());
  ExpectRefused(s, "assets/models/.gitattributes");
}

TEST(FiltersTest, TheUsersGlobalAttributesFileIsRead) {
  Scenario s(kManifest);
  WriteFile(s.dir(), "global-attributes", "*.psd filter=lfs\n");
  MustShell("git config filter.lfs.clean 'git-lfs clean -- %f' && git config core.attributesFile " +
                s.dir() + "/global-attributes",
            s.repo());
  ExpectRefused(s, s.dir() + "/global-attributes");
}

TEST(FiltersTest, ProcessDriverIsRefusedToo) {
  Scenario s(kManifest, {{"lib/.gitattributes", "*.so filter=crypt\n"}});
  MustShell("git config filter.crypt.process 'git-crypt filter-process'", s.repo());
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("lib/.gitattributes assigns filter=crypt, whose process command "
                       "(`git-crypt filter-process`)"),
            std::string::npos)
      << r.out;
}

TEST(FiltersTest, AFilterNamedButNotConfiguredIsNoFilter) {
  // git applies no filter without a configured driver: nothing to refuse.
  Scenario s(kManifest, {{"deep/dir/.gitattributes", "*.bin filter=lfs\n"}});
  MustShell("git config filter.other.clean 'cat'", s.repo());
  ShellResult r = s.Run("run");
  EXPECT_EQ(r.status, 0) << r.out;
}

}  // namespace
}  // namespace orchestrate::testing
