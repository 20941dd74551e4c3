// Graph algorithms on plain adjacency lists. Boost.Graph lives behind this
// header, in graph_algorithms.cc only.
#pragma once

#include <optional>
#include <utility>
#include <vector>

namespace orchestrate {

/// Edge (from, to) means "from depends on to". Nodes are 0..node_count-1.
using EdgeList = std::vector<std::pair<int, int>>;

/// A dependency cycle as a node path whose last element equals the first
/// (a -> b -> c -> a), or empty when the graph is acyclic. Deterministic:
/// nodes are explored in index order.
std::vector<int> FindCycle(int node_count, const EdgeList& edges);

/// Dependencies before dependents; among unordered nodes, lower index first.
/// Precondition: acyclic.
std::vector<int> TopologicalOrder(int node_count, const EdgeList& edges);

/// For each node, the heaviest chain of dependents starting at it, counting
/// its own weight: weight[n] + max over dependents d of result[d].
/// Precondition: acyclic.
std::vector<double> CriticalPathWeights(int node_count, const EdgeList& edges,
                                        const std::vector<double>& weight);

}  // namespace orchestrate
