// Running phase commands on POSIX: posix_spawn into a new process group,
// a polling wait loop that enforces the timeout and the cancel flag, and the
// process-group utilities crash recovery needs (Linux /proc for markers).
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>

#include "file_io.h"
#include "orchestrate/error.h"
#include "orchestrate/process.h"

extern char** environ;

namespace orchestrate {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int64_t kTailWindow = 64 * 1024;

int64_t FileSize(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

int OpenLog(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw InfraError("cannot open log file " + path + ": " + ErrnoText(errno) +
                     "; check that its directory exists and is writable");
  }
  return fd;
}

std::string SpawnFailure(const ProcessSpec& spec, int err) {
  std::string where = spec.cwd.empty() ? "." : spec.cwd;
  bool directory = err == ENOENT || err == ENOTDIR || err == EACCES;
  return "cannot start /bin/sh in " + where + ": " + ErrnoText(err) +
         (directory ? "; check that the directory exists and is accessible"
                    : "; the system may be short of processes or memory, retry later");
}

// Reads exactly `size` bytes; false at end of file or on an error.
bool ReadExactly(int fd, void* into, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = read(fd, static_cast<char*>(into) + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// A null-terminated array of pointers into `strings` (which must outlive it).
std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// A command runs under a reaper: a forked copy of this process that makes
// itself a "child subreaper" (Linux), starts /bin/sh -c command in a new
// process group, and stays its parent. Whatever the command starts and
// abandons -- a `setsid` daemon that also empties its environment included --
// is re-parented to the reaper instead of to init, and once the shell has
// exited the reaper stops and reaps every process left below it (TERM, KILL
// after the grace) before it exits with the shell's status. Between fork and
// exec only async-signal-safe calls are made: this process has threads, so
// everything the children need is prepared before the fork.
struct LaunchPlan {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* cwd = nullptr;  ///< null: stay where we are
  int log_fd = -1;
  int report_fd = -1;  ///< write end of a close-on-exec pipe to the launcher
  timespec grace{};
};

volatile sig_atomic_t reaper_stop_signal = 0;
extern "C" void NoteStopSignal(int signo) { reaper_stop_signal = signo; }

// What the children tell the launcher through the report pipe, one message
// per write (atomic on a pipe): the reaper sends the shell's pid, either
// side an error number when it cannot go on.
struct LaunchReport {
  enum Kind : int { kShellPid = 1, kError = 2 } kind;
  int value;
};

void Report(int report_fd, LaunchReport::Kind kind, int value) {
  LaunchReport report{kind, value};
  ssize_t ignored = write(report_fd, &report, sizeof report);
  (void)ignored;
}

[[noreturn]] void ChildFails(int report_fd, int err) {
  Report(report_fd, LaunchReport::kError, err);
  _exit(127);
}

void CloseDescriptorsFrom(unsigned first, unsigned last) {
  if (first > last) return;
  if (syscall(SYS_close_range, first, last, 0) == 0) return;
  rlimit limit{};
  unsigned top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
                     ? static_cast<unsigned>(limit.rlim_cur)
                     : 65536;
  for (unsigned fd = first; fd <= std::min(last, top); ++fd) close(static_cast<int>(fd));
}

// The shell: its own process group, default signal handling, stdin from
// /dev/null, stdout+stderr to the log, the cwd, no other inherited descriptor.
[[noreturn]] void ExecShell(const LaunchPlan& plan) {
  setpgid(0, 0);
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (int signo = 1; signo < NSIG; ++signo) sigaction(signo, &defaults, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Log first: with our own stdin closed, the log may have been given fd 0.
  if (dup2(plan.log_fd, 1) < 0 || dup2(plan.log_fd, 2) < 0) ChildFails(plan.report_fd, errno);
  close(0);
  int null = open("/dev/null", O_RDONLY);
  if (null < 0) ChildFails(plan.report_fd, errno);
  if (null != 0 && (dup2(null, 0) < 0 || close(null) < 0)) ChildFails(plan.report_fd, errno);
  if (plan.cwd && chdir(plan.cwd) != 0) ChildFails(plan.report_fd, errno);
  // Descriptors other threads opened without O_CLOEXEC stay behind too; the
  // report pipe closes itself on exec.
  unsigned report = static_cast<unsigned>(plan.report_fd);
  CloseDescriptorsFrom(3, report - 1);
  CloseDescriptorsFrom(report + 1, ~0U);
  execve("/bin/sh", plan.argv.data(), plan.envp.data());
  ChildFails(plan.report_fd, errno);
}

// The pids of this process's children, from /proc (the reaper is single
// threaded: its one task is itself). Returns how many fit in `pids`.
size_t ChildrenOfSelf(pid_t* pids, size_t capacity) {
  char path[64] = "/proc/self/task/";
  char digits[16];
  int n = 0;
  for (pid_t v = getpid(); v > 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  size_t at = std::strlen(path);
  while (n > 0) path[at++] = digits[--n];
  std::memcpy(path + at, "/children", sizeof "/children");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[4096];
  ssize_t size = read(fd, text, sizeof text);
  close(fd);
  size_t count = 0;
  pid_t pid = 0;
  for (ssize_t i = 0; i < size && count < capacity; ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      pid = pid * 10 + (text[i] - '0');
    } else if (pid > 0) {
      pids[count++] = pid;
      pid = 0;
    }
  }
  return count;
}

timespec MonotonicNow() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now;
}

bool Before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// Stops the shell's group and everything re-parented to us, TERM first and
// KILL once `grace` is over, until nothing is left below the reaper.
void StopEverythingBelow(pid_t shell_group, const timespec& grace) {
  timespec kill_at = MonotonicNow();
  kill_at.tv_sec += grace.tv_sec;
  kill_at.tv_nsec += grace.tv_nsec;
  if (kill_at.tv_nsec >= 1000000000L) {
    kill_at.tv_sec += 1;
    kill_at.tv_nsec -= 1000000000L;
  }
  int signo = SIGTERM;
  for (;;) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    pid_t children[256];
    size_t count = ChildrenOfSelf(children, 256);
    bool group_left = kill(-shell_group, 0) == 0;
    if (count == 0 && !group_left && waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD) return;
    if (signo == SIGTERM && !Before(MonotonicNow(), kill_at)) signo = SIGKILL;
    kill(-shell_group, signo);
    for (size_t i = 0; i < count; ++i) kill(children[i], signo);
    timespec pause{0, 5 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
}

// Ends the reaper the way the shell ended: same exit status, same signal.
[[noreturn]] void EndLike(int status) {
  if (WIFSIGNALED(status)) {
    int signo = WTERMSIG(status);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    sigaction(signo, &defaults, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, signo);
    sigprocmask(SIG_UNBLOCK, &only, nullptr);
    kill(getpid(), signo);
    _exit(128 + signo);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

// Closes every descriptor but `keep_a` and `keep_b`.
void CloseAllBut(int keep_a, int keep_b) {
  unsigned low = static_cast<unsigned>(std::min(keep_a, keep_b));
  unsigned high = static_cast<unsigned>(std::max(keep_a, keep_b));
  if (low > 0) CloseDescriptorsFrom(0, low - 1);
  CloseDescriptorsFrom(low + 1, high - 1);
  CloseDescriptorsFrom(high + 1, ~0U);
}

[[noreturn]] void Reap(const LaunchPlan& plan) {
  // A fork keeps every descriptor, close-on-exec or not: the run lock's
  // among them, which must not outlive orchestrate in a leftover reaper.
  CloseAllBut(plan.log_fd, plan.report_fd);
  setpgid(0, 0);  // away from orchestrate's group: a terminal's Ctrl-C is ours to handle
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) ChildFails(plan.report_fd, errno);
  struct sigaction note {};
  note.sa_handler = NoteStopSignal;  // no SA_RESTART: waitpid returns to forward it
  for (int signo : {SIGTERM, SIGINT, SIGHUP}) sigaction(signo, &note, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  pid_t shell = fork();
  if (shell < 0) ChildFails(plan.report_fd, errno);
  if (shell == 0) ExecShell(plan);
  setpgid(shell, shell);  // as the shell does itself: whichever runs first
  Report(plan.report_fd, LaunchReport::kShellPid, shell);
  close(plan.report_fd);
  int status = 0;
  bool forwarded = false;
  for (;;) {
    pid_t pid = waitpid(-1, &status, 0);
    if (pid == shell) break;
    if (pid < 0 && errno == ECHILD) _exit(127);  // cannot happen: the shell is ours
    if (reaper_stop_signal != 0 && !forwarded) {
      // Stopped from outside (crash recovery): pass it on; the sweep follows.
      kill(-shell, SIGTERM);
      forwarded = true;
    }
  }
  StopEverythingBelow(shell, plan.grace);
  EndLike(status);
}

// Starts the reaper and, under it, the shell. Returns {reaper pid, shell pid
// = the command's process group}.
std::pair<pid_t, pid_t> Launch(const ProcessSpec& spec, int log_fd, const std::string& marker) {
  LaunchPlan plan;
  plan.args = {"sh", "-c", spec.command};
  plan.argv = CStrings(plan.args);
  plan.env = MergeEnvironment(spec.env, {marker});
  plan.envp = CStrings(plan.env);
  if (!spec.cwd.empty()) plan.cwd = spec.cwd.c_str();
  plan.log_fd = log_fd;
  auto grace = std::chrono::duration_cast<std::chrono::nanoseconds>(spec.kill_grace).count();
  plan.grace = {static_cast<time_t>(grace / 1000000000), static_cast<long>(grace % 1000000000)};
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw InfraError("cannot prepare a child process: " + ErrnoText(errno));
  // Above stdout and stderr, which the shell's side overwrites.
  FileDescriptor read_end(fcntl(pipe_fds[0], F_DUPFD_CLOEXEC, 3));
  FileDescriptor write_end(fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, 3));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  if (read_end.get() < 0 || write_end.get() < 0)
    throw InfraError("cannot prepare a child process: " + ErrnoText(errno));
  plan.report_fd = write_end.get();
  pid_t reaper = fork();
  if (reaper < 0) throw InfraError(SpawnFailure(spec, errno));
  if (reaper == 0) Reap(plan);
  setpgid(reaper, reaper);
  write_end.reset();
  // The shell's pid, then end of file once it runs the command (in any
  // order), or an error number.
  pid_t shell = 0;
  int err = 0;
  LaunchReport report{};
  while (ReadExactly(read_end.get(), &report, sizeof report)) {
    if (report.kind == LaunchReport::kShellPid) shell = report.value;
    if (report.kind == LaunchReport::kError) err = report.value;
  }
  if (shell > 0 && err == 0) return {reaper, shell};
  int status = 0;
  while (waitpid(reaper, &status, 0) < 0 && errno == EINTR) {
  }
  throw InfraError(SpawnFailure(spec, err == 0 ? EIO : err));
}

// Sleeps a little longer each time: fast commands finish fast, long ones
// cost little.
class Backoff {
 public:
  void Sleep() {
    std::this_thread::sleep_for(delay_);
    delay_ = std::min(delay_ * 3 / 2, milliseconds(50));
  }

 private:
  milliseconds delay_{5};
};

bool GroupExists(int pgid) { return kill(-pgid, 0) == 0 || errno != ESRCH; }

// Waits until the group has no members or `deadline` passes.
bool WaitForGroupToVanish(int pgid, Clock::time_point deadline) {
  Backoff backoff;
  while (GroupExists(pgid)) {
    if (Clock::now() >= deadline) return false;
    backoff.Sleep();
  }
  return true;
}

// The TERM-then-KILL sequence for one group.
class GroupStopper {
 public:
  explicit GroupStopper(int pgid, Duration grace) : pgid_(pgid), grace_(grace) {}
  bool stopping() const { return stopping_; }
  void Begin() {
    kill(-pgid_, SIGTERM);
    kill_at_ = Clock::now() + grace_;
    stopping_ = true;
  }
  void KillIfDue() {
    if (killed_ || Clock::now() < kill_at_) return;
    kill(-pgid_, SIGKILL);
    killed_ = true;
  }
  // After the leader exited: members still there at the end of the grace get KILL.
  void FinishGroup() {
    if (!stopping() || killed_) return;
    if (!WaitForGroupToVanish(pgid_, kill_at_)) kill(-pgid_, SIGKILL);
    killed_ = true;
  }

 private:
  int pgid_;
  Duration grace_;
  // A plain time point and flag: GCC 12 warns (wrongly) that an optional
  // one may be used uninitialized.
  Clock::time_point kill_at_{};
  bool stopping_ = false;
  bool killed_ = false;
};

// Watches one running child until it exits, stopping it on timeout or cancel.
class ChildWatch {
 public:
  // `pid` is the reaper, `group` the shell's process group.
  ChildWatch(pid_t pid, pid_t group, const ProcessSpec& spec, const std::atomic<bool>* cancel,
             ProcessResult& result)
      : pid_(pid),
        group_(group),
        spec_(spec),
        cancel_(cancel),
        result_(result),
        stopper_(group, spec.kill_grace) {
#ifdef SYS_pidfd_open
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#endif
  }
  ~ChildWatch() {
    if (pidfd_ >= 0) close(pidfd_);
  }
  ChildWatch(const ChildWatch&) = delete;
  ChildWatch& operator=(const ChildWatch&) = delete;

  // Returns the leader's wait status once it has exited and the group is settled.
  int Wait() {
    Backoff backoff;
    int status = 0;
    while (!Reaped(&status)) {
      if (stopper_.stopping())
        stopper_.KillIfDue();
      else
        CheckLimits();
      Pause(backoff);
    }
    stopper_.FinishGroup();
    return status;
  }

  // For failures after the spawn: stops the group at once and reaps the leader.
  void Abandon() {
    kill(-group_, SIGKILL);
    kill(pid_, SIGTERM);  // the reaper stops what is left below it, then ends
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }

 private:
  // Until the child exits (a pidfd becomes readable then: no polling delay
  // for quick commands), or 50 ms pass, so limits and cancel are checked.
  void Pause(Backoff& backoff) {
    if (pidfd_ < 0) return backoff.Sleep();
    pollfd fd{pidfd_, POLLIN, 0};
    poll(&fd, 1, 50);
  }

  bool Reaped(int* status) {
    pid_t r = waitpid(pid_, status, WNOHANG);
    if (r == pid_) return true;
    if (r < 0 && errno != EINTR) {
      throw InfraError("cannot wait for process " + std::to_string(pid_) + ": " + ErrnoText(errno));
    }
    return false;
  }
  void CheckLimits() {
    if (spec_.timeout && Clock::now() - start_ >= *spec_.timeout) {
      result_.timed_out = true;
      result_.timeout = *spec_.timeout;
      stopper_.Begin();
    } else if (cancel_ && cancel_->load()) {
      result_.cancelled = true;
      stopper_.Begin();
    }
  }

  pid_t pid_;
  pid_t group_;
  const ProcessSpec& spec_;
  const std::atomic<bool>* cancel_;
  ProcessResult& result_;
  GroupStopper stopper_;
  Clock::time_point start_ = Clock::now();
  int pidfd_ = -1;  ///< -1 where the kernel has no pidfd_open (before Linux 5.3)
};

void RecordStatus(int status, ProcessResult& result) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
}

std::string_view KeyOf(std::string_view entry) { return entry.substr(0, entry.find('=')); }

std::string ReadRange(int fd, int64_t begin, int64_t end) {
  std::string bytes(static_cast<size_t>(end - begin), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = pread(fd, bytes.data() + done, bytes.size() - done, begin + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

// Bytes [begin, end) of the file at `path` (end < 0 or past its size: to
// its end), at most the last `limit` of them; "" when it cannot be opened.
std::string ReadClamped(const std::string& path, int64_t begin, int64_t end, int64_t limit) {
  FileDescriptor file(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return "";
  int64_t size = FileSize(file.get());
  if (end < 0 || end > size) end = size;
  begin = std::clamp<int64_t>(begin, std::max<int64_t>(0, end - limit), end);
  return ReadRange(file.get(), begin, end);
}

// The last `max_lines` lines of `text`; a final newline ends the last line.
std::string LastLines(const std::string& text, int max_lines) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (int n = 0; n < max_lines; ++n) {
    size_t newline = pos == 0 ? std::string::npos : text.rfind('\n', pos - 1);
    if (newline == std::string::npos) return text;
    pos = newline;
  }
  return text.substr(pos + 1);
}

std::string ReadProcFile(int pid, const char* name) {
  return ReadWholeFile("/proc/" + std::to_string(pid) + "/" + name).value_or("");
}

// The process group of `pid` from /proc/<pid>/stat, or -1.
int GroupOf(int pid) {
  std::string stat = ReadProcFile(pid, "stat");
  size_t paren = stat.rfind(')');  // the command name may contain anything
  if (paren == std::string::npos) return -1;
  char state = 0;
  int parent = 0, group = -1;
  if (std::sscanf(stat.c_str() + paren + 1, " %c %d %d", &state, &parent, &group) != 3) return -1;
  return group;
}

// A process in the middle of execve shows an empty environment for a moment.
std::string ReadEnvironment(int pid) {
  std::string environment = ReadProcFile(pid, "environ");
  for (int retry = 0; environment.empty() && retry < 3; ++retry) {
    std::this_thread::sleep_for(milliseconds(2));
    environment = ReadProcFile(pid, "environ");
  }
  return environment;
}

bool ContainsEntry(const std::string& environment, const std::string& entry) {
  size_t start = 0;
  while (start < environment.size()) {
    size_t end = environment.find('\0', start);
    if (end == std::string::npos) end = environment.size();
    if (std::string_view(environment).substr(start, end - start) == entry) return true;
    start = end + 1;
  }
  return false;
}

bool EnvironmentHas(int pid, const std::string& entry) {
  return ContainsEntry(ReadEnvironment(pid), entry);
}

// Every pid in /proc (other than our own) for which `keep` is true.
template <typename Keep>
std::vector<int> ProcessesWhere(Keep keep) {
  std::vector<int> pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  int self = getpid();
  while (dirent* entry = readdir(proc)) {
    int pid = 0;
    std::string_view name = entry->d_name;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (err != std::errc() || end != name.data() + name.size() || pid == self) continue;
    if (keep(pid)) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}

// Members of group `pgid` other than its leader, from /proc.
std::vector<int> OtherMembers(int pgid) {
  return ProcessesWhere([&](int pid) { return pid != pgid && GroupOf(pid) == pgid; });
}

// Processes whose environment holds `marker`: whatever a command started,
// in its group or not (a `setsid` daemon), unless it cleared its
// environment. Reads each environment once: a process caught in the middle
// of an exec is found by the next scan.
std::vector<int> MarkedProcesses(const std::string& marker) {
  return ProcessesWhere(
      [&](int pid) { return ContainsEntry(ReadProcFile(pid, "environ"), marker); });
}

// Not gone and not a zombie waiting for its parent.
bool Alive(int pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::string stat = ReadProcFile(pid, "stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

// A unique environment entry for each command this process starts.
std::string NewCommandMarker() {
  static std::atomic<uint64_t> commands{0};
  return "ORCHESTRATE_COMMAND=" + std::to_string(getpid()) + "." +
         std::to_string(commands.fetch_add(1) + 1);
}

// After the command's shell exited: its group's remaining members and every
// process carrying its marker get TERM, then KILL once `grace` is over, so
// nothing it started outlives it (and writes into the next commit).
void StopLeftovers(int pgid, const std::string& marker, Duration grace) {
  std::vector<int> left = MarkedProcesses(marker);
  if (GroupExists(pgid)) {
    std::vector<int> members = ProcessesWhere([&](int pid) { return GroupOf(pid) == pgid; });
    left.insert(left.end(), members.begin(), members.end());
  }
  // Zombies count as gone: whoever adopted them may be slow to reap them.
  auto all_gone = [&] { return std::none_of(left.begin(), left.end(), Alive); };
  if (all_gone()) return;
  kill(-pgid, SIGTERM);
  for (int pid : left) kill(pid, SIGTERM);
  Clock::time_point deadline = Clock::now() + grace;
  Backoff backoff;
  while (!all_gone() && Clock::now() < deadline) backoff.Sleep();
  if (all_gone()) return;
  kill(-pgid, SIGKILL);
  for (int pid : left) kill(pid, SIGKILL);
  for (int pid : MarkedProcesses(marker)) kill(pid, SIGKILL);  // started meanwhile
}

}  // namespace

std::string ProcessResult::Describe() const {
  if (cancelled) return "interrupted";
  if (timed_out)
    return "timed out after " + FormatDuration(timeout.count() > 0 ? timeout : elapsed);
  if (term_signal != 0) return "killed by signal " + std::to_string(term_signal);
  return "exit status " + std::to_string(exit_code);
}

ProcessResult RunProcess(const ProcessSpec& spec, const std::atomic<bool>* cancel,
                         const ProcessHooks& hooks) {
  FileDescriptor log(OpenLog(spec.log_path));
  ProcessResult result;
  result.log_begin = FileSize(log.get());
  Clock::time_point start = Clock::now();
  std::string marker = NewCommandMarker();
  auto [reaper, pid] = Launch(spec, log.get(), marker);
  ChildWatch watch(reaper, pid, spec, cancel, result);
  bool announced = false;
  try {
    if (hooks.started) hooks.started(pid);
    announced = true;
    RecordStatus(watch.Wait(), result);
  } catch (...) {
    watch.Abandon();
    StopLeftovers(pid, marker, Duration(0));
    if (announced && hooks.ended) hooks.ended(pid);
    throw;
  }
  result.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - start);
  StopLeftovers(pid, marker, spec.kill_grace);
  result.log_end = FileSize(log.get());
  if (hooks.ended) hooks.ended(pid);
  return result;
}

std::vector<std::string> CurrentEnvironment() {
  std::vector<std::string> entries;
  for (char** entry = environ; entry && *entry; ++entry) entries.emplace_back(*entry);
  return entries;
}

std::vector<std::string> MergeEnvironment(std::vector<std::string> base,
                                          const std::vector<std::string>& overrides) {
  for (const std::string& entry : overrides) {
    auto same_key = [&](const std::string& b) { return KeyOf(b) == KeyOf(entry); };
    auto found = std::find_if(base.begin(), base.end(), same_key);
    if (found != base.end())
      *found = entry;
    else
      base.push_back(entry);
  }
  return base;
}

std::string ReadTail(const std::string& path, int max_lines, int64_t begin, int64_t end) {
  if (max_lines <= 0) return "";
  return LastLines(ReadClamped(path, begin, end, kTailWindow), max_lines);
}

std::string ReadRangeOf(const std::string& path, int64_t begin, int64_t end) {
  return ReadClamped(path, begin, end, std::numeric_limits<int64_t>::max());
}

bool ProcessGroupHasMarker(int pgid, const std::string& marker) {
  if (pgid <= 1 || kill(-pgid, 0) != 0) return false;
  if (GroupOf(pgid) == pgid && EnvironmentHas(pgid, marker)) return true;
  for (int pid : OtherMembers(pgid)) {
    if (EnvironmentHas(pid, marker)) return true;
  }
  return false;
}

std::vector<int> ProcessGroupsWithMarker(const std::string& marker) {
  std::vector<int> groups;
  DIR* proc = opendir("/proc");
  if (!proc) return groups;
  while (dirent* entry = readdir(proc)) {
    int pid = 0;
    std::string_view name = entry->d_name;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (err != std::errc() || end != name.data() + name.size() || !EnvironmentHas(pid, marker))
      continue;
    int group = GroupOf(pid);
    if (group > 1 && std::find(groups.begin(), groups.end(), group) == groups.end())
      groups.push_back(group);
  }
  closedir(proc);
  return groups;
}

bool AnyProcessWorkingIn(const std::string& dir) {
  DIR* proc = opendir("/proc");
  if (!proc) return false;
  bool found = false;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    char cwd[4096];
    std::string link = std::string("/proc/") + entry->d_name + "/cwd";
    ssize_t size = readlink(link.c_str(), cwd, sizeof cwd);
    if (size <= 0) continue;
    std::string_view path(cwd, static_cast<size_t>(size));
    if (path == dir || (path.starts_with(dir) && path[dir.size()] == '/')) {
      found = true;
      break;
    }
  }
  closedir(proc);
  return found;
}

void KillProcessGroup(int pgid, Duration grace) {
  if (pgid <= 1 || pgid == getpgrp()) return;
  if (kill(-pgid, SIGTERM) != 0) return;
  if (!WaitForGroupToVanish(pgid, Clock::now() + grace)) kill(-pgid, SIGKILL);
}

}  // namespace orchestrate
