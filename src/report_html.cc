// RenderHtmlReport: the page of a run. Everything is inline (CSS and SVG);
// there is no script and no link that leaves the file.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include "orchestrate/report.h"

namespace orchestrate {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

std::string Shorten(const std::string& text, size_t max) {
  return text.size() <= max ? text : text.substr(0, max - 1) + "…";
}

const char* kStyle =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;"
    "text-align:left}td.n{text-align:right}"
    ".state{display:inline-block;padding:0 6px;border-radius:3px}"
    "pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}"
    "svg text{font:12px system-ui,sans-serif}dl{display:grid;grid-template-columns:auto 1fr;"
    "gap:2px 12px}dt{color:#666}dd{margin:0}";

std::string StateBadge(const std::string& state) {
  return "<span class=\"state\" style=\"background:" + std::string(StateColor(state)) + "\">" +
         Escape(state) + "</span>";
}

std::string Header(const ReportModel& m) {
  char when[32] = "";
  std::time_t t = m.started_at;
  if (m.started_at) std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  std::string out = "<h1>orchestrate run</h1>\n<dl>";
  auto row = [&out](const char* k, const std::string& v) {
    out += "<dt>" + std::string(k) + "</dt><dd>" + v + "</dd>";
  };
  row("manifest", Escape(m.manifest_path));
  row("started", when[0] ? when : "not recorded");
  row("duration", Escape(FormatDuration(m.duration_s)));
  row("base", "<code>" + Escape(m.base) + "</code>");
  row("target", Escape(m.target) + (m.target_commit.empty()
                                        ? " (not created yet)"
                                        : " at <code>" + m.target_commit.hex() + "</code>"));
  std::map<std::string, int> counts;
  for (const ReportPhase& p : m.phases) ++counts[p.state];
  std::string summary;
  for (const auto& [state, n] : counts)
    summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + StateBadge(state);
  row("phases", summary);
  return out + "</dl>\n";
}

// Phases in columns by wave (a dependency always left of its dependents).
std::string GraphSvg(const ReportModel& m) {
  std::map<std::string, int> index, column;
  for (size_t i = 0; i < m.phases.size(); ++i) index[m.phases[i].name] = static_cast<int>(i);
  std::vector<int> rows_in_column;
  std::vector<std::pair<int, int>> pos(m.phases.size());
  if (m.phases.empty()) return "";
  for (size_t i = 0; i < m.phases.size(); ++i) {  // phases come in dependency order
    int col = 0;
    for (const std::string& d : m.phases[i].deps)
      if (column.count(d)) col = std::max(col, column[d] + 1);
    column[m.phases[i].name] = col;
  }
  for (size_t i = 0; i < m.phases.size(); ++i) {
    int col = column[m.phases[i].name];
    if (static_cast<int>(rows_in_column.size()) <= col) rows_in_column.resize(col + 1, 0);
    pos[i] = {col, rows_in_column[col]++};
  }
  const int w = 160, h = 34, dx = 200, dy = 48;
  int width = static_cast<int>(rows_in_column.size()) * dx + 20;
  int height = (*std::max_element(rows_in_column.begin(), rows_in_column.end())) * dy + 20;
  std::string out = "<svg id=\"graph\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  for (size_t i = 0; i < m.phases.size(); ++i)
    for (const std::string& d : m.phases[i].deps) {
      if (!index.count(d)) continue;
      auto [c1, r1] = pos[index[d]];
      auto [c2, r2] = pos[i];
      out += "<line x1=\"" + std::to_string(10 + c1 * dx + w) + "\" y1=\"" +
             std::to_string(10 + r1 * dy + h / 2) + "\" x2=\"" + std::to_string(10 + c2 * dx) +
             "\" y2=\"" + std::to_string(10 + r2 * dy + h / 2) + "\" stroke=\"#888\"/>\n";
    }
  for (size_t i = 0; i < m.phases.size(); ++i) {
    const ReportPhase& p = m.phases[i];
    int x = 10 + pos[i].first * dx, y = 10 + pos[i].second * dy;
    out += "<g><title>" + Escape(p.name + ": " + p.state) + "</title><rect x=\"" +
           std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(w) +
           "\" height=\"" + std::to_string(h) + "\" rx=\"4\" fill=\"" +
           std::string(StateColor(p.state)) + "\" stroke=\"#555\"/><text x=\"" +
           std::to_string(x + 8) + "\" y=\"" + std::to_string(y + 15) + "\">" +
           Escape(Shorten(p.name, 22)) + "</text><text x=\"" + std::to_string(x + 8) + "\" y=\"" +
           std::to_string(y + 29) + "\" fill=\"#444\">" + Escape(p.state) + "</text></g>\n";
  }
  return out + "</svg>\n";
}

// One row per job slot; a bar per try of a phase; requeue waits hatched.
std::string TimelineSvg(const ReportModel& m) {
  if (m.bars.empty()) return "<p>No phase ran in this run.</p>\n";
  int slots = m.jobs;
  double end = m.duration_s;
  for (const ReportBar& b : m.bars)
    slots = std::max(slots, b.slot + 1), end = std::max(end, b.end_s);
  end = std::max(end, 0.001);
  const int left = 60, width = 840, row = 28;
  double scale = width / end;
  std::string out =
      "<svg id=\"timeline\" width=\"" + std::to_string(left + width + 10) + "\" height=\"" +
      std::to_string(slots * row + 24) +
      "\" xmlns=\"http://www.w3.org/2000/svg\">\n"
      "<defs><pattern id=\"wait\" width=\"6\" height=\"6\" "
      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
      "<rect width=\"6\" height=\"6\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" "
      "y2=\"6\" stroke=\"#a58cd0\" stroke-width=\"3\"/></pattern></defs>\n";
  for (int s = 0; s < slots; ++s)
    out += "<text x=\"0\" y=\"" + std::to_string(s * row + 18) + "\">job " + std::to_string(s + 1) +
           "</text>\n";
  for (const ReportBar& b : m.bars) {
    double x = left + b.start_s * scale, bw = std::max(2.0, (b.end_s - b.start_s) * scale);
    std::string label = b.phase + (b.waiting ? " (waiting)" : "");
    out += "<g><title>" +
           Escape(label + ": " + b.state + ", " + Num(b.start_s) + "s to " + Num(b.end_s) + "s") +
           "</title><rect x=\"" + Num(x) + "\" y=\"" + std::to_string(b.slot * row + 2) +
           "\" width=\"" + Num(bw) + "\" height=\"" + std::to_string(row - 6) + "\" fill=\"" +
           (b.waiting ? std::string("url(#wait)") : std::string(StateColor(b.state))) +
           "\" stroke=\"#555\"/>";
    if (bw > 40)
      out += "<text x=\"" + Num(x + 4) + "\" y=\"" + std::to_string(b.slot * row + 17) + "\">" +
             Escape(Shorten(label, static_cast<size_t>(bw / 7))) + "</text>";
    out += "</g>\n";
  }
  out += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(slots * row + 18) +
         "\">0s</text><text x=\"" + std::to_string(left + width - 40) + "\" y=\"" +
         std::to_string(slots * row + 18) + "\">" + Escape(FormatDuration(end)) + "</text>\n";
  return out + "</svg>\n";
}

std::string PhaseTable(const ReportModel& m) {
  bool costs = std::any_of(m.phases.begin(), m.phases.end(),
                           [](const ReportPhase& p) { return p.cost_usd.has_value(); });
  std::string out =
      "<table id=\"phases\"><tr><th>phase</th><th>state</th><th>duration</th>"
      "<th>attempts</th>" +
      std::string(costs ? "<th>cost</th>" : "") + "<th>why</th></tr>\n";
  for (const ReportPhase& p : m.phases) {
    out += "<tr><td>" + Escape(p.name) + "</td><td>" + StateBadge(p.state) +
           "</td><td class=\"n\">" +
           (p.duration_s > 0 ? Escape(FormatDuration(p.duration_s)) : "-") +
           "</td><td class=\"n\">" + (p.attempts ? std::to_string(p.attempts) : "-") + "</td>";
    if (costs) out += "<td class=\"n\">" + (p.cost_usd ? FormatCost(*p.cost_usd) : "-") + "</td>";
    out += "<td>" + Escape(p.reason) + "</td></tr>\n";
  }
  if (costs) {
    double total = 0;
    for (const ReportPhase& p : m.phases) total += p.cost_usd.value_or(0);
    out += "<tr class=\"total\"><td>total</td><td></td><td></td><td></td><td class=\"n\">" +
           FormatCost(total) + "</td><td></td></tr>\n";
  }
  return out + "</table>\n";
}

std::string Failures(const ReportModel& m) {
  std::string out;
  for (const ReportPhase& p : m.phases) {
    if (p.log_tail.empty()) continue;
    out += "<details open><summary>" + Escape(p.name) + ": " + Escape(p.state) +
           (p.reason.empty() ? "" : " (" + Escape(p.reason) + ")") + "</summary>" +
           (p.log_path.empty() ? "" : "<p>log: <code>" + Escape(p.log_path) + "</code></p>") +
           "<pre>" + Escape(p.log_tail) + "</pre></details>\n";
  }
  return out.empty() ? "<p>None.</p>\n" : out;
}

}  // namespace

std::string RenderHtmlReport(const ReportModel& m) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<title>orchestrate run</title><style>" +
         std::string(kStyle) + "</style></head><body>\n" + Header(m) + "<h2>Graph</h2>\n" +
         GraphSvg(m) + "<h2>Timeline</h2>\n" + TimelineSvg(m) + "<h2>Phases</h2>\n" +
         PhaseTable(m) + "<h2>Failures</h2>\n" + Failures(m) + "</body></html>\n";
}

}  // namespace orchestrate
