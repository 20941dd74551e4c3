#include "orchestrate/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "orchestrate/error.h"
#include "support/test_repo.h"
#include "support/wait.h"

namespace orchestrate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FileExists;
using testing::ReadFile;
using testing::TempDir;
using testing::WaitUntil;
using testing::WriteFile;

// Gone, or dead and waiting to be reaped by init.
bool ProcessIsDead(int pid) { return !testing::ProcessAlive(pid); }

// Long enough for a busy machine to start a command's processes, which
// write their readiness files before the test relies on them.
constexpr milliseconds kTimeout = seconds(2);

bool GroupIsGone(int pgid) { return kill(-pgid, 0) != 0 && errno == ESRCH; }

// The leader of group `pgid` has exited (its members may remain).
bool GroupOfLeaderIsGone(int pgid) { return ProcessIsDead(pgid); }

int ReadPid(const std::string& path) {
  EXPECT_TRUE(WaitUntil([&] { return !ReadFile(path).empty(); })) << path;
  return std::atoi(ReadFile(path).c_str());
}

class ProcessTest : public ::testing::Test {
 protected:
  ProcessSpec Spec(const std::string& command) {
    ProcessSpec spec;
    spec.command = command;
    spec.cwd = dir_.path();
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.log_path = LogPath();
    spec.timeout = seconds(30);  // a broken test fails instead of hanging
    spec.kill_grace = milliseconds(200);
    return spec;
  }
  std::string LogPath() const { return dir_.path() + "/out.log"; }
  std::string Log() const { return ReadFile(LogPath()); }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  TempDir dir_;
};

TEST_F(ProcessTest, ReportsExitStatus) {
  ProcessResult result = RunProcess(Spec("exit 3"), nullptr);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.term_signal, 0);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.Describe(), "exit status 3");
  EXPECT_TRUE(RunProcess(Spec("true"), nullptr).ok());
}

TEST_F(ProcessTest, ReportsTerminatingSignal) {
  ProcessResult result = RunProcess(Spec("kill -9 $$"), nullptr);
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.Describe(), "killed by signal 9");
}

TEST_F(ProcessTest, AppendsOutputAndRecordsItsOffsets) {
  WriteFile(dir_.path(), "out.log", "old\n");
  ProcessResult first = RunProcess(Spec("echo one; echo two >&2"), nullptr);
  ProcessResult second = RunProcess(Spec("echo three"), nullptr);
  EXPECT_EQ(Log(), "old\none\ntwo\nthree\n");
  EXPECT_EQ(first.log_begin, 4);
  EXPECT_EQ(first.log_end, 12);
  EXPECT_EQ(second.log_begin, 12);
  EXPECT_EQ(second.log_end, 18);
  EXPECT_EQ(ReadTail(LogPath(), 10, first.log_begin, first.log_end), "one\ntwo\n");
}

TEST_F(ProcessTest, CreatesTheLogFile) {
  ProcessResult result = RunProcess(Spec("echo hi"), nullptr);
  EXPECT_EQ(result.log_begin, 0);
  EXPECT_EQ(Log(), "hi\n");
}

