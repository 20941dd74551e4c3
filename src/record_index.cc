// .orchestrate/record_index: a header line, then one tab-separated line per
// record summary; tabs, newlines, carriage returns and backslashes in
// values are escaped. Later lines replace earlier ones for the same phase
// and key.
#include "orchestrate/record_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdio>
#include <span>

#include "file_io.h"
#include "line_codec.h"
#include "orchestrate/error.h"

namespace orchestrate {
namespace {

constexpr size_t kFields = 13;
// The shortest line a summary can have: four object ids in hex and the
// tabs between the fields.
constexpr size_t kShortestLine = 4 * 40 + kFields - 1;

std::string Header() {
  return "# orchestrate record index " + std::to_string(RecordIndex::kFormatVersion) + "\n";
}

template <typename Number>
bool ParseNumber(std::string_view field, Number* out) {
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), *out);
  return ec == std::errc() && end == field.data() + field.size();
}

// "-" for a stamp that says nothing, else "L" (loose) or "P" (packed)
// followed by inode, size and modification time, separated by dots.
std::string FormatStamp(const RefStamp& stamp) {
  if (!stamp.known) return "-";
  return (stamp.packed ? "P" : "L") + std::to_string(stamp.inode) + '.' +
         std::to_string(stamp.size) + '.' + std::to_string(stamp.mtime_ns);
}

bool ParseStamp(std::string_view field, RefStamp* stamp) {
  *stamp = {};
  if (field == "-") return true;
  if (field.size() < 2 || (field[0] != 'L' && field[0] != 'P')) return false;
  stamp->packed = field[0] == 'P';
  field.remove_prefix(1);
  size_t dot1 = field.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : field.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return false;
  stamp->known = ParseNumber(field.substr(0, dot1), &stamp->inode) &&
                 ParseNumber(field.substr(dot1 + 1, dot2 - dot1 - 1), &stamp->size) &&
                 ParseNumber(field.substr(dot2 + 1), &stamp->mtime_ns);
  return stamp->known;
}

}  // namespace

std::string FormatSummary(const RecordSummary& s) {
  char duration[32];
  auto [end, ec] = std::to_chars(duration, duration + sizeof duration, s.duration_s);
  std::string line;
  line.reserve(200 + s.handoff.size());
  for (const std::string* text : {&s.phase, &s.key}) {
    AppendEscaped(*text, &line);
    line += '\t';
  }
  for (const ObjectId* id : {&s.record, &s.result, &s.input, &s.result_tree}) {
    AppendHex(*id, &line);
    line += '\t';
  }
  line += std::to_string(s.started_at) + '\t' +
          std::string(duration, ec == std::errc() ? end : duration) + '\t' +
          std::to_string(s.attempts) + '\t' + (s.handoff_complete ? "1" : "0") + '\t' +
          s.signed_by + '\t' + FormatStamp(s.ref_stamp) + '\t';
  AppendEscaped(s.handoff, &line);
  return line;
}

