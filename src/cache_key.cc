// A phase's cache key (SPEC section 4): its components and their hash.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "orchestrate/refs.h"

namespace orchestrate {
namespace {

// Bumped when the meaning of a component changes, so old keys stop matching.
constexpr std::string_view kKeyFormat = "orchestrate key 2\n";

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

const Agent& FindAgentOf(const Manifest& manifest, const Phase& phase) {
  for (const Agent& agent : manifest.agents)
    if (agent.name == phase.agent) return agent;
  throw InfraError("phase " + phase.name + " uses agent " + phase.agent +
                   ", which the manifest does not define");
}

std::string EffectiveModel(const Agent& agent, const Phase& phase) {
  return phase.model().empty() ? agent.model : phase.model();
}

// The agent command as it would run, except {worktree} and {prompt_file},
// which name machine-specific paths and stay as written.
std::string AgentCommand(const Agent& agent, const Phase& phase) {
  return ExpandAgentCommand(agent, phase, {{"branch", refs::PhaseBranch(phase.name)}});
}

void AddSpecification(const Manifest& manifest, const Phase& phase, const KeyInputs& inputs,
                      std::map<std::string, std::string>* items) {
  if (!phase.run.empty()) (*items)["command"] = phase.run;
  if (!phase.agent.empty()) {
    const Agent& agent = FindAgentOf(manifest, phase);
    (*items)["command"] = AgentCommand(agent, phase);
    (*items)["model"] = EffectiveModel(agent, phase);
  }
  if (!phase.prompt().empty()) {
    auto blob = inputs.prompt_blobs.find(phase.prompt());
    if (blob == inputs.prompt_blobs.end())
      throw InfraError("no content was read for prompt file " + phase.prompt() + " of phase " +
                       phase.name);
    (*items)["prompt " + phase.prompt()] = blob->second.hex();
  }
  if (!phase.prompt_text().empty()) (*items)["prompt-text"] = phase.prompt_text();
  if (!phase.verify.empty()) (*items)["verify"] = JoinLines(phase.verify);
  if (!phase.setup().empty()) (*items)["setup"] = JoinLines(phase.setup());
  for (const auto& [name, value] : phase.env()) (*items)["env " + name] = value;
  // merge, approval, priority, pool, timeout, retries and description decide
  // how a phase runs or is integrated, not what it produces: not in the key.
}

void AddBaseContent(const Phase& phase, Repo& repo, const KeyInputs& inputs,
                    std::map<std::string, std::string>* items) {
  if (phase.inputs.empty()) {
    (*items)["base"] = (inputs.base_content.empty() ? inputs.base_tree : inputs.base_content).hex();
    return;
  }
  if (inputs.base_files) {
    for (const auto& [path, blob] : *inputs.base_files)
      if (MatchesInputs(phase.inputs, path)) (*items)["input " + path] = blob.hex();
    return;
  }
  repo.WalkTree(inputs.base_tree, [&](const std::string& path, const ObjectId& blob) {
    if (MatchesInputs(phase.inputs, path)) (*items)["input " + path] = blob.hex();
  });
}

void AddOutsideInputs(const Phase& phase, const KeyInputs& inputs,
                      std::map<std::string, std::string>* items) {
  for (const std::string& name : phase.key_env()) {
    auto value = inputs.environment.find(name);
    (*items)["key_env " + name] = value == inputs.environment.end() ? "<unset>" : value->second;
  }
  for (const std::string& dep : phase.deps) {
    auto result =
        std::lower_bound(inputs.deps.begin(), inputs.deps.end(), dep,
                         [](const DepResult& r, const std::string& name) { return r.name < name; });
    if (result == inputs.deps.end() || result->name != dep)
      throw InfraError("phase " + phase.name + " has no result of its dependency " + dep);
    (*items)["dep " + dep] = result->tree.hex();
    if (!result->handoff.empty()) (*items)["handoff " + dep] = HashBlob(result->handoff).hex();
  }
}

}  // namespace

std::string KeyComponents::Hash() const {
  // Length-prefixed values keep the serialization unambiguous whatever the
  // values contain; std::map iterates in name order. The key is the git
  // blob id of that text, built in one buffer and hashed in one call.
  size_t size = kKeyFormat.size();
  for (const auto& [name, value] : items) size += name.size() + value.size() + 24;
  std::string text;
  text.reserve(size);
  text.append(kKeyFormat);
  char digits[20];
  for (const auto& [name, value] : items) {
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value.size());
    text.append(name).append(1, '\0').append(digits, end).append(1, '\0');
    text.append(value).append(1, '\n');
  }
  return HashBlob(text).hex();
}

KeyComponents ComputeKey(const Manifest& manifest, const Phase& phase, Repo& repo,
                         const KeyInputs& inputs) {
  KeyComponents key;
  AddSpecification(manifest, phase, inputs, &key.items);
  AddBaseContent(phase, repo, inputs, &key.items);
  AddOutsideInputs(phase, inputs, &key.items);
  return key;
}

}  // namespace orchestrate
