// .orchestrate/record_index: a header line, then one binary entry per
// record summary, in this machine's byte order (the header names it; a file
// of the other order is foreign):
//
//   u32 size          bytes of the entry after this field
//   u16 phase, key, signed_by sizes; u16 flags (1 handoff complete,
//       2 stamp known, 4 stamp packed); u32 handoff size
//   4 x 20 bytes      record, result, input, result_tree ids
//   i64 started_at, f64 duration_s, i64 attempts
//   u64 stamp inode, u64 stamp size, i64 stamp mtime_ns
//   the phase, key, signed_by and handoff bytes
//
// Later entries replace earlier ones for the same phase and key. A run
// killed while appending leaves an entry cut short at the end: it is not
// one, and the next flush rewrites the file instead of appending to it.
#include "orchestrate/record_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>

#include "file_io.h"
#include "orchestrate/error.h"

namespace orchestrate {
namespace {

constexpr size_t kIds = 4;
// The fields before the variable-size ones, after the size field.
constexpr size_t kFixed = 4 * 2 + 4 + kIds * ObjectId::kSize + 3 * 8 + 3 * 8;
constexpr uint16_t kHandoffComplete = 1, kStampKnown = 2, kStampPacked = 4;

std::string Header() {
  return "# orchestrate record index " + std::to_string(RecordIndex::kFormatVersion) +
         (std::endian::native == std::endian::little ? " le" : " be") + "\n";
}

template <typename T>
T Load(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

template <typename T>
void Store(T value, std::string* out) {
  out->append(reinterpret_cast<const char*>(&value), sizeof value);
}

// An entry's fields where they lie.
struct EntryView {
  const char* fixed = nullptr;  ///< kFixed bytes
  std::string_view phase, key, signed_by, handoff;
};

// The entry at the start of `bytes`: its size with the size field, or 0
// when it is cut short (set *malformed when it is whole but not an entry).
size_t ViewEntry(std::string_view bytes, EntryView* view, bool* malformed) {
  *malformed = false;
  if (bytes.size() < 4) return 0;
  size_t size = Load<uint32_t>(bytes.data());
  if (bytes.size() - 4 < size) return 0;
  const char* p = bytes.data() + 4;
  *malformed = true;
  if (size < kFixed) return 4 + size;
  size_t sizes[] = {Load<uint16_t>(p), Load<uint16_t>(p + 2), Load<uint16_t>(p + 4),
                    Load<uint32_t>(p + 8)};
  if (sizes[0] + sizes[1] + sizes[2] + sizes[3] != size - kFixed) return 4 + size;
  view->fixed = p;
  const char* text = p + kFixed;
  std::string_view* parts[] = {&view->phase, &view->key, &view->signed_by, &view->handoff};
  for (size_t i = 0; i < std::size(parts); ++i) {
    *parts[i] = std::string_view(text, sizes[i]);
    text += sizes[i];
  }
  const char* record_id = p + 12;
  bool null_record =
      std::all_of(record_id, record_id + ObjectId::kSize, [](char c) { return c == 0; });
  *malformed = view->phase.empty() || view->key.empty() || null_record;
  return 4 + size;
}

RecordSummary Decode(const EntryView& view) {
  RecordSummary s;
  const char* p = view.fixed;
  uint16_t flags = Load<uint16_t>(p + 6);
  p += 12;
  for (ObjectId* id : {&s.record, &s.result, &s.input, &s.result_tree}) {
    *id = ObjectId::FromBytes(reinterpret_cast<const unsigned char*>(p));
    p += ObjectId::kSize;
  }
  s.started_at = Load<int64_t>(p);
  s.duration_s = Load<double>(p + 8);
  s.attempts = static_cast<int>(Load<int64_t>(p + 16));
  s.ref_stamp.inode = Load<uint64_t>(p + 24);
  s.ref_stamp.size = Load<uint64_t>(p + 32);
  s.ref_stamp.mtime_ns = Load<int64_t>(p + 40);
  s.ref_stamp.known = flags & kStampKnown;
  s.ref_stamp.packed = flags & kStampPacked;
  s.handoff_complete = flags & kHandoffComplete;
  s.phase = view.phase;
  s.key = view.key;
  s.signed_by = view.signed_by;
  s.handoff = view.handoff;
  return s;
}

}  // namespace

void AppendEntry(const RecordSummary& s, std::string* out) {
  // Sizes past a field's width cannot be written; such values are not made
  // (phase names and keys are short, signers are key ids, handoffs are cut
  // at kMaxHandoffBytes), so they are cut rather than refused.
  std::string_view phase = std::string_view(s.phase).substr(0, UINT16_MAX);
  std::string_view key = std::string_view(s.key).substr(0, UINT16_MAX);
  std::string_view signed_by = std::string_view(s.signed_by).substr(0, UINT16_MAX);
  std::string_view handoff = s.handoff;
  Store(
      static_cast<uint32_t>(kFixed + phase.size() + key.size() + signed_by.size() + handoff.size()),
      out);
  Store(static_cast<uint16_t>(phase.size()), out);
  Store(static_cast<uint16_t>(key.size()), out);
  Store(static_cast<uint16_t>(signed_by.size()), out);
  Store(static_cast<uint16_t>((s.handoff_complete ? kHandoffComplete : 0) |
                              (s.ref_stamp.known ? kStampKnown : 0) |
                              (s.ref_stamp.packed ? kStampPacked : 0)),
        out);
  Store(static_cast<uint32_t>(handoff.size()), out);
  for (const ObjectId* id : {&s.record, &s.result, &s.input, &s.result_tree})
    out->append(reinterpret_cast<const char*>(id->data()), ObjectId::kSize);
  Store(s.started_at, out);
  Store(s.duration_s, out);
  Store(static_cast<int64_t>(s.attempts), out);
  Store(s.ref_stamp.inode, out);
  Store(s.ref_stamp.size, out);
  Store(s.ref_stamp.mtime_ns, out);
  out->append(phase).append(key).append(signed_by).append(handoff);
}

std::optional<RecordSummary> ReadEntry(std::string_view bytes, size_t* size) {
  EntryView view;
  bool malformed = false;
  *size = ViewEntry(bytes, &view, &malformed);
  if (*size == 0 || malformed) return std::nullopt;
  return Decode(view);
}

RecordIndex::~RecordIndex() {
  try {
    Flush();
  } catch (const std::exception&) {
    // A cache: what was not written is read from git next time.
  }
}

size_t RecordIndex::HashOf(std::string_view phase, std::string_view key) {
  std::hash<std::string_view> hash;
  return hash(key) * 31 + hash(phase);
}

// The high bits of a hash: the low ones pick the slot, so entries probed
// together share them.
uint32_t RecordIndex::Tag(size_t hash) { return static_cast<uint32_t>(uint64_t{hash} >> 32); }

std::string_view RecordIndex::PhaseAt(Where where) const {
  if (where & kAdded) return added_[where & ~kAdded].phase;
  const char* p = file_.get() + where;
  return std::string_view(p + 4 + kFixed, Load<uint16_t>(p + 4));
}

std::string_view RecordIndex::KeyAt(Where where) const {
  if (where & kAdded) return added_[where & ~kAdded].key;
  const char* p = file_.get() + where;
  return std::string_view(p + 4 + kFixed + Load<uint16_t>(p + 4), Load<uint16_t>(p + 6));
}

void RecordIndex::Place(size_t hash, Where where) {
  size_t mask = table_.size() - 1;
  size_t slot = hash & mask;
  while (table_[slot].where != kNowhere) slot = (slot + 1) & mask;
  table_[slot] = {Tag(hash), where};
  ++live_;
}

void RecordIndex::Rehash(size_t capacity) {
  std::vector<Slot> old = std::exchange(table_, std::vector<Slot>(capacity));
  live_ = 0;
  for (const Slot& slot : old)
    if (slot.where != kNowhere) Place(HashOf(PhaseAt(slot.where), KeyAt(slot.where)), slot.where);
}

RecordIndex::Where RecordIndex::Locate(std::string_view phase, std::string_view key) const {
  if (table_.empty()) return kNowhere;
  size_t mask = table_.size() - 1;
  size_t hash = HashOf(phase, key);
  for (size_t slot = hash & mask; table_[slot].where != kNowhere; slot = (slot + 1) & mask) {
    // The slot's hash first: a probe past other entries then reads none of
    // them, which at 10,000 entries is a cache miss each.
    if (table_[slot].tag != Tag(hash)) continue;
    Where where = table_[slot].where;
    if (KeyAt(where) == key && PhaseAt(where) == phase) return where;
  }
  return kNowhere;
}

void RecordIndex::Put(Where where) {
  std::string_view phase = PhaseAt(where), key = KeyAt(where);
  size_t hash = HashOf(phase, key);
  if (!table_.empty()) {
    size_t mask = table_.size() - 1;
    for (size_t slot = hash & mask; table_[slot].where != kNowhere; slot = (slot + 1) & mask) {
      Where other = table_[slot].where;
      if (table_[slot].tag == Tag(hash) && KeyAt(other) == key && PhaseAt(other) == phase) {
        table_[slot].where = where;
        return;
      }
    }
  }
  if (2 * (live_ + 1) > table_.size()) Rehash(std::bit_ceil(std::max<size_t>(64, 4 * (live_ + 1))));
  Place(hash, where);
}

void RecordIndex::EnsureLoaded() {
  if (loaded_) return;
  loaded_ = true;
  FileDescriptor fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) return;  // missing: rebuilt
  std::string header = Header();
  // Offsets must fit a Where; a larger file is not one this wrote.
  if (static_cast<uint64_t>(st.st_size) >= kAdded ||
      static_cast<size_t>(st.st_size) < header.size())
    return;
  // Read whole into memory that is not filled first: each page is touched
  // once, by the read. The entries are not copied out of it.
  size_t size = static_cast<size_t>(st.st_size);
  file_.reset(new char[size]);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd.get(), file_.get() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  file_size_ = got;
  if (std::string_view(file_.get(), std::min(got, header.size())) != header) {
    file_size_ = 0;  // foreign, older or unreadable: rebuilt
    return;
  }
  // An entry is at least 4 + kFixed bytes: that bounds the entries and
  // sizes the table once.
  Rehash(std::bit_ceil(std::max<size_t>(64, 2 * (file_size_ / (4 + kFixed) + 1))));
  size_t at = header.size();
  std::string_view bytes(file_.get(), file_size_);
  while (at < file_size_) {
    EntryView view;
    bool malformed = false;
    size_t entry = ViewEntry(bytes.substr(at), &view, &malformed);
    if (entry == 0) {  // cut short: not an entry; the next flush rewrites
      entries_in_file_ = 0;
      return;
    }
    ++entries_in_file_;
    if (!malformed) Put(static_cast<Where>(at));
    at += entry;
  }
}

const RecordSummary* RecordIndex::Find(const std::string& phase, const std::string& key) {
  EnsureLoaded();
  Where where = Locate(phase, key);
  if (where == kNowhere) return nullptr;
  if (where & kAdded) return &added_[where & ~kAdded];
  EntryView view;
  bool malformed = false;
  ViewEntry(std::string_view(file_.get(), file_size_).substr(where), &view, &malformed);
  found_ = Decode(view);
  return &found_;
}

void RecordIndex::Add(RecordSummary summary) {
  EnsureLoaded();
  Where where = Locate(summary.phase, summary.key);
  if (where != kNowhere && (where & kAdded)) {
    added_[where & ~kAdded] = std::move(summary);
  } else {
    where = static_cast<Where>(added_.size()) | kAdded;
    added_.push_back(std::move(summary));
    Put(where);
  }
  pending_.push_back(where);
}

void RecordIndex::Flush() {
  if (!writable_) pending_.clear();
  if (pending_.empty()) return;
  bool rewrite = entries_in_file_ == 0 || entries_in_file_ + pending_.size() > 2 * live_ + 64;
  std::string bytes;
  if (rewrite) {
    // The live entries: those of the file in its order, then the added.
    std::vector<Where> live;
    live.reserve(live_);
    for (const Slot& slot : table_)
      if (slot.where != kNowhere) live.push_back(slot.where);
    std::sort(live.begin(), live.end());
    bytes = Header();
    for (Where where : live) {
      if (where & kAdded) {
        AppendEntry(added_[where & ~kAdded], &bytes);
      } else {
        bytes.append(file_.get() + where, 4 + Load<uint32_t>(file_.get() + where));
      }
    }
  } else {
    for (Where where : pending_) AppendEntry(added_[where & ~kAdded], &bytes);
  }
  bool ok;
  if (rewrite) {
    ok = ReplaceFile(path_, bytes, Durability::kFast);
  } else {
    int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
    ok = fd >= 0 && WriteAll(fd, bytes);
    if (fd >= 0) ok = close(fd) == 0 && ok;
  }
  if (!ok) throw InfraError(WriteFailure(path_, errno));
  entries_in_file_ = rewrite ? live_ : entries_in_file_ + pending_.size();
  pending_.clear();
}

}  // namespace orchestrate
