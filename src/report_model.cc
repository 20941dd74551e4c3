// The report's model from the project and the last run's state, and
// `orchestrate report`.
#include <algorithm>
#include <iostream>

#include "file_io.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/graph.h"
#include "orchestrate/report.h"
#include "sink_support.h"

namespace orchestrate {
namespace {

// Each bar on the lowest slot free at its start, as a run's scheduler would.
void AssignSlots(std::vector<ReportBar>* bars) {
  std::sort(bars->begin(), bars->end(),
            [](const ReportBar& a, const ReportBar& b) { return a.start_s < b.start_s; });
  std::vector<double> free_at;
  for (ReportBar& bar : *bars) {
    auto slot =
        std::find_if(free_at.begin(), free_at.end(), [&bar](double t) { return t <= bar.start_s; });
    if (slot == free_at.end()) slot = free_at.insert(free_at.end(), 0);
    *slot = bar.end_s;
    bar.slot = static_cast<int>(slot - free_at.begin());
  }
}

}  // namespace

std::string TailOfFile(const std::string& path, int lines) {
  std::string text = ReadWholeFile(path).value_or("");
  if (!text.empty() && text.back() != '\n') text += '\n';  // the last line, complete
  size_t start = text.size();
  for (int n = 0; n < lines && start > 0; ++n) {
    size_t newline = start < 2 ? std::string::npos : text.rfind('\n', start - 2);
    start = newline == std::string::npos ? 0 : newline + 1;
  }
  return text.substr(start);
}

ReportModel ReportSkeleton(const Project& project) {
  const Manifest& manifest = project.manifest;
  ReportModel m;
  m.manifest_path = manifest.path;
  m.base = manifest.settings.base;
  m.target = manifest.settings.target;
  Graph graph(manifest);
  for (int n : graph.topo_order()) {
    const Phase& phase = *graph.node(n).phase;
    m.phases.push_back(
        {phase.name, phase.description(), phase.deps, "stale", "", 0, 0, {}, "", ""});
  }
  if (auto commit = project.repo->ReadRef("refs/heads/" + m.target)) m.target_commit = *commit;
  return m;
}

ReportModel ReportFromState(Project& project) {
  ReportModel m = ReportSkeleton(project);
  RunState state = project.workspace.LoadState();
  m.started_at = state.run_started_at;
  if (!state.base.empty()) m.base = state.base.hex();
  std::map<std::string, PhaseRecord> records;
  for (auto& [name, record] : CurrentPhaseRecords(project)) records[name] = std::move(record);
  for (ReportPhase& p : m.phases) {
    const PhaseRecord& r = records[p.name];
    p.state = std::string(ToString(r.state));
    p.reason = r.reason;
    p.duration_s = r.duration_s;
    p.attempts = r.attempts;
    p.cost_usd = r.usage.get().cost_usd;
    if (IsFailure(r.state) && !r.log_path.empty()) {
      p.log_path = r.log_path;
      p.log_tail = TailOfFile(r.log_path, 20);
    }
    auto ran = state.phases.find(p.name);
    if (ran == state.phases.end() || ran->second.started_at < m.started_at ||
        ran->second.started_at == 0 || r.state == PhaseState::kFresh)
      continue;  // did not run in the last run
    double start = static_cast<double>(ran->second.started_at - m.started_at);
    m.bars.push_back({p.name, 0, start, start + ran->second.duration_s, false, p.state});
    m.duration_s = std::max(m.duration_s, start + ran->second.duration_s);
  }
  AssignSlots(&m.bars);
  return m;
}

int CommandReport(Project& project, const std::string& output) {
  std::string page = RenderHtmlReport(ReportFromState(project));
  if (output.empty()) {
    std::cout << page;
    return kExitOk;
  }
  SinkFile file(output, "w");
  file.Write(page);
  file.Close();
  std::cout << "wrote " << output << "\n";
  return kExitOk;
}

}  // namespace orchestrate
