// The daemon, `slagent run`: performs the renewals, retries and usage reports the agent
// schedules, when they fall due. `run --once` does one pass and answers like any other
// command (for a timer or cron job); plain `run` loops until SIGTERM or SIGINT (the
// systemd service, cli/slagent.service.in).
//
// Between passes the daemon holds no lock, so other slagent commands run freely; it
// sleeps until the agent's next deadline (at most an hour) and wakes early on SIGHUP or
// when another command changes the state, the identity or the trust anchor. Its events,
// failures and what it waits for are logged on stderr (cli/daemon_log.h), and it
// carries on: a device not configured yet, or whose state cannot be opened, is waited
// for, not a reason to exit (systemd would restart it every 30 s, for ever).
// Thread-safety: runs on the program's main thread before any other thread starts: it
// blocks SIGTERM, SIGINT and SIGHUP there (threads started later inherit the mask) and
// takes them with sigtimedwait.
#pragma once

#include "cli/command_context.h"

namespace sl::cli {

// Handler of `run [--once]` in the command table; returns the exit code.
int RunDaemon(CommandContext& context);

}  // namespace sl::cli
