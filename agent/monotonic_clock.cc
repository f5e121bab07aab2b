#include "agent/monotonic_clock.h"

#include <time.h>

#include <cctype>

#include "protocol/files.h"

namespace sl {

int64_t SystemMonotonicClock::Seconds() const {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec);
}

std::string SystemMonotonicClock::BootId() const {
  // A UUID and a newline; anything much larger is not a boot id.
  Result<std::string> text = ReadFileCapped("/proc/sys/kernel/random/boot_id", 128);
  if (!text.ok()) return "";
  std::string id = std::move(text).value();
  size_t begin = 0;
  while (begin < id.size() && std::isspace(static_cast<unsigned char>(id[begin]))) ++begin;
  size_t end = id.size();
  while (end > begin && std::isspace(static_cast<unsigned char>(id[end - 1]))) --end;
  return id.substr(begin, end - begin);
}

}  // namespace sl
