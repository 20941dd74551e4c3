// Repo::IsReachableFromAny: whether a commit is kept by some tip.
#include "git_internal.h"

namespace orchestrate {

using namespace git_detail;

bool Repo::IsReachableFromAny(const ObjectId& commit, const std::vector<ObjectId>& tips) {
  git_oid target = ToOid(commit);
  std::vector<git_oid> oids;
  oids.reserve(tips.size());
  for (const ObjectId& tip : tips) {
    oids.push_back(ToOid(tip));
    if (git_oid_equal(&oids.back(), &target)) return true;
  }
  if (oids.empty()) return false;
  int rc = git_graph_reachable_from_any(repo_, &target, oids.data(), oids.size());
  Check(rc, "checking whether " + commit.hex() + " is reachable from a ref");
  return rc == 1;
}

}  // namespace orchestrate
