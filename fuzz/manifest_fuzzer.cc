// libFuzzer target for the manifest loader: any text must give a manifest or
// diagnostics, never a crash, a hang or undefined behaviour. Built with
// clang by fuzz/run.sh (not part of the CMake build); see docs/security-input.md.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "orchestrate/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  orchestrate::Manifest manifest;
  std::vector<orchestrate::Diagnostic> diags;
  // A directory with no prompt files: prompt checks report, never read.
  orchestrate::ParseManifest(text, "/nonexistent-orchestrate-fuzz/orchestrate.toml", &manifest,
                             &diags);
  for (const orchestrate::Diagnostic& d : diags) (void)d.Format();
  return 0;
}
