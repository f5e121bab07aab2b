// The licensing commands, which change the device's licensing state (all but
// factory-reset through the agent, most of them by talking to CSSM):
//   enable          Smart licensing mode On, starting the evaluation period
//   register        register with a token from the Smart account
//   renew           renew the authorization or the registration now
//   deregister      release the licenses and forget the registration
//   usage           set the usage of a license type, or report the usage now
//   factory-reset   erase the licensing state and keys (back to PAK)
// Handlers of the command table (cli/command_table.h): each returns the exit code.
// Thread-safety: run on the command's thread, under the state directory's lock.
#pragma once

#include "cli/command_context.h"

namespace sl::cli {

int EnableSmartLicensing(CommandContext& context);
int RegisterWithToken(CommandContext& context);
int RenewNow(CommandContext& context);
int Deregister(CommandContext& context);
int SetOrReportUsage(CommandContext& context);
int EraseLicensingState(CommandContext& context);

}  // namespace sl::cli
