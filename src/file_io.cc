#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "orchestrate/error.h"

namespace orchestrate {
namespace {

// Closes a descriptor, keeping errno from before unless the close fails.
bool CloseKeepingErrno(int fd, bool ok) {
  int saved = errno;
  bool closed = ::close(fd) == 0;
  if (ok || !closed) return ok && closed;
  errno = saved;
  return false;
}

// Removes `path`, keeping errno as it was.
void RemoveKeepingErrno(const std::string& path) {
  int saved = errno;
  ::unlink(path.c_str());
  errno = saved;
}

}  // namespace

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;  // a regular file only writes nothing when full
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> text(std::in_place);
  struct stat st;
  // One byte more than the file: the read that sees its end then has room,
  // instead of doubling (and zeroing) the buffer to find out.
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    text->resize(static_cast<size_t>(st.st_size) + 1);
  size_t done = 0;
  while (true) {
    if (done == text->size()) text->resize(std::max<size_t>(4096, 2 * text->size()));
    ssize_t n = ::read(fd, text->data() + done, text->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      text.reset();
      break;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  int read_errno = errno;
  ::close(fd);
  errno = read_errno;
  if (text) text->resize(done);
  return text;
}

FileDescriptor::~FileDescriptor() { reset(); }

void FileDescriptor::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

LineReader::LineReader(int fd, const std::string& path)
    : fd_(fd),
      path_(path),
      bytes_(std::make_unique_for_overwrite<char[]>(kBufferSize)),
      capacity_(kBufferSize) {}

std::string_view LineReader::Start() {
  if (end_ == 0 && !eof_) Fill();
  return {bytes_.get() + begin_, end_ - begin_};
}

std::string LineReader::ReadAll() {
  std::string text(Start());
  for (begin_ = end_ = 0; Fill(); begin_ = end_ = 0) text.append(bytes_.get(), end_);
  return text;
}

LineReader::Result LineReader::Next(std::string_view& line) {
  size_t scanned = begin_;
  for (;;) {
    auto* newline =
        static_cast<const char*>(std::memchr(bytes_.get() + scanned, '\n', end_ - scanned));
    if (newline) {
      size_t at = static_cast<size_t>(newline - bytes_.get());
      line = {bytes_.get() + begin_, at - begin_};
      begin_ = at + 1;
      return Result::kLine;
    }
    if (eof_ && begin_ == end_) return Result::kEnd;
    if (eof_) {
      line = {bytes_.get() + begin_, end_ - begin_};
      begin_ = end_;
      return Result::kUnterminatedLine;
    }
    scanned = end_ - begin_;
    Compact();
    Fill();
  }
}

void LineReader::Compact() {
  size_t unread = end_ - begin_;
  if (unread == capacity_) {
    auto bigger = std::make_unique_for_overwrite<char[]>(2 * capacity_);
    std::memcpy(bigger.get(), bytes_.get() + begin_, unread);
    bytes_ = std::move(bigger);
    capacity_ *= 2;
  } else if (unread > 0) {
    std::memmove(bytes_.get(), bytes_.get() + begin_, unread);
  }
  begin_ = 0;
  end_ = unread;
}

bool LineReader::Fill() {
  for (;;) {
    ssize_t n = ::read(fd_, bytes_.get() + end_, capacity_ - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InfraError("cannot read " + path_ + ": " + ErrnoText(errno));
    end_ += static_cast<size_t>(n);
    eof_ = n == 0;
    return !eof_;
  }
}

std::string FirstLineOf(const std::string& path) {
  std::string text = ReadWholeFile(path).value_or("");
  size_t newline = text.find('\n');
  if (newline != std::string::npos) text.resize(newline);
  return text;
}

bool ReplaceFile(const std::string& path, const std::function<bool(int fd)>& write,
                 Durability durability) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  bool ok = write(fd);
  if (ok && durability == Durability::kDurable) ok = ::fsync(fd) == 0;
  ok = CloseKeepingErrno(fd, ok);
  if (ok) ok = std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) RemoveKeepingErrno(tmp);
  return ok;
}

bool ReplaceFile(const std::string& path, std::string_view data, Durability durability) {
  return ReplaceFile(
      path, [data](int fd) { return WriteAll(fd, data); }, durability);
}

std::string WriteFailure(const std::string& path, int err) {
  std::string hint = err == ENOSPC || err == EDQUOT ? "free some disk space"
                     : err == EACCES || err == EPERM || err == EROFS
                         ? "check the permissions of the directory"
                         : "check the disk and the directory";
  return "cannot write " + path + ": " + ErrnoText(err) + " (" + hint + ")";
}

}  // namespace orchestrate
