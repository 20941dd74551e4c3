// A local index of cache records (.orchestrate/record_index), in the spirit
// of .ninja_log: what a run needs to reuse a record, so that deciding a
// fresh phase reads one line loaded at start instead of a ref and four git
// objects. The git records stay the truth: every entry remembers its record
// commit and the modification time of the record's loose ref file, and a
// lookup that finds the ref changed, packed or gone asks git again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "orchestrate/git.h"

namespace orchestrate {

/// The parts of a record a run uses to reuse it.
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
};

/// The index file: loaded once, appended to, rewritten when mostly stale.
/// Not thread-safe: the run's main thread owns it. A missing, unreadable or
/// foreign file is an empty index (it is a cache and rebuilds itself).
class RecordIndex {
 public:
  static constexpr int kFormatVersion = 1;
  /// `writable` false (`plan`, `status`: commands that change nothing):
  /// Flush() writes nothing.
  explicit RecordIndex(std::string path, bool writable = true)
      : path_(std::move(path)), writable_(writable) {}
  ~RecordIndex();
  RecordIndex(const RecordIndex&) = delete;
  RecordIndex& operator=(const RecordIndex&) = delete;

  /// The entry for `phase` and `key`, or null.
  const RecordSummary* Find(const std::string& phase, const std::string& key);
  /// Adds or replaces an entry; written by the next Flush().
  void Add(RecordSummary summary);
  /// Appends what was added since the last flush, or rewrites the file when
  /// most of its lines are replaced entries (or it had none). Throws InfraError when it
  /// cannot write (disk full, no permission).
  void Flush();

  const std::string& path() const { return path_; }

 private:
  void Load();
  static std::string Slot(const std::string& phase, const std::string& key);

  std::string path_;
  bool writable_ = true;
  bool loaded_ = false;
  size_t lines_in_file_ = 0;
  std::unordered_map<std::string, RecordSummary> entries_;
  std::vector<std::string> pending_;  ///< slots added since the last flush
};

/// One index line (without its newline) and back; Parse returns nullopt for
/// a malformed line.
std::string FormatSummary(const RecordSummary& summary);
std::optional<RecordSummary> ParseSummary(const std::string& line);

}  // namespace orchestrate
