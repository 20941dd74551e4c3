// RunState::Load: reads the state file, format version 2 (see run_state.h),
// or version 1 (JSON), and RunState::Failed. Save is in run_state_save.cc.
//
// Version 2 is read line by line through one small buffer and split into
// fields in place; the only allocations are the strings and map nodes of the
// RunState itself. Touching that fresh memory (about 11 MB at 10,000 phases)
// is about half of what Load costs on a VM, where a page fault takes ~1 us.
#include "orchestrate/run_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "file_io.h"
#include "line_codec.h"
#include "orchestrate/error.h"

namespace orchestrate {
namespace {

constexpr std::string_view kHeader = RunState::kFileHeader;
constexpr int kJsonFormatVersion = 1;
constexpr size_t kPhaseFields = 14;  // "phase" and the fields before saved_attempts
// What the first phase line is front-coded against.
const PhaseRecord kNoPhase;

// ---------------------------------------------------------------------------
// Errors

std::string DeleteHint() { return "delete it (it only holds the last run's states)"; }

InfraError Corrupt(const std::string& path, size_t line, std::string_view what) {
  return InfraError(path + " is corrupt (line " + std::to_string(line) + ": " + std::string(what) +
                    "); " + DeleteHint());
}

InfraError UnknownVersion(const std::string& path, int version) {
  return InfraError(path + " has format version " + std::to_string(version) +
                    "; this orchestrate reads version " + std::to_string(RunState::kFormatVersion) +
                    " and the JSON of version " + std::to_string(kJsonFormatVersion) + " — " +
                    DeleteHint());
}

// ---------------------------------------------------------------------------
// Bytes

// Eight bytes from `p`, the first in the lowest bits.
uint64_t Word(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

// The high bit of each byte of `word` that equals `byte`, and no other bits.
uint64_t ByteMask(uint64_t word, unsigned char byte) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7f;
  uint64_t x = word ^ (0x0101010101010101 * byte);  // zero where the byte is
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// ---------------------------------------------------------------------------
// Reading version 2

// Reads the text of a state file line by line; every error names the line.
class StateParser {
 public:
  StateParser(const std::string& path, LineReader& lines) : path_(path), lines_(lines) {}

  RunState Parse() {
    ParseHeader();
    while (NextLine()) ParseRecord();
    return std::move(state_);
  }

 private:
  [[noreturn]] void Fail(std::string_view what) const { throw Corrupt(path_, line_no_, what); }

  // Splits the next line into fields_; false at the end of the file.
  bool NextLine() {
    std::string_view line;
    LineReader::Result result = lines_.Next(line);
    ++line_no_;
    if (result == LineReader::Result::kEnd) return false;
    unterminated_ = result == LineReader::Result::kUnterminatedLine;
    Split(line);
    return true;
  }

  // Splits `line` at tabs into fields_ and notes whether it holds a
  // backslash, eight bytes at a time (a memchr per field costs more).
  void Split(std::string_view line) {
    fields_.clear();
    line_has_backslash_ = false;
    const char* p = line.data();
    const char* end = p + line.size();
    const char* field = p;
    for (; end - p >= 8; p += 8) {
      uint64_t word = Word(p);
      line_has_backslash_ |= ByteMask(word, '\\') != 0;
      for (uint64_t tabs = ByteMask(word, '\t'); tabs != 0; tabs &= tabs - 1) {
        const char* tab = p + std::countr_zero(tabs) / 8;
        fields_.emplace_back(field, static_cast<size_t>(tab - field));
        field = tab + 1;
      }
    }
    for (; p < end; ++p) {
      line_has_backslash_ |= *p == '\\';
      if (*p != '\t') continue;
      fields_.emplace_back(field, static_cast<size_t>(p - field));
      field = p + 1;
    }
    fields_.emplace_back(field, static_cast<size_t>(end - field));
  }

  // Checks the header first, so that any other file is said to be one.
  void ParseHeader() {
    if (!NextLine() || fields_.size() != 1 || !fields_[0].starts_with(kHeader))
      Fail("no \"" + std::string(kHeader) + "N\" header");
    std::string_view digits = fields_[0].substr(kHeader.size());
    int version = 0;
    if (!ParseDecimal(digits, version)) Fail("the header's version is not a number");
    if (version != RunState::kFormatVersion) throw UnknownVersion(path_, version);
    CheckTerminated();
  }

  void CheckTerminated() const {
    if (unterminated_) Fail("the line has no end; the file was cut short");
  }

  void ParseRecord() {
    CheckTerminated();
    std::string_view tag = fields_[0];
    PhaseRecord* after = std::exchange(last_phase_, nullptr);
    if (tag == "phase") return ParsePhase();
    if (tag == "usage") return ParseUsage(after);
    if (tag == "succeeded") return;  // written before the twelfth round (run_state.h)
    if (tag == "failed") return ParseKeySet(state_.failed_keys, previous_failed_);
    if (tag == "last") return ParsePair(state_.worktree_last_phase, previous_last_);
    if (tag == "kept") return ParsePair(state_.kept_worktrees, previous_kept_);
    if (tag == "run") return ParseRun();
    Fail("unknown record \"" + std::string(tag.substr(0, 40)) + "\"");
  }

  void ExpectFields(size_t count) const {
    if (fields_.size() != count)
      Fail(std::string(fields_[0]) + " has " + std::to_string(fields_.size()) + " fields, not " +
           std::to_string(count));
  }

  void ParseRun() {
    ExpectFields(4);
    state_.run_started_at = Number<int64_t>(1);
    state_.run_pid = Number<int>(2);
    Id(3, state_.base);
  }

  void ParsePhase() {
    if (fields_.size() < kPhaseFields)
      Fail("phase has " + std::to_string(fields_.size()) + " fields, not at least " +
           std::to_string(kPhaseFields));
    const PhaseRecord& prev = *previous_phase_;
    PhaseRecord& r =
        NewEntry(state_.phases, FrontCoded(1, previous_phase_name_), previous_phase_name_);
    r.state = State(2);
    String(3, r.key);
    Id(4, r.result);
    FrontCoded(5, prev.branch, r.branch);
    FrontCoded(6, prev.worktree, r.worktree);
    FrontCoded(7, prev.log_path, r.log_path);
    FrontCoded(8, prev.reason, r.reason);
    r.duration_s = Number<double>(9);
    r.attempts = Number<int>(10);
    r.started_at = Number<int64_t>(11);
    r.recorded_at = Number<int64_t>(12);
    FrontCoded(13, prev.handoff_first_line, r.handoff_first_line);
    r.saved_attempts.reserve(fields_.size() - kPhaseFields);
    for (size_t i = kPhaseFields; i < fields_.size(); ++i) r.saved_attempts.push_back(String(i));
    previous_phase_ = &r;
    last_phase_ = &r;
  }

  // The usage of `phase`, the record of the line just before.
  void ParseUsage(PhaseRecord* phase) {
    ExpectFields(5);
    if (!phase) Fail("usage does not follow a phase line");
    Usage& usage = phase->usage.Edit();
    if (!fields_[1].empty()) usage.input_tokens = Number<int64_t>(1);
    if (!fields_[2].empty()) usage.output_tokens = Number<int64_t>(2);
    if (!fields_[3].empty()) usage.cost_usd = Number<double>(3);
    if (!fields_[4].empty()) usage.model = String(4);
  }

  void ParseKeySet(std::map<std::string, std::set<std::string>>& sets, std::string_view& previous) {
    if (fields_.size() < 2) Fail(std::string(fields_[0]) + " names no phase");
    std::set<std::string>& keys = NewEntry(sets, FrontCoded(1, previous), previous);
    for (size_t i = 2; i < fields_.size(); ++i) keys.emplace_hint(keys.end(), String(i));
  }

  void ParsePair(std::map<std::string, std::string>& pairs, std::string_view& previous) {
    ExpectFields(3);
    String(2, NewEntry(pairs, FrontCoded(1, previous), previous));
  }

  // Adds `name` to `map` (at its end when the file is sorted, as Save writes
  // it) and points `previous` at the new name.
  template <typename Map>
  typename Map::mapped_type& NewEntry(Map& map, std::string name, std::string_view& previous) {
    size_t before = map.size();
    auto it = map.try_emplace(map.end(), std::move(name));
    if (map.size() == before) Fail(std::string(fields_[0]) + " \"" + it->first + "\" is repeated");
    previous = it->first;
    return it->second;
  }

  PhaseState State(size_t i) const {
    std::optional<PhaseState> state = ParsePhaseState(fields_[i]);
    if (!state) Fail("unknown phase state \"" + std::string(fields_[i].substr(0, 40)) + "\"");
    return *state;
  }

  std::string String(size_t i) const {
    std::string s;
    String(i, s);
    return s;
  }

  void String(size_t i, std::string& out) const {
    out.clear();
    AppendUnescaped(fields_[i], out);
  }

  void Id(size_t i, ObjectId& out) const {
    std::optional<ObjectId> id = ObjectId::FromHex(fields_[i]);
    if (!id) Fail("\"" + std::string(fields_[i].substr(0, 40)) + "\" is not an object id");
    out = *id;
  }

  std::string FrontCoded(size_t i, std::string_view previous) const {
    std::string s;
    FrontCoded(i, previous, s);
    return s;
  }

  // Undoes StateWriter::FrontCoded.
  void FrontCoded(size_t i, std::string_view previous, std::string& out) const {
    std::string_view field = fields_[i];
    size_t shared = 0;
    auto [colon, ec] = std::from_chars(field.data(), field.data() + field.size(), shared);
    if (ec != std::errc() || colon == field.data() + field.size() || *colon != ':')
      Fail("field " + std::to_string(i + 1) + " does not start with a count and a colon");
    if (shared > previous.size())
      Fail("field " + std::to_string(i + 1) + " shares more than the previous line has");
    std::string_view rest = field.substr(static_cast<size_t>(colon - field.data()) + 1);
    out.clear();
    out.reserve(shared + rest.size());
    out.append(previous.data(), shared);
    AppendUnescaped(rest, out);
  }

  // Undoes StateWriter's escaping (line_codec.h).
  void AppendUnescaped(std::string_view field, std::string& out) const {
    if (!line_has_backslash_) {
      out.append(field);
      return;
    }
    if (!orchestrate::AppendUnescaped(field, &out))
      Fail("a backslash not followed by t, n, r or \\");
  }

  template <typename T>
  static bool ParseDecimal(std::string_view text, T& value) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
  }

  template <typename T>
  T Number(size_t i) const {
    T value{};
    if (!fields_[i].empty() && !ParseDecimal(fields_[i], value))
      Fail("\"" + std::string(fields_[i].substr(0, 40)) + "\" is not a number");
    return value;
  }

  const std::string& path_;
  LineReader& lines_;
  size_t line_no_ = 0;
  std::vector<std::string_view> fields_;
  bool unterminated_ = false;  // the line is the end of a file cut short
  bool line_has_backslash_ = false;
  RunState state_;
  // What the front-coded fields of each kind of line refer to.
  const PhaseRecord* previous_phase_ = &kNoPhase;
  PhaseRecord* last_phase_ = nullptr;  // the phase line just read, for its usage line
  std::string_view previous_phase_name_, previous_failed_;
  std::string_view previous_kept_, previous_last_;
};

// ---------------------------------------------------------------------------
// Reading version 1 (JSON)

using nlohmann::json;

PhaseRecord PhaseFromJson(const json& j) {
  PhaseRecord r;
  r.state = ParsePhaseState(j.value("state", "stale")).value_or(PhaseState::kStale);
  r.key = j.value("key", "");
  r.result = ObjectId::FromHex(j.value("result", "")).value_or(ObjectId());
  r.branch = j.value("branch", "");
  r.worktree = j.value("worktree", "");
  r.log_path = j.value("log_path", "");
  r.reason = j.value("reason", "");
  r.duration_s = j.value("duration_s", 0.0);
  r.attempts = j.value("attempts", 0);
  r.started_at = j.value("started_at", int64_t{0});
  r.recorded_at = j.value("recorded_at", int64_t{0});
  r.handoff_first_line = j.value("handoff_first_line", "");
  r.saved_attempts = j.value("saved_attempts", std::vector<std::string>{});
  return r;
}

RunState FromJsonVersion1(const json& j) {
  RunState state;
  state.run_started_at = j.value("run_started_at", int64_t{0});
  state.run_pid = j.value("run_pid", 0);
  state.base = ObjectId::FromHex(j.value("base", "")).value_or(ObjectId());
  json phases = j.value("phases", json::object());
  for (auto& [name, pj] : phases.items()) state.phases[name] = PhaseFromJson(pj);
  state.failed_keys = j.value("failed_keys", decltype(state.failed_keys){});
  state.kept_worktrees = j.value("kept_worktrees", decltype(state.kept_worktrees){});
  state.worktree_last_phase = j.value("worktree_last_phase", decltype(state.worktree_last_phase){});
  return state;
}

RunState FromJson(const std::string& path, std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    throw InfraError(path + " is not valid JSON; " + DeleteHint());
  try {
    int version = j.value("version", 0);
    if (version != kJsonFormatVersion) throw UnknownVersion(path, version);
    return FromJsonVersion1(j);
  } catch (const json::exception& e) {
    throw InfraError(path + " is not the JSON of version 1 (" + e.what() + "); " + DeleteHint());
  }
}

bool LooksLikeJson(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

}  // namespace

RunState RunState::Load(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT) return RunState{};
  if (fd.get() < 0) throw InfraError("cannot read " + path + ": " + ErrnoText(errno));
  LineReader lines(fd.get(), path);
  if (LooksLikeJson(lines.Start())) return FromJson(path, lines.ReadAll());
  return StateParser(path, lines).Parse();
}

bool RunState::Failed(const std::string& phase, const std::string& key) const {
  auto f = failed_keys.find(phase);
  return f != failed_keys.end() && f->second.count(key);
}

}  // namespace orchestrate
