// Durations: as users write them in the manifest ("1h30m") and as
// orchestrate prints every one of them ("1m12s"), on the console, in
// status, the step summary, the reports and timeout messages. One parser,
// one formatter (src/duration.cc).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

using Duration = std::chrono::milliseconds;

/// Parses "90s", "30m", "1h30m", "2h", "500ms", "1h2m3s". Empty on error.
std::optional<Duration> ParseDuration(std::string_view text);

/// The inverse, for every duration orchestrate prints: 0 -> "0s",
/// 250ms -> "250ms", 1500ms -> "1.5s", 65s -> "1m05s", 7500s -> "2h05m",
/// 5400s -> "1h30m". Below 10s in tenths, above in whole seconds (cut, not
/// rounded); units after the first in two digits; trailing zero units left
/// out. The result parses back with ParseDuration.
std::string FormatDuration(Duration d);

/// FormatDuration of `seconds` (as events and records measure time) rounded
/// to milliseconds; a negative or NaN value (a clock that stepped back)
/// prints as "0s".
std::string FormatDuration(double seconds);

}  // namespace orchestrate