TEST_F(ProcessTest, StdinIsDevNull) {
  ProcessResult result = RunProcess(Spec("cat; readlink /proc/$$/fd/0"), nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  EXPECT_EQ(Log(), "/dev/null\n");
}

TEST_F(ProcessTest, WorksWhenOurOwnStdinIsClosed) {
  int saved = dup(0);
  close(0);  // the log now gets descriptor 0
  ProcessResult result = RunProcess(Spec("echo hi; readlink /proc/$$/fd/0"), nullptr);
  dup2(saved, 0);
  close(saved);
  EXPECT_TRUE(result.ok()) << result.Describe();
  EXPECT_EQ(Log(), "hi\n/dev/null\n");
}

TEST_F(ProcessTest, PassesExactlyTheGivenEnvironment) {
  setenv("ORCHESTRATE_TEST_SHOULD_NOT_LEAK", "1", 1);
  ProcessSpec spec =
      Spec("env | grep -v '^PWD=' | sort | sed 's/^ORCHESTRATE_COMMAND=.*/COMMAND/'");
  spec.env = {"PATH=/usr/bin:/bin", "BETA=two words", "ALPHA=1"};
  RunProcess(spec, nullptr);
  unsetenv("ORCHESTRATE_TEST_SHOULD_NOT_LEAK");
  // Plus the marker that finds what the command leaves behind.
  EXPECT_EQ(Log(), "ALPHA=1\nBETA=two words\nCOMMAND\nPATH=/usr/bin:/bin\n");
}

TEST_F(ProcessTest, RunsInTheGivenDirectory) {
  WriteFile(dir_.path(), "sub/marker", "");
  ProcessSpec spec = Spec("pwd; ls");
  spec.cwd = Path("sub");
  RunProcess(spec, nullptr);
  EXPECT_EQ(Log(), Path("sub") + "\nmarker\n");
}

TEST_F(ProcessTest, DoesNotPassOtherDescriptorsToTheChild) {
  int leaked = open(Path("leak-probe").c_str(), O_WRONLY | O_CREAT, 0644);  // no O_CLOEXEC
  ASSERT_GE(leaked, 0);
  RunProcess(Spec("ls -l /proc/$$/fd/"), nullptr);
  close(leaked);
  EXPECT_NE(Log().find("/dev/null"), std::string::npos) << Log();
  EXPECT_EQ(Log().find("leak-probe"), std::string::npos) << Log();
}

TEST_F(ProcessTest, MissingLogDirectoryIsInfraError) {
  ProcessSpec spec = Spec("true");
  spec.log_path = Path("no-such-dir/P.log");
  try {
    RunProcess(spec, nullptr);
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot open log file " + spec.log_path +
                  ": No such file or directory; check that its directory exists and is writable");
  }
}

TEST_F(ProcessTest, MissingWorkingDirectoryIsInfraError) {
  ProcessSpec spec = Spec("true");
  spec.cwd = Path("gone");
  bool hooked = false;
  ProcessHooks hooks{[&](int) { hooked = true; }, nullptr};
  try {
    RunProcess(spec, nullptr, hooks);
    FAIL() << "expected InfraError";
  } catch (const InfraError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot start /bin/sh in " + spec.cwd +
                                         ": No such file or directory; check that the directory "
                                         "exists and is accessible");
  }
  EXPECT_FALSE(hooked);
}

TEST_F(ProcessTest, HooksReceiveTheProcessGroupOfTheShell) {
  std::vector<std::string> calls;
  ProcessHooks hooks{[&](int pgid) { calls.push_back("started " + std::to_string(pgid)); },
                     [&](int pgid) { calls.push_back("ended " + std::to_string(pgid)); }};
  RunProcess(Spec("echo $$; cut -d' ' -f5 /proc/$$/stat"), nullptr, hooks);
  std::string shell = Log().substr(0, Log().find('\n'));
  EXPECT_EQ(Log(), shell + "\n" + shell + "\n");  // the shell leads its own group
  EXPECT_EQ(calls, (std::vector<std::string>{"started " + shell, "ended " + shell}));
}

TEST_F(ProcessTest, FailingStartHookStopsTheChild) {
  int pgid = 0;
  ProcessHooks hooks{[&](int started) {
                       pgid = started;
                       throw InfraError("cannot record the process group");
                     },
                     nullptr};
  EXPECT_THROW(RunProcess(Spec("sleep 100"), nullptr, hooks), InfraError);
  ASSERT_GT(pgid, 1);
  EXPECT_TRUE(WaitUntil([&] { return GroupIsGone(pgid); }));
}

TEST_F(ProcessTest, TimeoutKillsTheWholeGroup) {
  ProcessSpec spec = Spec("sleep 100 & echo $! > grandchild; sleep 100; wait");
  spec.timeout = kTimeout;
  int pgid = 0;
  ProcessHooks hooks{[&](int started) { pgid = started; }, nullptr};
  ProcessResult result = RunProcess(spec, nullptr, hooks);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.Describe(), "timed out after 2s");
  EXPECT_LT(result.elapsed, seconds(10));
  int grandchild = ReadPid(Path("grandchild"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(grandchild); }));
  EXPECT_TRUE(WaitUntil([&] { return GroupIsGone(pgid); }));
}

