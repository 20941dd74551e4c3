// The JSON Schema (docs/orchestrate.schema.json, compiled in), the parser
// and docs/manifest.md agree on the keys of the manifest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "../../src/manifest_internal.h"
#include "orchestrate/reference.h"

namespace orchestrate {
namespace {

using Json = nlohmann::json;

std::set<std::string> SchemaKeys(const std::string& table) {
  Json schema = Json::parse(ManifestSchemaText());
  const Json& t = table.empty()         ? schema
                  : table == "settings" ? schema["properties"]["settings"]
                  : table == "pools"    ? schema["$defs"]["pool"]
                                        : schema["$defs"]["phase"];
  std::set<std::string> keys;
  for (const auto& [key, value] : t["properties"].items()) keys.insert(key);
  return keys;
}

std::set<std::string> ParserKeys(const std::string& table) {
  auto keys = manifest_internal::AcceptedKeys(table);
  return {keys.begin(), keys.end()};
}

// Keys SPEC section 2 names that other work is adding to the parser. When
// the parser learns one, this test says to remove it from the list.
// Keys SPEC names that the parser does not accept yet (none today): the
// schema lists them, and this test says when one starts being parsed.
const std::set<std::string> kNotYetParsed = {};

TEST(ManifestSchemaTest, SchemaAndParserAcceptTheSameKeys) {
  for (const std::string table : {"", "settings", "pools", "phase"}) {
    std::set<std::string> schema = SchemaKeys(table), parser = ParserKeys(table);
    for (const std::string& key : parser)
      EXPECT_TRUE(schema.count(key)) << "the parser accepts [" << table << "] " << key
                                     << " but docs/orchestrate.schema.json does not list it";
    for (const std::string& key : schema) {
      if (kNotYetParsed.count(key)) {
        EXPECT_FALSE(parser.count(key)) << key << " is parsed now: remove it from kNotYetParsed";
        continue;
      }
      EXPECT_TRUE(parser.count(key)) << "docs/orchestrate.schema.json lists [" << table << "] "
                                     << key << " but the parser rejects it";
    }
  }
}

TEST(ManifestSchemaTest, EveryKeyHasATypeAndADescription) {
  Json schema = Json::parse(ManifestSchemaText());
  std::vector<const Json*> tables = {&schema, &schema["properties"]["settings"],
                                     &schema["$defs"]["pool"], &schema["$defs"]["agent"],
                                     &schema["$defs"]["phase"]};
  for (const Json* table : tables)
    for (const auto& [key, prop] : (*table)["properties"].items()) {
      EXPECT_TRUE(prop.contains("type")) << key;
      EXPECT_FALSE(prop.value("description", "").empty()) << key;
    }
}

TEST(ManifestSchemaTest, ManPageListsEveryKeyWithItsDefault) {
  std::string page = RenderRoff(ManifestReference());
  for (const char* key : {"keep_worktrees", "worktree_link", "depth", "requeue_on", "prompt_text",
                          "allow_empty", "requeue_max", "cache_trust"})
    EXPECT_NE(page.find(std::string("\\fB") + key + "\\fR"), std::string::npos) << key;
  EXPECT_NE(page.find("one of \"always\", \"failed\", \"never\"; default \"failed\""),
            std::string::npos);
}

}  // namespace
}  // namespace orchestrate