std::optional<RecordSummary> ParseSummary(std::string_view line) {
  std::array<std::string_view, kFields> f;
  if (!SplitFields(line, f)) return std::nullopt;
  RecordSummary s;
  bool ok = AppendUnescaped(f[0], &s.phase) && AppendUnescaped(f[1], &s.key) &&
            ParseNumber(f[6], &s.started_at) && ParseNumber(f[7], &s.duration_s) &&
            ParseNumber(f[8], &s.attempts) && (f[9] == "0" || f[9] == "1") &&
            ParseStamp(f[11], &s.ref_stamp) && AppendUnescaped(f[12], &s.handoff);
  if (!ok || s.phase.empty() || s.key.empty()) return std::nullopt;
  ObjectId* ids[] = {&s.record, &s.result, &s.input, &s.result_tree};
  for (size_t i = 0; i < std::size(ids); ++i) {
    std::optional<ObjectId> id = ObjectId::FromHex(f[2 + i]);
    if (!id) return std::nullopt;
    *ids[i] = *id;
  }
  if (s.record.empty()) return std::nullopt;
  s.handoff_complete = f[9] == "1";
  s.signed_by = f[10];
  return s;
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

void RecordIndex::Place(size_t position) {
  size_t mask = table_.size() - 1;
  size_t hash = HashOf(entries_[position].phase, entries_[position].key);
  size_t slot = hash & mask;
  while (table_[slot].position >= 0) slot = (slot + 1) & mask;
  table_[slot] = {Tag(hash), static_cast<int32_t>(position)};
}

void RecordIndex::Rehash(size_t capacity) {
  table_.assign(capacity, Slot{});
  for (size_t position = 0; position < entries_.size(); ++position) Place(position);
}

int64_t RecordIndex::Position(std::string_view phase, std::string_view key) const {
  if (table_.empty()) return -1;
  size_t mask = table_.size() - 1;
  size_t hash = HashOf(phase, key);
  for (size_t slot = hash & mask; table_[slot].position >= 0; slot = (slot + 1) & mask) {
    // The slot's hash first: a probe past other entries then reads none of
    // them, which at 10,000 entries is a cache miss each.
    if (table_[slot].tag != Tag(hash)) continue;
    const RecordSummary& s = entries_[static_cast<size_t>(table_[slot].position)];
    if (s.key == key && s.phase == phase) return table_[slot].position;
  }
  return -1;
}

size_t RecordIndex::Put(RecordSummary summary) {
  int64_t known = Position(summary.phase, summary.key);
  if (known >= 0) {
    entries_[static_cast<size_t>(known)] = std::move(summary);
    return static_cast<size_t>(known);
  }
  entries_.push_back(std::move(summary));
  if (2 * entries_.size() > table_.size())
    Rehash(std::bit_ceil(std::max<size_t>(64, 4 * entries_.size())));
  else
    Place(entries_.size() - 1);
  return entries_.size() - 1;
}

void RecordIndex::EnsureLoaded() {
  if (loaded_) return;
  loaded_ = true;
  FileDescriptor fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) return;  // missing: rebuilt
  // Line by line, not read whole: the file's text is not kept, and reading
  // it whole touched one fresh page per 4 KB of it. A line is at least
  // kShortestLine bytes, which bounds the entries to make room for (room
  // not filled is never touched) and sizes the table once.
  size_t most_lines = static_cast<size_t>(st.st_size) / kShortestLine + 1;
  entries_.reserve(most_lines);
  Rehash(std::bit_ceil(std::max<size_t>(64, 2 * most_lines)));
  std::string_view line;
  try {
    LineReader lines(fd.get(), path_);
    std::string header = Header();
    header.pop_back();  // its newline
    bool ours = lines.Next(line) == LineReader::Result::kLine && line == header;
    if (!ours) return;  // foreign: rebuilt
    LineReader::Result result;
    while ((result = lines.Next(line)) == LineReader::Result::kLine) {
      ++lines_in_file_;
      if (std::optional<RecordSummary> s = ParseSummary(line)) Put(std::move(*s));
    }
    // A last line without its newline was cut short by a killed run: it is
    // not an entry, and what the next flush appended would join it. That
    // flush rewrites the file instead.
    if (result == LineReader::Result::kUnterminatedLine) lines_in_file_ = 0;
  } catch (const InfraError&) {  // unreadable: rebuilt, as when missing
    entries_.clear();
    table_.clear();
    lines_in_file_ = 0;
  }
}

const RecordSummary* RecordIndex::Find(const std::string& phase, const std::string& key) {
  EnsureLoaded();
  int64_t position = Position(phase, key);
  return position < 0 ? nullptr : &entries_[static_cast<size_t>(position)];
}

void RecordIndex::Add(RecordSummary summary) {
  EnsureLoaded();
  pending_.push_back(Put(std::move(summary)));
}

void RecordIndex::Flush() {
  if (!writable_) pending_.clear();
  if (pending_.empty()) return;
  bool rewrite = lines_in_file_ == 0 || lines_in_file_ + pending_.size() > 2 * entries_.size() + 64;
  std::string text = rewrite ? Header() : std::string();
  if (rewrite) {
    for (const RecordSummary& s : entries_) text += FormatSummary(s) + '\n';
  } else {
    for (size_t position : pending_) text += FormatSummary(entries_[position]) + '\n';
  }
  bool ok;
  if (rewrite) {
    ok = ReplaceFile(path_, text, Durability::kFast);
  } else {
    int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND, 0644);
    ok = fd >= 0 && WriteAll(fd, text);
    if (fd >= 0) ok = close(fd) == 0 && ok;
  }
  if (!ok) throw InfraError(WriteFailure(path_, errno));
  lines_in_file_ = rewrite ? entries_.size() : lines_in_file_ + pending_.size();
  pending_.clear();
}

}  // namespace orchestrate
