// The run's knobs that tests set through the environment.
#include <cmath>
#include <cstdlib>

#include "orchestrate/runner.h"

namespace orchestrate {
namespace {

// `name` as a non-negative number of seconds, when it is one.
void SetSeconds(Duration* out, const char* name,
                const std::function<const char*(const char*)>& getenv) {
  const char* v = getenv(name);
  if (!v || !*v) return;
  char* end = nullptr;
  double seconds = std::strtod(v, &end);
  if (!end || *end != '\0' || !(seconds >= 0) || !std::isfinite(seconds)) return;
  *out = Duration(static_cast<Duration::rep>(std::llround(seconds * 1000)));
}

}  // namespace

void ApplyEnvironmentKnobs(RunOptions* options,
                           const std::function<const char*(const char*)>& getenv) {
  SetSeconds(&options->requeue_backoff, "ORCHESTRATE_REQUEUE_BACKOFF", getenv);
  SetSeconds(&options->kill_grace, "ORCHESTRATE_KILL_GRACE", getenv);
}

}  // namespace orchestrate
