// Whether output gets ANSI colours: the --color flag, then the conventions
// of no-color.org (NO_COLOR) and bixense.com/clicolors (CLICOLOR_FORCE), and
// FORCE_COLOR as Node's and Python's tools read it.
#pragma once

#include <functional>
#include <string_view>

namespace orchestrate {

/// Reads an environment variable; nullptr when unset (std::getenv in the product).
using GetEnv = std::function<const char*(const char*)>;

/// `mode` is "always", "never" or "auto". For "auto": a non-empty NO_COLOR
/// turns colour off; otherwise a non-empty FORCE_COLOR or CLICOLOR_FORCE
/// other than "0" turns it on; otherwise colour when `is_terminal` and
/// TERM is not "dumb".
bool UseColor(std::string_view mode, bool is_terminal, const GetEnv& getenv);

}  // namespace orchestrate
