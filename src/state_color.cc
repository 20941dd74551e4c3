// StateColor: one palette for every picture of phase states.
#include <utility>

#include "orchestrate/report.h"

namespace orchestrate {

std::string_view StateColor(std::string_view state) {
  static const std::pair<std::string_view, std::string_view> kColors[] = {
      {"fresh", "#b7e1b0"},          {"succeeded", "#6cc070"},
      {"stale", "#e4e4e4"},          {"running", "#8cb8f0"},
      {"failed", "#f08080"},         {"timed-out", "#f08080"},
      {"input-conflict", "#f08080"}, {"merge-conflict", "#f08080"},
      {"error", "#f08080"},          {"interrupted", "#f4a6a6"},
      {"blocked", "#f5b971"},        {"awaiting-approval", "#f7e07b"},
      {"requeued", "#c9b3e6"},       {"skipped-budget", "#f5b971"},
  };
  for (const auto& [name, color] : kColors)
    if (name == state) return color;
  return "#f4f4f4";
}

}  // namespace orchestrate
