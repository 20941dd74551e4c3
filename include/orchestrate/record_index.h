// A local index of cache records (.orchestrate/record_index), in the spirit
// of .ninja_log: what a run needs to reuse a record, so that deciding a
// fresh phase reads one line loaded at start instead of a ref and four git
// objects. The git records stay the truth: every entry remembers its record
// commit and the modification time of the record's loose ref file, and a
// lookup that finds the ref changed, packed or gone asks git again.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "orchestrate/git.h"

namespace orchestrate {

/// The parts of a record a run uses to reuse it. Only records that passed
/// RecordProblem (record_trust.h) are indexed: an entry is a verified record.
struct RecordSummary {
  /// Handoffs longer than this are not copied into the index; a lookup then
  /// reads the record from git.
  static constexpr size_t kMaxHandoffBytes = 4096;
  std::string phase;
  std::string key;
  ObjectId record;           ///< the record commit its ref pointed at
  int64_t ref_mtime_ns = 0;  ///< of the loose ref file when seen; 0 when packed
  ObjectId result;
  ObjectId input;
  ObjectId result_tree;
  int64_t started_at = 0;
  double duration_s = 0;
  int attempts = 1;
  bool handoff_complete = true;  ///< false: `handoff` was too long to index
  std::string handoff;
  /// TrustPolicy::KeyId() of the key the record's signature verified with;
  /// empty when it was not signed or not checked.
  std::string signed_by;
};

/// The index file: loaded once, appended to, rewritten when mostly stale.
/// The run's main thread owns it; the only other thread is the one started
/// by LoadInBackground, which reads entries and writes nothing but their
/// check results, and is stopped before any entry changes. A missing,
/// unreadable or foreign file is an empty index (it is a cache and
/// rebuilds itself).
class RecordIndex {
 public:
  /// 2: entries are verified records and say which key signed them; a
  /// version 1 file (unverified entries) is discarded.
  static constexpr int kFormatVersion = 2;
  /// How an entry is checked against its ref: the ref file's modification
  /// time in nanoseconds, 0 when it is not a loose file.
  using Check = std::function<int64_t(const RecordSummary&)>;

  /// `writable` false (`plan`, `status`: commands that change nothing):
  /// Flush() writes nothing.
  explicit RecordIndex(std::string path, bool writable = true)
      : path_(std::move(path)), writable_(writable) {}
  ~RecordIndex();
  RecordIndex(const RecordIndex&) = delete;
  RecordIndex& operator=(const RecordIndex&) = delete;

  /// Loads the file on a thread of its own, which then runs `check` on
  /// every entry, in file order, until done or stopped: a no-op run's
  /// thousands of ref checks then overlap with its planning on another
  /// core. Find() waits for the load; CheckOf() for nothing.
  void LoadInBackground(Check check);
  /// The entry for `phase` and `key`, or null. The pointer is valid until
  /// the next Add().
  const RecordSummary* Find(const std::string& phase, const std::string& key);
  /// The check of `entry` (from Find): the background thread's answer when
  /// it has one (waiting if it is computing it), else `check(*entry)`.
  int64_t CheckOf(const RecordSummary* entry, const Check& check);
  /// Adds or replaces an entry; written by the next Flush().
  void Add(RecordSummary summary);
  /// Appends what was added since the last flush, or rewrites the file when
  /// most of its lines are replaced entries (or it had none). Throws InfraError when it
  /// cannot write (disk full, no permission).
  void Flush();
  /// Ends the background thread, if any (it is also ended by Add, Flush
  /// and the destructor).
  void StopBackground();

  const std::string& path() const { return path_; }

 private:
  /// One entry's check: not started, being computed, or done with `value`.
  struct CheckSlot {
    std::atomic<int> state{0};  ///< kNotChecked, kChecking, kChecked
    int64_t value = 0;
  };
  void Load();
  void EnsureLoaded();
  void CheckAll();
  /// The position of the entry for `phase` and `key` in entries_, or -1.
  int64_t Position(std::string_view phase, std::string_view key) const;
  /// Adds `summary` at the end or over the entry with the same phase and
  /// key; returns its position and whether it is new.
  std::pair<size_t, bool> Put(RecordSummary summary);
  /// An open-addressing table of positions in entries_, by phase and key:
  /// no allocation per entry or per lookup.
  void Rehash(size_t capacity);
  /// Puts entries_[position] into the table (which has room).
  void Place(size_t position);
  static size_t HashOf(std::string_view phase, std::string_view key);

  std::string path_;
  bool writable_ = true;
  bool loaded_ = false;
  size_t lines_in_file_ = 0;
  std::vector<RecordSummary> entries_;
  std::vector<int64_t> table_;   ///< positions (-1: empty); a power of two, at most half full
  std::vector<size_t> pending_;  ///< positions added since the last flush
  Check check_;
  std::unique_ptr<CheckSlot[]> checks_;  ///< one per loaded entry, while checking is on
  size_t checked_entries_ = 0;           ///< how many entries checks_ covers
  std::thread background_;
  std::atomic<bool> load_done_{false};
  std::atomic<bool> stop_{false};
};

/// One index line (without its newline) and back; Parse returns nullopt for
/// a malformed line.
std::string FormatSummary(const RecordSummary& summary);
std::optional<RecordSummary> ParseSummary(std::string_view line);

}  // namespace orchestrate
