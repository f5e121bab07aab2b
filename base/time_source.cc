#include "smartlicensing/time_source.h"

#include <time.h>

#include <cctype>
#include <chrono>

#include "base/files.h"

namespace sl {

UnixSeconds SystemTimeSource::Now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<int64_t> SystemTimeSource::MonotonicSeconds() const {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec);
}

std::string SystemTimeSource::BootId() const {
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
