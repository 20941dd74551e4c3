#include "orchestrate/requeue_wait.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace orchestrate {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Reads digits at `*at` (after skipping spaces and ':'); nullopt when none.
std::optional<long> Number(const std::string& s, size_t* at) {
  while (*at < s.size() && (s[*at] == ' ' || s[*at] == ':')) ++*at;
  size_t begin = *at;
  while (*at < s.size() && std::isdigit(static_cast<unsigned char>(s[*at])) && *at - begin < 9)
    ++*at;
  if (*at == begin) return std::nullopt;
  return std::stol(s.substr(begin, *at - begin));
}

// "120s", "120 seconds", "2m", "1h", "120": seconds, after `*at`.
std::optional<double> Duration(const std::string& s, size_t at) {
  std::optional<long> n = Number(s, &at);
  if (!n) return std::nullopt;
  while (at < s.size() && s[at] == ' ') ++at;
  char unit = at < s.size() ? s[at] : 's';
  if (unit == 'h') return *n * 3600.0;
  if (unit == 'm' && s.compare(at, 2, "ms") != 0) return *n * 60.0;
  return static_cast<double>(*n);
}

// "4:20am", "1pm", "13:05" after `at`: seconds until its next occurrence.
std::optional<double> ClockTime(const std::string& s, size_t at, std::time_t now) {
  std::optional<long> hour = Number(s, &at);
  if (!hour) return std::nullopt;
  long minute = 0;
  if (at < s.size() && s[at] == ':') {
    std::optional<long> m = Number(s, &at);
    if (!m || *m > 59) return std::nullopt;
    minute = *m;
  }
  while (at < s.size() && s[at] == ' ') ++at;
  bool am = s.compare(at, 2, "am") == 0, pm = s.compare(at, 2, "pm") == 0;
  if ((am || pm) && (*hour < 1 || *hour > 12)) return std::nullopt;
  if (am && *hour == 12) *hour = 0;
  if (pm && *hour != 12) *hour += 12;
  if (*hour > 23) return std::nullopt;
  std::tm local{};
  localtime_r(&now, &local);
  local.tm_hour = static_cast<int>(*hour);
  local.tm_min = static_cast<int>(minute);
  local.tm_sec = 0;
  local.tm_isdst = -1;
  std::time_t when = std::mktime(&local);
  if (when <= now) {
    local.tm_mday += 1;
    local.tm_isdst = -1;
    when = std::mktime(&local);
  }
  return std::difftime(when, now);
}

}  // namespace

std::optional<double> WaitNamedIn(std::string_view output, std::time_t now) {
  std::string s = Lower(output);
  std::optional<double> found;
  size_t best = 0;
  auto consider = [&](std::string_view phrase, bool clock) {
    for (size_t at = s.find(phrase); at != std::string::npos; at = s.find(phrase, at + 1)) {
      size_t after = at + phrase.size();
      std::optional<double> wait = clock ? ClockTime(s, after, now) : Duration(s, after);
      if (wait && (!found || at >= best)) found = wait, best = at;
    }
  };
  for (std::string_view p : {"retry after", "retry-after", "try again in"}) consider(p, false);
  for (std::string_view p : {"resets at", "resets", "reset at"}) consider(p, true);
  return found;
}

double Backoff(int n, double first, double cap) {
  return std::min(first * std::pow(2.0, std::max(n, 1) - 1), cap);
}

}  // namespace orchestrate
