// Durations as users write them in the manifest ("1h30m"), and the one
// formatter for every duration orchestrate prints ("1m12s"): see duration.h.
#include "orchestrate/duration.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace orchestrate {
namespace {

// Units from largest to smallest; in a duration each appears at most once,
// in this order ("1h30m", not "30m1h").
struct Unit {
  std::string_view suffix;
  double ms;
};
constexpr Unit kUnits[] = {{"h", 3600e3}, {"m", 60e3}, {"s", 1e3}, {"ms", 1}};
constexpr double kMaxMs = 1e15;  // ~31,000 years: anything above is a typo

// Reads "12" or "1.5" at the front of `text`; advances past it.
std::optional<double> TakeNumber(std::string_view* text) {
  size_t n = 0;
  while (n < text->size() && std::isdigit(static_cast<unsigned char>((*text)[n]))) ++n;
  if (n == 0 || n > 15) return std::nullopt;
  size_t end = n;
  if (end < text->size() && (*text)[end] == '.') {
    size_t frac = end + 1;
    while (frac < text->size() && std::isdigit(static_cast<unsigned char>((*text)[frac]))) ++frac;
    if (frac == end + 1 || frac > 20) return std::nullopt;
    end = frac;
  }
  double value = 0;
  std::from_chars(text->data(), text->data() + end, value);  // locale-independent
  text->remove_prefix(end);
  return value;
}

// Index into kUnits of the unit at the front of `text`, or -1; "ms" wins over "m".
int TakeUnit(std::string_view* text) {
  for (int i : {3, 0, 1, 2}) {
    if (text->substr(0, kUnits[i].suffix.size()) == kUnits[i].suffix) {
      text->remove_prefix(kUnits[i].suffix.size());
      return i;
    }
  }
  return -1;
}

std::string Tenths(long long tenths) {
  std::string whole = std::to_string(tenths / 10);
  if (tenths % 10 == 0) return whole + "s";
  return whole + "." + std::to_string(tenths % 10) + "s";
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  int last_unit = -1;
  while (!text.empty()) {
    std::optional<double> number = TakeNumber(&text);
    if (!number) return std::nullopt;
    int unit = TakeUnit(&text);
    if (unit <= last_unit) return std::nullopt;  // missing, repeated or out of order
    last_unit = unit;
    total += *number * kUnits[unit].ms;
  }
  if (total > kMaxMs) return std::nullopt;
  return Duration(std::llround(total));
}

std::string FormatDuration(Duration d) {
  long long ms = d.count();
  if (ms < 0) return "-" + FormatDuration(Duration(-ms));
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms < 10'000) return Tenths((ms + 50) / 100);
  long long s = ms / 1000;
  // The largest unit as is, the smaller ones in two digits ("21m02s",
  // "2h05m"), zero parts at the end left out ("1h", "1h30m").
  long long parts[] = {s / 3600, s % 3600 / 60, s % 60};
  std::string out;
  for (int i = 0; i < 3; ++i) {
    bool rest_zero = std::all_of(parts + i, parts + 3, [](long long v) { return v == 0; });
    if (rest_zero) break;
    if (out.empty() && parts[i] == 0) continue;
    std::string digits = std::to_string(parts[i]);
    if (!out.empty() && digits.size() < 2) digits.insert(0, "0");
    out += digits + std::string(kUnits[i].suffix);
  }
  return out;
}

std::string FormatDuration(double seconds) {
  if (!(seconds > 0)) return FormatDuration(Duration(0));  // also catches NaN
  return FormatDuration(Duration(std::llround(std::min(seconds, kMaxMs / 1e3) * 1000)));
}

}  // namespace orchestrate
