// ResultCache: records as commits under refs/orchestrate/cache/<phase>/<key>
// (SPEC section 4). The commit's tree holds record.json, log and handoff.md;
// its only parent is the result commit, which keeps the result reachable.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>
#include <string>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "orchestrate/refs.h"

namespace orchestrate {
namespace {

constexpr const char* kRecordFile = "record.json";
constexpr const char* kLogFile = "log";
constexpr const char* kHandoffFile = "handoff.md";
constexpr std::string_view kOmitted = "[orchestrate: earlier output omitted]\n";

// The last Record::kMaxLogBytes bytes of `log`, starting at a line boundary
// when there is one, after a note that the beginning was cut.
std::string LogTail(const std::string& log) {
  if (log.size() <= Record::kMaxLogBytes) return log;
  std::string tail = log.substr(log.size() - (Record::kMaxLogBytes - kOmitted.size()));
  size_t newline = tail.find('\n');
  if (newline != std::string::npos && newline + 1 < tail.size()) tail.erase(0, newline + 1);
  return std::string(kOmitted) + tail;
}

std::string OptionalBlob(Repo& repo, const std::map<std::string, ObjectId>& files,
                         const std::string& name) {
  auto it = files.find(name);
  return it == files.end() ? std::string() : repo.ReadBlob(it->second);
}

// Reads the record `commit` that `ref` points at.
// The log, the largest part, only when asked for: deciding freshness and
// explaining misses never need it.
Record ReadRecord(Repo& repo, const std::string& ref, const ObjectId& commit, bool with_log) {
  std::map<std::string, ObjectId> files = repo.ReadTree(repo.TreeOf(commit));
  auto json = files.find(kRecordFile);
  if (json == files.end())
    throw InfraError("cache record " + ref + " has no " + kRecordFile +
                     "; remove it with `git update-ref -d " + ref +
                     "` or run `orchestrate cache prune`");
  Record record = RecordFromJson(repo.ReadBlob(json->second), ref);
  if (with_log) record.log = OptionalBlob(repo, files, kLogFile);
  record.handoff = OptionalBlob(repo, files, kHandoffFile);
  return record;
}

// "refs/orchestrate/cache/<phase>/<key>" -> phase and key.
RecordInfo InfoFromRef(const std::string& ref) {
  RecordInfo info;
  info.ref = ref;
  if (std::optional<refs::CacheRefName> name = refs::ParseCacheRef(ref)) {
    info.phase = name->phase;
    info.key = name->key;
  }
  return info;
}

// Fills size, started_at (or problem) of `info` from the record at `commit`.
void ReadInfo(Repo& repo, const ObjectId& commit, RecordInfo* info) {
  try {
    for (const auto& [name, blob] : repo.ReadTree(repo.TreeOf(commit))) {
      std::string content = repo.ReadBlob(blob);
      info->size += content.size();
      if (name == kRecordFile) info->started_at = RecordFromJson(content, info->ref).started_at;
    }
  } catch (const InfraError& e) {
    info->started_at = 0;
    info->problem = e.what();
  }
}

// The record `commit` that `ref` points at, checked to be that of `phase`
// and `key`.
Record ReadNamedRecord(Repo& repo, const std::string& phase, const std::string& key,
                       const std::string& ref, const ObjectId& commit, bool with_log) {
  Record record = ReadRecord(repo, ref, commit, with_log);
  if (record.phase != phase || record.key != key)
    throw InfraError("cache record " + ref + " describes phase " + record.phase + " with key " +
                     record.key + "; remove it with `git update-ref -d " + ref + "`");
  return record;
}

Record FromSummary(const RecordSummary& s) {
  Record r;
  static_cast<RecordedResult&>(r) = s;
  return r;
}

}  // namespace

std::string ResultCache::RefName(const std::string& phase, const std::string& key) {
  return refs::CacheRef(phase, key);
}

std::optional<Record> ResultCache::Lookup(const std::string& phase, const std::string& key,
                                          bool with_log) {
  std::string ref = RefName(phase, key);
  std::optional<ObjectId> commit = repo_.ReadRef(ref);
  if (!commit) return std::nullopt;
  return ReadNamedRecord(repo_, phase, key, ref, *commit, with_log);
}

void ResultCache::Index(const Record& record, const ObjectId& commit, const RefStamp& stamp) {
  RecordSummary s;
  static_cast<RecordedResult&>(s) = record;
  s.record = commit;
  s.ref_stamp = stamp;
  s.handoff_complete = record.handoff.size() <= RecordSummary::kMaxHandoffBytes;
  if (!s.handoff_complete) s.handoff.clear();
  if (SignatureVerifies(record, policy_)) s.signed_by = key_id_;
  index_->Add(std::move(s));
}

void ResultCache::Warn(const std::string& ref, const std::string& text) {
  if (!warned_.insert(ref).second) return;
  if (warn_)
    warn_(text);
  else
    spdlog::warn("{}", text);
}

bool ResultCache::Trusted(const RecordSummary& entry) const {
  return policy_.trust == CacheTrust::kAny ||
         (!entry.signed_by.empty() && entry.signed_by == key_id_);
}

std::optional<Record> ResultCache::ReadChecked(const std::string& phase, const std::string& key,
                                               const std::string& ref, const ObjectId& commit,
                                               const TrustPolicy& policy) {
  if (policy.trust == CacheTrust::kSigned && !policy.CanVerify())
    Warn("", std::string("settings.cache_trust is \"signed\" but ") + kSigningKeyVariable +
                 " is not set and settings.cache_public_keys is empty: no cache record can be "
                 "verified, so none is reused");
  try {
    Record record = ReadRecord(repo_, ref, commit, /*with_log=*/false);
    std::string problem = RecordProblem(repo_, record, phase, key, policy);
    if (problem.empty()) return record;
    Warn(ref, "ignoring cache record " + ref + ": " + problem);
  } catch (const InfraError& e) {
    Warn(ref, std::string("ignoring ") + e.what());
  }
  return std::nullopt;
}

std::optional<Record> ResultCache::Find(const std::string& phase, const std::string& key) {
  // The ref says which record is current. An index entry stands for it
  // while the ref's stamp is the one taken when the entry was made: one
  // stat. Otherwise the ref is read through git (loose or packed); the
  // stamp is taken first, so a change after the read shows next time.
  std::string ref = RefName(phase, key);
  const RecordSummary* known = index_ ? index_->Find(phase, key) : nullptr;
  if (known && !(Trusted(*known) && known->handoff_complete)) known = nullptr;
  RefStamp stamp = index_ ? repo_.StampOfRef(ref) : RefStamp{};
  if (known && stamp.known && stamp == known->ref_stamp) return FromSummary(*known);
  std::optional<ObjectId> commit = repo_.ReadRef(ref);
  if (!commit) return std::nullopt;
  if (known && known->record == *commit) {
    RecordSummary restamped = *known;
    restamped.ref_stamp = stamp;
    index_->Add(restamped);
    return FromSummary(restamped);
  }
  std::optional<Record> record = ReadChecked(phase, key, ref, *commit, policy_);
  if (record && index_) Index(*record, *commit, stamp);
  return record;
}

std::optional<Record> ResultCache::Latest(const std::string& phase) {
  // Reads every record of the phase: fine for tens of records per phase;
  // `cache prune` keeps that number small.
  std::optional<Record> latest;
  for (const auto& [ref, commit] : repo_.ListRefs(RefName(phase, ""))) {
    try {
      Record record = ReadRecord(repo_, ref, commit, false);
      if (!latest || record.started_at > latest->started_at) latest = std::move(record);
    } catch (const InfraError&) {
      // An unreadable record explains nothing; Lookup reports it if it matters.
    }
  }
  return latest;
}

namespace {

// A lock file on `ref` made before this process started is stale: Store
// runs under the run lock, so whoever made it was a run killed while
// writing the record (refs/orchestrate/cache/ is too large to sweep at
// every start, as recovery does for the other refs).
const auto kProcessStarted = std::filesystem::file_time_type::clock::now();

void RemoveStaleLockOf(Repo& repo, const std::string& ref) {
  const auto started = kProcessStarted;
  std::filesystem::path lock = std::filesystem::path(repo.commondir()) / (ref + ".lock");
  std::error_code ec;
  auto made = std::filesystem::last_write_time(lock, ec);
  if (!ec && made < started) std::filesystem::remove(lock, ec);
}

}  // namespace

bool ResultCache::Store(const Record& unsigned_record, bool replace) {
  Record record = unsigned_record;
  if (!policy_.signing_key.empty()) record.signature = SignRecord(record, policy_.signing_key);
  std::string ref = RefName(record.phase, record.key);
  RemoveStaleLockOf(repo_, ref);
  std::optional<ObjectId> existing = repo_.ReadRef(ref);
  // A record that would not be reused (poisoned, objects missing; under
  // cache_trust "signed" with a key, not signed with it) does not keep the
  // key from being recorded: it is replaced. Without a key to sign with, a
  // consistent record is kept, signed or not.
  bool signs = policy_.trust == CacheTrust::kSigned && !policy_.signing_key.empty();
  if (existing && !replace &&
      ReadChecked(record.phase, record.key, ref, *existing, signs ? policy_ : TrustPolicy{}))
    return false;
  // WriteBlob, WriteTree and CreateCommit each check their object was
  // written, so a full disk stops here, before the ref exists.
  std::map<std::string, ObjectId> files = {{kRecordFile, repo_.WriteBlob(RecordToJson(record))},
                                           {kLogFile, repo_.WriteBlob(LogTail(record.log))},
                                           {kHandoffFile, repo_.WriteBlob(record.handoff)}};
  std::string message = "orchestrate cache record: " + record.phase + " " + record.key + "\n";
  // A replacing record keeps the old one as its second parent: the ref only
  // moves forward, so pushing it is a fast-forward everywhere.
  std::vector<ObjectId> parents = {record.result};
  if (existing) parents.push_back(*existing);
  ObjectId commit = repo_.CreateCommit(repo_.WriteTree(files), parents, message, FixedSignature());
  if (!repo_.WriteRefIf(ref, commit, existing, "orchestrate: cache record")) return false;
  if (index_) {
    // The stamp counts only if the ref still holds our record once it is
    // taken; else the next Find reads the ref.
    RefStamp stamp = repo_.StampOfRef(ref);
    if (repo_.ReadRef(ref) != commit) stamp = {};
    Index(record, commit, stamp);
  }
  return true;
}

std::vector<RecordInfo> ResultCache::List() {
  std::vector<RecordInfo> infos;
  for (const auto& [ref, commit] : repo_.ListRefs(std::string(refs::kCacheRoot))) {
    infos.push_back(InfoFromRef(ref));
    ReadInfo(repo_, commit, &infos.back());
  }
  return infos;
}

void ResultCache::Remove(const RecordInfo& info) { repo_.DeleteRef(info.ref); }

}  // namespace orchestrate
