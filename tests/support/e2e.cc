#include "support/e2e.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <sstream>

namespace orchestrate::testing {

#ifndef ORCHESTRATE_BINARY
#define ORCHESTRATE_BINARY "orchestrate"
#endif

const char* OrchestrateBinary() { return ORCHESTRATE_BINARY; }

std::string OrchestrateCommand(const std::string& args, const std::string& env_prefix) {
  return "env CI=true GITHUB_STEP_SUMMARY= ORCHESTRATE_KILL_GRACE=1 " + env_prefix + " " +
         ShellQuote(OrchestrateBinary()) + " " + args;
}

ShellResult Orchestrate(const std::string& args, const std::string& cwd,
                        const std::string& env_prefix) {
  return Shell(OrchestrateCommand(args, env_prefix), cwd);
}

Scenario::Scenario(const std::string& manifest,
                   std::vector<std::pair<std::string, std::string>> files) {
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

std::string Scenario::Files(const std::string& rev) const {
  return Shell("git ls-tree -r --name-only " + ShellQuote(rev), repo()).out;
}

void Scenario::AddOrigin() const {
  MustShell(
      "git init -q --bare ../remote.git && git remote add origin ../remote.git && "
      "git push -q origin main",
      repo());
}

std::string Scenario::CloneOrigin(const std::string& name) const {
  MustShell("git clone -q -b main remote.git " + ShellQuote(name) + " && cd " + ShellQuote(name) +
                " && git config user.name T && git config user.email t@t",
            dir());
  return dir() + "/" + name;
}

nlohmann::json Scenario::Status() const {
  ShellResult r = Run("status --json");
  auto status = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (status.is_discarded()) {
    ADD_FAILURE() << "status --json printed no JSON (" << r.status << "): " << r.out;
    return nlohmann::json::object();
  }
  return status;
}

std::map<std::string, std::string> Scenario::States() const {
  nlohmann::json status = Status();
  std::map<std::string, std::string> states;
  if (!status.contains("phases")) return states;
  for (const auto& p : status["phases"]) states[p["name"]] = p["state"];
  return states;
}

std::string Scenario::State(const std::string& phase) const {
  auto states = States();
  auto it = states.find(phase);
  return it == states.end() ? "" : it->second;
}

std::string LoggedPhase(const std::string& name, const std::string& deps,
                        const std::string& extra) {
  // Phases run in .orchestrate/worktrees/wN: ../../ is .orchestrate/.
  return "[phase." + name + "]\ndeps = [" + deps + "]\nrun = \"echo " + name +
         " >> ../../ran.log; echo " + name + " > " + name + ".txt\"\n" + extra;
}

std::string Ran(const std::string& repo) {
  std::string path = repo + "/.orchestrate/ran.log";
  std::string ran = ReadFile(path);
  std::remove(path.c_str());
  return ran;
}

std::string StatusLine(const std::string& status, const std::string& phase) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(phase + " ", 0) == 0) return line;
  return "";
}

BackgroundRun::BackgroundRun(const std::string& cwd, const std::string& args,
                             const std::string& env_prefix) {
  // The subshell waits for orchestrate to learn its exit status and writes
  // it, like the pid, through a rename: a file that exists is complete.
  std::string d = ShellQuote(files_.path());
  MustShell("( " + OrchestrateCommand(args, env_prefix) + " > " + d + "/out 2>&1 & echo $! > " + d +
                "/pid.tmp; mv " + d + "/pid.tmp " + d + "/pid; wait $!; echo $? > " + d +
                "/status.tmp; mv " + d + "/status.tmp " + d + "/status ) > /dev/null 2>&1 &",
            cwd);
  if (!WaitForFile(files_.path() + "/pid")) {
    ADD_FAILURE() << "orchestrate " << args << " did not start";
    return;
  }
  pid_ = std::stoi(ReadFile(files_.path() + "/pid"));
}

BackgroundRun::~BackgroundRun() {
  if (pid_ <= 0 || FileExists(files_.path() + "/status")) return;
  kill(pid_, SIGKILL);
  WaitForFile(files_.path() + "/status");
}

void BackgroundRun::Signal(const std::string& signal) const {
  MustShell("kill -" + signal + " " + std::to_string(pid_));
}

int BackgroundRun::Wait() const {
  if (pid_ <= 0 || !WaitForFile(files_.path() + "/status")) return -1;
  return std::stoi(ReadFile(files_.path() + "/status"));
}

std::string BackgroundRun::Output() const { return ReadFile(files_.path() + "/out"); }

}  // namespace orchestrate::testing
