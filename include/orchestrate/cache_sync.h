// Sharing cache records with a git remote (SPEC section 4): `cache push`,
// `cache pull`, and the best-effort pull and push around a run that
// settings.cache_remote / --cache-remote ask for.
#pragma once

#include <cstddef>
#include <string>

#include "orchestrate/git.h"

namespace orchestrate {

/// What one push or pull moved.
struct RecordTransfer {
  size_t moved = 0;      ///< records pushed, or new records pulled
  size_t total = 0;      ///< records here (pull) or offered (push)
  size_t already = 0;    ///< push: the remote had a record under the same name
  size_t decisions = 0;  ///< approvals and rejections pushed, or here after a pull
};

/// Pushes every local record (refs/orchestrate/cache/*) and every approval
/// or rejection (refs/orchestrate/approvals/*, replacing the remote's
/// decision on the same result) to `remote` (a name, path or URL). Throws UsageError when the
/// remote cannot be reached or does not exist, InfraError when the push fails.
RecordTransfer PushRecords(Repo& repo, const std::string& remote);

/// Fetches every record, approval and rejection of `remote`; throws like
/// PushRecords.
RecordTransfer PullRecords(Repo& repo, const std::string& remote);

/// PullRecords before a run: a failure is a one-line warning, never an error.
void PullRecordsBestEffort(Repo& repo, const std::string& remote);

/// PushRecords after a run: a failure is a one-line warning, never an error.
void PushRecordsBestEffort(Repo& repo, const std::string& remote);

/// `cache push|pull [REMOTE]` and `cache list`: they need a repository, not
/// a manifest. REMOTE defaults to origin.
int CommandCacheRecords(Repo& repo, const std::string& action, const std::string& remote);

}  // namespace orchestrate
