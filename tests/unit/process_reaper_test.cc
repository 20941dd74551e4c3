// The reaper under every command (process_posix.cc): whatever a command
// abandons is stopped before RunProcess returns, even a daemon that left the
// process group and emptied its environment, so neither the group nor the
// ORCHESTRATE_COMMAND marker can find it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "orchestrate/process.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ReadFile;
using testing::TempDir;

// Gone entirely: exited and reaped (not a zombie waiting for a parent).
bool Gone(int pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

class ProcessReaperTest : public ::testing::Test {
 protected:
  ProcessSpec Spec(const std::string& command) {
    ProcessSpec spec;
    spec.command = command;
    spec.cwd = dir_.path();
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.log_path = dir_.path() + "/out.log";
    spec.timeout = seconds(60);  // a broken test fails instead of hanging
    spec.kill_grace = milliseconds(200);
    return spec;
  }
  int PidIn(const std::string& name) {
    return std::atoi(ReadFile(dir_.path() + "/" + name).c_str());
  }

  TempDir dir_;
};

// A daemon started by `env -i setsid`: a new session, an empty environment.
// The command waits until the daemon wrote its pid (it is running), then ends.
constexpr const char* kHiddenDaemon =
    "env -i setsid /bin/sh -c 'echo $$ > daemon.tmp && mv daemon.tmp daemon; "
    "while :; do date > beat; sleep 0.05; done' > /dev/null 2>&1 < /dev/null & "
    "while [ ! -s daemon ]; do sleep 0.01; done";

TEST_F(ProcessReaperTest, DaemonWithAnEmptyEnvironmentIsStoppedBeforeTheResult) {
  ProcessResult result = RunProcess(Spec(kHiddenDaemon), nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  int daemon = PidIn("daemon");
  ASSERT_GT(daemon, 1);
  EXPECT_TRUE(Gone(daemon)) << "the daemon " << daemon << " outlived its command";
}

TEST_F(ProcessReaperTest, DoubleForkedDaemonIsStopped) {
  // The classic daemon: fork, setsid, fork again, the middle process exits.
  ProcessResult result = RunProcess(
      Spec("( env -i setsid /bin/sh -c '( echo $$ > /dev/null; sh -c \"echo \\$\\$ > daemon.tmp && "
           "mv daemon.tmp daemon; exec sleep 300\" ) & exit 0' ) > /dev/null 2>&1 < /dev/null; "
           "while [ ! -s daemon ]; do sleep 0.01; done"),
      nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  int daemon = PidIn("daemon");
  ASSERT_GT(daemon, 1);
  EXPECT_TRUE(Gone(daemon));
}

TEST_F(ProcessReaperTest, TimeoutStopsAHiddenDaemonToo) {
  ProcessSpec spec = Spec(std::string(kHiddenDaemon) + "; sleep 300");
  spec.timeout = milliseconds(300);
  ProcessResult result = RunProcess(spec, nullptr);
  EXPECT_TRUE(result.timed_out);
  int daemon = PidIn("daemon");
  ASSERT_GT(daemon, 1);
  EXPECT_TRUE(Gone(daemon));
}

TEST_F(ProcessReaperTest, DaemonIgnoringTermIsKilledAfterTheGrace) {
  ProcessResult result = RunProcess(
      Spec(
          "env -i setsid /bin/sh -c 'trap \"\" TERM; echo $$ > daemon.tmp && mv daemon.tmp daemon; "
          "while :; do sleep 0.05; done' > /dev/null 2>&1 < /dev/null & "
          "while [ ! -s daemon ]; do sleep 0.01; done"),
      nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  EXPECT_TRUE(Gone(PidIn("daemon")));
}

TEST_F(ProcessReaperTest, ExitStatusAndSignalAreTheShells) {
  EXPECT_EQ(RunProcess(Spec("exit 42"), nullptr).exit_code, 42);
  ProcessResult killed = RunProcess(Spec("kill -TERM $$"), nullptr);
  EXPECT_EQ(killed.exit_code, -1);
  EXPECT_EQ(killed.term_signal, SIGTERM);
}

}  // namespace
}  // namespace orchestrate
