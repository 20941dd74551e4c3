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
class RecordIndex {
 public:
  /// 4: entries carry their ref's stamp; older files are discarded.
  static constexpr int kFormatVersion = 4;

  /// `writable` false (`plan`, `status`: commands that change nothing):
  /// Flush() writes nothing.
  explicit RecordIndex(std::string path, bool writable = true)
      : path_(std::move(path)), writable_(writable) {}
  ~RecordIndex();
  RecordIndex(const RecordIndex&) = delete;
  RecordIndex& operator=(const RecordIndex&) = delete;

  /// The entry for `phase` and `key`, or null. The pointer is valid until
  /// the next Add().
  const RecordSummary* Find(const std::string& phase, const std::string& key);
  /// Adds or replaces an entry; written by the next Flush().
  void Add(RecordSummary summary);
  /// Appends what was added since the last flush, or rewrites the file when
  /// most of its lines are replaced entries (or it had none). Throws InfraError when it
  /// cannot write (disk full, no permission).
  void Flush();

  const std::string& path() const { return path_; }

 private:
  void EnsureLoaded();
  /// The position of the entry for `phase` and `key` in entries_, or -1.
  int64_t Position(std::string_view phase, std::string_view key) const;
  /// Adds `summary` at the end or over the entry with the same phase and
  /// key; returns its position.
  size_t Put(RecordSummary summary);
  /// An open-addressing table of positions in entries_, by phase and key:
  /// no allocation per entry or per lookup.
  void Rehash(size_t capacity);
  /// Puts entries_[position] into the table (which has room).
  void Place(size_t position);
  static size_t HashOf(std::string_view phase, std::string_view key);
  static uint32_t Tag(size_t hash);

  std::string path_;
  bool writable_ = true;
  bool loaded_ = false;
  size_t lines_in_file_ = 0;
  std::vector<RecordSummary> entries_;
  /// A position in entries_ and its entry's Tag().
  struct Slot {
    uint32_t tag = 0;
    int32_t position = -1;  ///< -1: empty
  };
  std::vector<Slot> table_;      ///< a power of two, at most half full
  std::vector<size_t> pending_;  ///< positions added since the last flush
};

/// One index line (without its newline) and back; Parse returns nullopt for
/// a malformed line.
std::string FormatSummary(const RecordSummary& summary);
std::optional<RecordSummary> ParseSummary(std::string_view line);

}  // namespace orchestrate
