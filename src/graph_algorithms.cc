// The only translation unit that includes Boost.Graph.
#include "orchestrate/graph_algorithms.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <functional>
#include <numeric>
#include <span>

namespace orchestrate {
namespace {

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using BoostEdge = boost::graph_traits<BoostGraph>::edge_descriptor;

// Edges sorted per source so exploration is deterministic.
BoostGraph MakeGraph(int node_count, const EdgeList& edges) {
  EdgeList sorted = edges;
  std::sort(sorted.begin(), sorted.end());
  BoostGraph g(node_count);
  for (auto [from, to] : sorted) boost::add_edge(from, to, g);
  return g;
}

// Records tree-edge parents; on the first back edge u -> v, walks from u
// back to v to recover the cycle.
class CycleRecorder : public boost::default_dfs_visitor {
 public:
  CycleRecorder(std::vector<int>* parent, std::vector<int>* cycle)
      : parent_(parent), cycle_(cycle) {}
  void tree_edge(BoostEdge e, const BoostGraph& g) {
    (*parent_)[boost::target(e, g)] = static_cast<int>(boost::source(e, g));
  }
  void back_edge(BoostEdge e, const BoostGraph& g) {
    if (!cycle_->empty()) return;
    int u = static_cast<int>(boost::source(e, g));
    int v = static_cast<int>(boost::target(e, g));
    std::vector<int> reversed{v};
    for (int n = u; n != v && n >= 0; n = (*parent_)[n]) reversed.push_back(n);
    reversed.push_back(v);
    cycle_->assign(reversed.rbegin(), reversed.rend());
  }

 private:
  std::vector<int>* parent_;
  std::vector<int>* cycle_;
};

// The edges grouped by their `to` end, in compressed form: the nodes that
// depend on node n are from[first[n] .. first[n + 1]), in the order the
// edges were given. Three allocations, whatever the size of the graph.
struct Dependents {
  std::vector<int> first;
  std::vector<int> from;

  Dependents(int node_count, const EdgeList& edges) : first(node_count + 1, 0), from(edges.size()) {
    for (auto [dependent, dependency] : edges) ++first[dependency + 1];
    for (int n = 0; n < node_count; ++n) first[n + 1] += first[n];
    std::vector<int> next(first.begin(), first.end() - 1);
    for (auto [dependent, dependency] : edges) from[next[dependency]++] = dependent;
  }
  std::span<const int> Of(int n) const {
    return std::span<const int>(from).subspan(first[n], first[n + 1] - first[n]);
  }
};

// For each node, how many dependency edges it has.
std::vector<int> DependencyCounts(int node_count, const EdgeList& edges) {
  std::vector<int> count(node_count, 0);
  for (auto [dependent, dependency] : edges) ++count[dependent];
  return count;
}

// Whether every edge goes to a lower index: each node depends only on nodes
// before it, the way manifests are usually written. Index order is then a
// topological order, and the one TopologicalOrder picks (lower index first).
bool DependenciesComeFirst(const EdgeList& edges) {
  return std::all_of(edges.begin(), edges.end(),
                     [](const std::pair<int, int>& edge) { return edge.first > edge.second; });
}

// Kahn's algorithm in any order: every node gets done unless it is on or
// behind a cycle. Linear, so the common case (no cycle) never builds the
// sorted Boost graph that finding the cycle itself needs.
bool IsAcyclic(int node_count, const EdgeList& edges) {
  if (DependenciesComeFirst(edges)) return true;
  Dependents dependents(node_count, edges);
  std::vector<int> pending = DependencyCounts(node_count, edges);
  std::vector<int> ready;
  for (int n = 0; n < node_count; ++n)
    if (pending[n] == 0) ready.push_back(n);
  int done = 0;
  while (!ready.empty()) {
    int n = ready.back();
    ready.pop_back();
    ++done;
    for (int d : dependents.Of(n))
      if (--pending[d] == 0) ready.push_back(d);
  }
  return done == node_count;
}

}  // namespace

std::vector<int> FindCycle(int node_count, const EdgeList& edges) {
  if (IsAcyclic(node_count, edges)) return {};
  BoostGraph g = MakeGraph(node_count, edges);
  std::vector<int> parent(node_count, -1);
  std::vector<int> cycle;
  std::vector<boost::default_color_type> color(node_count);
  auto color_map =
      boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g));
  boost::depth_first_search(g, CycleRecorder(&parent, &cycle), color_map);
  return cycle;
}

std::vector<int> TopologicalOrder(int node_count, const EdgeList& edges) {
  // Kahn's algorithm with a min-heap keeps ties in index order, which
  // boost::topological_sort does not promise; BGL still finds the cycle in
  // FindCycle. Edges point from dependent to dependency.
  if (DependenciesComeFirst(edges)) {
    std::vector<int> order(node_count);
    std::iota(order.begin(), order.end(), 0);
    return order;
  }
  Dependents dependents(node_count, edges);
  std::vector<int> pending = DependencyCounts(node_count, edges);
  std::vector<int> heap;
  auto cmp = std::greater<int>();
  for (int n = 0; n < node_count; ++n)
    if (pending[n] == 0) heap.push_back(n);
  std::make_heap(heap.begin(), heap.end(), cmp);
  std::vector<int> order;
  order.reserve(node_count);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), cmp);
    int n = heap.back();
    heap.pop_back();
    order.push_back(n);
    for (int d : dependents.Of(n)) {
      if (--pending[d] == 0) {
        heap.push_back(d);
        std::push_heap(heap.begin(), heap.end(), cmp);
      }
    }
  }
  return order;
}

std::vector<double> CriticalPathWeights(int node_count, const EdgeList& edges,
                                        const std::vector<double>& weight) {
  // Walking the topological order backwards visits every dependent before
  // the nodes it depends on.
  std::vector<int> order = TopologicalOrder(node_count, edges);
  Dependents dependents(node_count, edges);
  std::vector<double> result(node_count, 0);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    double heaviest = 0;
    for (int d : dependents.Of(*it)) heaviest = std::max(heaviest, result[d]);
    result[*it] = weight[*it] + heaviest;
  }
  return result;
}

}  // namespace orchestrate
