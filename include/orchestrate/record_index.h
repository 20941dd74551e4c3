// A local index of cache records (.orchestrate/record_index), in the spirit
// of .ninja_log: what a run needs to reuse a record, so that deciding a
// fresh phase reads one line loaded at start instead of four git objects.
// The git records stay the truth: every entry remembers its record commit
// and the stamp of its ref's storage (Repo::StampOfRef), and ResultCache
// uses an entry only while that stamp is unchanged (one stat, like Ninja's
// one stat per output) or the ref, read through the git layer, still points
// at that commit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/git.h"

namespace orchestrate {

/// What a cache record says about a phase's success: the part a run needs
/// to reuse it. Both the record (cache.h) and its index entry are one.
struct RecordedResult {
  std::string phase;
  std::string key;
  ObjectId result;  ///< result commit
  ObjectId input;   ///< the commit the phase started from (empty in older records)
  ObjectId result_tree;
  int64_t started_at = 0;  ///< unix seconds
  double duration_s = 0;
  int attempts = 1;
  std::string handoff;  ///< markdown the phase wrote to ORCHESTRATE_HANDOFF_FILE
};

/// An index entry: a record's RecordedResult and how to tell it is still
/// the record. Only records that passed RecordProblem (record_trust.h) are
/// indexed: an entry is a verified record.
struct RecordSummary : RecordedResult {
  /// Handoffs longer than this are not copied into the index; a lookup then
  /// reads the record from git.
  static constexpr size_t kMaxHandoffBytes = 4096;
  ObjectId record;  ///< the record commit its ref pointed at
  /// The ref's stamp taken before it was read as `record`: while the ref's
  /// stamp equals it, the ref still points at `record`.
  RefStamp ref_stamp;
  bool handoff_complete = true;  ///< false: `handoff` was too long to index
  /// TrustPolicy::KeyId() of the key the record's signature verified with;
  /// empty when it was not signed or not checked.
  std::string signed_by;
};

/// The index file: loaded on first use, appended to, rewritten when mostly
/// stale. A missing, unreadable or foreign file is an empty index (it is a
/// cache and rebuilds itself).
///
/// The file is binary (record_index.cc): read whole into one buffer, its
/// entries are found where they lie and decoded only when asked for, so a
/// run that reuses 10,000 records parses no text and builds no table of
/// summaries (docs/performance.md, "Thirteenth round").
class RecordIndex {
 public:
  /// 5: binary entries; older (text) files are discarded.
  static constexpr int kFormatVersion = 5;

  /// `writable` false (`plan`, `status`: commands that change nothing):
  /// Flush() writes nothing.
  explicit RecordIndex(std::string path, bool writable = true)
      : path_(std::move(path)), writable_(writable) {}
  ~RecordIndex();
  RecordIndex(const RecordIndex&) = delete;
  RecordIndex& operator=(const RecordIndex&) = delete;

  /// The entry for `phase` and `key`, or null. The pointer is valid until
  /// the next Find() or Add().
  const RecordSummary* Find(const std::string& phase, const std::string& key);
  /// Adds or replaces an entry; written by the next Flush().
  void Add(RecordSummary summary);
  /// Appends what was added since the last flush, or rewrites the file when
  /// most of its entries are replaced ones (or it had none). Throws
  /// InfraError when it cannot write (disk full, no permission).
  void Flush();

  const std::string& path() const { return path_; }

 private:
  /// Where an entry is: at an offset of file_ (kAdded clear) or at an index
  /// of added_ (kAdded set).
  using Where = uint32_t;
  static constexpr Where kAdded = 0x80000000u;
  static constexpr Where kNowhere = 0xffffffffu;

  void EnsureLoaded();
  /// Where the entry for `phase` and `key` is, or kNowhere.
  Where Locate(std::string_view phase, std::string_view key) const;
  std::string_view PhaseAt(Where where) const;
  std::string_view KeyAt(Where where) const;
  /// Makes `where` the entry for its phase and key, replacing any other.
  void Put(Where where);
  /// An open-addressing table of entries by phase and key: no allocation
  /// per entry or per lookup.
  void Rehash(size_t capacity);
  /// Puts `where` into the table (which has room) as a new entry.
  void Place(size_t hash, Where where);
  static size_t HashOf(std::string_view phase, std::string_view key);
  static uint32_t Tag(size_t hash);

  std::string path_;
  bool writable_ = true;
  bool loaded_ = false;
  std::unique_ptr<char[]> file_;  ///< the file as read: header, then entries
  size_t file_size_ = 0;
  size_t entries_in_file_ = 0;  ///< 0 also when its end was cut short
  size_t live_ = 0;             ///< entries in the table
  std::vector<RecordSummary> added_;
  RecordSummary found_;  ///< what Find decoded last
  struct Slot {
    uint32_t tag = 0;
    Where where = kNowhere;
  };
  std::vector<Slot> table_;     ///< a power of two, at most half full
  std::vector<Where> pending_;  ///< added since the last flush
};

/// One entry of the index file: a 4-byte size, then the fields
/// (record_index.cc). ReadEntry takes the bytes at the start of `bytes`
/// and says how many it took; nullopt for a malformed or cut-short entry
/// (then `*size` is 0 when the bytes end before the entry does).
void AppendEntry(const RecordSummary& summary, std::string* out);
std::optional<RecordSummary> ReadEntry(std::string_view bytes, size_t* size);

}  // namespace orchestrate
