// What re-running stale phases would cost, by their last records (SPEC
// section 8): "3 to run, about $4.10 by their last runs".
#pragma once

#include <string>
#include <vector>

#include "orchestrate/cache.h"

namespace orchestrate {

/// The sum of the recorded cost of each phase's last record.
struct CostEstimate {
  double cost_usd = 0;  ///< over the phases with a recorded cost
  int known = 0;        ///< phases whose last record has a cost
  int unknown = 0;      ///< phases never recorded, or recorded without a cost
};

/// Adds up the cost of the last record (any status, newest first) of each
/// of `phases` (ResultCache::Latest) in `repo`, the repository of `cache`.
CostEstimate EstimateCost(Repo& repo, ResultCache& cache, const std::vector<std::string>& phases);

/// ", about $4.10 by their last runs (1 with no recorded cost)" for the
/// plan's first line; "" when no phase has a recorded cost.
std::string FormatEstimate(const CostEstimate& estimate);

}  // namespace orchestrate
