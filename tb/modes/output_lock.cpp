#include "tb/modes/output_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "hw/common/errors.hpp"

namespace skipsim {

int open_locked(const std::string& path, const std::string& who) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw InputError(fmt::format("{} error: cannot write '{}' ({})", who, path, strerror(errno)));
  for (int attempt = 0; attempt < 100; ++attempt) {
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) == 0) return fd;
    if (errno != EACCES && errno != EAGAIN) break;
    fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
      close(fd);
      throw InputError(fmt::format(
          "{} error: '{}' is in use by another {} (pid {}); wait for it or choose another file",
          who, path, who, fl.l_pid));
    }
    // Released between the two calls: try again.
  }
  const int e = errno;
  close(fd);
  throw InputError(fmt::format("{} error: cannot lock '{}' ({})", who, path, strerror(e)));
}

std::string read_whole(int fd) {
  std::string s;
  char buf[65536];
  off_t off = 0;
  for (;;) {
    const ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    s.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return s;
}

}  // namespace skipsim
