#include "support/e2e.h"

#include <sstream>

namespace orchestrate::testing {

#ifndef ORCHESTRATE_BINARY
#define ORCHESTRATE_BINARY "orchestrate"
#endif

ShellResult Orchestrate(const std::string& args, const std::string& cwd, const std::string& env_prefix) {
  return Shell("env CI=true GITHUB_STEP_SUMMARY= ORCHESTRATE_KILL_GRACE=1 " + env_prefix + " " +
                   ShellQuote(ORCHESTRATE_BINARY) + " " + args,
               cwd);
}

Scenario::Scenario(const std::string& manifest, std::vector<std::pair<std::string, std::string>> files) {
  files.emplace_back("orchestrate.toml", manifest);
  InitRepo(repo(), files);
}

void Scenario::SetManifest(const std::string& manifest, bool commit) const {
  WriteFile(repo(), "orchestrate.toml", manifest);
  if (commit) CommitAll(repo(), "manifest");
}

std::string Scenario::Rev(const std::string& rev) const {
  ShellResult r = Shell("git rev-parse --verify -q " + ShellQuote(rev + "^{commit}"), repo());
  std::string out = r.status == 0 ? r.out : "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Scenario::Show(const std::string& rev_path) const {
  return Shell("git show " + ShellQuote(rev_path), repo()).out;
}

bool ProcessAlive(const std::string& pid) {
  std::string stat = ReadFile("/proc/" + pid.substr(0, pid.find_first_of(" \n")) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

int CountLines(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

}  // namespace orchestrate::testing
