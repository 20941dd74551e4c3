// `orchestrate help [COMMAND]` and `orchestrate completion SHELL`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "orchestrate/error.h"
#include "orchestrate/reference.h"

namespace orchestrate {
namespace {

std::string VisibleCommands(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_group().empty()) out += (out.empty() ? "" : ", ") + sub->get_name();
  return out;
}

const CLI::App* FindCommand(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name() == name && !sub->get_group().empty()) return sub;
  throw UsageError("help: unknown command '" + name + "'; commands: " + VisibleCommands(app) +
                   ", and manifest for orchestrate.toml");
}

}  // namespace

int CommandHelp(const CLI::App& app, const std::string& command, const std::string& format) {
  bool manifest = command == "manifest";
  if (format != "text") {
    if (!command.empty() && !manifest)
      throw UsageError("help --format " + format +
                       " prints a whole page: give no command, or manifest");
    RefDocument doc = manifest ? ManifestReference() : CliReference(app);
    std::cout << (format == "man" ? RenderRoff(doc) : RenderMarkdown(doc));
    return kExitOk;
  }
  if (manifest)
    std::cout << RenderMarkdown(ManifestReference());
  else if (command.empty())
    std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
  else
    std::cout << FindCommand(app, command)->help(app.get_name());
  return kExitOk;
}

int CommandCompletion(const CLI::App& app, const std::string& shell) {
  std::cout << CompletionScript(app, shell);
  return kExitOk;
}

}  // namespace orchestrate
