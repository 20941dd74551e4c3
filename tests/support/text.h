// Looking for things in command output.
#pragma once

#include <string>

namespace orchestrate::testing {

/// True when `needle` occurs in `text`.
inline bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

/// Lines of `text` containing `needle`.
int CountLines(const std::string& text, const std::string& needle);

}  // namespace orchestrate::testing
