// `ci emit github|gitlab [PHASE...] [-o FILE]`: the pipeline that runs the
// selected phases on a CI engine, one job per phase (SPEC section 7).
#include <spdlog/spdlog.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "file_io.h"
#include "orchestrate/cache.h"
#include "orchestrate/ci_pipeline.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/planner.h"

namespace fs = std::filesystem;

namespace orchestrate {
namespace {

std::vector<int> SelectPhases(const Graph& graph, const std::vector<std::string>& targets) {
  std::vector<int> selected;
  std::string err;
  if (!graph.Select(targets, &selected, &err)) throw UsageError(err);
  return selected;
}

// The phases of `selected` that are not fresh now: the child pipeline's.
std::vector<int> StalePhases(Project& project, const Graph& graph,
                             const std::vector<int>& selected) {
  ObjectId base = ResolveBaseOrThrow(*project.repo, project.manifest, "");
  ResultCache cache(*project.repo);
  RunState state = project.workspace.LoadState();
  Planner planner(graph, *project.repo, cache, state, base, PlannerOptions{});
  std::vector<int> stale;
  for (const PhaseDecision& d : planner.PlanAll(selected))
    if (d.action != PhaseState::kFresh) stale.push_back(d.phase);
  return stale;
}

std::string ManifestInRepository(const Project& project) {
  return fs::path(project.manifest.path)
      .lexically_relative(project.workspace.root)
      .generic_string();
}

}  // namespace

int CommandCiEmit(Project& project, const CiEmitOptions& options) {
  CiEngine engine = options.engine == "github" ? CiEngine::kGitHub : CiEngine::kGitLab;
  if (engine == CiEngine::kGitHub && options.mode != GitLabMode::kStatic)
    throw UsageError("--dynamic and --child are for gitlab: GitHub Actions has no child pipelines");
  Graph graph(project.manifest);
  std::vector<int> selected = SelectPhases(graph, options.phases);
  if (options.mode == GitLabMode::kChild) selected = StalePhases(project, graph, selected);
  CiPipeline pipeline =
      BuildCiPipeline(graph, selected, options.phases, engine, ManifestInRepository(project));
  std::string text = engine == CiEngine::kGitHub ? FormatGitHubWorkflow(pipeline)
                                                 : FormatGitLabPipeline(pipeline, options.mode);
  for (const std::string& note : pipeline.unenforced_pools) spdlog::warn("{}", note);
  if (options.output.empty() || options.output == "-") {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(options.output, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw UsageError("cannot write " + options.output + ": " + ErrnoText(errno));
  return kExitOk;
}

}  // namespace orchestrate
