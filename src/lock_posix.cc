// The single-run lock: flock(2) on .orchestrate/lock, holding the holder's pid.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <system_error>

#include "file_io.h"
#include "orchestrate/error.h"
#include "orchestrate/process.h"

namespace orchestrate {
namespace {

// True when we now hold the lock; false when someone else does.
bool TryLock(int fd, const std::string& path) {
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return false;
    if (errno != EINTR) throw InfraError("cannot lock " + path + ": " + ErrnoText(errno));
  }
  return true;
}

// Best effort: the pid only serves the message another run prints. Written
// over the old one, then cut to its length: truncating to zero first makes
// ext4 write the file out to disk when it is closed (its auto_da_alloc, meant
// for files rewritten in place), a disk write at every run for six bytes
// (docs/performance.md, "Eleventh round"). ReadPid stops at the newline.
void WritePid(int fd) {
  std::string text = std::to_string(getpid()) + "\n";
  if (pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) return;
  [[maybe_unused]] int rc = ftruncate(fd, static_cast<off_t>(text.size()));
}

int ReadPid(int fd) {
  char buffer[32];
  ssize_t n = pread(fd, buffer, sizeof buffer, 0);
  int pid = 0;
  if (n <= 0 || std::from_chars(buffer, buffer + n, pid).ec != std::errc()) return 0;
  return pid;
}

}  // namespace

bool RunLock::Acquire(const std::string& path, int* holder_pid) {
  if (fd_ >= 0) return true;
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw InfraError("cannot open the run lock " + path + ": " + ErrnoText(errno) +
                     "; check that the directory exists and is writable");
  }
  bool locked = false;
  try {
    // RunLockHeld takes a shared lock for an instant: a few more tries
    // tell such a probe from a run.
    for (int tries = 0; !locked && tries < 5; ++tries) {
      if (tries > 0) usleep(2000);
      locked = TryLock(fd, path);
    }
  } catch (...) {
    close(fd);
    throw;
  }
  if (locked) {
    fd_ = fd;
    WritePid(fd);
    return true;
  }
  if (holder_pid) *holder_pid = ReadPid(fd);
  close(fd);
  return false;
}

bool RunLockHeld(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no lock file: no run ever took it
  int held = -1;
  while (held < 0) {
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
      flock(fd, LOCK_UN);
      held = 0;
    } else if (errno == EWOULDBLOCK) {
      held = 1;
    } else if (errno != EINTR) {
      held = 0;  // cannot tell: a lock we cannot even probe guards nothing
    }
  }
  close(fd);
  return held == 1;
}

RunLock::~RunLock() { Release(); }

void RunLock::Release() {
  if (fd_ < 0) return;
  flock(fd_, LOCK_UN);
  close(fd_);
  fd_ = -1;
}

}  // namespace orchestrate
