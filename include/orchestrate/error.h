// Error types shared by every layer. Only main() turns them into exit codes.
#pragma once

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

/// Exit statuses of SPEC section 5.
enum ExitStatus : int {
  kExitOk = 0,
  kExitPhaseFailed = 1,
  kExitUsage = 2,
  kExitInfra = 3,
  kExitSigint = 130,
  kExitSigterm = 143,
};

}  // namespace orchestrate