TEST_F(ProcessTest, ProcessIgnoringTermIsKilledAfterTheGrace) {
  ProcessSpec spec = Spec("trap '' TERM; sleep 100 & echo $! > child; sleep 100");
  spec.timeout = kTimeout;
  spec.kill_grace = milliseconds(200);
  ProcessResult result = RunProcess(spec, nullptr);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_GE(result.elapsed, kTimeout + milliseconds(200));
  EXPECT_LT(result.elapsed, seconds(10));
  int child = ReadPid(Path("child"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(child); }));
}

TEST_F(ProcessTest, MemberIgnoringTermOutlivingTheLeaderIsKilled) {
  // The leader dies of TERM at once; its child ignores TERM and must get KILL.
  ProcessSpec spec = Spec("(trap '' TERM; sleep 100) & echo $! > child; sleep 100");
  spec.timeout = kTimeout;
  int pgid = 0;
  ProcessHooks hooks{[&](int started) { pgid = started; }, nullptr};
  ProcessResult result = RunProcess(spec, nullptr, hooks);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGTERM);
  int child = ReadPid(Path("child"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(child); }));
  EXPECT_TRUE(WaitUntil([&] { return GroupIsGone(pgid); }));
}

TEST_F(ProcessTest, CancelStopsTheProcess) {
  std::atomic<bool> cancel{false};
  ProcessHooks hooks{[&](int) { cancel = true; }, nullptr};
  ProcessResult result = RunProcess(Spec("sleep 100"), &cancel, hooks);
  EXPECT_TRUE(result.cancelled);
  EXPECT_FALSE(result.timed_out);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.Describe(), "interrupted");
  EXPECT_LT(result.elapsed, seconds(10));
}

TEST_F(ProcessTest, CancelFromAnotherThread) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    testing::WaitForFile(Path("started"));
    cancel = true;
  });
  ProcessResult result = RunProcess(Spec("touch started; sleep 100"), &cancel);
  canceller.join();
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(result.term_signal, SIGTERM);
}

TEST_F(ProcessTest, EachCommandGetsItsOwnMarker) {
  ProcessSpec spec = Spec("echo $ORCHESTRATE_COMMAND >> markers");
  spec.env.push_back("ORCHESTRATE_COMMAND=inherited");
  RunProcess(spec, nullptr);
  RunProcess(spec, nullptr);
  std::string markers = ReadFile(Path("markers"));
  std::string prefix = std::to_string(getpid()) + ".";
  size_t newline = markers.find('\n');
  ASSERT_NE(newline, std::string::npos) << markers;
  std::string first = markers.substr(0, newline), second = markers.substr(newline + 1);
  EXPECT_EQ(first.rfind(prefix, 0), 0u) << markers;
  EXPECT_EQ(second.rfind(prefix, 0), 0u) << markers;
  EXPECT_NE(first + "\n", second) << markers;
}

// A background process left by a command would write into the next commit.
TEST_F(ProcessTest, NormalExitStopsBackgroundMembers) {
  int pgid = 0;
  ProcessHooks hooks{[&](int started) { pgid = started; }, nullptr};
  ProcessResult result = RunProcess(Spec("sleep 100 & echo $! > child"), nullptr, hooks);
  EXPECT_TRUE(result.ok());
  int child = ReadPid(Path("child"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(child); }));
  EXPECT_LT(result.elapsed, seconds(10));
  EXPECT_GT(pgid, 1);
}

TEST_F(ProcessTest, BackgroundMemberIgnoringTermIsKilledAfterTheGrace) {
  ProcessResult result = RunProcess(Spec("(trap '' TERM; sleep 100) & echo $! > child"), nullptr);
  EXPECT_TRUE(result.ok());
  int child = ReadPid(Path("child"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(child); }));
}

