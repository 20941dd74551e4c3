// Driving the real orchestrate binary in throwaway repositories.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/test_repo.h"
#include "support/text.h"
#include "support/wait.h"

namespace orchestrate::testing {

/// The orchestrate binary under test.
const char* OrchestrateBinary();

/// The shell text that runs `orchestrate ARGS` with `env_prefix` (e.g.
/// "FOO=1 ") and CI=true so output is plain lines.
std::string OrchestrateCommand(const std::string& args, const std::string& env_prefix = "");

/// Runs `orchestrate ARGS` in `cwd` (ARGS is shell text) with `env_prefix`.
ShellResult Orchestrate(const std::string& args, const std::string& cwd,
                        const std::string& env_prefix = "");

/// A repository in a temp dir with an orchestrate.toml and initial files,
/// committed on main.
class Scenario {
 public:
  Scenario(const std::string& manifest,
           std::vector<std::pair<std::string, std::string>> files = {});
  const std::string& dir() const { return temp_.path(); }
  std::string repo() const { return temp_.path() + "/repo"; }
  ShellResult Run(const std::string& args, const std::string& env = "") const {
    return Orchestrate(args, repo(), env);
  }
  /// Rewrites the manifest and commits it (or leaves it uncommitted).
  void SetManifest(const std::string& manifest, bool commit = true) const;
  /// `git rev-parse REV` in the repository ("" when it does not resolve).
  std::string Rev(const std::string& rev) const;
  /// `git show REV:PATH`.
  std::string Show(const std::string& rev_path) const;
  /// The files of commit REV, one path a line (`git ls-tree -r --name-only`).
  std::string Files(const std::string& rev) const;
  /// Makes a bare repository DIR/remote.git the repository's `origin` and
  /// pushes main to it.
  void AddOrigin() const;
  /// Clones origin's main into DIR/NAME, with a user name and email set;
  /// returns its path.
  std::string CloneOrigin(const std::string& name) const;
  /// `status --json`, parsed (an empty object, and a test failure, when it
  /// prints no JSON).
  nlohmann::json Status() const;
  /// Every phase's state as `status --json` names it.
  std::map<std::string, std::string> States() const;
  /// One phase's state ("" when status does not list it).
  std::string State(const std::string& phase) const;

 private:
  TempDir temp_;
};

/// A phase table that appends the phase's name to .orchestrate/ran.log and
/// writes NAME.txt, so tests see what ran; `deps` is TOML array content,
/// `extra` more lines of the table.
std::string LoggedPhase(const std::string& name, const std::string& deps,
                        const std::string& extra = "");

/// What LoggedPhase phases logged in `repo` since the last call, one name a
/// line (the log is emptied).
std::string Ran(const std::string& repo);

/// The line of `orchestrate status` output about `phase` ("" when none).
std::string StatusLine(const std::string& status, const std::string& phase);

/// `orchestrate ARGS` running in the background in `cwd`, for tests that
/// signal it or run something beside it. Tests wait for what they need
/// (readiness files, a state) rather than for a guessed time.
class BackgroundRun {
 public:
  BackgroundRun(const std::string& cwd, const std::string& args,
                const std::string& env_prefix = "");
  /// Kills the process if it still runs and waits for it.
  ~BackgroundRun();
  BackgroundRun(const BackgroundRun&) = delete;
  BackgroundRun& operator=(const BackgroundRun&) = delete;

  int pid() const { return pid_; }
  /// Sends `signal` (a name: INT, TERM, HUP, KILL) to the process.
  void Signal(const std::string& signal) const;
  /// Waits until the process has ended; its exit status (128+N when killed
  /// by signal N), or -1 when it did not end within kReadyTimeout.
  int Wait() const;
  /// Its output so far, stdout and stderr interleaved.
  std::string Output() const;

 private:
  TempDir files_;
  int pid_ = 0;
};

}  // namespace orchestrate::testing
