// Error types shared by every layer. Only main() turns them into exit codes:
// a layer below throws UsageError (the user can fix it) or InfraError (the
// machine failed); main catches every exception and asks ExitFailureOf for
// the status and the message.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace orchestrate {

/// A problem with how orchestrate was called or with the repository it was
/// pointed at, found before anything ran (exit status 2). The message says
/// what to do.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

/// A failure of the machinery rather than of a phase: the git object store,
/// the disk, permissions (exit status 3). Retrying may help.
class InfraError : public std::runtime_error {
 public:
  explicit InfraError(const std::string& message) : std::runtime_error(message) {}
};

/// Exit codes of SPEC section 5.
enum ExitCode : int {
  kExitOk = 0,
  kExitPhaseFailed = 1,
  kExitUsage = 2,
  kExitInfra = 3,
  kExitSigint = 130,
  kExitSigterm = 143,
};

/// What main does with an exception that reached it: the exit code and the
/// one-line message it prints.
struct ExitFailure {
  int code = kExitInfra;
  std::string message;
};

/// The exit code and message for the exception `error`: a UsageError 2, an
/// InfraError 3 ("... (retrying may help)"), a std::filesystem error or
/// out of memory 3 with what failed, anything else 3 as "internal error:
/// ...; please report it". Never throws.
ExitFailure ExitFailureOf(const std::exception_ptr& error) noexcept;

}  // namespace orchestrate
