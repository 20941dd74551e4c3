// FormatGraph: the selected phases as text, Graphviz dot, mermaid or JSON.
//
// The text format lists the phases wave by wave, one phase per line, because
// that stays readable for graphs of 20 and more phases (a tree repeats every
// shared dependency under each dependent, and one line per wave overflows the
// terminal):
//
//   wave 1 (1 phase)
//     schema: Define the database schema
//   wave 2 (2 phases)
//     api (after schema): Build the API
//     ui (after schema)
//
// Edges everywhere point from a dependency to its dependent: the way work
// flows. Only edges between selected phases are drawn.
#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "orchestrate/graph.h"
#include "orchestrate/report.h"

namespace orchestrate {
namespace {

// Per phase: its 1-based wave within the selection, 0 when not selected.
std::vector<int> WaveNumbers(const Graph& graph, const std::vector<std::vector<int>>& waves) {
  std::vector<int> wave(graph.size(), 0);
  for (size_t w = 0; w < waves.size(); ++w) {
    for (int n : waves[w]) wave[n] = static_cast<int>(w) + 1;
  }
  return wave;
}

// Deps of `n` that are selected (wave != 0), in manifest order.
std::vector<int> SelectedDeps(const Graph& graph, int n, const std::vector<int>& wave) {
  std::vector<int> deps;
  for (int d : graph.node(n).deps) {
    if (wave[d] != 0) deps.push_back(d);
  }
  return deps;
}

// Newlines and tabs become spaces so a description stays on its line.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string NameList(const Graph& graph, const std::vector<int>& phases) {
  std::string out;
  for (int n : phases) out += (out.empty() ? "" : ", ") + graph.node(n).phase->name;
  return out;
}

std::string TextLine(const Graph& graph, int n, const std::vector<int>& wave) {
  const Phase& phase = *graph.node(n).phase;
  std::string line = "  " + phase.name;
  std::vector<int> deps = SelectedDeps(graph, n, wave);
  if (!deps.empty()) line += " (after " + NameList(graph, deps) + ")";
  if (!phase.description().empty()) line += ": " + OneLine(phase.description());
  return line + "\n";
}

std::string FormatText(const Graph& graph, const std::vector<int>& selected) {
  if (selected.empty()) return "no phases\n";
  std::vector<std::vector<int>> waves = graph.Waves(selected);
  std::vector<int> wave = WaveNumbers(graph, waves);
  std::string out;
  for (size_t w = 0; w < waves.size(); ++w) {
    size_t count = waves[w].size();
    out += "wave " + std::to_string(w + 1) + " (" + std::to_string(count) +
           (count == 1 ? " phase)\n" : " phases)\n");
    for (int n : waves[w]) out += TextLine(graph, n, wave);
  }
  return out;
}

// A double-quoted dot string.
std::string DotQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out + "\"";
}

// The state of a phase, or nullptr when states are not shown or not known.
const std::string* StateOf(const PhaseStateNames* states, const std::string& phase) {
  if (!states) return nullptr;
  auto it = states->find(phase);
  return it == states->end() ? nullptr : &it->second;
}

std::string DotAttributes(const Phase& phase, const std::string* state) {
  std::vector<std::string> attrs;
  if (!phase.description().empty()) attrs.push_back("tooltip=" + DotQuote(phase.description()));
  if (state) {
    attrs.push_back("style=filled");
    attrs.push_back("fillcolor=" + DotQuote(StateColor(*state)));
    attrs.push_back("xlabel=" + DotQuote(*state));
  }
  std::string out;
  for (const std::string& a : attrs) out += (out.empty() ? " [" : ", ") + a;
  return out.empty() ? out : out + "]";
}

std::string FormatDot(const Graph& graph, const std::vector<int>& selected,
                      const PhaseStateNames* states) {
  std::vector<int> wave = WaveNumbers(graph, graph.Waves(selected));
  std::string out = "digraph orchestrate {\n  rankdir=LR;\n  node [shape=box];\n";
  for (int n : selected) {
    const Phase& phase = *graph.node(n).phase;
    out += "  " + DotQuote(phase.name) + DotAttributes(phase, StateOf(states, phase.name)) + ";\n";
  }
  for (int n : selected) {
    for (int d : SelectedDeps(graph, n, wave)) {
      out += "  " + DotQuote(graph.node(d).phase->name) + " -> " +
             DotQuote(graph.node(n).phase->name) + ";\n";
    }
  }
  return out + "}\n";
}

