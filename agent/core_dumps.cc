#include "smartlicensing/core_dumps.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sl {

Status DisableCoreDumps() {
  // The limit alone is not enough: a core_pattern that pipes to a handler
  // (systemd-coredump) receives the dump whatever RLIMIT_CORE says; a process that is
  // not dumpable produces none at all.
  const struct rlimit none = {0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    return Internal(std::string("cannot disable core dumps (RLIMIT_CORE): ") + std::strerror(errno));
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Internal(std::string("cannot disable core dumps (PR_SET_DUMPABLE): ") + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace sl
