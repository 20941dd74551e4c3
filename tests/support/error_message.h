// The message of the exception a piece of code throws, for tests that check
// what a user is told.
#pragma once

#include <functional>
#include <string>

namespace orchestrate::testing {

/// What `f` throws as an `E`; a note saying so when it throws nothing.
template <typename E>
std::string MessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception of the expected type)";
}

}  // namespace orchestrate::testing