// Text inside a mermaid ["..."] label: characters mermaid or HTML would
// interpret become mermaid entity codes (#quot;, #60;, ...).
std::string MermaidText(std::string_view text) {
  static const std::pair<char, const char*> kCodes[] = {
      {'"', "#quot;"}, {'#', "#35;"}, {'&', "#38;"}, {'<', "#60;"}, {'>', "#62;"}, {'`', "#96;"}};
  std::string out;
  for (char c : OneLine(text)) {
    auto code = std::find_if(std::begin(kCodes), std::end(kCodes),
                             [c](const auto& entry) { return entry.first == c; });
    if (code != std::end(kCodes)) {
      out += code->second;
    } else {
      out += c;
    }
  }
  return out;
}

// Node ids are n<index>: phase names may contain '.' and '-', and words
// such as "end" are keywords in mermaid.
std::string MermaidId(int n) { return "n" + std::to_string(n); }

// One classDef per state shown, named after it ("awaiting-approval" becomes
// s_awaiting_approval: class names cannot hold '-').
std::string MermaidClass(const std::string& state) {
  std::string out = "s_" + state;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

std::string MermaidClasses(const Graph& graph, const std::vector<int>& selected,
                           const PhaseStateNames* states) {
  std::map<std::string, std::vector<std::string>> members;
  for (int n : selected)
    if (const std::string* state = StateOf(states, graph.node(n).phase->name))
      members[*state].push_back(MermaidId(n));
  std::string out;
  for (const auto& [state, ids] : members) {
    std::string list;
    for (const std::string& id : ids) list += (list.empty() ? "" : ",") + id;
    out += "  classDef " + MermaidClass(state) + " fill:" + std::string(StateColor(state)) +
           ",stroke:#555\n  class " + list + " " + MermaidClass(state) + "\n";
  }
  return out;
}

std::string FormatMermaid(const Graph& graph, const std::vector<int>& selected,
                          const PhaseStateNames* states) {
  std::vector<int> wave = WaveNumbers(graph, graph.Waves(selected));
  std::string out = "flowchart LR\n";
  for (int n : selected) {
    const Phase& phase = *graph.node(n).phase;
    std::string label = MermaidText(phase.name);
    if (const std::string* state = StateOf(states, phase.name)) label += " (" + *state + ")";
    if (!phase.description().empty()) label += "<br/>" + MermaidText(phase.description());
    out += "  " + MermaidId(n) + "[\"" + label + "\"]\n";
  }
  for (int n : selected) {
    for (int d : SelectedDeps(graph, n, wave)) {
      out += "  " + MermaidId(d) + " --> " + MermaidId(n) + "\n";
    }
  }
  return out + MermaidClasses(graph, selected, states);
}

nlohmann::json JsonNode(const Graph& graph, int n, const std::vector<int>& wave) {
  const Phase& phase = *graph.node(n).phase;
  nlohmann::json deps = nlohmann::json::array();
  for (int d : SelectedDeps(graph, n, wave)) deps.push_back(graph.node(d).phase->name);
  return {{"name", phase.name},
          {"description", phase.description()},
          {"deps", deps},
          {"pool", phase.pool().empty() ? nlohmann::json(nullptr) : nlohmann::json(phase.pool())},
          {"priority", phase.priority},
          {"wave", wave[n]}};
}

// {"nodes": [...], "edges": [{"from": dep, "to": dependent}]}; a node's
// "deps" lists its selected deps, "pool" is null without a pool.
std::string FormatJson(const Graph& graph, const std::vector<int>& selected) {
  std::vector<int> wave = WaveNumbers(graph, graph.Waves(selected));
  nlohmann::json nodes = nlohmann::json::array();
  nlohmann::json edges = nlohmann::json::array();
  for (int n : selected) {
    nodes.push_back(JsonNode(graph, n, wave));
    for (int d : SelectedDeps(graph, n, wave)) {
      edges.push_back(nlohmann::json::object(
          {{"from", graph.node(d).phase->name}, {"to", graph.node(n).phase->name}}));
    }
  }
  nlohmann::json doc = {{"nodes", nodes}, {"edges", edges}};
  return doc.dump(2) + "\n";
}

}  // namespace

std::string FormatGraph(const Graph& graph, const std::vector<int>& selected, GraphFormat format,
                        const PhaseStateNames* states) {
  switch (format) {
    case GraphFormat::kText:
      return FormatText(graph, selected);
    case GraphFormat::kDot:
      return FormatDot(graph, selected, states);
    case GraphFormat::kMermaid:
      return FormatMermaid(graph, selected, states);
    case GraphFormat::kJson:
      return FormatJson(graph, selected);
  }
  return FormatText(graph, selected);
}

}  // namespace orchestrate
