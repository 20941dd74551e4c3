// ManifestReference: orchestrate.toml(5), every key with its type, default,
// allowed values and description, read from the manifest's JSON Schema.
#include <nlohmann/json.hpp>

#include "orchestrate/reference.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;

std::string TypeOf(const Json& prop) {
  std::string type = prop.value("type", "");
  if (type == "array") return "array of " + prop["items"].value("type", "string") + "s";
  if (type == "object" && prop.contains("additionalProperties")) return "table of strings";
  if (type == "object") return "table";
  return type;
}

// "string, one of "a", "b"; default "a"": what a reader checks first.
std::string Facts(const Json& prop) {
  std::string out = TypeOf(prop);
  if (prop.contains("enum")) {
    std::string list;
    for (const Json& v : prop["enum"]) list += (list.empty() ? "" : ", ") + v.dump();
    out += ", one of " + list;
  }
  if (prop.contains("minimum")) out += ", at least " + prop["minimum"].dump();
  if (prop.contains("const")) out += ", exactly " + prop["const"].dump();
  if (prop.contains("default")) out += "; default " + prop["default"].dump();
  return out;
}

std::vector<RefEntry> Keys(const Json& table) {
  std::vector<RefEntry> out;
  for (const auto& [key, prop] : table["properties"].items())
    out.push_back({key, Facts(prop) + ". " + prop.value("description", "")});
  return out;
}

const char* kDescription =
    "orchestrate.toml describes the phases orchestrate(1) runs: version = 1, optional "
    "[settings], [pools.NAME] and [agents.NAME] tables, and one [phase.NAME] table per phase. "
    "Names match [A-Za-z0-9][A-Za-z0-9._-]{0,99}. Unknown keys, wrong types, unknown names "
    "and dependency cycles are errors reported as FILE:LINE:COL: message, with exit status 2, "
    "before anything runs.\n\n"
    "Durations are written like 90s, 30m or 1h30m. The JSON Schema of the file is installed "
    "as orchestrate.schema.json; orchestrate init writes a #:schema line so editors that "
    "read it (taplo, Even Better TOML) complete and check the keys.";

const char* kExample =
    "  version = 1\n"
    "  \n"
    "  [agents.claude]\n"
    "  command = 'claude -p --permission-mode acceptEdits --model {model} < \"{prompt_file}\"'\n"
    "  model = \"sonnet\"\n"
    "  \n"
    "  [phase.schema]\n"
    "  agent = \"claude\"\n"
    "  prompt = \"prompts/schema.md\"\n"
    "  verify = [\"make test\"]\n"
    "  \n"
    "  [phase.api]\n"
    "  deps = [\"schema\"]\n"
    "  run = \"make api\"";

}  // namespace

RefDocument ManifestReference() {
  Json schema = Json::parse(ManifestSchemaText());
  const Json& defs = schema["$defs"];
  RefDocument doc{"orchestrate.toml",    5,  "the manifest of orchestrate",
                  "orchestrate.toml(5)", "", {}};
  doc.sections.push_back({"DESCRIPTION", 1, kDescription, {}, ""});
  doc.sections.push_back({"TOP LEVEL", 1, "", Keys(schema), ""});
  doc.sections.push_back({"[settings]", 1,
                          schema["properties"]["settings"].value("description", ""),
                          Keys(schema["properties"]["settings"]), ""});
  doc.sections.push_back(
      {"[pools.NAME]", 1, defs["pool"].value("description", ""), Keys(defs["pool"]), ""});
  doc.sections.push_back(
      {"[agents.NAME]", 1, defs["agent"].value("description", ""), Keys(defs["agent"]), ""});
  doc.sections.push_back(
      {"[phase.NAME]", 1, defs["phase"].value("description", ""), Keys(defs["phase"]), ""});
  doc.sections.push_back({"EXAMPLE", 1, kExample, {}, ""});
  doc.sections.push_back({"SEE ALSO", 1, "orchestrate(1)", {}, ""});
  return doc;
}

}  // namespace orchestrate
