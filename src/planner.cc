#include "orchestrate/planner.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "file_io.h"
#include "orchestrate/error.h"
#include "orchestrate/process.h"

namespace orchestrate {

std::string_view PlanAction(PhaseState action) {
  return action == PhaseState::kStale ? "run" : ToString(action);
}

namespace {

std::string ReadPrompt(const std::string& path) {
  std::optional<std::string> text = ReadWholeFile(path);
  if (!text) throw UsageError("cannot read prompt file " + path + ": " + ErrnoText(errno));
  return std::move(*text);
}

std::map<std::string, std::string> EnvironmentMap() {
  std::map<std::string, std::string> env;
  for (const auto& kv : CurrentEnvironment()) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::string Relative(const std::string& root, const std::string& path) {
  namespace fs = std::filesystem;
  return fs::weakly_canonical(path).lexically_relative(fs::weakly_canonical(root)).generic_string();
}

}  // namespace

Planner::Planner(const Graph& graph, Repo& repo, ResultCache& cache, const RunState& state,
                 const ObjectId& base_commit, PlannerOptions options)
    : graph_(graph), repo_(repo), cache_(cache), state_(state), options_(std::move(options)) {
  base_tree_ = repo_.TreeOf(base_commit);
  inputs_.base_tree = base_tree_;
  inputs_.environment = EnvironmentMap();
  for (const Phase& phase : graph_.manifest().phases) {
    if (phase.prompt().empty() || inputs_.prompt_blobs.count(phase.prompt())) continue;
    std::string path = graph_.manifest().dir + "/" + phase.prompt();
    inputs_.prompt_blobs[phase.prompt()] = HashBlob(ReadPrompt(path));
  }
  ExcludeOwnFiles();
}

void Planner::ExcludeOwnFiles() {
  const Manifest& m = graph_.manifest();
  std::string root = repo_.workdir();
  std::string manifest_dir = Relative(root, m.dir);
  own_files_.insert(Relative(root, m.path));
  for (const Phase& phase : m.phases) {
    if (phase.prompt().empty()) continue;
    std::string prompt = Relative(root, m.dir + "/" + phase.prompt());
    own_files_.insert(prompt);
    // A directory of prompts is orchestrate's, whole: a prompt file that
    // stays when its phase is removed must not change the others' keys.
    std::string dir = std::filesystem::path(prompt).parent_path().generic_string();
    if (!dir.empty() && dir != manifest_dir && dir != ".") own_files_.insert(dir);
  }
  inputs_.base_content = repo_.ContentIdExcluding(base_tree_, own_files_);
  bool any_inputs = false;
  for (const Phase& phase : m.phases) any_inputs |= !phase.inputs.empty();
  if (!any_inputs) return;
  repo_.WalkTree(base_tree_, [this](const std::string& path, const ObjectId& blob) {
    if (!IsOwnFile(path)) base_files_.emplace_back(path, blob);
  });
  inputs_.base_files = &base_files_;
}

bool Planner::IsOwnFile(const std::string& path) const {
  for (size_t slash = path.size(); slash != std::string::npos; slash = path.rfind('/', slash - 1)) {
    if (own_files_.count(path.substr(0, slash))) return true;
    if (slash == 0) break;
  }
  return false;
}

const ObjectId& Planner::ContentId(const ObjectId& tree) {
  auto known = content_ids_.find(tree);
  if (known != content_ids_.end()) return known->second;
  return content_ids_[tree] = repo_.ContentIdExcluding(tree, own_files_);
}

std::string Planner::WhyStale(const Phase& phase, const KeyComponents& now,
                              const std::string& key) {
  if (options_.always || options_.force.count(phase.name)) return "forced";
  if (state_.Failed(phase.name, key)) return "previous attempt failed";
  std::optional<Record> last = cache_.Latest(phase.name);
  if (!last) return "never run";
  std::vector<std::string> changes = DescribeChanges(now, last->components);
  if (changes.empty()) return "never run with these inputs";
  for (std::string& change : changes)
    if (change == "base changed") change += BaseChanges(last->base);
  std::string reason;
  for (const auto& c : changes) reason += (reason.empty() ? "" : ", ") + c;
  return reason;
}

std::string Planner::BaseChanges(const ObjectId& then) {
  if (then.empty() || !repo_.HasObject(then)) return "";
  ObjectId old_tree = repo_.TreeOf(then);
  std::vector<std::string> paths;
  for (const std::string& path : repo_.ChangedPaths(old_tree, base_tree_))
    if (!IsOwnFile(path)) paths.push_back(path);
  if (paths.empty()) return "";
  constexpr size_t kNamed = 3;  // "a, b and c"; beyond: "a, b and 3 more"
  size_t named = paths.size() <= kNamed ? paths.size() : kNamed - 1;
  std::string text = ": " + paths[0];
  for (size_t i = 1; i < named; ++i) text += (i + 1 == paths.size() ? " and " : ", ") + paths[i];
  if (named < paths.size()) text += " and " + std::to_string(paths.size() - named) + " more";
  return text;
}

void ApplyApproval(const Phase& phase, const std::optional<Decision>& decision, PhaseDecision* d) {
  if (!phase.approval || d->action != PhaseState::kFresh || !d->record) return;
  if (IsApproval(decision)) return;
  std::string result = d->record->result.ShortHex(12);
  if (!decision) {
    d->action = PhaseState::kAwaitingApproval;
    d->reason = "its result " + result + " awaits approval";
    return;
  }
  d->action = PhaseState::kStale;
  d->reason = "its result " + result + " was rejected" +
              (decision->who.empty() ? "" : " by " + decision->who);
  d->rejection = RejectionFeedback(*decision);
  d->record.reset();
}

PhaseDecision Planner::Decide(int p, std::span<const DepResult> deps) {
  const Phase& phase = *graph_.node(p).phase;
  inputs_.deps.clear();
  for (const DepResult& dep : deps)
    inputs_.deps.push_back({dep.name, ContentId(dep.tree), dep.handoff});
  std::sort(inputs_.deps.begin(), inputs_.deps.end(),
            [](const DepResult& a, const DepResult& b) { return a.name < b.name; });
  PhaseDecision d;
  d.phase = p;
  ComputeKey(graph_.manifest(), phase, repo_, inputs_, &key_text_);
  d.key = key_text_.Hash().hex();
  bool forced = options_.always || options_.force.count(phase.name);
  if (!forced) d.record = cache_.Find(phase.name, d.key);
  if (d.record) {
    d.action = PhaseState::kFresh;
    if (phase.approval)
      ApplyApproval(phase, Approvals(repo_).Find(phase.name, d.record->result), &d);
    if (d.action != PhaseState::kFresh || options_.components_of_fresh)
      d.components = key_text_.Components();
    return d;
  }
  d.action = PhaseState::kStale;
  d.components = key_text_.Components();
  d.reason = WhyStale(phase, d.components, d.key);
  return d;
}

std::vector<PhaseDecision> Planner::PlanAll(const std::vector<int>& selected) {
  std::vector<PhaseDecision> plan;
  std::map<int, size_t> position;
  for (int p : selected) {
    std::vector<DepResult> trees;
    std::string waiting_on;
    std::string blocked_by;  ///< why: a dependency awaits approval or is blocked itself
    for (int dep : graph_.node(p).deps) {
      auto it = position.find(dep);
      const std::string& dep_name = graph_.node(dep).phase->name;
      PhaseState dep_action = it == position.end() ? PhaseState::kStale : plan[it->second].action;
      if (dep_action == PhaseState::kAwaitingApproval || dep_action == PhaseState::kBlocked) {
        if (blocked_by.empty())
          blocked_by = "dependency " + dep_name +
                       (dep_action == PhaseState::kBlocked ? " is blocked" : " awaits approval");
        continue;
      }
      if (it == position.end() || plan[it->second].action != PhaseState::kFresh) {
        if (waiting_on.empty()) waiting_on = dep_name;
        continue;
      }
      const Record& record = *plan[it->second].record;
      trees.push_back({dep_name, record.result_tree, record.handoff});
    }
    position[p] = plan.size();
    if (!blocked_by.empty()) {
      PhaseDecision d;
      d.phase = p;
      d.action = PhaseState::kBlocked;
      d.reason = blocked_by;
      plan.push_back(d);
      continue;
    }
    if (!waiting_on.empty()) {
      PhaseDecision d;
      d.phase = p;
      bool forced = options_.always || options_.force.count(graph_.node(p).phase->name);
      d.reason = forced ? "forced" : "dependency " + waiting_on + " will run";
      plan.push_back(d);
      continue;
    }
    plan.push_back(Decide(p, trees));
  }
  return plan;
}

}  // namespace orchestrate
