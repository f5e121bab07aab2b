#include "agent/monotonic_clock.h"

#include <time.h>

namespace sl {

int64_t SystemMonotonicClock::Seconds() const {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec);
}

}  // namespace sl
