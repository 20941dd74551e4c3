#include "support/text.h"

#include <sstream>

namespace orchestrate::testing {

int CountLines(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

}  // namespace orchestrate::testing
