// status and log.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/planner.h"
#include "orchestrate/process.h"
#include "orchestrate/refs.h"

using nlohmann::json;

namespace orchestrate {
namespace {

/// One row of `status`: the last run's record, corrected by what is
/// recorded now (a success whose inputs changed since is stale).
struct StatusRow {
  std::string name;
  PhaseRecord record;
  bool flaky = false;
  std::string description;
};

// A phase the state file shows running while no run holds the lock was
// running in a run that died (SIGKILL, power loss): it is interrupted.
void MarkDeadRunsInterrupted(const Workspace& workspace, RunState* state) {
  bool any_running = false;
  for (const auto& [name, record] : state->phases)
    any_running |= record.state == PhaseState::kRunning;
  if (!any_running || RunLockHeld(workspace.lock_file())) return;
  for (auto& [name, record] : state->phases) {
    if (record.state != PhaseState::kRunning) continue;
    record.state = PhaseState::kInterrupted;
    record.reason = "its run (pid " + std::to_string(state->run_pid) +
                    ") ended without finishing it; the next run runs it again";
  }
}

std::vector<StatusRow> CollectStatus(Project& project) {
  ResultCache& cache = project.StartRecords(/*writable=*/false);
  Graph graph(project.manifest);
  RunState state = project.workspace.LoadState();
  MarkDeadRunsInterrupted(project.workspace, &state);
  std::optional<ObjectId> base = project.repo->ResolveCommit(project.manifest.settings.base);
  std::vector<PhaseDecision> plan;
  if (base) {
    Planner planner(graph, *project.repo, cache, state, *base, PlannerOptions{});
    plan = planner.PlanAll(graph.topo_order());
  }
  std::vector<StatusRow> rows;
  for (const auto& d : plan) {
    const Phase& phase = *graph.node(d.phase).phase;
    StatusRow row{phase.name, {}, false, phase.description()};
    auto it = state.phases.find(phase.name);
    if (it != state.phases.end()) row.record = it->second;
    PhaseState last = row.record.state;
    bool had_record = it != state.phases.end();
    if (!had_record || IsSuccess(last) || last == PhaseState::kStale ||
        last == PhaseState::kAwaitingApproval) {
      row.record.state = d.action == PhaseState::kFresh ? PhaseState::kFresh : PhaseState::kStale;
      if (d.action == PhaseState::kAwaitingApproval) {
        row.record.state = PhaseState::kAwaitingApproval;
        row.record.result = d.record->result;
        row.record.reason = AwaitingApprovalHint(phase.name, d.record->input, d.record->result);
      } else if (d.action == PhaseState::kFresh) {
        row.record.result = d.record->result;
        row.record.recorded_at = d.record->started_at;
        if (!had_record)
          row.record.duration_s = d.record->duration_s, row.record.attempts = d.record->attempts;
        if (row.record.handoff_first_line.empty())
          row.record.handoff_first_line = d.record->handoff.substr(0, d.record->handoff.find('\n'));
      } else {
        row.record.reason = d.reason;
        row.record.usage = {};  // what its last run spent is not what is shown
      }
      if (had_record && last == PhaseState::kSucceeded && d.action == PhaseState::kFresh)
        row.record.state = PhaseState::kSucceeded;
    }
    if (row.record.branch.empty() && project.repo->ReadRef(refs::PhaseBranchRef(phase.name)))
      row.record.branch = refs::PhaseBranch(phase.name);
    // Its key failed in a run and has a cache record: it also succeeded.
    row.flaky = d.record && state.Failed(phase.name, d.key);
    rows.push_back(row);
  }
  return rows;
}

// Blocked and input-conflict phases end before they start: whatever the
// state file says, they took no time.
double ShownDuration(const PhaseRecord& p) {
  bool started = p.state != PhaseState::kBlocked && p.state != PhaseState::kInputConflict;
  return started ? p.duration_s : 0;
}

std::string DurationColumn(const PhaseRecord& p) {
  double s = ShownDuration(p);
  return s <= 0 ? "-" : FormatDuration(s);
}

// The latest few saved attempts, newest first, and how many more there are.
template <typename Add>
void AddSavedAttempts(const StatusRow& r, Add add) {
  constexpr size_t kShown = 3;
  const std::vector<std::string>& saved = r.record.saved_attempts;
  size_t shown = std::min(saved.size(), kShown);
  for (size_t i = 0; i < shown; ++i) add("saved " + saved[saved.size() - 1 - i]);
  if (saved.size() > shown)
    add(std::to_string(saved.size() - shown) + " earlier saved attempts (`orchestrate log " +
        r.name + "` lists them)");
}

std::string Notes(const StatusRow& r, const std::string& root, int64_t now) {
  const PhaseRecord& p = r.record;
  std::string notes = p.reason;
  if (IsSuccess(p.state) && !notes.empty()) notes = "ran: " + notes;
  auto add = [&notes](const std::string& s) { notes += (notes.empty() ? "" : "; ") + s; };
  auto relative = [&root](const std::string& path) {
    return path.rfind(root + "/", 0) == 0 ? path.substr(root.size() + 1) : path;
  };
  if (p.recorded_at) add("recorded " + FormatAge(now - p.recorded_at) + " ago");
  if (r.flaky) add("FLAKY: the same inputs both failed and succeeded");
  if (!p.handoff_first_line.empty()) add("handoff: " + p.handoff_first_line);
  if (!p.log_path.empty()) add("log " + relative(p.log_path));
  bool failed = IsFailure(p.state);
  if (failed && !p.worktree.empty()) add("worktree " + relative(p.worktree));
  AddSavedAttempts(r, add);
  return notes;
}

Usage TotalUsage(const std::vector<StatusRow>& rows) {
  Usage total;
  for (const auto& r : rows) total.Add(r.record.usage.get());
  return total;
}

// The USAGE column and the total line appear only when some phase reported
// usage.
void PrintText(const std::vector<StatusRow>& rows, const std::string& root) {
  Usage total = TotalUsage(rows);
  bool usage = !total.Empty();
  size_t width = 5, state_width = 5, branch_width = 6, usage_width = 5;
  for (const auto& r : rows) {
    width = std::max(width, r.name.size());
    state_width = std::max(state_width, ToString(r.record.state).size());
    branch_width = std::max(branch_width, r.record.branch.size());
    usage_width = std::max(usage_width, FormatSpent(r.record.usage.get()).size());
  }
  auto line = [&](const std::string& name, const std::string& state, const std::string& duration,
                  const std::string& attempts, const std::string& branch, const std::string& spent,
                  const std::string& notes) {
    std::printf("%-*s  %-*s  %8s  %8s  %-*s  ", static_cast<int>(width), name.c_str(),
                static_cast<int>(state_width), state.c_str(), duration.c_str(), attempts.c_str(),
                static_cast<int>(branch_width), branch.c_str());
    if (usage) std::printf("%-*s  ", static_cast<int>(usage_width), spent.c_str());
    std::printf("%s\n", notes.c_str());
  };
  line("PHASE", "STATE", "DURATION", "ATTEMPTS", "BRANCH", "USAGE", "NOTES");
  int64_t now = std::time(nullptr);
  for (const auto& r : rows) {
    const PhaseRecord& p = r.record;
    std::string spent = FormatSpent(p.usage.get());
    line(r.name, std::string(ToString(p.state)), DurationColumn(p),
         p.attempts ? std::to_string(p.attempts) : "-", p.branch.empty() ? "-" : p.branch,
         spent.empty() ? "-" : spent, Notes(r, root, now));
  }
  if (usage) std::printf("\ntotal usage: %s\n", FormatUsage(total).c_str());
}

void PrintJson(const std::vector<StatusRow>& rows) {
  json phases = json::array();
  for (const auto& r : rows) {
    const PhaseRecord& p = r.record;
    phases.push_back({{"name", r.name},
                      {"state", ToString(p.state)},
                      {"result", p.result.empty() ? json(nullptr) : json(p.result)},
                      {"branch", p.branch.empty() ? json(nullptr) : json(p.branch)},
                      {"duration_s", ShownDuration(p)},
                      {"attempts", p.attempts},
                      {"reason", p.reason},
                      {"log", p.log_path},
                      {"worktree", p.worktree},
                      {"recorded_at", p.recorded_at},
                      {"flaky", r.flaky},
                      {"handoff", p.handoff_first_line},
                      {"saved_attempts", p.saved_attempts}});
    PutUsageFields(p.usage.get(), &phases.back());
  }
  json total = json::object();
  PutUsageFields(TotalUsage(rows), &total);
  std::cout << json{{"phases", phases}, {"total", total}}.dump(2) << "\n";
}

void PrintSection(const std::string& title, const std::vector<const StatusRow*>& rows) {
  std::cout << "\n## " << title << "\n\n";
  if (rows.empty()) std::cout << "_none_\n";
  for (const StatusRow* r : rows) {
    std::cout << "- [" << (IsSuccess(r->record.state) ? "x" : " ") << "] **" << r->name << "**";
    if (!r->description.empty()) std::cout << " — " << r->description;
    std::cout << " (" << ToString(r->record.state) << ")\n";
    if (!r->record.branch.empty()) std::cout << "  - branch: `" << r->record.branch << "`\n";
    if (!r->record.handoff_first_line.empty())
      std::cout << "  - handoff: " << r->record.handoff_first_line << "\n";
    if (!r->record.reason.empty() && !IsSuccess(r->record.state))
      std::cout << "  - why: " << r->record.reason << "\n";
  }
}

void PrintMarkdown(const std::vector<StatusRow>& rows) {
  std::vector<const StatusRow*> done, running, awaiting, pending, failed;
  for (const auto& r : rows) {
    PhaseState s = r.record.state;
    if (IsSuccess(s))
      done.push_back(&r);
    else if (s == PhaseState::kAwaitingApproval)
      awaiting.push_back(&r);
    else if (s == PhaseState::kRunning)
      running.push_back(&r);
    else if (s == PhaseState::kStale || s == PhaseState::kBlocked ||
             s == PhaseState::kSkippedBudget)
      pending.push_back(&r);
    else
      failed.push_back(&r);
  }
  std::cout << "# Plan\n\n" << done.size() << " of " << rows.size() << " phases complete.\n";
  PrintSection("Completed", done);
  PrintSection("In progress", running);
  if (!awaiting.empty()) PrintSection("Awaiting approval", awaiting);
  PrintSection("Pending", pending);
  PrintSection("Failed", failed);
}

// Copies what `in` has beyond its position to stdout.
void CopyNew(std::ifstream& in) {
  in.clear();
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) std::cout.write(buf, in.gcount());
  std::cout.flush();
}

// `log P` where P never ran (a CI clone that pulled the records): the log
// kept in P's most recent record.
int PrintRecordedLog(Project& project, const std::string& phase, const std::string& path) {
  ResultCache cache(*project.repo);
  std::optional<Record> latest = cache.Latest(phase);
  std::optional<Record> record = latest ? cache.Lookup(phase, latest->key) : std::nullopt;
  if (!record)
    throw UsageError("phase '" + phase + "' has no log yet (" + path +
                     ") and no cache record holds one; it has not run here (`orchestrate cache "
                     "pull` fetches the records of other machines)");
  std::fprintf(stderr,
               "orchestrate: %s has not run here; this is the log in its cache record %s "
               "(recorded %s ago, result %s)\n",
               phase.c_str(), record->key.substr(0, 12).c_str(),
               FormatAge(std::time(nullptr) - record->started_at).c_str(),
               record->result.ShortHex(12).c_str());
  std::fflush(stderr);
  std::cout << record->log << std::flush;
  return kExitOk;
}

}  // namespace

