// UseColor: --color, NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE and TERM.
#include "orchestrate/color.h"

#include <string>

namespace orchestrate {
namespace {

bool NonEmpty(const char* value) { return value && *value; }

bool Forced(const char* value) { return NonEmpty(value) && std::string_view(value) != "0"; }

}  // namespace

bool UseColor(std::string_view mode, bool is_terminal, const GetEnv& getenv) {
  if (mode == "always") return true;
  if (mode == "never" || NonEmpty(getenv("NO_COLOR"))) return false;
  if (Forced(getenv("FORCE_COLOR")) || Forced(getenv("CLICOLOR_FORCE"))) return true;
  const char* term = getenv("TERM");
  return is_terminal && !(term && std::string_view(term) == "dumb");
}

}  // namespace orchestrate
