// The manifest snapshot: a validated Manifest in a compact binary form,
// keyed by the executable's build id, the manifest's path and its exact text.
//
// Layout: kManifestSnapshotMagic; the build id, the manifest's absolute path
// and its text (each a varint length and the bytes), all compared exactly;
// the body: the Manifest field by field (varints for counts and enums, zigzag
// varints for signed numbers, length-prefixed strings); an 8-byte checksum
// of the body, which comparing cannot check. One field list per struct (the
// *Fields templates) serves both writing and reading, so they cannot disagree.
#include "orchestrate/manifest_snapshot.h"

#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>

#include "file_io.h"

namespace orchestrate {
namespace {

namespace fs = std::filesystem;

// --- The field lists: S is a struct or a const struct, Io a writer or reader.

template <typename Io, typename S>
void SettingsFields(Io& io, S& s) {
  io(s.base), io(s.target), io(s.jobs), io(s.keep_worktrees);
  io(s.worktree_copy), io(s.worktree_link), io(s.requeue_max), io(s.cache_remote);
  io(s.cache_trust), io(s.cache_public_keys), io(s.budget_usd);
}

template <typename Io, typename P>
void PoolFields(Io& io, P& p) {
  io(p.name), io(p.depth), io(p.pos);
}

template <typename Io, typename A>
void AgentFields(Io& io, A& a) {
  io(a.name), io(a.command), io(a.model), io(a.vars), io(a.requeue_on), io(a.usage), io(a.pos);
}

template <typename Io, typename D>
void PhaseDetailsFields(Io& io, D& d) {
  io(d.description), io(d.prompt), io(d.prompt_text), io(d.model), io(d.setup), io(d.env);
  io(d.key_env), io(d.requeue_on), io(d.pool), io(d.timeout);
}

template <typename Io, typename P>
void PhaseFields(Io& io, P& p) {
  io(p.name), io(p.run), io(p.agent), io(p.deps), io(p.verify), io(p.inputs), io(p.priority);
  io(p.retries), io(p.merge), io(p.allow_empty), io(p.approval), io(p.details);
  // Not key_pos: the positions of a phase's keys serve the checks made
  // when the manifest is parsed, which the snapshot's manifest passed.
  io(p.pos);
}

template <typename Io, typename M>
void ManifestFields(Io& io, M& m) {
  io(m.version), io(m.settings), io(m.pools), io(m.agents), io(m.phases);
}

// --- Writing ---------------------------------------------------------------

class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::string* out) : out_(out) {}

  void Varint(uint64_t n) {
    for (; n >= 0x80; n >>= 7) out_->push_back(static_cast<char>((n & 0x7f) | 0x80));
    out_->push_back(static_cast<char>(n));
  }
  void Signed(int64_t n) {
    Varint((static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63));
  }
  void Bytes(std::string_view s) {
    Varint(s.size());
    out_->append(s);
  }

  void operator()(const std::string& s) { Bytes(s); }
  void operator()(int n) { Signed(n); }
  void operator()(bool b) { Varint(b ? 1 : 0); }
  void operator()(KeepWorktrees k) { Varint(static_cast<uint64_t>(k)); }
  void operator()(CacheTrust t) { Varint(static_cast<uint64_t>(t)); }
  void operator()(UsageFormat u) { Varint(static_cast<uint64_t>(u)); }
  void operator()(const std::optional<double>& d) {
    uint64_t bits = 0;
    if (d) std::memcpy(&bits, &*d, sizeof bits);
    Varint(d ? 1 : 0);
    if (d) Varint(bits);
  }
  void operator()(const SourcePos& pos) { Signed(pos.line), Signed(pos.column); }
  void operator()(Duration d) { Signed(d.count()); }
  void operator()(const std::optional<Duration>& d) {
    Varint(d ? 1 : 0);
    if (d) Signed(d->count());
  }
  void operator()(const KeyPositions& keys) {
    Varint(keys.size());
    for (const auto& [key, pos] : keys) Bytes(key), (*this)(pos);
  }
  void operator()(const std::map<std::string, std::string>& map) {
    Varint(map.size());
    for (const auto& [key, value] : map) Bytes(key), Bytes(value);
  }
  template <typename T>
  void operator()(const std::vector<T>& items) {
    Varint(items.size());
    for (const T& item : items) (*this)(item);
  }
  void operator()(const Settings& s) { SettingsFields(*this, s); }
  void operator()(const Pool& p) { PoolFields(*this, p); }
  void operator()(const Agent& a) { AgentFields(*this, a); }
  void operator()(const Phase& p) { PhaseFields(*this, p); }
  void operator()(const PhaseDetails& d) { PhaseDetailsFields(*this, d); }
  // Whether it was made, then its value if it was.
  template <typename T>
  void operator()(const Rare<T>& rare) {
    Varint(rare.made() ? 1 : 0);
    if (rare.made()) (*this)(rare.get());
  }

