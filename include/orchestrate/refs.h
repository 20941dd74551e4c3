// The names of every git reference orchestrate reads or writes, built in one
// place. Phase branches are ordinary branches (the user checks them out);
// everything else lives under refs/orchestrate/, where `git log --all` and
// branch listings do not show it:
//
//   refs/heads/orchestrate/phase/<phase>               a phase's branch
//   refs/orchestrate/cache/<phase>/<key>               a cache record
//   refs/orchestrate/attempts/<phase>/<time>-<commit>  saved unrecorded work
//   refs/orchestrate/targets/<target>                  the target orchestrate last wrote
//   refs/orchestrate/target-pending/<target>           the target it is about to write
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orchestrate/object_id.h"

namespace orchestrate::refs {

/// The namespace of orchestrate's own references.
inline constexpr std::string_view kOwnRoot = "refs/orchestrate/";
/// Every cache record.
inline constexpr std::string_view kCacheRoot = "refs/orchestrate/cache/";
/// Every saved attempt.
inline constexpr std::string_view kAttemptRoot = "refs/orchestrate/attempts/";
/// A person's decisions on results (approval.h).
inline constexpr std::string_view kApprovalRoot = "refs/orchestrate/approvals/";
/// Every target mark.
inline constexpr std::string_view kTargetMarkRoot = "refs/orchestrate/targets/";
/// Every pending target mark.
inline constexpr std::string_view kTargetPendingRoot = "refs/orchestrate/target-pending/";
/// Every branch orchestrate names (phase branches, and by default the target).
inline constexpr std::string_view kOwnBranchRoot = "refs/heads/orchestrate/";
/// Every phase branch, in full.
inline constexpr std::string_view kPhaseBranchRoot = "refs/heads/orchestrate/phase/";

/// "refs/heads/<branch>".
std::string BranchRef(std::string_view branch);
/// `ref` without "refs/heads/"; nullopt when it is no branch.
std::optional<std::string> BranchOfRef(std::string_view ref);

/// The short name of a phase's branch, as users type it: "orchestrate/phase/<phase>".
std::string PhaseBranch(std::string_view phase);
/// The full name of a phase's branch: "refs/heads/orchestrate/phase/<phase>".
std::string PhaseBranchRef(std::string_view phase);
/// The phase whose branch `ref` (a full name) is; nullopt for any other ref.
std::optional<std::string> PhaseOfBranchRef(std::string_view ref);

/// "refs/orchestrate/cache/<phase>/": the records of one phase.
std::string CacheRefs(std::string_view phase);
/// "refs/orchestrate/cache/<phase>/<key>": one record.
std::string CacheRef(std::string_view phase, std::string_view key);
/// A record's phase and key, from its ref.
struct CacheRefName {
  std::string phase;
  std::string key;
};
/// The phase and key of a record's ref; nullopt for a ref outside
/// refs/orchestrate/cache/ or without a key.
std::optional<CacheRefName> ParseCacheRef(std::string_view ref);

/// "refs/orchestrate/attempts/<phase>/": the saved attempts of one phase.
std::string AttemptRefs(std::string_view phase);
/// "refs/orchestrate/attempts/<phase>/<unix time>-<first 12 digits of commit>".
std::string AttemptRef(std::string_view phase, long long unix_time, const ObjectId& commit);

/// "refs/orchestrate/approvals/<phase>/<result>": the decision on one result.
std::string ApprovalRef(std::string_view phase, const ObjectId& result);

/// "refs/orchestrate/targets/<target>": the target commit orchestrate wrote last.
std::string TargetMark(std::string_view target);
/// "refs/orchestrate/target-pending/<target>": the commit it is about to write.
std::string TargetPendingMark(std::string_view target);

}  // namespace orchestrate::refs
