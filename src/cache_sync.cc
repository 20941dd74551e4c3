// cache push / pull, and their best-effort use around a run.
#include "orchestrate/cache_sync.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "orchestrate/approval.h"
#include "orchestrate/cache.h"
#include "orchestrate/commands.h"
#include "orchestrate/error.h"
#include "orchestrate/refs.h"

namespace orchestrate {

namespace {

// Approvals and rejections: a later decision on a result replaces the
// remote's, hence the forced refspecs.
size_t PushDecisions(Repo& repo, const std::string& remote) {
  std::vector<std::string> specs;
  for (const auto& [ref, id] : repo.ListRefs(std::string(refs::kApprovalRoot)))
    specs.push_back("+" + ref + ":" + ref);
  if (specs.empty()) return 0;
  return specs.size() - repo.Push(remote, specs).size();
}

}  // namespace

RecordTransfer PushRecords(Repo& repo, const std::string& remote) {
  std::vector<std::string> specs;
  for (const auto& [ref, id] : repo.ListRefs(std::string(refs::kCacheRoot)))
    specs.push_back(ref + ":" + ref);
  RecordTransfer t;
  if (!specs.empty()) {
    std::vector<std::string> rejected = repo.Push(remote, specs);
    t = {specs.size() - rejected.size(), specs.size(), rejected.size()};
  }
  t.decisions = PushDecisions(repo, remote);
  return t;
}

RecordTransfer PullRecords(Repo& repo, const std::string& remote) {
  std::string prefix(refs::kCacheRoot), decisions(refs::kApprovalRoot);
  size_t before = repo.ListRefs(prefix).size();
  repo.Fetch(remote, {prefix + "*:" + prefix + "*", "+" + decisions + "*:" + decisions + "*"});
  size_t after = repo.ListRefs(prefix).size();
  RecordTransfer t{after - before, after, 0};
  t.decisions = repo.ListRefs(decisions).size();
  return t;
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
    if (!t.total && !t.decisions) {
      std::cout << "no cache records to push\n";
      return kExitOk;
    }
    std::cout << "pushed " << t.moved << " cache records to " << remote;
    if (t.already) std::cout << " (" << t.already << " already recorded there under the same key)";
    if (t.decisions) std::cout << ", and " << t.decisions << " approvals or rejections";
    std::cout << "\n";
    return kExitOk;
  }
  if (action == "pull") {
    RecordTransfer t = PullRecords(repo, remote);
    std::cout << "pulled " << t.moved << " new cache records from " << remote << " (" << t.total
              << " in all)";
    if (t.decisions) std::cout << "; " << t.decisions << " approvals or rejections here";
    std::cout << "\n";
    return kExitOk;
  }
  throw UsageError("unknown cache action '" + action + "' (use push, pull, list or prune)");
}

}  // namespace orchestrate
