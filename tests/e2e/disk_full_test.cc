// A full disk while a phase's result is committed: exit 3 saying so, nothing
// recorded; after space is freed, a run completes. Needs a small tmpfs
// (mount permitted, as root in a container); skipped otherwise.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include "support/e2e.h"

namespace orchestrate::testing {
namespace {

class SmallDisk {
 public:
  explicit SmallDisk(const std::string& dir) : dir_(dir) {
    mounted_ = mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=4m") == 0;
  }
  ~SmallDisk() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

TEST(DiskFullTest, AFullDiskStopsTheRunWithNothingRecorded) {
  TempDir tmp;
  SmallDisk disk(tmp.path());
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  std::string repo = tmp.path() + "/repo";
  // The phase writes its result, then fills the disk (once) from outside
  // the repository, so committing its result finds no space.
  InitRepo(repo,
           {{"orchestrate.toml",
             "version = 1\n[phase.build]\nrun = \"echo built > out.txt; if mkdir "
             "../../../../filled 2>/dev/null; then dd if=/dev/zero of=../../../../filler bs=64k "
             "2>/dev/null; fi; true\"\n"}});
  ShellResult r = Orchestrate("run", repo);
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("the disk is full"), std::string::npos) << r.out;
  EXPECT_EQ(Shell("git for-each-ref refs/orchestrate/cache", repo).out, "");
  MustShell("rm ../filler", repo);
  r = Orchestrate("run", repo);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(MustShell("git show orchestrate/integration:out.txt", repo), "built\n");
  EXPECT_NE(Shell("git for-each-ref refs/orchestrate/cache", repo).out, "");
}

}  // namespace
}  // namespace orchestrate::testing
