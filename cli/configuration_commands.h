// The configuration commands, which say who the device is and how it reaches CSSM:
//   identity       the device identity (UDI: product ID and serial number, hostname)
//   trust-anchor   the CSSM signing certificate every response must verify against
//   transport      direct, on-premises (SSM On-Prem) or through an HTTP proxy
//   privacy        whether the hostname and IP address are shared with Cisco
// Handlers of the command table (cli/command_table.h): each returns the exit code.
// Thread-safety: run on the command's thread; the state directory's lock keeps two
// commands from writing at once.
#pragma once

#include "cli/command_context.h"

namespace sl::cli {

int SetOrShowIdentity(CommandContext& context);
int SetTrustAnchor(CommandContext& context);
int SetTransport(CommandContext& context);
int SetPrivacy(CommandContext& context);

}  // namespace sl::cli
