// The shell steps every generated CI pipeline shares (ci_github.cc,
// ci_gitlab.cc): building and installing the package, running a phase,
// pushing records and the target. POSIX sh, one string per script.
#pragma once

#include <string>

#include "orchestrate/ci_pipeline.h"

namespace orchestrate::ci {

/// The package job: leaves orchestrate_*.deb in orchestrate-package/, or
/// only a note there when orchestrate is already on PATH. The source is this
/// repository when it is orchestrate's, else a clone of $ORCHESTRATE_SOURCE
/// (at $ORCHESTRATE_SOURCE_REF when set).
std::string PackageScript();

/// Uses the orchestrate on PATH, else installs the package job's .deb
/// (`sudo` is prefixed when not root); excludes orchestrate-package/ and the
/// reports from git's view, so a run does not call them uncommitted changes.
std::string InstallScript();

/// `orchestrate run`, with -f when the manifest is not ./orchestrate.toml.
std::string RunCommand(const CiPipeline& pipeline);

/// `orchestrate cache pull REMOTE`.
std::string PullScript(const std::string& remote);

/// `orchestrate run PHASE --only`.
std::string RunPhaseScript(const CiPipeline& pipeline, const CiJob& job);

/// The integrating run of the named phases, writing the JUnit report and
/// the trace named below.
std::string IntegrateScript(const CiPipeline& pipeline);
inline constexpr const char* kJunitFile = "orchestrate-junit.xml";
inline constexpr const char* kTraceFile = "orchestrate-trace.json";

/// `cache push REMOTE`, tried five times with growing pauses: records are
/// immutable, so a push the remote rejected for a concurrent update succeeds
/// when tried again.
std::string PushRecordsScript(const std::string& remote);

/// Pushes the target branch (force: orchestrate rewrites it on every run).
std::string PushTargetScript(const CiPipeline& pipeline, const std::string& remote);

}  // namespace orchestrate::ci
