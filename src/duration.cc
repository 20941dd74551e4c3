// Durations as users write them in the manifest ("1h30m") and as the status
// line shows them ("1m12s").
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "orchestrate/manifest.h"

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
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h";
  if (s % 3600 >= 60) out += std::to_string(s % 3600 / 60) + "m";
  if (s % 60 != 0) out += std::to_string(s % 60) + "s";
  return out;
}

}  // namespace orchestrate
