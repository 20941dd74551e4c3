// A person's decision on a phase's result (SPEC section 3 item 8): approved,
// or rejected with a text for the phase's next attempt. Stored in the
// repository under refs/orchestrate/approvals/<phase>/<result id>, so
// `cache push` / `cache pull` share it like the records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "orchestrate/git.h"

namespace orchestrate {

/// What a person decided about one result commit of one phase.
struct Decision {
  bool approved = false;  ///< false: rejected
  std::string phase;
  ObjectId result;       ///< the result commit decided on
  std::string key;       ///< the phase's key when it was decided (informational)
  std::string feedback;  ///< rejected: the text for ORCHESTRATE_FEEDBACK_FILE
  std::string who;       ///< "Name <email>" of the person (git's configured identity)
  int64_t at = 0;        ///< unix seconds
};

/// Whether `decision` is an approval: a result with no decision, or a
/// rejected one, is not approved.
inline bool IsApproval(const std::optional<Decision>& decision) {
  return decision && decision->approved;
}

/// The decisions of a repository. One ref per (phase, result): a later
/// decision on the same result replaces the earlier one, so approving a
/// rejected result (or the reverse) is a change of mind, never a conflict.
/// A decision belongs to its result commit: a new result has none.
///
/// Each ref points at a commit whose parent is the result (which keeps the
/// result reachable however the records are pruned), whose author is the
/// person and time, and whose tree holds `decision` ("approved" or
/// "rejected", then "phase", "result" and "key" lines) and, for a
/// rejection, `feedback.md` (the text, a blob of its own).
class Approvals {
 public:
  explicit Approvals(Repo& repo) : repo_(repo) {}

  /// refs/orchestrate/approvals/<phase>/<result>.
  static std::string RefOf(const std::string& phase, const ObjectId& result);

  /// Records the approval of `result` of `phase` (replacing a rejection).
  void Approve(const std::string& phase, const ObjectId& result, const std::string& key);
  /// Records the rejection of `result` of `phase` with `feedback` (replacing
  /// an approval).
  void Reject(const std::string& phase, const ObjectId& result, const std::string& key,
              const std::string& feedback);
  /// The decision on `result` of `phase`, if any. A ref that is not a
  /// decision (damaged, written by hand) throws InfraError naming it.
  std::optional<Decision> Find(const std::string& phase, const ObjectId& result);
  /// Whether `result` of `phase` is approved (and not rejected since).
  bool IsApproved(const std::string& phase, const ObjectId& result);

 private:
  void Write(const Decision& decision);

  Repo& repo_;
};

/// Why a phase waits and what to do, for the run's output and `status`:
/// "its result R awaits approval: review it with `git diff I R`, then
/// `orchestrate approve P` (or `orchestrate reject P -m "..."`) and run again".
std::string AwaitingApprovalHint(const std::string& phase, const ObjectId& input,
                                 const ObjectId& result);

/// What ORCHESTRATE_FEEDBACK_FILE holds for the attempt that follows a
/// rejection: who rejected which result, and their text.
std::string RejectionFeedback(const Decision& rejection);

}  // namespace orchestrate
