#include "support/wait.h"

#include <thread>

#include "support/test_repo.h"

namespace orchestrate::testing {

bool WaitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return FileExists(path); }, timeout);
}

bool WaitForProcessExit(int pid, std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return !ProcessAlive(pid); }, timeout);
}

bool ProcessAlive(int pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

bool ProcessAlive(const std::string& pid) {
  std::string digits = pid.substr(0, pid.find_first_of(" \n"));
  return !digits.empty() && ProcessAlive(std::stoi(digits));
}

}  // namespace orchestrate::testing
