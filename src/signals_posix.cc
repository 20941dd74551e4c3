// SIGINT/SIGTERM/SIGHUP handling: the handler only records the signal; the
// scheduler polls the flag and stops its children. SIGHUP (the terminal was
// closed) is handled like SIGTERM: left at its default it would kill
// orchestrate and leave the phases, in process groups of their own, running.
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <system_error>

#include "orchestrate/error.h"
#include "orchestrate/process.h"

namespace orchestrate {
namespace {

// Set from a signal handler, so it must be lock-free.
std::atomic<int> received_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

void RecordSignal(int signal_number) { received_signal.store(signal_number); }

void Install(int signal_number) {
  struct sigaction action {};
  action.sa_handler = RecordSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (sigaction(signal_number, &action, nullptr) != 0) {
    throw InfraError("cannot install a handler for signal " + std::to_string(signal_number) + ": " +
                     std::error_code(errno, std::generic_category()).message());
  }
}

}  // namespace

std::atomic<int>& InstallSignalHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    Install(SIGINT);
    Install(SIGTERM);
    Install(SIGHUP);
  });
  return received_signal;
}

}  // namespace orchestrate