 private:
  std::string* out_;
};

// --- Reading: every read is bounds-checked; the first problem makes ok() false
// and every later read return zeros, so callers check once at the end.

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view data)
      : at_(data.data()), end_(data.data() + data.size()) {}

  /// Whether everything so far was well-formed.
  bool ok() const { return ok_; }
  /// Whether everything was well-formed and read, nothing left over.
  bool Done() const { return ok_ && at_ == end_; }
  /// What is left to read.
  std::string_view Rest() const { return std::string_view(at_, Left()); }

  uint64_t Varint() {
    uint64_t n = 0;
    for (int shift = 0; shift < 64 && at_ < end_; shift += 7) {
      uint8_t byte = static_cast<uint8_t>(*at_++);
      n |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return n;
    }
    return Fail();
  }
  int64_t Signed() {
    uint64_t n = Varint();
    return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
  }
  /// A count of items that each take at least a byte: never more than is left.
  size_t Count() {
    uint64_t n = Varint();
    return n <= Left() ? static_cast<size_t>(n) : Fail();
  }
  std::string_view Bytes() {
    size_t size = Count();
    std::string_view bytes(at_, size);
    at_ += size;
    return bytes;
  }

  void operator()(std::string& s) { s.assign(Bytes()); }
  void operator()(int& n) {
    int64_t wide = Signed();
    n = 0;
    if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
      Fail();
    else
      n = static_cast<int>(wide);
  }
  void operator()(bool& b) { b = Varint() != 0; }
  void operator()(KeepWorktrees& k) {
    uint64_t n = Varint();
    if (n > static_cast<uint64_t>(KeepWorktrees::kNever)) Fail();
    k = ok_ ? static_cast<KeepWorktrees>(n) : KeepWorktrees::kFailed;
  }
  void operator()(CacheTrust& t) {
    uint64_t n = Varint();
    if (n > static_cast<uint64_t>(CacheTrust::kSigned)) Fail();
    t = ok_ ? static_cast<CacheTrust>(n) : CacheTrust::kAny;
  }
  void operator()(UsageFormat& u) {
    uint64_t n = Varint();
    if (n > static_cast<uint64_t>(UsageFormat::kCodexJson)) Fail();
    u = ok_ ? static_cast<UsageFormat>(n) : UsageFormat::kFile;
  }
  void operator()(std::optional<double>& d) {
    if (!Varint()) return;
    uint64_t bits = Varint();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    d = value;
  }
  void operator()(SourcePos& pos) { (*this)(pos.line), (*this)(pos.column); }
  void operator()(Duration& d) { d = Duration(Signed()); }
  void operator()(std::optional<Duration>& d) {
    if (Varint()) d = Duration(Signed());
  }
  void operator()(KeyPositions& keys) {
    size_t count = Count();
    keys.reserve(count);
    for (size_t i = 0; i < count && ok_; ++i) {
      std::string_view key = Bytes();
      SourcePos pos;
      (*this)(pos);
      keys.Add(key, pos);
    }
  }
  void operator()(std::map<std::string, std::string>& map) {
    size_t count = Count();
    for (size_t i = 0; i < count && ok_; ++i) {
      std::string_view key = Bytes();
      std::string_view value = Bytes();
      map.emplace_hint(map.end(), key, value);  // written in order: the hint is right
    }
  }
  template <typename T>
  void operator()(std::vector<T>& items) {
    size_t count = Count();
    items.resize(count);
    for (size_t i = 0; i < count && ok_; ++i) (*this)(items[i]);
  }
  void operator()(Settings& s) { SettingsFields(*this, s); }
  void operator()(Pool& p) { PoolFields(*this, p); }
  void operator()(Agent& a) { AgentFields(*this, a); }
  void operator()(Phase& p) { PhaseFields(*this, p); }
  void operator()(PhaseDetails& d) { PhaseDetailsFields(*this, d); }
  template <typename T>
  void operator()(Rare<T>& rare) {
    if (Varint()) (*this)(rare.Edit());
  }

 private:
  size_t Left() const { return static_cast<size_t>(end_ - at_); }
  // Marks the data bad and stops every later read; returns 0 for convenience.
  uint64_t Fail() {
    ok_ = false;
    at_ = end_;
    return 0;
  }

  const char* at_;
  const char* end_;
  bool ok_ = true;
};

// --- Checksum: catches damage inside strings, which parsing alone cannot. Each
// step is a bijection of the state for a given word, so changing any one
// word always changes the result.

uint64_t Checksum(std::string_view data) {
  uint64_t hash = 0x9e3779b97f4a7c15ull ^ data.size();
  auto mix = [&hash](uint64_t word) {
    hash = (hash ^ word) * 0xff51afd7ed558ccdull;
    hash ^= hash >> 32;
  };
  size_t i = 0;
  for (uint64_t word; i + 8 <= data.size(); i += 8) {
    std::memcpy(&word, data.data() + i, 8);
    mix(word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, data.data() + i, data.size() - i);
  mix(tail);
  return hash;
}

void AppendFixed64(std::string* out, uint64_t n) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(n >> (8 * i)));
}

