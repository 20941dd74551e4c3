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

/// Every name FakeId was given, by its id (shared by all tests of a binary).
inline std::map<ObjectId, std::string>& FakeNames() {
  static std::map<ObjectId, std::string> names;
  return names;
}
/// Guards FakeNames: fakes may be called from a phase runner's threads.
inline std::mutex& FakeNamesMutex() {
  static std::mutex mutex;
  return mutex;
}
/// The id named `name`: the SHA-1 of the name.
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
