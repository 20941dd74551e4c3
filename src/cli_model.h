// The command line as data, read from the CLI11 definitions in main.cc:
// what the reference pages and the completion scripts are made from.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace orchestrate {

/// What an option's or argument's value is, for completion.
enum class ValueKind { kNone, kFile, kDir, kPhase, kCommand, kChoice, kOther };

struct CliOption {
  std::vector<std::string> short_names;  ///< without "-"
  std::vector<std::string> long_names;   ///< without "--"
  std::string value_name;                ///< "FILE", "N"; empty for flags
  std::vector<std::string> choices;      ///< for kChoice
  ValueKind kind = ValueKind::kNone;
  std::string description;
  bool positional = false;
  bool repeated = false;  ///< positional taking several values
  bool required = false;

  /// "-j, --jobs N" or "PHASE..." for positionals.
  std::string Term() const;
};

struct CliCommand {
  std::string name;  ///< "" for the top level
  std::string description;
  std::string footer;
  std::vector<CliOption> options;  ///< named options first, then positionals
  /// "orchestrate run [OPTIONS] [PHASE...]"
  std::string Usage() const;
};

/// The top level first, then every visible subcommand in definition order.
std::vector<CliCommand> ReadCli(const CLI::App& app);

}  // namespace orchestrate
