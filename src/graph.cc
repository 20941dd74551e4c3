#include "orchestrate/graph.h"

#include <algorithm>
#include <stdexcept>

#include "orchestrate/graph_algorithms.h"

namespace orchestrate {
namespace {

// Indices of `phase`'s deps in manifest order, without duplicates.
std::vector<int> ResolveDeps(const Phase& phase, const Graph& graph) {
  std::vector<int> deps;
  deps.reserve(phase.deps.size());
  for (const std::string& name : phase.deps) {
    std::optional<int> d = graph.Find(name);
    if (!d) {
      throw std::logic_error("Graph: phase '" + phase.name + "' depends on unknown '" + name +
                             "'; validate the manifest first");
    }
    deps.push_back(*d);
  }
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  return deps;
}

// Node::dependents from every node's deps, each list sized before it is
// filled and in index order.
void LinkDependents(std::vector<Node>* nodes) {
  std::vector<int> count(nodes->size(), 0);
  for (const Node& node : *nodes)
    for (int d : node.deps) ++count[d];
  for (size_t n = 0; n < nodes->size(); ++n) (*nodes)[n].dependents.reserve(count[n]);
  for (const Node& node : *nodes)
    for (int d : node.deps) (*nodes)[d].dependents.push_back(node.index);
}

// Every (node, dep) pair: the edges graph_algorithms works on.
EdgeList DependencyEdges(const std::vector<Node>& nodes) {
  size_t count = 0;
  for (const Node& node : nodes) count += node.deps.size();
  EdgeList edges;
  edges.reserve(count);
  for (const Node& node : nodes)
    for (int d : node.deps) edges.emplace_back(node.index, d);
  return edges;
}

// Node::depth: 0 without deps, else one more than the deepest dep.
void ComputeDepths(const std::vector<int>& topo, std::vector<Node>* nodes) {
  for (int n : topo) {
    Node& node = (*nodes)[n];
    for (int d : node.deps) node.depth = std::max(node.depth, (*nodes)[d].depth + 1);
  }
}

// Flags `roots` and everything they depend on, transitively.
std::vector<char> MarkWithDeps(const Graph& graph, std::vector<int> roots) {
  std::vector<char> marked(graph.size(), 0);
  while (!roots.empty()) {
    int n = roots.back();
    roots.pop_back();
    if (marked[n]) continue;
    marked[n] = 1;
    for (int d : graph.node(n).deps) roots.push_back(d);
  }
  return marked;
}

}  // namespace

Graph::Graph(const Manifest& manifest) : manifest_(&manifest), index_(manifest.phases) {
  const std::vector<Phase>& phases = manifest.phases;
  nodes_.resize(phases.size());
  for (size_t i = 0; i < phases.size(); ++i) {
    nodes_[i].index = static_cast<int>(i);
    nodes_[i].phase = &phases[i];
    nodes_[i].deps = ResolveDeps(phases[i], *this);
  }
  LinkDependents(&nodes_);
  EdgeList edges = DependencyEdges(nodes_);
  edge_count_ = edges.size();
  topo_ = TopologicalOrder(size(), edges);
  if (topo_.size() != nodes_.size()) {
    throw std::logic_error("Graph: the manifest has a dependency cycle; validate it first");
  }
  ComputeDepths(topo_, &nodes_);
  ComputeCriticalPath(std::vector<double>(nodes_.size(), 1.0));
}

std::optional<int> Graph::Find(std::string_view name) const {
  int index = index_.Find(name);
  if (index < 0) return std::nullopt;
  return index;
}

int Graph::longest_chain() const {
  int deepest = -1;
  for (const Node& node : nodes_) deepest = std::max(deepest, node.depth);
  return deepest + 1;
}

std::string UnknownPhaseMessage(std::string_view name, const std::vector<Phase>& phases) {
  std::string message = "unknown phase '" + std::string(name) + "'";
  std::vector<std::string> names;
  for (const Phase& phase : phases) names.push_back(phase.name);
  std::string suggestion = Suggest(name, names);
  if (!suggestion.empty()) return message + " (did you mean '" + suggestion + "'?)";
  return message + " ('orchestrate graph' lists the phases)";
}

bool Graph::Select(const std::vector<std::string>& targets, std::vector<int>* out,
                   std::string* err) const {
  if (targets.empty()) {
    *out = topo_;
    return true;
  }
  std::vector<int> roots;
  for (const std::string& name : targets) {
    std::optional<int> n = Find(name);
    if (!n) {
      *err = UnknownPhaseMessage(name, manifest_->phases);
      return false;
    }
    roots.push_back(*n);
  }
  std::vector<char> chosen = MarkWithDeps(*this, roots);
  out->clear();
  for (int n : topo_) {
    if (chosen[n]) out->push_back(n);
  }
  return true;
}

void Graph::ComputeCriticalPath(const std::vector<double>& weight) {
  if (weight.size() != nodes_.size()) {
    throw std::invalid_argument("Graph::ComputeCriticalPath: one weight per phase expected");
  }
  // Backwards through the topological order: every dependent comes first.
  for (auto it = topo_.rbegin(); it != topo_.rend(); ++it) {
    Node& node = nodes_[*it];
    double heaviest = 0;
    for (int d : node.dependents) heaviest = std::max(heaviest, nodes_[d].critical_path);
    node.critical_path = weight[node.index] + heaviest;
  }
}

std::vector<std::vector<int>> Graph::Waves(const std::vector<int>& selected) const {
  // -1: not selected; otherwise the phase's depth within the selection.
  std::vector<int> depth(nodes_.size(), -1);
  for (int n : selected) depth[n] = 0;
  std::vector<std::vector<int>> waves;
  for (int n : selected) {
    for (int d : nodes_[n].deps) {
      if (depth[d] >= 0) depth[n] = std::max(depth[n], depth[d] + 1);
    }
    if (static_cast<size_t>(depth[n]) >= waves.size()) waves.resize(depth[n] + 1);
    waves[depth[n]].push_back(n);
  }
  return waves;
}

}  // namespace orchestrate
