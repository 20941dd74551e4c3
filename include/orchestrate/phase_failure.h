// The error that ends one phase as failed rather than stopping the run.
#pragma once

#include <stdexcept>
#include <string>

namespace orchestrate {

/// A phase cannot go on because of what it, or a result it starts from, did
/// to its worktree (deleted it, committed a link that a copy would follow
/// out of the repository). The phase fails with this message; running the
/// same input again would fail the same way, so it is not an InfraError.
class PhaseFailure : public std::runtime_error {
 public:
  explicit PhaseFailure(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace orchestrate
