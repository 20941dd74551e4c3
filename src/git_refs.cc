// Repo: reading and updating references.
#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <vector>

#include "git_internal.h"
#include "orchestrate/git.h"

namespace orchestrate {

using namespace git_detail;

std::optional<ObjectId> Repo::ReadRef(const std::string& name) {
  git_oid oid;
  int rc = git_reference_name_to_id(&oid, repo_, name.c_str());
  if (rc == GIT_ENOTFOUND) return std::nullopt;
  Check(rc, "reading ref " + name);
  return FromOid(oid);
}

namespace {

RefStamp StampOf(const struct stat& st, bool packed) {
  return {static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
          int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec, packed, true};
}

// Refs that live in each worktree's own git dir rather than the common one
// (git's worktree.c): their files are elsewhere.
bool PerWorktree(std::string_view name) {
  for (std::string_view prefix : {"refs/worktree/", "refs/bisect/", "refs/rewritten/"})
    if (name.starts_with(prefix)) return true;
  return false;
}

}  // namespace

RefStamp Repo::StampOfRef(const std::string& name) {
  if (!name.starts_with("refs/") || PerWorktree(name) || name.find("..") != std::string::npos)
    return {};
  struct stat st;
  // Relative to the directory two levels up, kept open: the record check
  // stamps refs/orchestrate/cache/PHASE/KEY for every phase, and walking
  // two path components instead of nine is much of a stat's cost
  // (docs/performance.md, "Ninth round"). A miss is checked again by full
  // path below, so a directory removed since it was opened changes nothing.
  // The name starts with "refs/": its last slash is at 4 or later. Names
  // directly under refs/X/ take the full path (dir_end 4 would be "refs").
  size_t dir_end = name.rfind('/', name.rfind('/') - 1);
  if (dir_end != std::string::npos && dir_end > 4) {
    std::string_view dir(name.data(), dir_end);
    if (dir != stamp_dir_) {
      if (stamp_dir_fd_ >= 0) close(stamp_dir_fd_);
      stamp_dir_ = dir;
      stamp_dir_fd_ = open((std::string(git_repository_commondir(repo_)) + stamp_dir_).c_str(),
                           O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (stamp_dir_fd_ >= 0 && fstatat(stamp_dir_fd_, name.c_str() + dir_end + 1, &st, 0) == 0)
      return S_ISREG(st.st_mode) ? StampOf(st, false) : RefStamp{};
  }
  // git_repository_commondir ends with a slash.
  std::string path = std::string(git_repository_commondir(repo_)) + name;
  if (stat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode) ? StampOf(st, false) : RefStamp{};
  if (errno != ENOENT && errno != ENOTDIR) return {};
  // Not loose: packed, or missing (then the stamp of packed-refs stands for
  // "not in packed-refs" until that file is replaced).
  path.resize(path.size() - name.size());
  path += "packed-refs";
  if (stat(path.c_str(), &st) == 0) return StampOf(st, true);
  return {};
}

void Repo::WriteRef(const std::string& name, const ObjectId& id, const std::string& log_message) {
  git_oid oid = ToOid(id);
  git_reference* ref = nullptr;
  Check(git_reference_create(&ref, repo_, name.c_str(), &oid, 1, log_message.c_str()),
        "setting ref " + name + " to " + id.hex());
  git_reference_free(ref);
}

bool Repo::WriteRefIf(const std::string& name, const ObjectId& id,
                      const std::optional<ObjectId>& expected, const std::string& log_message) {
  git_oid oid = ToOid(id);
  git_reference* ref = nullptr;
  int rc;
  if (expected) {
    git_oid current = ToOid(*expected);
    rc = git_reference_create_matching(&ref, repo_, name.c_str(), &oid, 1, &current,
                                       log_message.c_str());
  } else {
    rc = git_reference_create(&ref, repo_, name.c_str(), &oid, 0, log_message.c_str());
  }
  git_reference_free(ref);
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ENOTFOUND) return false;
  Check(rc, "setting ref " + name + " to " + id.hex());
  return true;
}

void Repo::DeleteRef(const std::string& name) {
  int rc = git_reference_remove(repo_, name.c_str());
  if (rc == GIT_ENOTFOUND) return;
  Check(rc, "deleting ref " + name);
}

std::vector<std::pair<std::string, ObjectId>> Repo::ListRefs(const std::string& prefix) {
  // A glob makes libgit2 walk only the prefix's directory, not every loose ref
  // (listing all refs per phase made runs O(n^2) in the number of phases).
  git_reference_iterator* raw = nullptr;
  Check(git_reference_iterator_glob_new(&raw, repo_, (prefix + "*").c_str()), "listing refs");
  OwnedReferenceIterator iterator(raw);
  std::vector<std::pair<std::string, ObjectId>> refs;
  const char* name = nullptr;
  int rc;
  while ((rc = git_reference_next_name(&name, iterator.get())) == 0) {
    if (std::string_view(name).substr(0, prefix.size()) != prefix) continue;
    if (std::optional<ObjectId> id = ReadRef(name)) refs.emplace_back(name, *id);
  }
  if (rc != GIT_ITEROVER) Check(rc, "listing refs");
  std::sort(refs.begin(), refs.end());
  return refs;
}

}  // namespace orchestrate
