// The phase graph: a Ninja-style model of our own, built from a validated
// Manifest. No I/O.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/manifest.h"

namespace orchestrate {

/// A phase in the graph, by index into Manifest::phases.
struct Node {
  int index = 0;
  const Phase* phase = nullptr;
  std::vector<int> deps;        ///< phases this one needs, in manifest order
  std::vector<int> dependents;  ///< phases that need this one
  int depth = 0;                ///< 0 with no deps, else 1 + max depth of deps (its wave)
  double critical_path = 0;     ///< heaviest chain of dependents from here, own weight included
};

class Graph {
 public:
  /// Builds the graph of a validated manifest (known deps, no cycles). The
  /// manifest must outlive the graph.
  explicit Graph(const Manifest& manifest);

  const Manifest& manifest() const { return *manifest_; }
  int size() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int i) const { return nodes_[i]; }
  std::optional<int> Find(std::string_view name) const;
  size_t edge_count() const { return edge_count_; }
  /// Number of phases on the longest dependency chain.
  int longest_chain() const;

  /// All phases, dependencies before dependents (ties in manifest order).
  const std::vector<int>& topo_order() const { return topo_; }

  /// The named phases and everything they depend on, in topo order; all
  /// phases when `targets` is empty. Unknown names: false, with
  /// "unknown phase 'x' (did you mean 'y'?)" in *err.
  bool Select(const std::vector<std::string>& targets, std::vector<int>* out,
              std::string* err) const;

  /// Recomputes Node::critical_path with per-phase weights (for example the
  /// recorded durations in seconds; 1 when unknown), one per phase. Not while
  /// a Scheduler on this graph has phases queued: it orders them by it.
  void ComputeCriticalPath(const std::vector<double>& weight);

  /// `selected` (in topo order) grouped by depth within the selection: each
  /// wave's phases could all run at once.
  std::vector<std::vector<int>> Waves(const std::vector<int>& selected) const;

 private:
  const Manifest* manifest_;
  std::vector<Node> nodes_;
  std::vector<int> topo_;
  size_t edge_count_ = 0;
  NameIndex index_;  ///< phase name -> index
};

/// "unknown phase 'dosc' (did you mean 'docs'?)", or pointing at `orchestrate
/// graph` when no name is close: for every command-line phase name.
std::string UnknownPhaseMessage(std::string_view name, const std::vector<Phase>& phases);

enum class GraphFormat { kText, kDot, kMermaid, kJson };

/// Renders the selected phases (and the edges among them). Text is a layered
/// listing readable in a terminal; dot renders with graphviz; mermaid renders
/// on GitHub; json is {"nodes": [...], "edges": [...]}. Edges point from a
/// dependency to its dependent (the flow of work); wave numbers count from 1.
/// `states` (phase -> state name), when given, colours dot and mermaid nodes
/// by state (graph --status); text and JSON ignore it.
std::string FormatGraph(const Graph& graph, const std::vector<int>& selected, GraphFormat format,
                        const std::map<std::string, std::string>* states = nullptr);

}  // namespace orchestrate
