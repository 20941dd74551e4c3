// Waiting for an observable condition instead of sleeping for a guessed time.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace orchestrate::testing {

/// How long a test waits for something that must happen: generous, so that a
/// busy 2-core machine running the sanitizer build still makes it. A test
/// only waits this long when it is about to fail.
inline constexpr std::chrono::milliseconds kReadyTimeout = std::chrono::seconds(120);

/// Calls `ready` every 10 ms until it returns true or `timeout` has passed;
/// returns whether it did.
bool WaitUntil(const std::function<bool()>& ready,
               std::chrono::milliseconds timeout = kReadyTimeout);

/// Waits until a file exists at `path` (a stand-in command's readiness file).
bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout = kReadyTimeout);

/// Waits until process `pid` has ended (gone or a zombie).
bool WaitForProcessExit(int pid, std::chrono::milliseconds timeout = kReadyTimeout);

/// True when process `pid` exists and is not a zombie.
bool ProcessAlive(int pid);
bool ProcessAlive(const std::string& pid);

}  // namespace orchestrate::testing
