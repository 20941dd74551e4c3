// `{placeholder}` templates of agent commands (SPEC section 2).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrate {

/// The placeholders every template may use besides the agent's own keys.
const std::vector<std::string>& BuiltinPlaceholders();  // phase model prompt_file worktree branch

/// Names used in `text`, in order of appearance, each once. A placeholder is
/// `{name}` with name matching [A-Za-z_][A-Za-z0-9_-]*; every other brace is
/// literal text, so `${HOME}` (the shell's, after a `$`) and `awk '{print $1}'`
/// pass through. `{{` and `}}` are literal braces.
std::vector<std::string> TemplatePlaceholders(std::string_view text);

/// Replaces each `{name}` with vars[name]; a name missing from `vars` is left
/// as written. `{{`/`}}` become `{`/`}`.
std::string ExpandTemplate(std::string_view text, const std::map<std::string, std::string>& vars);

}  // namespace orchestrate
