// Private to src/: the persistence toolkit for the files orchestrate keeps in
// .orchestrate/ (state, record index, target memo, manifest snapshot) and the
// files it reads whole (the manifest, prompts, /proc entries): whole-file
// reads, line-by-line reads through a small buffer, complete writes on
// descriptors, atomic replacement, errno as text.
// The line format of those files is in line_codec.h.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrate {

/// The text of an errno value ("No such file or directory"); unlike
/// strerror, safe to call from any thread.
std::string ErrnoText(int err);

/// Writes all of `data` to `fd`, retrying short writes; false on an error
/// (disk full, no permission), with errno saying which.
bool WriteAll(int fd, std::string_view data);

/// The whole content of `path`, read into one string sized from the file
/// (and on to its end, should it be a pipe or grow meanwhile); nullopt when
/// it cannot be opened or read (missing, a directory, an I/O error), with
/// errno saying why.
std::optional<std::string> ReadWholeFile(const std::string& path);

/// An open file descriptor, closed when it goes.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();
  int get() const { return fd_; }
  /// Closes it now.
  void reset();

 private:
  int fd_;
};

/// Reads a file line by line through one buffer, which grows only for a
/// line longer than it. The buffer is small: reading a file whole would
/// touch as many fresh pages as it has, each a page fault
/// (docs/performance.md, "Eleventh round").
class LineReader {
 public:
  enum class Result { kLine, kEnd, kUnterminatedLine };

  /// Reads `fd`; `path` names it in errors and must outlive the reader.
  LineReader(int fd, const std::string& path);

  /// The start of the file, at least the first buffer's worth.
  std::string_view Start();
  /// Everything not yet read as lines: the whole file if Next was not called.
  std::string ReadAll();
  /// Sets `line` to the next line without its newline (kLine), or to the
  /// rest of a file that does not end with one (kUnterminatedLine). It stays
  /// valid until the next call. Throws InfraError when the file cannot be
  /// read.
  Result Next(std::string_view& line);

 private:
  static constexpr size_t kBufferSize = 16 * 1024;
  /// Moves the unread bytes to the front, growing the buffer if they fill it.
  void Compact();
  /// Reads more after end_; false at the end of the file.
  bool Fill();

  int fd_;
  const std::string& path_;
  std::unique_ptr<char[]> bytes_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  ///< the first unread byte
  size_t end_ = 0;    ///< one past the last byte read
  bool eof_ = false;
};

/// The first line of `path` without its newline; empty when the file is
/// empty or cannot be read.
std::string FirstLineOf(const std::string& path);

/// Whether ReplaceFile waits for the new content to reach the disk before it
/// renames: kDurable survives a power cut; kFast only a crash of orchestrate
/// (for caches that can be rebuilt).
enum class Durability { kDurable, kFast };

/// Replaces `path` as a whole, so that a reader sees the old content or the
/// new, never a part: `write` writes the new content to a descriptor of a
/// temporary file beside `path` (returning false on a failed write), which is
/// then synced (kDurable) and renamed over `path`. On any failure the
/// temporary file is removed, `path` is left as it was, and false is
/// returned with errno saying why.
bool ReplaceFile(const std::string& path, const std::function<bool(int fd)>& write,
                 Durability durability = Durability::kDurable);
/// ReplaceFile with `data` as the new content.
bool ReplaceFile(const std::string& path, std::string_view data,
                 Durability durability = Durability::kDurable);

/// The message for a failed ReplaceFile or write of `path`, from errno:
/// "cannot write PATH: No space left on device (free some disk space or
/// check the permissions)".
std::string WriteFailure(const std::string& path, int err);

}  // namespace orchestrate
