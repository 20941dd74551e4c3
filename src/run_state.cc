#include "orchestrate/run_state.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "orchestrate/error.h"

using nlohmann::json;

namespace orchestrate {
namespace {

json PhaseToJson(const PhaseRecord& r) {
  return json{{"state", ToString(r.state)}, {"key", r.key},
              {"result", r.result},         {"branch", r.branch},
              {"worktree", r.worktree},     {"log_path", r.log_path},
              {"reason", r.reason},         {"duration_s", r.duration_s},
              {"attempts", r.attempts},     {"started_at", r.started_at},
              {"recorded_at", r.recorded_at}, {"handoff_first_line", r.handoff_first_line},
              {"saved_attempts", r.saved_attempts}};
}

PhaseRecord PhaseFromJson(const json& j) {
  PhaseRecord r;
  r.state = ParsePhaseState(j.value("state", "stale")).value_or(PhaseState::kStale);
  r.key = j.value("key", "");
  r.result = j.value("result", "");
  r.branch = j.value("branch", "");
  r.worktree = j.value("worktree", "");
  r.log_path = j.value("log_path", "");
  r.reason = j.value("reason", "");
  r.duration_s = j.value("duration_s", 0.0);
  r.attempts = j.value("attempts", 0);
  r.started_at = j.value("started_at", int64_t{0});
  r.recorded_at = j.value("recorded_at", int64_t{0});
  r.handoff_first_line = j.value("handoff_first_line", "");
  r.saved_attempts = j.value("saved_attempts", std::vector<std::string>{});
  return r;
}

}  // namespace

RunState RunState::Load(const std::string& path) {
  RunState state;
  std::ifstream in(path);
  if (!in) return state;
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    throw InfraError(path + " is not valid JSON; delete it (it only holds the last run's states)");
  int version = j.value("version", 0);
  if (version != kFormatVersion)
    throw InfraError(path + " has format version " + std::to_string(version) +
                     "; this orchestrate reads version 1 — delete the file to start afresh");
  state.run_started_at = j.value("run_started_at", int64_t{0});
  state.run_pid = j.value("run_pid", 0);
  state.base = j.value("base", "");
  json phases = j.value("phases", json::object());
  for (auto& [name, pj] : phases.items()) state.phases[name] = PhaseFromJson(pj);
  state.failed_keys = j.value("failed_keys", decltype(state.failed_keys){});
  state.succeeded_keys = j.value("succeeded_keys", decltype(state.succeeded_keys){});
  state.kept_worktrees = j.value("kept_worktrees", decltype(state.kept_worktrees){});
  state.worktree_last_phase = j.value("worktree_last_phase", decltype(state.worktree_last_phase){});
  return state;
}

void RunState::Save(const std::string& path) const {
  json phases_json = json::object();
  for (const auto& [name, r] : phases) phases_json[name] = PhaseToJson(r);
  json j{{"version", kFormatVersion},
         {"run_started_at", run_started_at},
         {"run_pid", run_pid},
         {"base", base},
         {"phases", phases_json},
         {"failed_keys", failed_keys},
         {"succeeded_keys", succeeded_keys},
         {"kept_worktrees", kept_worktrees},
         {"worktree_last_phase", worktree_last_phase}};
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(1) << "\n";
    out.flush();
    if (!out) throw InfraError("cannot write " + tmp + " (disk full or no permission?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InfraError("cannot replace " + path);
  }
}

bool RunState::IsFlaky(const std::string& phase, const std::string& key) const {
  auto f = failed_keys.find(phase);
  auto s = succeeded_keys.find(phase);
  return f != failed_keys.end() && s != succeeded_keys.end() && f->second.count(key) &&
         s->second.count(key);
}

}  // namespace orchestrate
