#include <gtest/gtest.h>
#include <signal.h>

#include "orchestrate/process.h"

namespace orchestrate {
namespace {

TEST(SignalsTest, InstallingTwiceReturnsTheSameFlag) {
  EXPECT_EQ(&InstallSignalHandlers(), &InstallSignalHandlers());
}

TEST(SignalsTest, RecordsSigterm) {
  std::atomic<int>& received = InstallSignalHandlers();
  received = 0;
  ASSERT_EQ(raise(SIGTERM), 0);
  EXPECT_EQ(received.load(), SIGTERM);
  received = 0;
}

TEST(SignalsTest, RecordsSigint) {
  std::atomic<int>& received = InstallSignalHandlers();
  received = 0;
  ASSERT_EQ(raise(SIGINT), 0);
  EXPECT_EQ(received.load(), SIGINT);
  received = 0;
}

// A closed terminal sends SIGHUP: it must stop the run like SIGTERM, not
// kill orchestrate with its phases left running.
TEST(SignalsTest, RecordsSighup) {
  std::atomic<int>& received = InstallSignalHandlers();
  received = 0;
  ASSERT_EQ(raise(SIGHUP), 0);
  EXPECT_EQ(received.load(), SIGHUP);
  received = 0;
}

}  // namespace
}  // namespace orchestrate
