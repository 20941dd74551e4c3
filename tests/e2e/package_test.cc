// The .deb: built by CPack from this build, unpacked with dpkg -x, run.
#include <gtest/gtest.h>

#include <filesystem>

#include "orchestrate/build_config.h"
#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

TEST(PackageTest, DebUnpacksToAWorkingOrchestrateWithBookwormDependencies) {
  if (Shell("command -v cpack && command -v dpkg-deb").status != 0)
    GTEST_SKIP() << "cpack or dpkg-deb is not installed";
  std::string build = std::filesystem::path(ORCHESTRATE_BINARY).parent_path().string();
  TempDir out;
  ShellResult pack = Shell("cpack -G DEB -B " + ShellQuote(out.path()) + " 2>&1", build);
  ASSERT_EQ(pack.status, 0) << pack.out;
  std::string deb = out.path() + "/orchestrate_" ORCHESTRATE_VERSION "_amd64.deb";
  if (!FileExists(deb)) deb = Shell("ls " + ShellQuote(out.path()) + "/orchestrate_*.deb").out;
  ASSERT_EQ(Shell("dpkg-deb -x " + ShellQuote(deb) + " root", out.path()).status, 0);

  ShellResult version = Shell("./root/usr/bin/orchestrate --version", out.path());
  EXPECT_EQ(version.status, 0) << version.out;
  EXPECT_EQ(version.out, "orchestrate " ORCHESTRATE_VERSION "\n");
  EXPECT_TRUE(FileExists(out.path() + "/root/usr/share/doc/orchestrate/ci.md"));
  EXPECT_TRUE(FileExists(out.path() + "/root/usr/share/doc/orchestrate/examples/ci/gitlab-ci.yml"));

  // Linked statically but for libc, which is what it depends on. GSSAPI is
  // loaded when a remote asks for Negotiate authentication: recommended.
  std::string depends = Shell("dpkg-deb -f " + ShellQuote(deb) + " Depends").out;
  EXPECT_NE(depends.find("libc6 (>= "), std::string::npos) << depends;
  EXPECT_EQ(depends.find("libgssapi"), std::string::npos) << depends;
  EXPECT_EQ(depends.find("libgit2"), std::string::npos) << depends;
  std::string recommends = Shell("dpkg-deb -f " + ShellQuote(deb) + " Recommends").out;
  EXPECT_NE(recommends.find("libgssapi-krb5-2"), std::string::npos) << recommends;
  std::string needed = Shell("ldd ./root/usr/bin/orchestrate", out.path()).out;
  EXPECT_EQ(needed.find("libgit2"), std::string::npos) << needed;
  EXPECT_EQ(needed.find("libgssapi"), std::string::npos) << needed;
#ifndef ORCHESTRATE_SANITIZED  // a sanitizer build's libasan brings libstdc++ along
  EXPECT_EQ(needed.find("libstdc++"), std::string::npos) << needed;
#endif
  EXPECT_EQ(needed.find("not found"), std::string::npos) << needed;
}

}  // namespace
}  // namespace orchestrate::testing
