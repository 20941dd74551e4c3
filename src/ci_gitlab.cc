// `ci emit gitlab`: the pipeline as a .gitlab-ci.yml, static or as a parent
// that generates the pipeline of the stale phases and triggers it.
//
// Trust: jobs read records from $ORCHESTRATE_REMOTE (the project itself by
// default, with the job's read-only token) and write only to
// $ORCHESTRATE_PUSH_REMOTE, which a protected variable supplies to pipelines
// of protected branches and to no one else.
#include <sstream>

#include "ci_scripts.h"
#include "orchestrate/ci_pipeline.h"

namespace orchestrate {
namespace {

constexpr const char* kRemote = "\"$ORCHESTRATE_REMOTE\"";
constexpr const char* kPushRemote = "\"$ORCHESTRATE_PUSH_REMOTE\"";
constexpr const char* kChildFile = "orchestrate-child.yml";

// `script` as one item of a `script:` list, a block scalar.
std::string Item(const std::string& script) {
  std::string out = "    - |\n";
  std::istringstream lines(script);
  for (std::string line; std::getline(lines, line);)
    out += line.empty() ? "\n" : "      " + line + "\n";
  return out;
}

// Runs `script` when the push remote is set, else says why nothing is pushed.
std::string WhenPushing(const std::string& what, const std::string& script) {
  std::string out = "if [ -n \"${ORCHESTRATE_PUSH_REMOTE:-}\" ]; then\n";
  std::istringstream lines(script);
  for (std::string line; std::getline(lines, line);) out += "  " + line + "\n";
  return out + "else\n  echo \"ORCHESTRATE_PUSH_REMOTE is not set (a protected variable): " + what +
         " not pushed\"\nfi\n";
}

void Header(std::ostream& out, const CiPipeline& p, GitLabMode mode) {
  out << "# Written by `orchestrate ci emit gitlab"
      << (mode == GitLabMode::kParent  ? " --dynamic"
          : mode == GitLabMode::kChild ? " --child"
                                       : "")
      << "` from " << p.manifest << ".\n";
  if (mode == GitLabMode::kChild)
    out << "# The phases that were stale when it was written, one job each.\n";
  else
    out << "# Write it again after changing phases, dependencies, pools or timeouts.\n";
  out << "# Records and the target branch are pushed only to $ORCHESTRATE_PUSH_REMOTE: make it\n"
      << "# a protected variable so that only protected branches write them (docs/ci.md).\n";
  for (const std::string& note : p.unenforced_pools) out << "# Note: " << note << ".\n";
  out << "stages: ["
      << (mode == GitLabMode::kParent  ? "package, generate, run"
          : mode == GitLabMode::kChild ? "phases, integrate"
                                       : "package, phases, integrate")
      << "]\n"
      << "variables:\n"
      << "  GIT_DEPTH: \"0\"\n"
      << "  GIT_STRATEGY: clone\n"
      << "  ORCHESTRATE_REMOTE: $CI_REPOSITORY_URL\n"
      << ".orchestrate:\n"
      << "  before_script:\n"
      << Item(ci::InstallScript()) << Item(ci::PullScript(kRemote));
}

void PackageJob(std::ostream& out) {
  out << "orchestrate-package:\n"
      << "  stage: package\n"
      << "  script:\n"
      << Item(ci::PackageScript()) << "  artifacts:\n"
      << "    paths: [orchestrate-package/]\n";
}

// The `needs:` entry that brings the package: this pipeline's package job,
// or the parent's.
std::string PackageNeed(GitLabMode mode) {
  if (mode == GitLabMode::kChild)
    return "    - pipeline: $PARENT_PIPELINE_ID\n      job: orchestrate-package\n";
  return "    - orchestrate-package\n";
}

void PhaseJob(std::ostream& out, const CiPipeline& p, const CiJob& job, GitLabMode mode) {
  out << job.id << ":\n"
      << "  stage: phases\n"
      << "  extends: .orchestrate\n"
      << "  needs:\n"
      << PackageNeed(mode);
  for (const std::string& need : job.needs)
    out << "    - job: " << need << "\n      artifacts: false\n";
  if (!job.group.empty()) out << "  resource_group: " << job.group << "\n";
  if (job.timeout_minutes) out << "  timeout: " << job.timeout_minutes << " minutes\n";
  out << "  script:\n"
      << Item(ci::RunPhaseScript(p, job))
      << Item(WhenPushing("records", ci::PushRecordsScript(kPushRemote)));
}

// Without `needs:`, the job waits for every job of the earlier stages (no
// limit on their number, unlike `needs:`). A child pipeline's must name the
// parent's package job, and then every phase job too.
void IntegrateJob(std::ostream& out, const CiPipeline& p, GitLabMode mode) {
  out << "integrate:\n"
      << "  stage: integrate\n"
      << "  extends: .orchestrate\n";
  if (mode == GitLabMode::kChild) {
    out << "  needs:\n" << PackageNeed(mode);
    for (const CiJob& job : p.jobs) out << "    - job: " << job.id << "\n      artifacts: false\n";
  } else {
    out << "  dependencies: [orchestrate-package]\n";
  }
  out << "  script:\n"
      << Item(ci::IntegrateScript(p))
      << Item(WhenPushing("the target branch", ci::PushTargetScript(p, kPushRemote)))
      << "  artifacts:\n"
      << "    when: always\n"
      << "    reports:\n"
      << "      junit: " << ci::kJunitFile << "\n"
      << "    paths:\n"
      << "      - " << ci::kJunitFile << "\n"
      << "      - " << ci::kTraceFile << "\n"
      << "      - .orchestrate/logs/\n";
}

void GenerateAndTrigger(std::ostream& out, const CiPipeline& p) {
  std::string emit = "orchestrate ci emit gitlab --child";
  if (!p.manifest.empty() && p.manifest != "orchestrate.toml") emit += " -f '" + p.manifest + "'";
  for (const std::string& t : p.targets) emit += " " + t;
  out << "generate:\n"
      << "  stage: generate\n"
      << "  extends: .orchestrate\n"
      << "  needs: [orchestrate-package]\n"
      << "  script:\n"
      << Item(emit + " -o " + kChildFile + "\n") << "  artifacts:\n"
      << "    paths: [" << kChildFile << "]\n"
      << "run:\n"
      << "  stage: run\n"
      << "  needs: [generate]\n"
      << "  variables:\n"
      << "    PARENT_PIPELINE_ID: $CI_PIPELINE_ID\n"
      << "  trigger:\n"
      << "    include:\n"
      << "      - artifact: " << kChildFile << "\n"
      << "        job: generate\n"
      << "    strategy: depend\n";
}

}  // namespace

std::string FormatGitLabPipeline(const CiPipeline& pipeline, GitLabMode mode) {
  std::ostringstream out;
  Header(out, pipeline, mode);
  if (mode != GitLabMode::kChild) PackageJob(out);
  if (mode == GitLabMode::kParent) {
    GenerateAndTrigger(out, pipeline);
    return out.str();
  }
  for (const CiJob& job : pipeline.jobs) PhaseJob(out, pipeline, job, mode);
  IntegrateJob(out, pipeline, mode);
  return out.str();
}

}  // namespace orchestrate
