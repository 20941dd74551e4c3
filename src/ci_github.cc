// `ci emit github`: the pipeline as a GitHub Actions workflow.
//
// Trust: the workflow runs on pushes (and by hand), never on pull requests,
// and writes records and the target only when the ref is protected: code
// from a fork never runs with a token that can write refs/orchestrate/.
#include <sstream>

#include "ci_scripts.h"
#include "orchestrate/ci_pipeline.h"

namespace orchestrate {
namespace {

// The remote every job reads and writes, with the job's token: libgit2 does
// not read the credentials actions/checkout leaves in git's configuration.
constexpr const char* kRemote =
    "\"https://x-access-token:${GITHUB_TOKEN}@github.com/${GITHUB_REPOSITORY}.git\"";

// `script` as a block scalar under `run: |`, indented by `indent` spaces.
std::string Block(const std::string& script, int indent) {
  std::string pad(indent, ' '), out;
  std::istringstream lines(script);
  for (std::string line; std::getline(lines, line);) out += line.empty() ? "\n" : pad + line + "\n";
  return out;
}

void Step(std::ostream& out, const std::string& name, const std::string& script,
          const std::string& condition = "", bool token = false) {
  out << "      - name: " << YamlQuote(name) << "\n";
  if (!condition.empty()) out << "        if: " << condition << "\n";
  if (token) out << "        env:\n          GITHUB_TOKEN: ${{ github.token }}\n";
  out << "        run: |\n" << Block(script, 10);
}

void Header(std::ostream& out, const CiPipeline& p) {
  out << "# Written by `orchestrate ci emit github`: one job per phase of " << p.manifest << ".\n"
      << "# Write it again after changing phases, dependencies, pools or timeouts.\n"
      << "# Records and the target branch are pushed only by runs on protected branches;\n"
      << "# this workflow never runs code from pull requests (docs/ci.md, \"Trust\").\n";
  for (const std::string& note : p.unenforced_pools) out << "# Note: " << note << ".\n";
  out << "name: orchestrate\n"
      << "on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n"
      << "permissions:\n  contents: write\n";
  if (!p.key_env.empty()) {
    out << "env:\n";
    for (const std::string& name : p.key_env)
      out << "  " << name << ": ${{ vars." << name << " }}\n";
  }
  out << "jobs:\n";
}

void PackageJob(std::ostream& out) {
  out << "  orchestrate-package:\n"
      << "    name: orchestrate package\n"
      << "    runs-on: ubuntu-latest\n"
      << "    steps:\n"
      << "      - uses: actions/checkout@v4\n";
  Step(out, "Build the package unless the runner has orchestrate", ci::PackageScript());
  out << "      - uses: actions/upload-artifact@v4\n"
      << "        with:\n          name: orchestrate-package\n          path: "
         "orchestrate-package/\n";
}

// Checkout with full history, orchestrate, and the records from the remote.
void CommonSteps(std::ostream& out) {
  out << "      - uses: actions/checkout@v4\n"
      << "        with:\n          fetch-depth: 0\n"
      << "      - uses: actions/download-artifact@v4\n"
      << "        with:\n          name: orchestrate-package\n          path: "
         "orchestrate-package\n";
  Step(out, "Get orchestrate", ci::InstallScript());
  Step(out, "Pull records", ci::PullScript(kRemote), "", true);
}

void PhaseJob(std::ostream& out, const CiPipeline& p, const CiJob& job) {
  out << "  " << job.id << ":\n"
      << "    name: " << YamlQuote(job.phase) << "\n"
      << "    needs: [orchestrate-package";
  for (const std::string& need : job.needs) out << ", " << need;
  out << "]\n    runs-on: ubuntu-latest\n";
  if (job.timeout_minutes) out << "    timeout-minutes: " << job.timeout_minutes << "\n";
  if (!job.group.empty())
    out << "    concurrency:\n      group: "
        << YamlQuote("orchestrate-${{ github.run_id }}-" + job.group)
        << "\n      cancel-in-progress: false\n";
  out << "    steps:\n";
  CommonSteps(out);
  Step(out, "Run " + job.phase, ci::RunPhaseScript(p, job));
  Step(out, "Push records", ci::PushRecordsScript(kRemote), "github.ref_protected", true);
}

void IntegrateJob(std::ostream& out, const CiPipeline& p) {
  out << "  integrate:\n"
      << "    name: integrate\n"
      << "    needs: [orchestrate-package";
  for (const CiJob& job : p.jobs) out << ", " << job.id;
  out << "]\n    runs-on: ubuntu-latest\n    steps:\n";
  CommonSteps(out);
  Step(out, "Integrate (every phase is fresh)", ci::IntegrateScript(p));
  Step(out, "Push the target branch", ci::PushTargetScript(p, kRemote), "github.ref_protected",
       true);
  out << "      - uses: actions/upload-artifact@v4\n"
      << "        if: always()\n"
      << "        with:\n"
      << "          name: orchestrate-report\n"
      << "          path: |\n"
      << "            " << ci::kJunitFile << "\n"
      << "            " << ci::kTraceFile << "\n"
      << "            .orchestrate/logs/\n"
      << "          if-no-files-found: ignore\n";
}

}  // namespace

std::string FormatGitHubWorkflow(const CiPipeline& pipeline) {
  std::ostringstream out;
  Header(out, pipeline);
  PackageJob(out);
  for (const CiJob& job : pipeline.jobs) PhaseJob(out, pipeline, job);
  IntegrateJob(out, pipeline);
  return out.str();
}

}  // namespace orchestrate
