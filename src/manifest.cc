// Loading orchestrate.toml: the entry points, lookups, names and suggestions.
// Reading is in manifest_parse.cc, cross-checks in manifest_validate.cc.
#include "orchestrate/manifest.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "file_io.h"
#include "manifest_internal.h"
#include "orchestrate/template.h"

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
  size_t width = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * width);  // d[i * width + j]: a[0, i) vs b[0, j)
  auto at = [&](size_t i, size_t j) -> size_t& { return d[i * width + j]; };
  for (size_t i = 0; i <= a.size(); ++i) at(i, 0) = i;
  for (size_t j = 0; j <= b.size(); ++j) at(0, j) = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.size(), b.size());
}

// FNV-1a, folded to 32 bits: inline and quick for short names.
uint32_t HashName(std::string_view name) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return static_cast<uint32_t>(hash ^ (hash >> 32));
}

bool IsNameChar(char c, bool first) {
  bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == '.' || c == '_' || c == '-'));
}

}  // namespace

const SourcePos* KeyPositions::Find(std::string_view key) const {
  for (const auto& [name, pos] : entries_)
    if (name == key) return &pos;
  return nullptr;
}

const SourcePos& KeyPositions::at(std::string_view key) const {
  const SourcePos* pos = Find(key);
  if (!pos) throw std::out_of_range("KeyPositions::at: no key '" + std::string(key) + "'");
  return *pos;
}

void NameIndex::Append(std::string_view name) {
  starts_.push_back(static_cast<uint32_t>(names_.size()));
  names_ += name;
}

std::string_view NameIndex::Name(int index) const {
  return std::string_view(names_).substr(starts_[index], starts_[index + 1] - starts_[index]);
}

void NameIndex::Build() {
  size_t count = starts_.size();
  starts_.push_back(static_cast<uint32_t>(names_.size()));  // where the last name ends
  size_t capacity = 16;
  while (capacity < 2 * count) capacity *= 2;
  slots_.assign(capacity, Slot{});
  for (size_t i = 0; i < count; ++i) {
    std::string_view name = Name(static_cast<int>(i));
    uint32_t hash = HashName(name);
    Slot& slot = slots_[Probe(name, hash)];
    if (slot.index < 0) slot = {hash, static_cast<int>(i)};  // else: the first of equal names wins
  }
}

size_t NameIndex::Probe(std::string_view name, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index < 0 || (slot.hash == hash && Name(slot.index) == name)) return i;
  }
}

int NameIndex::Find(std::string_view name) const {
  if (slots_.empty()) return -1;
  return slots_[Probe(name, HashName(name))].index;
}

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
    // The distance is at least the difference in length: skip the hopeless.
    size_t length_gap =
        std::max(word.size(), candidate.size()) - std::min(word.size(), candidate.size());
    if (length_gap >= best_distance) continue;
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
  if (!phase.model().empty()) vars["model"] = phase.model();
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

std::span<const SourcePos> SourceMap::DepPositions(size_t phase) const {
  size_t begin = dep_pos_begin[phase];
  size_t end = phase + 1 < dep_pos_begin.size() ? dep_pos_begin[phase + 1] : dep_pos.size();
  return std::span<const SourcePos>(dep_pos).subspan(begin, end - begin);
}

std::string NameProblem(std::string_view kind, std::string_view name) {
  bool valid = IsValidName(name);
  bool git_unsafe =
      name.find("..") != std::string_view::npos || name.ends_with(".") || name.ends_with(".lock");
  if (valid && !(kind == "phase" && git_unsafe)) return "";
  std::string quoted = std::string(kind) + " name '" + std::string(name) + "'";
  if (!valid)
    return "invalid " + quoted + ": names match [A-Za-z0-9][A-Za-z0-9._-]{0,99} " +
           "(they become branch and directory names)";
  return "invalid " + quoted + ": git branch names cannot contain '..' or end in '.' or '.lock'";
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
  if (ReadManifest(text, out, &sources, &found)) ValidateManifest(*out, sources, &found);
  *diags = found.Sorted();
  return diags->empty();
}

bool ReadManifestFile(const std::string& path, std::string* text, std::vector<Diagnostic>* diags) {
  std::optional<std::string> read = ReadWholeFile(path);
  if (!read) {
    std::error_code ec;
    std::string why = fs::exists(path, ec) ? "cannot read the file" : "no such file";
    *diags = {{path, {}, "cannot read manifest: " + why}};
    return false;
  }
  *text = std::move(*read);
  return true;
}

bool LoadManifest(const std::string& path, Manifest* out, std::vector<Diagnostic>* diags) {
  std::string text;
  return ReadManifestFile(path, &text, diags) && ParseManifest(text, path, out, diags);
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
