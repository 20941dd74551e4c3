// How long a rate-limited phase waits before it is queued again (SPEC 8):
// the time its output names, else exponential backoff.
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

namespace orchestrate {

/// Seconds from `now` until the time `output` says to come back, read from
/// the last such phrase in it; nullopt when it names none. Understood,
/// case-insensitively: "retry after 120s" / "retry after 120 seconds" /
/// "Retry-After: 120" / "try again in 2m" (s, m, h units; bare numbers are
/// seconds), and a clock time of the day, in local time, after "resets" or
/// "reset at": "resets 4:20am", "resets 1pm", "resets 13:05" (the next such
/// time after `now`).
std::optional<double> WaitNamedIn(std::string_view output, std::time_t now);

/// The wait before requeue number `n` (1, 2, ...): `first` doubled each
/// time, at most `cap` seconds.
double Backoff(int n, double first, double cap);

}  // namespace orchestrate
