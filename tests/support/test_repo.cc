#include "support/test_repo.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace orchestrate::testing {

TempDir::TempDir() {
  fs::path base = fs::temp_directory_path();
  std::string templ = (base / "orchestrate-test-XXXXXX").string();
  char* made = mkdtemp(templ.data());
  if (!made) throw std::runtime_error("mkdtemp failed");
  path_ = fs::canonical(made).string();
}

TempDir::~TempDir() {
  if (std::getenv("ORCHESTRATE_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

bool Installed(const std::string& program) {
  return Shell("command -v " + ShellQuote(program) + " >/dev/null").status == 0;
}

ShellResult Shell(const std::string& command, const std::string& cwd) {
  std::string full = "cd " + ShellQuote(cwd) + " && ( " + command + " ) 2>&1 </dev/null";
  ShellResult result;
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  int status = pclose(pipe);
  if (WIFEXITED(status))
    result.status = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.status = 128 + WTERMSIG(status);
  return result;
}

std::string MustShell(const std::string& command, const std::string& cwd) {
  ShellResult r = Shell(command, cwd);
  if (r.status != 0)
    ADD_FAILURE() << "command failed (" << r.status << "): " << command << "\n" << r.out;
  return r.out;
}

void WriteFile(const std::string& dir, const std::string& relpath, const std::string& content) {
  fs::path p = fs::path(dir) / relpath;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool FileExists(const std::string& path) { return fs::exists(path); }

std::string InitRepo(const std::string& dir,
                     const std::vector<std::pair<std::string, std::string>>& files) {
  fs::create_directories(dir);
  MustShell(
      "git init -q -b main . && git config user.name Tester && git config user.email "
      "tester@example.com"
      " && git config commit.gpgsign false",
      dir);
  for (const auto& [path, content] : files) WriteFile(dir, path, content);
  return CommitAll(dir, "initial");
}

std::string CommitAll(const std::string& dir, const std::string& message) {
  MustShell("git add -A && git commit -q --allow-empty -m " + ShellQuote(message), dir);
  std::string head = MustShell("git rev-parse HEAD", dir);
  while (!head.empty() && (head.back() == '\n')) head.pop_back();
  return head;
}

ObjectId Oid(std::string hex) {
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  std::optional<ObjectId> id = ObjectId::FromHex(hex);
  if (!id || id->empty()) throw std::invalid_argument("not an object id: '" + hex + "'");
  return *id;
}

}  // namespace orchestrate::testing
