// Why a phase is stale: the differences between two sets of key components,
// in words a user can act on (`plan`, `explain`).
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/cache.h"

namespace orchestrate {
namespace {

constexpr size_t kMaxInputReasons = 5;

// A component's value in one set, or nullopt when absent.
using Value = std::optional<std::string>;

Value Get(const KeyComponents& key, const std::string& name) {
  auto it = key.items.find(name);
  if (it == key.items.end()) return std::nullopt;
  return it->second;
}

bool HasPrefix(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "changed" / "added" / "removed" for a component that differs.
std::string Verb(const Value& now, const Value& then) {
  if (!then) return "added";
  if (!now) return "removed";
  return "changed";
}

// One reason per differing component; `rank` orders the kinds of reasons.
struct Reason {
  int rank;
  std::string text;
};

Reason Describe(const std::string& name, const Value& now, const Value& then) {
  if (name == "command") return {0, "command changed"};
  if (name == "model") return {1, "model changed"};
  if (HasPrefix(name, "prompt ") && now && then) return {2, name + " changed"};
  if (HasPrefix(name, "prompt")) return {3, "prompt changed"};
  if (name == "setup") return {4, "setup changed"};
  if (name == "verify") return {5, "verify changed"};
  if (HasPrefix(name, "env ")) return {6, name + " changed"};
  if (name == "base" && now && then) return {8, "base changed"};
  if (name == "base") return {9, "inputs changed"};
  if (HasPrefix(name, "input ")) return {10, name + " " + Verb(now, then)};
  if (HasPrefix(name, "key_env ")) return {11, name + " changed"};
  std::string dep = name.substr(name.find(' ') + 1);
  if (HasPrefix(name, "dep ") && now && then)
    return {12, "dependency " + dep + " has a new result"};
  if (HasPrefix(name, "dep ")) return {12, "dependency " + dep + " " + Verb(now, then)};
  if (HasPrefix(name, "handoff ") && now && then)
    return {12, "dependency " + dep + " has a new handoff"};
  if (HasPrefix(name, "handoff ") && now) return {12, "dependency " + dep + " wrote a handoff"};
  if (HasPrefix(name, "handoff ")) return {12, "dependency " + dep + " no longer writes a handoff"};
  return {13, name + " changed"};
}

// Keeps the first kMaxInputReasons "input ..." reasons and summarizes the rest.
void CapInputReasons(std::vector<std::string>* reasons) {
  auto is_input = [](const std::string& r) { return HasPrefix(r, "input "); };
  size_t total = std::count_if(reasons->begin(), reasons->end(), is_input);
  std::vector<std::string> kept;
  size_t inputs = 0;
  for (std::string& reason : *reasons) {
    if (is_input(reason) && ++inputs > kMaxInputReasons) {
      if (inputs == kMaxInputReasons + 1)
        kept.push_back("and " + std::to_string(total - kMaxInputReasons) + " more inputs changed");
      continue;
    }
    kept.push_back(std::move(reason));
  }
  *reasons = std::move(kept);
}

}  // namespace

std::vector<std::string> DescribeChanges(const KeyComponents& now, const KeyComponents& then) {
  std::set<std::string> names;
  for (const auto& item : now.items) names.insert(item.first);
  for (const auto& item : then.items) names.insert(item.first);
  // Switching between `base` and `inputs` is one reason, not one per file.
  bool mode_switched = now.items.count("base") != then.items.count("base");
  std::vector<Reason> found;
  for (const std::string& name : names) {
    if (mode_switched && HasPrefix(name, "input ")) continue;
    Value a = Get(now, name), b = Get(then, name);
    if (a != b) found.push_back(Describe(name, a, b));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Reason& x, const Reason& y) { return x.rank < y.rank; });
  std::vector<std::string> reasons;
  for (Reason& reason : found)
    if (std::find(reasons.begin(), reasons.end(), reason.text) == reasons.end())
      reasons.push_back(std::move(reason.text));
  CapInputReasons(&reasons);
  return reasons;
}

}  // namespace orchestrate
