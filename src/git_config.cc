// What the repository's set-up says: configuration values, shallowness.
#include "git_internal.h"

namespace orchestrate {

using namespace git_detail;

namespace {

using OwnedConfig = Owned<git_config, git_config_free>;

// A read-only snapshot of every configuration level; null when the
// configuration cannot be read (then every value is unset).
OwnedConfig ConfigSnapshot(git_repository* repo) {
  git_config* config = nullptr;
  if (git_repository_config_snapshot(&config, repo) != 0) return nullptr;
  return OwnedConfig(config);
}

}  // namespace

std::optional<std::string> Repo::ConfigString(const std::string& name) {
  OwnedConfig config = ConfigSnapshot(repo_);
  const char* value = nullptr;
  if (!config || git_config_get_string(&value, config.get(), name.c_str()) != 0)
    return std::nullopt;
  return std::string(value);  // owned by the snapshot: copied before it is freed
}

bool Repo::ConfigBool(const std::string& name) {
  OwnedConfig config = ConfigSnapshot(repo_);
  int value = 0;
  return config && git_config_get_bool(&value, config.get(), name.c_str()) == 0 && value;
}

std::map<std::string, std::string> Repo::ConfigMatching(const std::string& regex) {
  std::map<std::string, std::string> entries;
  OwnedConfig config = ConfigSnapshot(repo_);
  if (!config) return entries;
  git_config_foreach_match(
      config.get(), regex.c_str(),
      [](const git_config_entry* entry, void* into) {
        (*static_cast<std::map<std::string, std::string>*>(into))[entry->name] = entry->value;
        return 0;
      },
      &entries);
  return entries;
}

bool Repo::IsShallow() { return git_repository_is_shallow(repo_) == 1; }

}  // namespace orchestrate
