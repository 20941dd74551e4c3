// The reference documentation (man pages orchestrate(1) and
// orchestrate.toml(5), docs/cli.md) and the shell completion scripts, all
// produced from the one description of each: the command-line definitions
// in main.cc and the manifest's JSON Schema (docs/orchestrate.schema.json,
// compiled in).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace orchestrate {

/// A term and what it means: an option, a key, a variable.
struct RefEntry {
  std::string term;
  std::string text;
};

/// A titled part of a reference page. `text` holds paragraphs separated by
/// blank lines; a paragraph whose lines all start with two spaces is shown
/// as is (an example). `entries` follow the text, then `after`.
struct RefSection {
  std::string title;
  int level = 1;  ///< 1: a section (.SH, ##); 2: a subsection (.SS, ###)
  std::string text;
  std::vector<RefEntry> entries;
  std::string after;
};

struct RefDocument {
  std::string name;     ///< "orchestrate", "orchestrate.toml"
  int man_section = 1;  ///< 1 or 5
  std::string summary;  ///< the NAME line: "name - summary"
  std::string title;    ///< the markdown page's heading
  std::string note;     ///< markdown only: the paragraph under the heading
  std::vector<RefSection> sections;
};

/// roff for man(1), with man(7) macros.
std::string RenderRoff(const RefDocument& doc);
/// GitHub markdown: entries as two-column tables.
std::string RenderMarkdown(const RefDocument& doc);

/// orchestrate(1): every visible command and option of `app`.
RefDocument CliReference(const CLI::App& app);
/// orchestrate.toml(5): every key of the manifest, from the schema.
RefDocument ManifestReference();
/// The manifest's JSON Schema, as in docs/orchestrate.schema.json.
std::string_view ManifestSchemaText();

/// `orchestrate completion SHELL`: a script for bash, zsh or fish.
std::string CompletionScript(const CLI::App& app, std::string_view shell);

/// `help [COMMAND] [--format text|man|markdown]`; COMMAND `manifest` is
/// orchestrate.toml(5). An unknown command is a UsageError.
int CommandHelp(const CLI::App& app, const std::string& command, const std::string& format);
/// `completion SHELL`.
int CommandCompletion(const CLI::App& app, const std::string& shell);

}  // namespace orchestrate
