// The diagnostics of a manifest text, in the form tests compare against.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "orchestrate/manifest.h"

namespace orchestrate::testing {

/// Every diagnostic of parsing `text` as the manifest at `path`, as
/// "LINE:COL: message", after checking that parsing failed and that each
/// diagnostic names `path`.
inline std::vector<std::string> ManifestErrors(std::string_view text, const std::string& path) {
  Manifest manifest;
  std::vector<Diagnostic> diags;
  EXPECT_FALSE(ParseManifest(text, path, &manifest, &diags));
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) {
    EXPECT_EQ(d.file, path);
    out.push_back(std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " +
                  d.message);
  }
  return out;
}

/// The single diagnostic of `text`.
inline std::string ManifestError(std::string_view text, const std::string& path) {
  std::vector<std::string> errors = ManifestErrors(text, path);
  EXPECT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  return errors.empty() ? "" : errors.front();
}

}  // namespace orchestrate::testing