// `setsid` leaves the process group; the marker in its environment finds it.
// (The daemon stays a shell, never caught in the middle of an exec, when
// its environment reads empty for a moment.)
TEST_F(ProcessTest, DaemonThatLeftTheGroupIsStopped) {
  ProcessResult result =
      RunProcess(Spec("setsid sh -c 'echo $$ > daemon.tmp && mv daemon.tmp daemon && while :; do "
                      "sleep 1; done' "
                      "> /dev/null 2>&1 < /dev/null & while [ ! -s daemon ]; do sleep 0.01; done"),
                 nullptr);
  EXPECT_TRUE(result.ok());
  int daemon = ReadPid(Path("daemon"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(daemon); }));
}

TEST_F(ProcessTest, TimeoutAlsoStopsADaemonThatLeftTheGroup) {
  ProcessSpec spec = Spec(
      "setsid sh -c 'echo $$ > daemon.tmp && mv daemon.tmp daemon && while :; do sleep 1; done' "
      "> /dev/null 2>&1 < /dev/null & while [ ! -s daemon ]; do sleep 0.01; done; sleep 100");
  spec.timeout = kTimeout;
  ProcessResult result = RunProcess(spec, nullptr);
  EXPECT_TRUE(result.timed_out);
  int daemon = ReadPid(Path("daemon"));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(daemon); }));
}

// A process group of its own, as a killed run leaves one: `setsid` makes
// the shell a group leader; it writes its pgid and exits, leaving `body`.
int StartDetachedGroup(const std::string& dir, const std::string& env, const std::string& body) {
  testing::MustShell("setsid " + env + " sh -c 'echo $$ > pgid.tmp; " + body +
                         "; mv pgid.tmp pgid' > /dev/null 2>&1 < /dev/null &",
                     dir);
  return ReadPid(dir + "/pgid");
}

TEST_F(ProcessTest, KillProcessGroupEscalatesToKill) {
  int pgid = StartDetachedGroup(dir_.path(), "", "(trap \"\" TERM; sleep 100) & echo $! > child");
  int child = ReadPid(Path("child"));
  ASSERT_FALSE(ProcessIsDead(child));
  KillProcessGroup(pgid, milliseconds(200));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(child); }));
}

TEST_F(ProcessTest, MarkerIsFoundInTheLeadersEnvironment) {
  ProcessSpec spec = Spec("sleep 100");
  spec.env.push_back("ORCHESTRATE_RUN_ID=abc");
  std::atomic<bool> cancel{false};
  std::vector<bool> answers;
  ProcessHooks hooks{[&](int pgid) {
                       answers.push_back(ProcessGroupHasMarker(pgid, "ORCHESTRATE_RUN_ID=abc"));
                       answers.push_back(ProcessGroupHasMarker(pgid, "ORCHESTRATE_RUN_ID=ab"));
                       answers.push_back(ProcessGroupHasMarker(pgid, "ORCHESTRATE_RUN_ID=other"));
                       cancel = true;
                     },
                     nullptr};
  RunProcess(spec, &cancel, hooks);
  EXPECT_EQ(answers, (std::vector<bool>{true, false, false}));
}

TEST_F(ProcessTest, MarkerIsFoundInMembersAfterTheLeaderExited) {
  int pgid =
      StartDetachedGroup(dir_.path(), "env ORCHESTRATE_RUN_ID=abc", "sleep 100 & echo $! > child");
  int child = ReadPid(Path("child"));
  EXPECT_TRUE(WaitUntil([&] { return GroupOfLeaderIsGone(pgid); }));
  EXPECT_TRUE(ProcessGroupHasMarker(pgid, "ORCHESTRATE_RUN_ID=abc"));
  EXPECT_FALSE(ProcessGroupHasMarker(pgid, "ORCHESTRATE_RUN_ID=other"));
  KillProcessGroup(pgid, milliseconds(500));
  EXPECT_TRUE(WaitUntil([&] { return ProcessIsDead(child); }));
  EXPECT_FALSE(ProcessGroupHasMarker(pgid, "ORCHESTRATE_RUN_ID=abc"));
}

