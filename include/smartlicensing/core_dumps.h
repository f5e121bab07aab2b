// DisableCoreDumps: keeps the agent's secrets out of core dumps (public API).
//
// While an agent is open, the process holds the device's private key, the device
// secret, a registration token while it is in use and the proxy password. A core dump
// writes all of it to disk (or to systemd-coredump's store), readable by whoever can
// read dumps. slagent calls this first thing in main(); firmware that embeds the
// library should do the same, early in its own main() and before any secret is loaded
// (the library never changes process-wide settings by itself).
//
//   int main(int argc, char** argv) {
//     if (sl::Status s = sl::DisableCoreDumps(); !s.ok()) { /* log s.message(); exit */ }
//     ...
//   }
//
// Thread-safety: call once, before threads that handle secrets start; it changes the
// whole process.
#pragma once

#include "smartlicensing/status.h"

namespace sl {

// Sets RLIMIT_CORE to 0 (soft and hard: nothing in the process can raise it again)
// and marks the process not dumpable (prctl PR_SET_DUMPABLE 0), which also stops a
// core_pattern pipe handler from receiving a dump, and stops other processes of the
// same user from reading its memory (ptrace, /proc/PID/mem). The limit is inherited
// by child processes and across execve(); PR_SET_DUMPABLE is reset by execve() and by
// a change of user or group: call it after any such change. Internal when either call
// fails.
Status DisableCoreDumps();

}  // namespace sl
