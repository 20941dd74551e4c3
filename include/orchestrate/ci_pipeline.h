// CI pipelines (SPEC section 7): the selected phases as one CI job each, and
// that pipeline written for GitHub Actions or GitLab CI. No I/O.
#pragma once

#include <string>
#include <vector>

#include "orchestrate/graph.h"

namespace orchestrate {

enum class CiEngine { kGitHub, kGitLab };

/// One phase's job.
struct CiJob {
  std::string id;                  ///< the job's id in the pipeline, unique (see CiJobId)
  std::string phase;               ///< the phase it runs
  std::vector<std::string> needs;  ///< ids of its dependencies' jobs, in manifest order
  /// Concurrency group (GitHub) or resource group (GitLab) carrying the
  /// phase's pool limit; empty when none is needed or none can express it.
  std::string group;
  int timeout_minutes = 0;  ///< 0: the engine's default
};

/// The pipeline of one selection of phases.
struct CiPipeline {
  CiEngine engine = CiEngine::kGitHub;
  std::vector<CiJob> jobs;           ///< dependencies before dependents
  std::vector<std::string> targets;  ///< the phases named on the command line
  std::vector<std::string> key_env;  ///< every selected phase's key_env, sorted, once each
  std::string target_branch;         ///< settings.target
  std::string manifest;              ///< relative to the repository root
  /// One sentence per pool whose limit the engine cannot express.
  std::vector<std::string> unenforced_pools;
};

/// Builds the pipeline of `selected` (topo order, from Graph::Select).
/// A pool of depth d spreads its members over d groups in turn, so no more
/// than d run at once. GitHub cancels a pending job when a third one joins
/// its concurrency group, so there a pool gets groups only when no group
/// would hold more than two jobs; otherwise it is listed in
/// `unenforced_pools`. A phase's job timeout covers every command of every
/// attempt (timeout x commands x (1 + retries)) plus 10 minutes for the
/// checkout and the cache.
CiPipeline BuildCiPipeline(const Graph& graph, const std::vector<int>& selected,
                           const std::vector<std::string>& targets, CiEngine engine,
                           const std::string& manifest);

/// A job id for `phase` that GitHub accepts ([A-Za-z_][A-Za-z0-9_-]*) and
/// GitLab shows plainly: "phase-" and the name with '.' as '_'.
std::string CiJobId(const std::string& phase);

/// The pipeline as a GitHub Actions workflow.
std::string FormatGitHubWorkflow(const CiPipeline& pipeline);

/// How a GitLab pipeline is laid out.
enum class GitLabMode {
  kStatic,  ///< every selected phase has a job
  kParent,  ///< one job emits the pipeline of the stale phases and triggers it
  kChild,   ///< the triggered pipeline: orchestrate comes from the parent's artifact
};

/// The pipeline as a .gitlab-ci.yml.
std::string FormatGitLabPipeline(const CiPipeline& pipeline, GitLabMode mode);

/// `value` as a double-quoted YAML scalar.
std::string YamlQuote(const std::string& value);

}  // namespace orchestrate
