// The operation commands, which look at the device or move its state elsewhere:
//   status    the licensing status (never touches the network, never writes)
//   backup    save the licensing state (with its device key) to a file, encrypted with
//             a passphrase, or in clear when --plaintext-keys says so (docs/backup.md)
//   restore   put a backup back
//   events    the history of operations and results (cli/event_log.h)
//   version   the program's version and the licensing protocol it speaks
// The daemon, `run`, is in cli/daemon.h. Handlers of the command table
// (cli/command_table.h): each returns the exit code.
// Thread-safety: run on the command's thread; backup and restore under the state
// directory's lock, status and events without it (they only read).
#pragma once

#include "cli/command_context.h"
#include "cli/output.h"

namespace sl::cli {

int ShowStatus(CommandContext& context);
int WriteBackup(CommandContext& context);
int RestoreBackup(CommandContext& context);
int ShowEvents(CommandContext& context);
int ShowVersion(CommandContext& context);
// `slagent --version` and `slagent version`: the program's and the protocol's versions.
int ShowVersion(Output& output);

}  // namespace sl::cli
