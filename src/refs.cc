#include "orchestrate/refs.h"

#include <initializer_list>

namespace orchestrate::refs {
namespace {

constexpr std::string_view kHeads = "refs/heads/";

// The parts one after the other, in one allocation.
std::string Join(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (std::string_view part : parts) out.append(part);
  return out;
}

}  // namespace

std::string BranchRef(std::string_view branch) { return Join({kHeads, branch}); }

std::optional<std::string> BranchOfRef(std::string_view ref) {
  if (!ref.starts_with(kHeads) || ref.size() == kHeads.size()) return std::nullopt;
  return std::string(ref.substr(kHeads.size()));
}

std::string PhaseBranch(std::string_view phase) {
  return Join({kPhaseBranchRoot.substr(kHeads.size()), phase});
}

std::string PhaseBranchRef(std::string_view phase) { return Join({kPhaseBranchRoot, phase}); }

std::optional<std::string> PhaseOfBranchRef(std::string_view ref) {
  if (!ref.starts_with(kPhaseBranchRoot) || ref.size() == kPhaseBranchRoot.size())
    return std::nullopt;
  return std::string(ref.substr(kPhaseBranchRoot.size()));
}

std::string CacheRefs(std::string_view phase) { return Join({kCacheRoot, phase, "/"}); }

std::string CacheRef(std::string_view phase, std::string_view key) {
  return Join({kCacheRoot, phase, "/", key});
}

std::optional<CacheRefName> ParseCacheRef(std::string_view ref) {
  if (!ref.starts_with(kCacheRoot)) return std::nullopt;
  std::string_view rest = ref.substr(kCacheRoot.size());
  size_t slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size())
    return std::nullopt;
  return CacheRefName{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

std::string AttemptRefs(std::string_view phase) { return Join({kAttemptRoot, phase, "/"}); }

std::string AttemptRef(std::string_view phase, long long unix_time, const ObjectId& commit) {
  return AttemptRefs(phase) + std::to_string(unix_time) + "-" + commit.ShortHex(12);
}

std::string TargetMark(std::string_view target) { return Join({kTargetMarkRoot, target}); }

std::string TargetPendingMark(std::string_view target) {
  return Join({kTargetPendingRoot, target});
}

std::string ApprovalRef(std::string_view phase, const ObjectId& result) {
  return Join({kApprovalRoot, phase, "/", result.hex()});
}

}  // namespace orchestrate::refs
