// Private to src/: whole-file reads and complete writes on descriptors, for
// the files orchestrate keeps in .orchestrate/ (state, record index,
// manifest snapshot) and the manifest itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

/// Writes all of `data` to `fd`, retrying short writes; false on an error
/// (disk full, no permission).
bool WriteAll(int fd, std::string_view data);

/// The whole content of `path`, read into one string sized from the file
/// (and on to its end, should it be a pipe or grow meanwhile); nullopt when
/// it cannot be opened or read (missing, a directory, an I/O error).
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace orchestrate
