// Named object ids for tests that need ids but no repository: FakeId("x")
// is the SHA-1 of "x", and FakeName gives "x" back.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "orchestrate/object_id.h"
#include "orchestrate/sha1.h"

namespace orchestrate::testing {

inline std::map<ObjectId, std::string>& FakeNames() {
  static std::map<ObjectId, std::string> names;
  return names;
}
inline std::mutex& FakeNamesMutex() {
  static std::mutex mutex;
  return mutex;
}
inline ObjectId FakeId(const std::string& name) {
  Sha1 sha;
  sha.Update(name);
  ObjectId id = sha.Digest();
  std::lock_guard lock(FakeNamesMutex());
  FakeNames().emplace(id, name);
  return id;
}
/// The name FakeId was given for `id`; its hex when it came from elsewhere.
inline std::string FakeName(const ObjectId& id) {
  std::lock_guard lock(FakeNamesMutex());
  auto it = FakeNames().find(id);
  return it == FakeNames().end() ? id.hex() : it->second;
}
inline std::string FakeName(const std::optional<ObjectId>& id) {
  return id ? FakeName(*id) : "(none)";
}

}  // namespace orchestrate::testing
