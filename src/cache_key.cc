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
                      KeyText* key) {
  if (!phase.run.empty()) key->Set("command", "", phase.run);
  if (!phase.agent.empty()) {
    const Agent& agent = FindAgentOf(manifest, phase);
    key->Set("command", "", AgentCommand(agent, phase));
    key->Set("model", "", EffectiveModel(agent, phase));
  }
  if (!phase.prompt().empty()) {
    auto blob = inputs.prompt_blobs.find(phase.prompt());
    if (blob == inputs.prompt_blobs.end())
      throw InfraError("no content was read for prompt file " + phase.prompt() + " of phase " +
                       phase.name);
    key->SetId("prompt ", phase.prompt(), blob->second);
  }
  if (!phase.prompt_text().empty()) key->Set("prompt-text", "", phase.prompt_text());
  if (!phase.verify.empty()) key->SetLines("verify", phase.verify);
  if (!phase.setup().empty()) key->SetLines("setup", phase.setup());
  for (const auto& [name, value] : phase.env()) key->Set("env ", name, value);
  // merge, approval, priority, pool, timeout, retries and description decide
  // how a phase runs or is integrated, not what it produces: not in the key.
}

void AddBaseContent(const Phase& phase, Repo& repo, const KeyInputs& inputs, KeyText* key) {
  if (phase.inputs.empty()) {
    key->SetId("base", "", inputs.base_content.empty() ? inputs.base_tree : inputs.base_content);
    return;
  }
  if (inputs.base_files) {
    for (const auto& [path, blob] : *inputs.base_files)
      if (MatchesInputs(phase.inputs, path)) key->SetId("input ", path, blob);
    return;
  }
  repo.WalkTree(inputs.base_tree, [&](const std::string& path, const ObjectId& blob) {
    if (MatchesInputs(phase.inputs, path)) key->SetId("input ", path, blob);
  });
}

void AddOutsideInputs(const Phase& phase, const KeyInputs& inputs, KeyText* key) {
  for (const std::string& name : phase.key_env()) {
    auto value = inputs.environment.find(name);
    key->Set("key_env ", name,
             value == inputs.environment.end() ? std::string_view("<unset>") : value->second);
  }
  for (const std::string& dep : phase.deps) {
    auto result =
        std::lower_bound(inputs.deps.begin(), inputs.deps.end(), dep,
                         [](const DepResult& r, const std::string& name) { return r.name < name; });
    if (result == inputs.deps.end() || result->name != dep)
      throw InfraError("phase " + phase.name + " has no result of its dependency " + dep);
    key->SetId("dep ", dep, result->tree);
    if (!result->handoff.empty()) key->SetId("handoff ", dep, HashBlob(result->handoff));
  }
}

}  // namespace

void KeyText::Clear() {
  names_values_.clear();
  items_.clear();
  sorted_ = true;
}

void KeyText::StartItem(std::string_view prefix, std::string_view name) {
  items_.push_back({static_cast<uint32_t>(names_values_.size()),
                    static_cast<uint32_t>(prefix.size() + name.size()), 0});
  names_values_.append(prefix).append(name);
}

void KeyText::EndItem() {
  Item& item = items_.back();
  item.value_size = static_cast<uint32_t>(names_values_.size() - item.name - item.name_size);
  sorted_ = false;
}

void KeyText::Set(std::string_view prefix, std::string_view name, std::string_view value) {
  StartItem(prefix, name);
  names_values_.append(value);
  EndItem();
}

void KeyText::SetId(std::string_view prefix, std::string_view name, const ObjectId& id) {
  StartItem(prefix, name);
  if (!id.empty()) {
    char hex[ObjectId::kHexSize];
    id.WriteHex(hex);
    names_values_.append(hex, sizeof hex);
  }
  EndItem();
}

void KeyText::SetLines(std::string_view name, const std::vector<std::string>& lines) {
  StartItem(name, "");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) names_values_ += '\n';
    names_values_.append(lines[i]);
  }
  EndItem();
}

void KeyText::Sort() {
  if (sorted_) return;
  // Names are written in set order, so a name's offset breaks ties by it.
  std::sort(items_.begin(), items_.end(), [this](const Item& a, const Item& b) {
    int order = NameOf(a).compare(NameOf(b));
    return order != 0 ? order < 0 : a.name < b.name;
  });
  auto superseded = [this](const Item& a, const Item& next) { return NameOf(a) == NameOf(next); };
  size_t kept = 0;
  for (size_t i = 0; i < items_.size(); ++i)
    if (i + 1 == items_.size() || !superseded(items_[i], items_[i + 1])) items_[kept++] = items_[i];
  items_.resize(kept);
  sorted_ = true;
}

std::string_view KeyText::Text() {
  // Length-prefixed values keep the serialization unambiguous whatever the
  // values contain.
  Sort();
  text_.assign(kKeyFormat);
  char digits[20];
  for (const Item& item : items_) {
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, item.value_size);
    text_.append(NameOf(item)).append(1, '\0').append(digits, end).append(1, '\0');
    text_.append(ValueOf(item)).append(1, '\n');
  }
  return text_;
}

KeyComponents KeyText::Components() const {
  KeyComponents components;
  // Later items replace earlier ones of the same name, as Sort keeps them.
  for (const Item& item : items_)
    components.items.insert_or_assign(std::string(NameOf(item)), std::string(ValueOf(item)));
  return components;
}

std::string KeyComponents::Hash() const {
  KeyText text;
  for (const auto& [name, value] : items) text.Set(name, "", value);
  return text.Hash().hex();
}

void ComputeKey(const Manifest& manifest, const Phase& phase, Repo& repo, const KeyInputs& inputs,
                KeyText* out) {
  out->Clear();
  AddSpecification(manifest, phase, inputs, out);
  AddBaseContent(phase, repo, inputs, out);
  AddOutsideInputs(phase, inputs, out);
}

KeyComponents ComputeKey(const Manifest& manifest, const Phase& phase, Repo& repo,
                         const KeyInputs& inputs) {
  KeyText text;
  ComputeKey(manifest, phase, repo, inputs, &text);
  return text.Components();
}

}  // namespace orchestrate
