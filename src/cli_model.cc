// ReadCli: the CLI11 definitions as plain data.
#include "cli_model.h"

#include <CLI/CLI.hpp>

namespace orchestrate {
namespace {

// CLI11 appends each validator's description: "WHEN:{auto,always,never}".
void SplitTypeName(const std::string& full, CliOption* out) {
  size_t colon = full.find(":{");
  out->value_name = full.substr(0, colon);
  if (colon == std::string::npos || full.back() != '}') return;
  std::string list = full.substr(colon + 2, full.size() - colon - 3);
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    out->choices.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
}

ValueKind KindOf(const CliOption& o) {
  if (!o.choices.empty()) return ValueKind::kChoice;
  if (o.value_name == "FILE") return ValueKind::kFile;
  if (o.value_name == "DIR") return ValueKind::kDir;
  if (o.value_name == "PHASE") return ValueKind::kPhase;
  if (o.value_name == "COMMAND") return ValueKind::kCommand;
  return o.value_name.empty() ? ValueKind::kNone : ValueKind::kOther;
}

CliOption ReadOption(const CLI::Option& opt) {
  CliOption o;
  o.short_names = opt.get_snames();
  o.long_names = opt.get_lnames();
  o.positional = opt.get_positional();
  if (opt.get_type_size() != 0) SplitTypeName(opt.get_type_name(), &o);
  o.kind = KindOf(o);
  o.description = opt.get_description();
  o.repeated = o.positional && opt.get_expected_max() > 1;
  o.required = opt.get_required();
  return o;
}

CliCommand ReadCommand(const CLI::App& app, std::string name) {
  CliCommand c{std::move(name), app.get_description(), app.get_footer(), {}};
  std::vector<CliOption> positionals;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    CliOption o = ReadOption(*opt);
    (o.positional ? positionals : c.options).push_back(std::move(o));
  }
  c.options.insert(c.options.end(), positionals.begin(), positionals.end());
  return c;
}

}  // namespace

std::string CliOption::Term() const {
  if (positional) return value_name + (repeated ? "..." : "");
  std::string out;
  for (const std::string& s : short_names) out += (out.empty() ? "-" : ", -") + s;
  for (const std::string& l : long_names) out += (out.empty() ? "--" : ", --") + l;
  if (!value_name.empty()) out += " " + value_name;
  if (!choices.empty()) {
    std::string list;
    for (const std::string& c : choices) list += (list.empty() ? "" : "|") + c;
    out = out.substr(0, out.size() - value_name.size()) + list;
  }
  return out;
}

std::string CliCommand::Usage() const {
  std::string out = "orchestrate" + (name.empty() ? "" : " " + name) + " [OPTIONS]";
  for (const CliOption& o : options) {
    if (!o.positional) continue;
    std::string term = o.Term();
    if (o.kind == ValueKind::kChoice) {
      term.clear();
      for (const std::string& c : o.choices) term += (term.empty() ? "" : "|") + c;
    }
    out += o.required ? " " + term : " [" + term + "]";
  }
  return out;
}

std::vector<CliCommand> ReadCli(const CLI::App& app) {
  std::vector<CliCommand> out{ReadCommand(app, "")};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden
    out.push_back(ReadCommand(*sub, sub->get_name()));
  }
  return out;
}

}  // namespace orchestrate
