// Hand-made manifests for unit tests of the graph and the scheduler.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "orchestrate/manifest.h"

namespace orchestrate::testing {

using PhaseSpec = std::pair<std::string, std::vector<std::string>>;

/// A manifest with phases (name, deps) in the given order and nothing else.
inline Manifest MakeManifest(const std::vector<PhaseSpec>& specs) {
  Manifest m;
  for (const auto& [name, deps] : specs) {
    Phase p;
    p.name = name;
    p.deps = deps;
    m.phases.push_back(p);
  }
  return m;
}

}  // namespace orchestrate::testing
