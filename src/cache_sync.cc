// cache push / pull, and their best-effort use around a run.
#include "orchestrate/cache_sync.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/refs.h"

namespace orchestrate {

RecordTransfer PushRecords(Repo& repo, const std::string& remote) {
  std::vector<std::string> specs;
  for (const auto& [ref, id] : repo.ListRefs(std::string(refs::kCacheRoot)))
    specs.push_back(ref + ":" + ref);
  if (specs.empty()) return {};
  std::vector<std::string> rejected = repo.Push(remote, specs);
  return {specs.size() - rejected.size(), specs.size(), rejected.size()};
}

RecordTransfer PullRecords(Repo& repo, const std::string& remote) {
  std::string prefix(refs::kCacheRoot);
  size_t before = repo.ListRefs(prefix).size();
  repo.Fetch(remote, {prefix + "*:" + prefix + "*"});
  size_t after = repo.ListRefs(prefix).size();
  return {after - before, after, 0};
}

void PullRecordsBestEffort(Repo& repo, const std::string& remote) {
  try {
    RecordTransfer t = PullRecords(repo, remote);
    if (t.moved) spdlog::info("pulled {} new cache records from {}", t.moved, remote);
  } catch (const std::exception& e) {
    spdlog::warn("cache remote: not pulled, running on local records only: {}", e.what());
  }
}

void PushRecordsBestEffort(Repo& repo, const std::string& remote) {
  try {
    PushRecords(repo, remote);
  } catch (const std::exception& e) {
    spdlog::warn(
        "cache remote: new records not pushed (push them later with `orchestrate cache "
        "push {}`): {}",
        remote, e.what());
  }
}

int CommandCacheRecords(Repo& repo, const std::string& action, const std::string& remote_flag) {
  std::string remote = remote_flag.empty() ? "origin" : remote_flag;
  if (action == "list") return CommandCacheList(repo);
  if (action == "push") {
    RecordTransfer t = PushRecords(repo, remote);
    if (!t.total) {
      std::cout << "no cache records to push\n";
      return kExitOk;
    }
    std::cout << "pushed " << t.moved << " cache records to " << remote;
    if (t.already) std::cout << " (" << t.already << " already recorded there under the same key)";
    std::cout << "\n";
    return kExitOk;
  }
  if (action == "pull") {
    RecordTransfer t = PullRecords(repo, remote);
    std::cout << "pulled " << t.moved << " new cache records from " << remote << " (" << t.total
              << " in all)\n";
    return kExitOk;
  }
  throw UsageError("unknown cache action '" + action + "' (use push, pull, list or prune)");
}

}  // namespace orchestrate
