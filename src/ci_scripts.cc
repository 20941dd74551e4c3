// The shell steps of generated CI pipelines (ci_scripts.h).
#include "ci_scripts.h"

namespace orchestrate::ci {

std::string PackageScript() {
  return R"sh(mkdir -p orchestrate-package
if command -v orchestrate >/dev/null 2>&1; then
  echo "using $(command -v orchestrate): $(orchestrate --version)" | tee orchestrate-package/on-path
  exit 0
fi
source_dir=.
if ! grep -q '^project(orchestrate ' CMakeLists.txt 2>/dev/null; then
  if [ -z "${ORCHESTRATE_SOURCE:-}" ]; then
    echo "orchestrate is not on PATH and ORCHESTRATE_SOURCE is not set: set it to the git URL of orchestrate's source, or use a runner that has orchestrate" >&2
    exit 2
  fi
  source_dir="${TMPDIR:-/tmp}/orchestrate-source"
  git clone --quiet --depth 1 ${ORCHESTRATE_SOURCE_REF:+--branch "$ORCHESTRATE_SOURCE_REF"} "$ORCHESTRATE_SOURCE" "$source_dir"
fi
ORCHESTRATE_TEST_TOOLS=0 bash "$source_dir/scripts/deps.sh"
cmake -S "$source_dir" -B "$source_dir/build/package" -DCMAKE_BUILD_TYPE=Release -DORCHESTRATE_TESTS=OFF
cmake --build "$source_dir/build/package" -j "$(nproc)"
(cd "$source_dir/build/package" && cpack -G DEB)
cp "$source_dir"/build/package/orchestrate_*.deb orchestrate-package/
)sh";
}

std::string InstallScript() {
  return R"sh(if command -v orchestrate >/dev/null 2>&1; then
  echo "using $(command -v orchestrate)"
else
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq ./orchestrate-package/orchestrate_*.deb
fi
orchestrate --version
# The package and the reports are not part of the commit: keep them out of
# orchestrate's view of uncommitted changes.
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
printf '%s\n' /orchestrate-package/ /orchestrate-junit.xml /orchestrate-trace.json >> "$exclude"
)sh";
}

std::string RunCommand(const CiPipeline& pipeline) {
  if (pipeline.manifest.empty() || pipeline.manifest == "orchestrate.toml")
    return "orchestrate run";
  return "orchestrate run -f '" + pipeline.manifest + "'";
}

std::string PullScript(const std::string& remote) {
  return "orchestrate cache pull " + remote + "\n";
}

std::string RunPhaseScript(const CiPipeline& pipeline, const CiJob& job) {
  return RunCommand(pipeline) + " " + job.phase + " --only\n";
}

std::string IntegrateScript(const CiPipeline& pipeline) {
  std::string out = RunCommand(pipeline);
  for (const std::string& t : pipeline.targets) out += " " + t;
  return out + " --junit " + kJunitFile + " --trace " + kTraceFile + "\n";
}

std::string PushRecordsScript(const std::string& remote) {
  return "for attempt in 1 2 3 4 5; do\n"
         "  if orchestrate cache push " +
         remote +
         "; then break; fi\n"
         "  if [ \"$attempt\" -eq 5 ]; then exit 1; fi\n"
         "  sleep $((attempt * 3))\n"
         "done\n";
}

std::string PushTargetScript(const CiPipeline& pipeline, const std::string& remote) {
  const std::string& t = pipeline.target_branch;
  return "git push --force " + remote + " 'refs/heads/" + t + ":refs/heads/" + t + "'\n";
}

}  // namespace orchestrate::ci
