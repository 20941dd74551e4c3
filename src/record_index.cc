// .orchestrate/record_index: a header line, then one tab-separated line per
// record summary; tabs, newlines, carriage returns and backslashes in
// values are escaped. Later lines replace earlier ones for the same phase
// and key.
#include "orchestrate/record_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "orchestrate/error.h"

namespace orchestrate {
namespace {

constexpr size_t kFields = 12;

std::string Header() {
  return "# orchestrate record index " + std::to_string(RecordIndex::kFormatVersion) + "\n";
}

void AppendEscaped(const std::string& value, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        *out += c;
    }
  }
}

bool Unescape(std::string_view field, std::string* out) {
  out->clear();
  out->reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      *out += field[i];
      continue;
    }
    if (++i == field.size()) return false;
    switch (field[i]) {
      case '\\':
        *out += '\\';
        break;
      case 't':
        *out += '\t';
        break;
      case 'n':
        *out += '\n';
        break;
      case 'r':
        *out += '\r';
        break;
      default:
        return false;
    }
  }
  return true;
}

template <typename Number>
bool ParseNumber(std::string_view field, Number* out) {
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), *out);
  return ec == std::errc() && end == field.data() + field.size();
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos; start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  return fields;
}

// Writes `text` to `fd` completely.
bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
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
  line += s.record + '\t' + std::to_string(s.ref_mtime_ns) + '\t' + s.result + '\t' + s.input +
          '\t' + s.result_tree + '\t' + std::to_string(s.started_at) + '\t' +
          std::string(duration, ec == std::errc() ? end : duration) + '\t' +
          std::to_string(s.attempts) + '\t' + (s.handoff_complete ? "1" : "0") + '\t';
  AppendEscaped(s.handoff, &line);
  return line;
}

std::optional<RecordSummary> ParseSummary(const std::string& line) {
  std::vector<std::string_view> f = SplitTabs(line);
  if (f.size() != kFields) return std::nullopt;
  RecordSummary s;
  bool ok = Unescape(f[0], &s.phase) && Unescape(f[1], &s.key) &&
            ParseNumber(f[3], &s.ref_mtime_ns) && ParseNumber(f[7], &s.started_at) &&
            ParseNumber(f[8], &s.duration_s) && ParseNumber(f[9], &s.attempts) &&
            (f[10] == "0" || f[10] == "1") && Unescape(f[11], &s.handoff);
  if (!ok || s.phase.empty() || s.key.empty() || f[2].empty()) return std::nullopt;
  s.record = f[2];
  s.result = f[4];
  s.input = f[5];
  s.result_tree = f[6];
  s.handoff_complete = f[10] == "1";
  return s;
}

RecordIndex::~RecordIndex() {
  try {
    Flush();
  } catch (const std::exception&) {
    // A cache: what was not written is read from git next time.
  }
}

std::string RecordIndex::Slot(const std::string& phase, const std::string& key) {
  return phase + '\t' + key;
}

void RecordIndex::Load() {
  loaded_ = true;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;
  std::string line;
  if (!std::getline(in, line) || line + "\n" != Header()) return;  // foreign: rebuilt
  while (std::getline(in, line)) {
    ++lines_in_file_;
    if (std::optional<RecordSummary> s = ParseSummary(line))
      entries_[Slot(s->phase, s->key)] = std::move(*s);
  }
}

const RecordSummary* RecordIndex::Find(const std::string& phase, const std::string& key) {
  if (!loaded_) Load();
  auto it = entries_.find(Slot(phase, key));
  return it == entries_.end() ? nullptr : &it->second;
}

void RecordIndex::Add(RecordSummary summary) {
  if (!loaded_) Load();
  std::string slot = Slot(summary.phase, summary.key);
  entries_[slot] = std::move(summary);
  pending_.push_back(std::move(slot));
}

void RecordIndex::Flush() {
  if (!writable_) pending_.clear();
  if (pending_.empty()) return;
  bool rewrite = lines_in_file_ == 0 || lines_in_file_ + pending_.size() > 2 * entries_.size() + 64;
  std::string text = rewrite ? Header() : std::string();
  if (rewrite) {
    for (const auto& [slot, s] : entries_) text += FormatSummary(s) + '\n';
  } else {
    for (const std::string& slot : pending_) text += FormatSummary(entries_.at(slot)) + '\n';
  }
  std::string target = rewrite ? path_ + ".tmp." + std::to_string(getpid()) : path_;
  int fd =
      open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (rewrite ? O_TRUNC : O_APPEND), 0644);
  bool ok = fd >= 0 && WriteAll(fd, text);
  if (fd >= 0) ok = close(fd) == 0 && ok;
  if (ok && rewrite) ok = std::rename(target.c_str(), path_.c_str()) == 0;
  if (!ok) {
    if (rewrite) std::remove(target.c_str());
    throw InfraError("cannot write " + path_ + " (disk full or no permission?)");
  }
  lines_in_file_ = rewrite ? entries_.size() : lines_in_file_ + pending_.size();
  pending_.clear();
}

}  // namespace orchestrate
