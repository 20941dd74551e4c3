// record.json: the versioned format of cache records (SPEC section 4).
#include <nlohmann/json.hpp>
#include <string>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "orchestrate/usage.h"

namespace orchestrate {
namespace {

using nlohmann::json;

json CommandToJson(const CommandOutcome& c) {
  return {{"step", c.step},
          {"command", c.command},
          {"exit_code", c.exit_code},
          {"describe", c.describe},
          {"duration_s", c.duration_s}};
}

CommandOutcome CommandFromJson(const json& j) {
  CommandOutcome c;
  j.at("step").get_to(c.step);
  j.at("command").get_to(c.command);
  j.at("exit_code").get_to(c.exit_code);
  j.at("describe").get_to(c.describe);
  j.at("duration_s").get_to(c.duration_s);
  return c;
}

InfraError Unreadable(const std::string& ref, const std::string& detail) {
  return InfraError("cache record " + ref + " is unreadable (" + detail +
                    "); remove it with `git update-ref -d " + ref +
                    "` or run `orchestrate cache prune`");
}

// The version check comes before anything else: a future format may change
// every other field.
void CheckVersion(const json& j, const std::string& ref) {
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer())
    throw Unreadable(ref, "no integer \"version\" field");
  int version = j["version"].get<int>();
  if (version != Record::kFormatVersion)
    throw InfraError("cache record " + ref + " has format version " + std::to_string(version) +
                     "; this orchestrate reads version " + std::to_string(Record::kFormatVersion) +
                     " — upgrade orchestrate or run `orchestrate cache prune`");
}

// The object id in field `name` ("" or absent: the null id, unless
// `required`).
ObjectId IdField(const json& j, const char* name, const std::string& ref, bool required) {
  std::string text = required ? j.at(name).get<std::string>() : j.value(name, "");
  std::optional<ObjectId> id = ObjectId::FromHex(text);
  if (!id) throw Unreadable(ref, std::string("its ") + name + " is not an object id");
  return *id;
}

Record FromParsed(const json& j, const std::string& ref) {
  CheckVersion(j, ref);
  Record r;
  j.at("phase").get_to(r.phase);
  j.at("key").get_to(r.key);
  j.at("components").get_to(r.components.items);
  j.at("status").get_to(r.status);
  r.result = IdField(j, "result", ref, true);
  r.result_tree = IdField(j, "result_tree", ref, true);
  r.input = IdField(j, "input", ref, false);
  r.base = IdField(j, "base", ref, false);
  r.signature = j.value("signature", "");
  j.at("started_at").get_to(r.started_at);
  j.at("duration_s").get_to(r.duration_s);
  j.at("attempts").get_to(r.attempts);
  for (const json& c : j.at("commands")) r.commands.push_back(CommandFromJson(c));
  if (j.contains("usage")) j["usage"].get_to(r.usage);
  return r;
}

}  // namespace

std::string RecordToJson(const Record& record) {
  json commands = json::array();
  for (const CommandOutcome& c : record.commands) commands.push_back(CommandToJson(c));
  json j = {{"version", record.version},
            {"phase", record.phase},
            {"key", record.key},
            {"components", record.components.items},
            {"status", record.status},
            {"result", record.result},
            {"result_tree", record.result_tree},
            {"input", record.input},
            {"base", record.base},
            {"started_at", record.started_at},
            {"duration_s", record.duration_s},
            {"attempts", record.attempts},
            {"commands", commands}};
  if (!record.signature.empty()) j["signature"] = record.signature;
  if (!record.usage.Empty()) j["usage"] = record.usage;
  // Invalid UTF-8 (say, in a key_env value) is replaced rather than refused:
  // the key itself was hashed from the original bytes.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Record RecordFromJson(const std::string& text, const std::string& ref) {
  try {
    return FromParsed(json::parse(text), ref);
  } catch (const json::exception& e) {
    throw Unreadable(ref, e.what());
  }
}

}  // namespace orchestrate
