// The only translation unit that includes Boost.Graph.
#include "orchestrate/graph_algorithms.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace orchestrate {
namespace {

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
using Vertex = boost::graph_traits<BoostGraph>::vertex_descriptor;
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

}  // namespace

std::vector<int> FindCycle(int node_count, const EdgeList& edges) {
  BoostGraph g = MakeGraph(node_count, edges);
  std::vector<int> parent(node_count, -1);
  std::vector<int> cycle;
  std::vector<boost::default_color_type> color(node_count);
  auto color_map = boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g));
  boost::depth_first_search(g, CycleRecorder(&parent, &cycle), color_map);
  return cycle;
}

std::vector<int> TopologicalOrder(int node_count, const EdgeList& edges) {
  // Kahn's algorithm with a min-heap keeps ties in index order, which
  // boost::topological_sort does not promise; BGL still guards acyclicity
  // in FindCycle. Edges point from dependent to dependency.
  std::vector<int> pending(node_count, 0);
  std::vector<std::vector<int>> dependents(node_count);
  for (auto [from, to] : edges) {
    ++pending[from];
    dependents[to].push_back(from);
  }
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
    for (int d : dependents[n]) {
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
  BoostGraph g = MakeGraph(node_count, edges);
  // topological_sort emits dependencies before dependents (for an edge
  // u -> v it writes v first); walking that backwards visits every dependent
  // before the phases it depends on.
  std::vector<Vertex> reverse_order;
  boost::topological_sort(g, std::back_inserter(reverse_order));
  std::vector<std::vector<int>> dependents(node_count);
  for (auto [from, to] : edges) dependents[to].push_back(from);
  std::vector<double> result(node_count, 0);
  for (auto it = reverse_order.rbegin(); it != reverse_order.rend(); ++it) {
    int n = static_cast<int>(*it);
    double best = 0;
    for (int d : dependents[n]) best = std::max(best, result[d]);
    result[n] = weight[n] + best;
  }
  return result;
}

}  // namespace orchestrate