uint64_t ReadFixed64(const char* at) {
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<uint8_t>(at[i])) << (8 * i);
  return n;
}

// --- The build id --------------------------------------------------------------

size_t AlignUp(size_t n, size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

// The GNU build id among the ELF notes at [notes, notes + size), in hex.
std::string BuildIdInNotes(const char* notes, size_t size, size_t alignment) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t at = 0; at + sizeof(ElfW(Nhdr)) <= size;) {
    ElfW(Nhdr) header;
    std::memcpy(&header, notes + at, sizeof header);
    size_t name = at + sizeof header;
    size_t desc = name + AlignUp(header.n_namesz, alignment);
    size_t next = desc + AlignUp(header.n_descsz, alignment);
    if (next > size) break;
    if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 &&
        std::memcmp(notes + name, "GNU", 4) == 0) {
      std::string hex;
      for (size_t i = 0; i < header.n_descsz; ++i) {
        uint8_t byte = static_cast<uint8_t>(notes[desc + i]);
        hex += kHex[byte >> 4], hex += kHex[byte & 15];
      }
      return hex;
    }
    at = next;
  }
  return "";
}

// dl_iterate_phdr visits the executable first: look at it and stop.
int FindExecutableBuildId(dl_phdr_info* info, size_t, void* found) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const char* notes = reinterpret_cast<const char*>(info->dlpi_addr + segment.p_vaddr);
    size_t alignment = segment.p_align == 8 ? 8 : 4;
    std::string id = BuildIdInNotes(notes, segment.p_memsz, alignment);
    if (!id.empty()) {
      *static_cast<std::string*>(found) = id;
      break;
    }
  }
  return 1;
}

// --- Files -------------------------------------------------------------------

std::string AbsoluteManifestPath(const std::string& manifest_path) {
  return fs::absolute(manifest_path).lexically_normal().string();
}

// The check ValidateManifest makes on the filesystem, which a snapshot
// cannot vouch for: every prompt file exists and is not a directory.
bool PromptFilesPresent(const Manifest& manifest) {
  for (const Phase& phase : manifest.phases) {
    if (phase.prompt().empty()) continue;
    std::error_code ec;
    fs::file_status status = fs::status(fs::path(manifest.dir) / phase.prompt(), ec);
    if (!fs::exists(status) || fs::is_directory(status)) return false;
  }
  return true;
}

bool ReadSnapshot(std::string_view data, const std::string& manifest_path, std::string_view text,
                  Manifest* out) {
  if (data.size() < kManifestSnapshotMagic.size() + 8 || !data.starts_with(kManifestSnapshotMagic))
    return false;
  uint64_t checksum = ReadFixed64(data.data() + data.size() - 8);
  SnapshotReader in(
      data.substr(kManifestSnapshotMagic.size(), data.size() - kManifestSnapshotMagic.size() - 8));
  std::string absolute = AbsoluteManifestPath(manifest_path);
  if (in.Bytes() != ExecutableBuildId() || in.Bytes() != absolute || in.Bytes() != text)
    return false;
  if (!in.ok() || Checksum(in.Rest()) != checksum) return false;
  *out = Manifest();
  ManifestFields(in, *out);
  if (!in.Done()) return false;
  out->path = absolute;
  out->dir = fs::path(absolute).parent_path().string();
  return PromptFilesPresent(*out);
}

}  // namespace

const std::string& ExecutableBuildId() {
  static const std::string id = [] {
    std::string found;
    dl_iterate_phdr(FindExecutableBuildId, &found);
    return found;
  }();
  return id;
}

bool LoadManifestSnapshot(const std::string& snapshot_path, const std::string& manifest_path,
                          std::string_view text, Manifest* out) {
  if (ExecutableBuildId().empty()) return false;
  try {
    std::optional<std::string> data = ReadWholeFile(snapshot_path);
    return data && ReadSnapshot(*data, manifest_path, text, out);
  } catch (const std::exception&) {  // out of memory on a damaged count, a bad path: a miss
    return false;
  }
}

void SaveManifestSnapshot(const std::string& snapshot_path, std::string_view text,
                          const Manifest& manifest) {
  if (ExecutableBuildId().empty()) return;
  std::string data(kManifestSnapshotMagic);
  data.reserve(2 * text.size() + 4096);
  SnapshotWriter out(&data);
  out.Bytes(ExecutableBuildId());
  out.Bytes(manifest.path);
  out.Bytes(text);
  size_t body = data.size();
  ManifestFields(out, manifest);
  AppendFixed64(&data, Checksum(std::string_view(data).substr(body)));
  ReplaceFile(snapshot_path, data, Durability::kFast);  // best effort: a cache
}

}  // namespace orchestrate
