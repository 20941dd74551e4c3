// RunState::Save: writes the state file, format version 2 (see run_state.h).
//
// Most of Save's time is the file system's: at 10,000 phases the text is a
// few MB, and writing it and renaming it over the previous file cost about
// 0.8 ms per MB (ext4 on a 2-core VM). Hence the front coding, which halves
// the file. The text goes through one small buffer rather than one for the
// whole file, as touching a fresh page of memory (about 1 us per 4 KiB there)
// costs more than an extra write() per 128 KiB.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "file_io.h"
#include "line_codec.h"
#include "orchestrate/error.h"
#include "orchestrate/run_state.h"

namespace orchestrate {
namespace {

// How many bytes `a` and `b` share at their beginning.
size_t CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i + 8 <= n && LoadWord(a.data() + i) == LoadWord(b.data() + i)) i += 8;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Writes lines of fields to a file through one buffer, written out when full.
// Each method makes room for its worst case once, then writes through a
// pointer.
class StateWriter {
 public:
  explicit StateWriter(int fd) : fd_(fd) { Reserve(kBufferSize); }

  void BeginLine(std::string_view tag) {
    Reserve(tag.size());
    Put(tag);
  }
  void EndLine() {
    Reserve(1);
    bytes_[size_++] = '\n';
  }
  void String(std::string_view s) {
    Reserve(1 + MaxEscapedSize(s.size()));
    bytes_[size_++] = '\t';
    PutEscaped(s);
  }
  // `s` as `<n>:<rest>`, where n is how many bytes it shares with `previous`.
  void FrontCoded(std::string_view previous, std::string_view s) {
    size_t shared = CommonPrefix(previous, s);
    Reserve(1 + 20 + 1 + MaxEscapedSize(s.size() - shared));
    bytes_[size_++] = '\t';
    size_ = End(std::to_chars(Data(), Data() + 20, shared));
    bytes_[size_++] = ':';
    PutEscaped(s.substr(shared));
  }
  // An object id's hex; an empty field for the null id.
  void Id(const ObjectId& id) {
    Reserve(1 + ObjectId::kHexSize);
    bytes_[size_++] = '\t';
    if (id.empty()) return;
    id.WriteHex(Data());
    size_ += ObjectId::kHexSize;
  }
  template <typename N>
  void Number(N n) {
    Reserve(1 + 32);
    bytes_[size_++] = '\t';
    if (n == 0 && !std::signbit(n)) return;  // an empty field; -0.0 is written out
    size_ = End(std::to_chars(Data(), Data() + 32, n));
  }

  // Writes out the rest; false if any write failed.
  bool Finish() {
    Flush();
    return ok_;
  }

 private:
  static constexpr size_t kBufferSize = 128 * 1024;

  char* Data() { return bytes_.get() + size_; }
  size_t End(std::to_chars_result written) const {
    return static_cast<size_t>(written.ptr - bytes_.get());
  }

  void Flush() {
    if (ok_ && size_ > 0) ok_ = WriteAll(fd_, {bytes_.get(), size_});
    size_ = 0;
  }
  // Makes room for `more` bytes: writes out the buffer if they do not fit,
  // and grows it for a field longer than it.
  void Reserve(size_t more) {
    if (capacity_ - size_ >= more) return;
    Flush();
    if (capacity_ >= more) return;
    bytes_ = std::make_unique_for_overwrite<char[]>(more);
    capacity_ = more;
  }
  void Put(std::string_view s) {
    if (s.empty()) return;
    std::memcpy(Data(), s.data(), s.size());
    size_ += s.size();
  }
  // Copies `s` escaped (line_codec.h).
  void PutEscaped(std::string_view s) {
    size_ = static_cast<size_t>(EscapeField(s, Data()) - bytes_.get());
  }

  int fd_;
  bool ok_ = true;
  std::unique_ptr<char[]> bytes_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

void WriteRun(StateWriter& out, const RunState& s) {
  out.BeginLine("run");
  out.Number(s.run_started_at);
  out.Number(s.run_pid);
  out.Id(s.base);
  out.EndLine();
}

// A figure of a usage line: empty when unknown, so a known 0 stays 0.
template <typename N>
void Figure(StateWriter& out, const std::optional<N>& n) {
  char text[32];
  out.String(n ? std::string_view(text, static_cast<size_t>(
                                            std::to_chars(text, text + sizeof text, *n).ptr - text))
               : std::string_view());
}

void WriteUsage(StateWriter& out, const Usage& usage) {
  out.BeginLine("usage");
  Figure(out, usage.input_tokens);
  Figure(out, usage.output_tokens);
  Figure(out, usage.cost_usd);
  out.String(usage.model.value_or(""));
  out.EndLine();
}

void WritePhase(StateWriter& out, std::string_view previous_name, const PhaseRecord& previous,
                std::string_view name, const PhaseRecord& r) {
  out.BeginLine("phase");
  out.FrontCoded(previous_name, name);
  out.String(ToString(r.state));
  out.String(r.key);
  out.Id(r.result);
  out.FrontCoded(previous.branch, r.branch);
  out.FrontCoded(previous.worktree, r.worktree);
  out.FrontCoded(previous.log_path, r.log_path);
  out.FrontCoded(previous.reason, r.reason);
  out.Number(r.duration_s);
  out.Number(r.attempts);
  out.Number(r.started_at);
  out.Number(r.recorded_at);
  out.FrontCoded(previous.handoff_first_line, r.handoff_first_line);
  for (const std::string& ref : r.saved_attempts) out.String(ref);
  out.EndLine();
  if (!r.usage.get().Empty()) WriteUsage(out, r.usage.get());
}

void WritePhases(StateWriter& out, const std::map<std::string, PhaseRecord>& phases) {
  static const PhaseRecord kNoPhase;  // what the first line is front-coded against
  std::string_view previous_name;
  const PhaseRecord* previous = &kNoPhase;
  for (const auto& [name, record] : phases) {
    WritePhase(out, previous_name, *previous, name, record);
    previous_name = name;
    previous = &record;
  }
}

void WriteKeySets(StateWriter& out, std::string_view tag,
                  const std::map<std::string, std::set<std::string>>& sets) {
  std::string_view previous;
  for (const auto& [phase, keys] : sets) {
    out.BeginLine(tag);
    out.FrontCoded(previous, phase);
    for (const std::string& key : keys) out.String(key);
    out.EndLine();
    previous = phase;
  }
}

void WritePairs(StateWriter& out, std::string_view tag,
                const std::map<std::string, std::string>& pairs) {
  std::string_view previous;
  for (const auto& [name, value] : pairs) {
    out.BeginLine(tag);
    out.FrontCoded(previous, name);
    out.String(value);
    out.EndLine();
    previous = name;
  }
}

void WriteState(StateWriter& out, const RunState& s) {
  out.BeginLine(std::string(RunState::kFileHeader) + std::to_string(RunState::kFormatVersion));
  out.EndLine();
  WriteRun(out, s);
  WritePhases(out, s.phases);
  WriteKeySets(out, "failed", s.failed_keys);
  WritePairs(out, "kept", s.kept_worktrees);
  WritePairs(out, "last", s.worktree_last_phase);
}

}  // namespace

void RunState::Save(const std::string& path) const {
  bool written = ReplaceFile(
      path,
      [&](int fd) {
        StateWriter out(fd);
        WriteState(out, *this);
        return out.Finish();
      },
      Durability::kFast);
  if (!written) throw InfraError(WriteFailure(path, errno));
}

}  // namespace orchestrate
