// ResultCache: records as commits under refs/orchestrate/cache/<phase>/<key>
// (SPEC section 4). The commit's tree holds record.json, log and handoff.md;
// its only parent is the result commit, which keeps the result reachable.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"

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
  std::string rest = ref.substr(std::string(ResultCache::kRefPrefix).size());
  size_t slash = rest.rfind('/');
  info.phase = slash == std::string::npos ? rest : rest.substr(0, slash);
  info.key = slash == std::string::npos ? "" : rest.substr(slash + 1);
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
  r.phase = s.phase;
  r.key = s.key;
  r.result = s.result;
  r.input = s.input;
  r.result_tree = s.result_tree;
  r.started_at = s.started_at;
  r.duration_s = s.duration_s;
  r.attempts = s.attempts;
  r.handoff = s.handoff;
  return r;
}

}  // namespace

std::string ResultCache::RefName(const std::string& phase, const std::string& key) {
  return kRefPrefix + phase + "/" + key;
}

std::optional<Record> ResultCache::Lookup(const std::string& phase, const std::string& key,
                                          bool with_log) {
  std::string ref = RefName(phase, key);
  std::optional<ObjectId> commit = repo_.ReadRef(ref);
  if (!commit) return std::nullopt;
  return ReadNamedRecord(repo_, phase, key, ref, *commit, with_log);
}

ResultCache::~ResultCache() {
  if (index_) index_->StopBackground();  // it may be checking refs through the descriptor
  if (cache_dir_fd_ >= 0) close(cache_dir_fd_);
}

int ResultCache::CacheDirFd() {
  if (cache_dir_fd_ == -1) {
    std::string dir = repo_.commondir() + "/" + kRefPrefix;
    cache_dir_fd_ = open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cache_dir_fd_ < 0) cache_dir_fd_ = -2;
  }
  return cache_dir_fd_;
}

int64_t ResultCache::LooseRefTime(int dir_fd, const std::string& phase, const std::string& key) {
  // "<phase>/<key>" built without allocating: this runs once per record.
  char path[512];
  if (dir_fd < 0 || phase.size() + key.size() + 2 > sizeof path) return 0;
  std::memcpy(path, phase.data(), phase.size());
  path[phase.size()] = '/';
  std::memcpy(path + phase.size() + 1, key.data(), key.size());
  path[phase.size() + 1 + key.size()] = '\0';
  struct stat st;
  if (fstatat(dir_fd, path, &st, 0) != 0 || !S_ISREG(st.st_mode)) return 0;
  return int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
}

RecordIndex::Check ResultCache::RefCheck() {
  int fd = CacheDirFd();
  return [fd](const RecordSummary& s) { return LooseRefTime(fd, s.phase, s.key); };
}

void ResultCache::Prefetch() {
  if (index_) index_->LoadInBackground(RefCheck());
}

void ResultCache::Index(const Record& record, const ObjectId& commit, int64_t ref_time) {
  RecordSummary s;
  s.phase = record.phase;
  s.key = record.key;
  s.record = commit;
  s.ref_mtime_ns = ref_time;
  s.result = record.result;
  s.input = record.input;
  s.result_tree = record.result_tree;
  s.started_at = record.started_at;
  s.duration_s = record.duration_s;
  s.attempts = record.attempts;
  s.handoff_complete = record.handoff.size() <= RecordSummary::kMaxHandoffBytes;
  if (s.handoff_complete) s.handoff = record.handoff;
  index_->Add(std::move(s));
}

std::optional<Record> ResultCache::Find(const std::string& phase, const std::string& key) {
  if (!index_) return Lookup(phase, key, /*with_log=*/false);
  const RecordSummary* known = index_->Find(phase, key);
  int64_t ref_time =
      known ? index_->CheckOf(known, RefCheck()) : LooseRefTime(CacheDirFd(), phase, key);
  if (known && known->handoff_complete && ref_time != 0 && known->ref_mtime_ns == ref_time)
    return FromSummary(*known);
  std::string ref = RefName(phase, key);
  std::optional<ObjectId> commit = repo_.ReadRef(ref);
  if (!commit) return std::nullopt;
  if (known && known->handoff_complete && known->record == *commit) {
    Record record = FromSummary(*known);
    if (known->ref_mtime_ns != ref_time) Index(record, *commit, ref_time);
    return record;
  }
  Record record = ReadNamedRecord(repo_, phase, key, ref, *commit, /*with_log=*/false);
  Index(record, *commit, ref_time);
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

bool ResultCache::Store(const Record& record, bool replace) {
  std::string ref = RefName(record.phase, record.key);
  std::optional<ObjectId> old = repo_.ReadRef(ref);
  if (old && !replace) return false;
  std::map<std::string, ObjectId> files = {{kRecordFile, repo_.WriteBlob(RecordToJson(record))},
                                           {kLogFile, repo_.WriteBlob(LogTail(record.log))},
                                           {kHandoffFile, repo_.WriteBlob(record.handoff)}};
  std::string message = "orchestrate cache record: " + record.phase + " " + record.key + "\n";
  // A replacing record keeps the old one as its second parent: the ref only
  // moves forward, so pushing it is a fast-forward everywhere.
  std::vector<ObjectId> parents = {record.result};
  if (old) parents.push_back(*old);
  ObjectId commit = repo_.CreateCommit(repo_.WriteTree(files), parents, message, FixedSignature());
  if (!repo_.WriteRefIf(ref, commit, old, "orchestrate: cache record")) return false;
  if (cache_dir_fd_ == -2) cache_dir_fd_ = -1;  // the first record made the directory
  if (index_) Index(record, commit, LooseRefTime(CacheDirFd(), record.phase, record.key));
  return true;
}

std::vector<RecordInfo> ResultCache::List() {
  std::vector<RecordInfo> infos;
  for (const auto& [ref, commit] : repo_.ListRefs(kRefPrefix)) {
    infos.push_back(InfoFromRef(ref));
    ReadInfo(repo_, commit, &infos.back());
  }
  return infos;
}

void ResultCache::Remove(const RecordInfo& info) { repo_.DeleteRef(info.ref); }

}  // namespace orchestrate
