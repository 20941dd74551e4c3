// Loading orchestrate.toml: the entry points, lookups, names and suggestions.
// Reading is in manifest_parse.cc, cross-checks in manifest_validate.cc.
#include "orchestrate/manifest.h"
#include "orchestrate/template.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "manifest_internal.h"

namespace orchestrate {
namespace fs = std::filesystem;

std::string Diagnostic::Format() const {
  if (pos.line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " + message;
}

namespace {

template <typename T>
const T* FindByName(const std::vector<T>& items, std::string_view name) {
  for (const T& item : items)
    if (item.name == name) return &item;
  return nullptr;
}

// Edit distance where swapping two neighbouring letters counts as one edit
// (optimal string alignment): "shmea" is one typo away from "schema".
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

bool IsNameChar(char c, bool first) {
  bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == '.' || c == '_' || c == '-'));
}

}  // namespace

const Phase* Manifest::FindPhase(std::string_view name) const { return FindByName(phases, name); }
const Pool* Manifest::FindPool(std::string_view name) const { return FindByName(pools, name); }
const Agent* Manifest::FindAgent(std::string_view name) const { return FindByName(agents, name); }

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (!IsNameChar(name[i], i == 0)) return false;
  return true;
}

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    // Never suggest a rewrite of the whole word ('a' -> 'b').
    if (distance < best_distance && distance < std::max(word.size(), candidate.size())) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::map<std::string, std::string> AgentCommandVars(const Agent& agent, const Phase& phase) {
  std::map<std::string, std::string> vars = agent.vars;
  vars["phase"] = phase.name;
  if (!phase.model.empty()) vars["model"] = phase.model;
  if (vars.count("model") && vars["model"].empty()) vars.erase("model");
  return vars;
}

std::string ExpandAgentCommand(const Agent& agent, const Phase& phase,
                               const std::map<std::string, std::string>& runtime) {
  std::map<std::string, std::string> vars = AgentCommandVars(agent, phase);
  for (const auto& [name, value] : runtime) vars[name] = value;
  return ExpandTemplate(agent.command, vars);
}

namespace manifest_internal {

void DiagnosticList::Add(SourcePos pos, std::string message) {
  diags_.push_back({file_, pos, std::move(message)});
}

std::vector<Diagnostic> DiagnosticList::Sorted() const {
  std::vector<Diagnostic> sorted = diags_;
  auto key = [](const Diagnostic& d) { return std::tie(d.pos.line, d.pos.column); };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  auto same = [&](const Diagnostic& a, const Diagnostic& b) {
    return key(a) == key(b) && a.message == b.message;
  };
  sorted.erase(std::unique(sorted.begin(), sorted.end(), same), sorted.end());
  return sorted;
}

std::string NameProblem(std::string_view kind, std::string_view name) {
  std::string quoted = std::string(kind) + " name '" + std::string(name) + "'";
  if (!IsValidName(name))
    return "invalid " + quoted + ": names match [A-Za-z0-9][A-Za-z0-9._-]{0,99} " +
           "(they become branch and directory names)";
  bool git_unsafe =
      name.find("..") != std::string_view::npos || name.ends_with(".") || name.ends_with(".lock");
  if (kind == "phase" && git_unsafe)
    return "invalid " + quoted + ": git branch names cannot contain '..' or end in '.' or '.lock'";
  return "";
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string close = Suggest(word, candidates);
  return close.empty() ? "" : " (did you mean '" + close + "'?)";
}

}  // namespace manifest_internal

bool ParseManifest(std::string_view text, const std::string& path, Manifest* out,
                   std::vector<Diagnostic>* diags) {
  using namespace manifest_internal;
  *out = Manifest();
  fs::path absolute = fs::absolute(path).lexically_normal();
  out->path = absolute.string();
  out->dir = absolute.parent_path().string();
  DiagnosticList found(path);
  SourceMap sources;
  if (ReadManifest(text, path, out, &sources, &found)) ValidateManifest(*out, sources, &found);
  *diags = found.Sorted();
  return diags->empty();
}

bool LoadManifest(const std::string& path, Manifest* out, std::vector<Diagnostic>* diags) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad() || fs::is_directory(path)) {
    std::error_code ec;
    std::string why = fs::exists(path, ec) ? "cannot read the file" : "no such file";
    *diags = {{path, {}, "cannot read manifest: " + why}};
    return false;
  }
  return ParseManifest(text.str(), path, out, diags);
}

std::optional<std::string> FindManifest(const std::string& start_dir) {
  std::error_code ec;
  fs::path dir = fs::absolute(start_dir, ec).lexically_normal();
  if (ec) return std::nullopt;
  if (!dir.has_filename()) dir = dir.parent_path();  // "/a/b/" -> "/a/b"
  while (true) {
    fs::path candidate = dir / "orchestrate.toml";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return std::nullopt;
    dir = dir.parent_path();
  }
}

}  // namespace orchestrate
