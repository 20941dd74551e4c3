// Repo: pushing to and fetching from remotes (by name, path or URL).
#include <git2.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "git_internal.h"
#include "orchestrate/error.h"
#include "orchestrate/git.h"

namespace orchestrate {

using namespace git_detail;

namespace {

/// A git_strarray view of strings that outlive it.
class StringArray {
 public:
  explicit StringArray(const std::vector<std::string>& strings) {
    for (const std::string& s : strings) pointers_.push_back(const_cast<char*>(s.c_str()));
    array_ = {pointers_.data(), pointers_.size()};
  }
  const git_strarray* get() const { return &array_; }

 private:
  std::vector<char*> pointers_;
  git_strarray array_;
};

bool LooksLikePathOrUrl(const std::string& remote) {
  return remote.find_first_of("/:\\") != std::string::npos || remote.starts_with(".");
}

/// The directory a remote URL names when it is a local path ("/srv/x.git",
/// "../x", "file:///srv/x.git"); nullopt for other URLs ("https://…",
/// "git@host:x").
std::optional<std::string> LocalPath(const std::string& url) {
  if (url.starts_with("file://")) return url.substr(7);
  if (url.find("://") != std::string::npos) return std::nullopt;
  size_t colon = url.find(':'), slash = url.find('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon < slash))
    return std::nullopt;
  return url;
}

/// Says so when `url` is a local path that does not exist: libgit2 would
/// call it an "unsupported URL protocol".
void CheckLocalPathExists(const std::string& name, const std::string& url) {
  std::optional<std::string> path = LocalPath(url);
  std::error_code ec;
  if (!path || std::filesystem::exists(*path, ec)) return;
  std::string which = name == url ? "" : " (the URL of remote '" + name + "')";
  throw UsageError("remote repository " + *path + which +
                   " does not exist: give the path of a git repository, a URL or a remote name");
}

/// Looks `remote` up by name, or uses it as a path or URL.
OwnedRemote OpenRemote(git_repository* repo, const std::string& remote) {
  git_remote* raw = nullptr;
  int rc = git_remote_lookup(&raw, repo, remote.c_str());
  if (rc != 0 && LooksLikePathOrUrl(remote))
    rc = git_remote_create_anonymous(&raw, repo, remote.c_str());
  else if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
    throw UsageError("no remote named '" + remote + "' (add one with `git remote add " + remote +
                     " URL`, or name a remote or URL)");
  Check(rc, "opening remote " + remote);
  OwnedRemote handle(raw);
  if (const char* url = git_remote_url(raw)) CheckLocalPathExists(remote, url);
  return handle;
}

/// The repository a remote names when it is a local, non-bare one: libgit2
/// cannot push into those ("local push doesn't (yet) support pushing to
/// non-bare repos"), git can.
OwnedRepository OpenLocalNonBare(git_remote* remote) {
  const char* url = git_remote_url(remote);
  std::optional<std::string> path = url ? LocalPath(url) : std::nullopt;
  git_repository* raw = nullptr;
  if (!path || git_repository_open(&raw, path->c_str()) != 0) return nullptr;
  OwnedRepository repo(raw);
  if (git_repository_is_bare(raw)) return nullptr;
  return repo;
}

/// What the callbacks of one push or fetch record.
struct RemoteSession {
  int credential_attempts = 0;
  std::vector<std::string> rejections;
};

/// Offers the SSH agent once, then gives up (libgit2 would ask forever).
int AgentCredentials(git_credential** out, const char*, const char* username, unsigned allowed,
                     void* payload) {
  int& attempts = static_cast<RemoteSession*>(payload)->credential_attempts;
  if (attempts++ > 0 || !(allowed & GIT_CREDENTIAL_SSH_KEY)) return GIT_PASSTHROUGH;
  return git_credential_ssh_key_from_agent(out, username ? username : "git");
}

int RecordRejection(const char* refname, const char* status, void* payload) {
  if (status)
    static_cast<RemoteSession*>(payload)->rejections.push_back(std::string(refname) + ": " +
                                                               status);
  return 0;
}

/// Callbacks shared by push and fetch, recording into `session`.
git_remote_callbacks MakeCallbacks(RemoteSession* session) {
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = AgentCredentials;
  callbacks.push_update_reference = RecordRejection;
  callbacks.payload = session;
  return callbacks;
}

/// Connects so that an unreachable remote is told apart from later failures.
void Connect(git_remote* remote, const std::string& name, git_direction direction,
             const git_remote_callbacks& callbacks) {
  if (git_remote_connect(remote, direction, &callbacks, nullptr, nullptr) != 0)
    throw UsageError("cannot reach remote '" + name + "': " + LastErrorMessage());
}

/// The destination ref of a push refspec ("+src:dst", "src").
std::string Destination(std::string refspec) {
  if (refspec.starts_with("+")) refspec.erase(0, 1);
  size_t colon = refspec.find(':');
  return colon == std::string::npos ? refspec : refspec.substr(colon + 1);
}

/// One push; libgit2 refuses a whole push when any ref is not a fast-forward
/// (GIT_ENONFASTFORWARD), which is returned rather than thrown.
int PushOnce(git_remote* remote, const std::string& name, const std::vector<std::string>& refspecs,
             RemoteSession& session) {
  git_push_options options = GIT_PUSH_OPTIONS_INIT;
  options.callbacks = MakeCallbacks(&session);
  if (!git_remote_connected(remote)) Connect(remote, name, GIT_DIRECTION_PUSH, options.callbacks);
  StringArray specs(refspecs);
  int rc = git_remote_push(remote, specs.get(), &options);
  if (rc == GIT_ENONFASTFORWARD) return rc;
  Check(rc, "pushing to " + name);
  return 0;
}

/// True when `ref` is the branch `repo`'s HEAD is on: git refuses to push
/// into it (receive.denyCurrentBranch).
bool IsCheckedOut(git_repository* repo, const std::string& ref) {
  git_reference* head = nullptr;
  if (git_reference_lookup(&head, repo, "HEAD") != 0) return false;
  OwnedReference owned(head);
  const char* target = git_reference_symbolic_target(head);
  return target && ref == target;
}

/// A push into the local non-bare repository `theirs`, done as git does it:
/// `theirs` fetches each ref it does not have yet from `ours`. A ref it
/// already has with another commit is rejected, like a push that is not a
/// fast-forward.
std::vector<std::string> PushIntoNonBare(git_repository* ours, git_repository* theirs,
                                         const std::string& name,
                                         const std::vector<std::string>& refspecs) {
  std::vector<std::string> rejections, fetch;
  for (const std::string& refspec : refspecs) {
    std::string source = refspec.substr(refspec.starts_with("+") ? 1 : 0);
    source = source.substr(0, source.find(':'));
    git_oid mine, present;
    if (git_reference_name_to_id(&mine, ours, source.c_str()) != 0) {
      rejections.push_back(Destination(refspec) + ": no such local ref");
      continue;
    }
    if (IsCheckedOut(theirs, Destination(refspec)))
      rejections.push_back(Destination(refspec) + ": checked out in the remote's working tree");
    else if (git_reference_name_to_id(&present, theirs, Destination(refspec).c_str()) != 0)
      fetch.push_back(source + ":" + Destination(refspec));
    else if (!git_oid_equal(&mine, &present))
      rejections.push_back(Destination(refspec) + ": already exists with another commit");
  }
  if (fetch.empty()) return rejections;
  git_remote* raw = nullptr;
  Check(git_remote_create_anonymous(&raw, theirs, git_repository_commondir(ours)),
        "pushing to " + name);
  OwnedRemote back(raw);
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.update_fetchhead = 0;
  StringArray specs(fetch);
  Check(git_remote_fetch(back.get(), specs.get(), &options, "orchestrate: push"),
        "pushing to " + name);
  return rejections;
}

}  // namespace

std::vector<std::string> Repo::Push(const std::string& remote,
                                    const std::vector<std::string>& refspecs) {
  LoadDeferredCertificates();
  OwnedRemote handle = OpenRemote(repo_, remote);
  if (OwnedRepository theirs = OpenLocalNonBare(handle.get()))
    return PushIntoNonBare(repo_, theirs.get(), remote, refspecs);
  RemoteSession session;
  if (PushOnce(handle.get(), remote, refspecs, session) == 0) return session.rejections;
  // Push ref by ref so the others still go through and the culprit is named.
  for (const std::string& refspec : refspecs)
    if (PushOnce(handle.get(), remote, {refspec}, session) != 0)
      session.rejections.push_back(Destination(refspec) + ": " + LastErrorMessage());
  return session.rejections;
}

void Repo::Fetch(const std::string& remote, const std::vector<std::string>& refspecs) {
  LoadDeferredCertificates();
  OwnedRemote handle = OpenRemote(repo_, remote);
  RemoteSession session;
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.callbacks = MakeCallbacks(&session);
  Connect(handle.get(), remote, GIT_DIRECTION_FETCH, options.callbacks);
  StringArray specs(refspecs);
  Check(git_remote_fetch(handle.get(), specs.get(), &options, "orchestrate: fetch"),
        "fetching from " + remote);
}

}  // namespace orchestrate