TEST(ProcessGroupTest, MarkerIsAbsentFromGroupsWithoutIt) {
  EXPECT_FALSE(ProcessGroupHasMarker(getpgrp(), "ORCHESTRATE_RUN_ID=not-set-anywhere"));
  EXPECT_FALSE(ProcessGroupHasMarker(0, "ORCHESTRATE_RUN_ID=x"));
  EXPECT_FALSE(ProcessGroupHasMarker(1, "ORCHESTRATE_RUN_ID=x"));
}

TEST(ProcessResultTest, DescribesTimeoutsByTheirLimit) {
  ProcessResult result;
  result.timed_out = true;
  result.timeout = seconds(30);
  result.elapsed = milliseconds(35000);  // TERM was ignored for the grace
  EXPECT_EQ(result.Describe(), "timed out after 30s");
  result.timeout = seconds(72);
  EXPECT_EQ(result.Describe(), "timed out after 1m12s");
  result.timeout = std::chrono::minutes(90);
  EXPECT_EQ(result.Describe(), "timed out after 1h30m");
  result.timeout = milliseconds(250);
  EXPECT_EQ(result.Describe(), "timed out after 250ms");
}

TEST(ProcessResultTest, InterruptedWinsOverOtherOutcomes) {
  ProcessResult result;
  result.cancelled = true;
  result.term_signal = SIGTERM;
  EXPECT_EQ(result.Describe(), "interrupted");
}

TEST(EnvironmentTest, MergeReplacesByKeyKeepsOrderAndAppendsNew) {
  std::vector<std::string> merged =
      MergeEnvironment({"A=1", "AB=2", "B=3"}, {"B=x=y", "C=4", "A="});
  EXPECT_EQ(merged, (std::vector<std::string>{"A=", "AB=2", "B=x=y", "C=4"}));
}

TEST(EnvironmentTest, CurrentEnvironmentListsVariables) {
  setenv("ORCHESTRATE_TEST_CURRENT", "yes please", 1);
  std::vector<std::string> env = CurrentEnvironment();
  unsetenv("ORCHESTRATE_TEST_CURRENT");
  EXPECT_NE(std::find(env.begin(), env.end(), "ORCHESTRATE_TEST_CURRENT=yes please"), env.end());
}

class ReadTailTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    WriteFile(dir_.path(), "log", content);
    return dir_.path() + "/log";
  }
  TempDir dir_;
};

TEST_F(ReadTailTest, ReturnsTheLastLines) {
  std::string path = Write("a\nb\nc\nd\n");
  EXPECT_EQ(ReadTail(path, 2), "c\nd\n");
  EXPECT_EQ(ReadTail(path, 10), "a\nb\nc\nd\n");
  EXPECT_EQ(ReadTail(path, 0), "");
}

TEST_F(ReadTailTest, KeepsAnUnterminatedLastLine) {
  EXPECT_EQ(ReadTail(Write("a\nb\nc"), 2), "b\nc");
}

TEST_F(ReadTailTest, StaysWithinTheRange) {
  std::string path = Write("a\nb\nc\nd\n");
  EXPECT_EQ(ReadTail(path, 10, 2, 6), "b\nc\n");
  EXPECT_EQ(ReadTail(path, 1, 2, 6), "c\n");
  EXPECT_EQ(ReadTail(path, 10, 6), "d\n");
  EXPECT_EQ(ReadTail(path, 10, 4, 100), "c\nd\n");
}

TEST_F(ReadTailTest, ReadsAtMostTheLast64KiB) {
  std::string line(99, 'x');
  std::string content;
  for (int i = 0; i < 2000; ++i) content += line + "\n";  // 200 KB
  std::string tail = ReadTail(Write(content), 100000);
  EXPECT_EQ(tail.size(), 64u * 1024);
  EXPECT_EQ(tail, content.substr(content.size() - 64 * 1024));
}

TEST_F(ReadTailTest, MissingFileIsEmpty) {
  EXPECT_EQ(ReadTail(dir_.path() + "/missing.log", 10), "");
  EXPECT_FALSE(FileExists(dir_.path() + "/missing.log"));
}

