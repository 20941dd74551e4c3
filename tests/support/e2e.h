// Driving the real orchestrate binary in throwaway repositories.
#pragma once

#include <string>
#include <vector>

#include "support/test_repo.h"

namespace orchestrate::testing {

/// Runs `orchestrate ARGS` in `cwd` (ARGS is shell text) with `env_prefix`
/// (e.g. "FOO=1 ") and CI=true so output is plain lines.
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

 private:
  TempDir temp_;
};

/// True when process `pid` exists and is not a zombie.
bool ProcessAlive(const std::string& pid);

/// Lines of `text` containing `needle`.
int CountLines(const std::string& text, const std::string& needle);

}  // namespace orchestrate::testing
