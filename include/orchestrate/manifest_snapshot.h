// A binary snapshot of the last validated manifest, so a command that finds
// orchestrate.toml unchanged skips parsing and validating it (like Gradle's
// configuration cache). The snapshot is only a cache: whatever is wrong with
// it (another orchestrate binary, another manifest, a damaged file) makes it
// a miss, never an error.
#pragma once

#include <string>
#include <string_view>

#include "orchestrate/manifest.h"

namespace orchestrate {

/// The first line of a snapshot file; bump the number whenever the layout
/// changes (a build id change already covers changes of the parser).
inline constexpr std::string_view kManifestSnapshotMagic = "orchestrate manifest snapshot 2\n";

/// The GNU build id of the running executable, in hex, or empty when it has
/// none (then snapshots are neither loaded nor saved). Two builds of
/// different sources have different ids, so a snapshot never outlives the
/// parser that validated it.
const std::string& ExecutableBuildId();

/// Fills `out` from the snapshot at `snapshot_path` when that snapshot was
/// written by this very executable for the manifest at `manifest_path`
/// (compared as an absolute, normalized path) with exactly the contents
/// `text`, and every prompt file the manifest names still exists and is not
/// a directory. Manifest::path and ::dir are computed from `manifest_path`
/// as ParseManifest does. Returns false otherwise, `out` then unspecified:
/// parse `text` instead.
bool LoadManifestSnapshot(const std::string& snapshot_path, const std::string& manifest_path,
                          std::string_view text, Manifest* out);

/// Writes a snapshot of `manifest`, parsed and validated from `text`, to
/// `snapshot_path`, atomically (a temporary file in the same directory, then
/// renamed). Failing to write is silent and leaves no file behind.
void SaveManifestSnapshot(const std::string& snapshot_path, std::string_view text,
                          const Manifest& manifest);

}  // namespace orchestrate
