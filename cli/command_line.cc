#include "cli/command_line.h"

#include <algorithm>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "cli/command_table.h"
#include "cli/invocation.h"
#include "cli/output.h"

namespace sl::cli {

int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  Result<Invocation> invocation = ParseInvocation(args, KnownOptions());
  if (!invocation.ok()) {
    // The line did not parse, but a script that asked for JSON still gets JSON.
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    return Output(json, out, err).Usage(invocation.status().message());
  }
  Output output(invocation->json, out, err);
  bool help = invocation->HasSwitch("--help");
  if (invocation->words.empty() || help) {
    out << UsageText();
    return help ? kExitOk : kExitUsage;
  }
  const Command* command = FindCommand(invocation->words[0]);
  if (command == nullptr) return output.Usage("unknown command '" + invocation->words[0] + "'");
  CommandContext context(*command, std::move(invocation).value(), output);
  return command->handler(context);
}

}  // namespace sl::cli
