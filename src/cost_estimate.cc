// CostEstimate: the last recorded cost of the phases a plan would run.
#include "orchestrate/cost_estimate.h"

#include <set>
#include <string_view>

#include "orchestrate/refs.h"
#include "orchestrate/usage.h"

namespace orchestrate {

namespace {

// The phases with at least one record, from one walk of the records' refs:
// a plan of thousands of phases never run asks git once, not once each.
std::set<std::string> RecordedPhases(Repo& repo) {
  std::set<std::string> phases;
  for (const auto& [ref, id] : repo.ListRefs(std::string(refs::kCacheRoot)))
    if (std::optional<refs::CacheRefName> name = refs::ParseCacheRef(ref))
      phases.insert(name->phase);
  return phases;
}

}  // namespace

CostEstimate EstimateCost(Repo& repo, ResultCache& cache, const std::vector<std::string>& phases) {
  CostEstimate estimate;
  if (phases.empty()) return estimate;
  std::set<std::string> recorded = RecordedPhases(repo);
  for (const std::string& phase : phases) {
    std::optional<Record> last;
    if (recorded.count(phase)) last = cache.Latest(phase);
    if (!last || !last->usage.cost_usd) {
      ++estimate.unknown;
      continue;
    }
    ++estimate.known;
    estimate.cost_usd += *last->usage.cost_usd;
  }
  return estimate;
}

std::string FormatEstimate(const CostEstimate& estimate) {
  if (estimate.known == 0) return "";
  std::string text = ", about " + FormatCost(estimate.cost_usd) + " by their last runs";
  if (estimate.unknown > 0)
    text += " (" + std::to_string(estimate.unknown) + " with no recorded cost)";
  return text;
}

}  // namespace orchestrate