TEST_F(ReadTailTest, ReadRangeOfReadsOnlyTheRangeClampedToTheFile) {
  std::string path = Write("run output\n{\"total_cost_usd\": 0.5}\nverify output\n");
  EXPECT_EQ(ReadRangeOf(path, 11, 35), "{\"total_cost_usd\": 0.5}\n");
  EXPECT_EQ(ReadRangeOf(path, 0, 4), "run ");
  EXPECT_EQ(ReadRangeOf(path, 42, 1000), "output\n");
  EXPECT_EQ(ReadRangeOf(path, 100, 200), "");
  EXPECT_EQ(ReadRangeOf(path, 5, 2), "");
  EXPECT_EQ(ReadRangeOf(dir_.path() + "/missing.log", 0, 10), "");
}

// The reaper under every command (process_posix.cc): whatever a command
// abandons is stopped before RunProcess returns, even a daemon that left the
// process group and emptied its environment, so that neither the group nor
// the ORCHESTRATE_COMMAND marker finds it.

// Gone entirely: exited and reaped, not a zombie waiting for a parent.
bool Reaped(int pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

// A daemon started by `env -i setsid`: a new session, an empty environment.
// The command waits until the daemon wrote its pid (it is running), then ends.
constexpr const char* kHiddenDaemon =
    "env -i setsid /bin/sh -c 'echo $$ > daemon.tmp && mv daemon.tmp daemon; "
    "while :; do date > beat; sleep 0.05; done' > /dev/null 2>&1 < /dev/null & "
    "while [ ! -s daemon ]; do sleep 0.01; done";

TEST_F(ProcessTest, DaemonWithAnEmptyEnvironmentIsStoppedBeforeTheResult) {
  ProcessResult result = RunProcess(Spec(kHiddenDaemon), nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  int daemon = ReadPid(Path("daemon"));
  ASSERT_GT(daemon, 1);
  EXPECT_TRUE(Reaped(daemon)) << "the daemon " << daemon << " outlived its command";
}

TEST_F(ProcessTest, DoubleForkedDaemonIsStopped) {
  // The classic daemon: fork, setsid, fork again, the middle process exits.
  ProcessResult result = RunProcess(
      Spec("( env -i setsid /bin/sh -c '( echo $$ > /dev/null; sh -c \"echo \\$\\$ > daemon.tmp && "
           "mv daemon.tmp daemon; exec sleep 300\" ) & exit 0' ) > /dev/null 2>&1 < /dev/null; "
           "while [ ! -s daemon ]; do sleep 0.01; done"),
      nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  int daemon = ReadPid(Path("daemon"));
  ASSERT_GT(daemon, 1);
  EXPECT_TRUE(Reaped(daemon));
}

TEST_F(ProcessTest, TimeoutStopsAHiddenDaemonToo) {
  ProcessSpec spec = Spec(std::string(kHiddenDaemon) + "; sleep 300");
  spec.timeout = seconds(2);  // after the daemon started, on a busy machine too
  ProcessResult result = RunProcess(spec, nullptr);
  EXPECT_TRUE(result.timed_out);
  int daemon = ReadPid(Path("daemon"));
  ASSERT_GT(daemon, 1);
  EXPECT_TRUE(Reaped(daemon));
}

TEST_F(ProcessTest, DaemonIgnoringTermIsKilledAfterTheGrace) {
  ProcessResult result = RunProcess(
      Spec(
          "env -i setsid /bin/sh -c 'trap \"\" TERM; echo $$ > daemon.tmp && mv daemon.tmp daemon; "
          "while :; do sleep 0.05; done' > /dev/null 2>&1 < /dev/null & "
          "while [ ! -s daemon ]; do sleep 0.01; done"),
      nullptr);
  EXPECT_TRUE(result.ok()) << result.Describe();
  EXPECT_TRUE(Reaped(ReadPid(Path("daemon"))));
}

TEST_F(ProcessTest, ExitStatusAndSignalAreTheShells) {
  EXPECT_EQ(RunProcess(Spec("exit 42"), nullptr).exit_code, 42);
  ProcessResult killed = RunProcess(Spec("kill -TERM $$"), nullptr);
  EXPECT_EQ(killed.exit_code, -1);
  EXPECT_EQ(killed.term_signal, SIGTERM);
}

}  // namespace
}  // namespace orchestrate
