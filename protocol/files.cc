#include "protocol/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sl {

Result<std::string> ReadFileCapped(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("'" + path + "' does not exist");
    return PermissionDenied("cannot read '" + path + "': " + std::strerror(errno));
  }
  std::string data;
  char buffer[16 * 1024];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return PermissionDenied("cannot read '" + path + "': " + std::strerror(err));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      close(fd);
      return ResourceExhausted("'" + path + "' is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  close(fd);
  return data;
}

}  // namespace sl
