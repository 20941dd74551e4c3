// `{placeholder}` templates of agent commands.
#include "orchestrate/template.h"

#include <algorithm>
#include <cctype>

namespace orchestrate {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Length of the placeholder name that starts right after the `{` at `open`,
// when `{name}` follows; 0 when the brace is not a placeholder. `${...}` is
// the shell's parameter expansion, not ours.
size_t PlaceholderLength(std::string_view text, size_t open) {
  if (open > 0 && text[open - 1] == '$') return 0;
  size_t i = open + 1;
  if (i >= text.size() || !IsNameStart(text[i])) return 0;
  while (i < text.size() && IsNameChar(text[i])) ++i;
  if (i >= text.size() || text[i] != '}') return 0;
  return i - open - 1;
}

// Walks `text`, handing literal text and placeholder names to the callbacks.
// Literal text comes in runs (a doubled brace ends one and is handed over as
// one brace), so expanding a command appends a few pieces, not every letter.
template <typename OnLiteral, typename OnPlaceholder>
void Scan(std::string_view text, OnLiteral&& literal, OnPlaceholder&& placeholder) {
  size_t run = 0;  // where the literal text not yet handed over starts
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    bool brace = c == '{' || c == '}';
    bool doubled = brace && i + 1 < text.size() && text[i + 1] == c;
    size_t len = c == '{' && !doubled ? PlaceholderLength(text, i) : 0;
    if (!doubled && len == 0) {
      ++i;
      continue;
    }
    if (i > run) literal(text.substr(run, i - run));
    if (doubled) {
      literal(text.substr(i, 1));
      i += 2;
    } else {
      placeholder(text.substr(i + 1, len));
      i += len + 2;
    }
    run = i;
  }
  if (i > run) literal(text.substr(run, i - run));
}

}  // namespace

const std::vector<std::string>& BuiltinPlaceholders() {
  static const std::vector<std::string> names = {"phase", "model", "prompt_file", "worktree",
                                                 "branch"};
  return names;
}

std::vector<std::string> TemplatePlaceholders(std::string_view text) {
  std::vector<std::string> names;
  Scan(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
      });
  return names;
}

std::string ExpandTemplate(std::string_view text, const std::map<std::string, std::string>& vars) {
  std::string out;
  Scan(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        auto it = vars.find(std::string(name));
        if (it != vars.end())
          out += it->second;
        else
          out += "{" + std::string(name) + "}";
      });
  return out;
}

}  // namespace orchestrate