std::vector<std::pair<std::string, PhaseRecord>> CurrentPhaseRecords(Project& project) {
  std::vector<std::pair<std::string, PhaseRecord>> out;
  for (StatusRow& row : CollectStatus(project)) out.emplace_back(row.name, std::move(row.record));
  return out;
}

int CommandStatus(Project& project, const std::string& format) {
  std::vector<StatusRow> rows = CollectStatus(project);
  if (format == "json")
    PrintJson(rows);
  else if (format == "markdown")
    PrintMarkdown(rows);
  else
    PrintText(rows, project.workspace.root);
  return kExitOk;
}

int CommandLog(Project& project, const std::string& phase, bool follow) {
  if (!project.manifest.FindPhase(phase))
    throw UsageError(UnknownPhaseMessage(phase, project.manifest.phases));
  std::string path = project.workspace.LogPath(phase);
  std::ifstream in(path, std::ios::binary);
  if (!in) return PrintRecordedLog(project, phase, path);
  CopyNew(in);
  while (follow) {
    RunState state = project.workspace.LoadState();
    auto it = state.phases.find(phase);
    bool running = it != state.phases.end() && it->second.state == PhaseState::kRunning &&
                   RunLockHeld(project.workspace.lock_file());
    CopyNew(in);
    if (!running) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  RunState state = project.workspace.LoadState();
  auto it = state.phases.find(phase);
  if (it != state.phases.end())
    for (const auto& ref : it->second.saved_attempts)
      std::fprintf(stderr, "orchestrate: earlier unrecorded work of %s is saved as %s\n",
                   phase.c_str(), ref.c_str());
  return kExitOk;
}

}  // namespace orchestrate
