#include "cli/command_line.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cli/command_context.h"
#include "cli/command_table.h"
#include "cli/invocation.h"
#include "cli/operation_commands.h"
#include "cli/output.h"

namespace sl::cli {

namespace {

std::string UnknownCommand(const std::string& name) {
  std::set<std::string> names;
  for (const Command& command : CommandTable()) names.insert(command.name);
  std::string closest = ClosestName(name, names);
  return "unknown command '" + name + "'" + (closest.empty() ? "" : "; did you mean '" + closest + "'?");
}

}  // namespace

int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  Result<Invocation> invocation = ParseInvocation(args, KnownOptions());
  if (!invocation.ok()) {
    // The line did not parse, but a script that asked for JSON still gets JSON.
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    return Output(json, out, err).Usage(invocation.status().message());
  }
  Output output(invocation->json, out, err);
  const std::vector<std::string>& words = invocation->words;
  if (invocation->HasSwitch("--version")) return ShowVersion(output);
  bool help = invocation->HasSwitch("--help") || (!words.empty() && words[0] == "help");
  // "slagent help register" and "slagent register --help": that command's usage.
  const std::string topic = words.empty() ? "" : words[0] == "help" ? (words.size() > 1 ? words[1] : "") : words[0];
  if (words.empty() || help) {
    const Command* about = topic.empty() ? nullptr : FindCommand(topic);
    if (!topic.empty() && about == nullptr) return output.Usage(UnknownCommand(topic));
    out << (about != nullptr && about->section != UsageSection::kNotListed ? CommandUsageText(*about) : UsageText());
    return help ? kExitOk : kExitUsage;
  }
  const Command* command = FindCommand(words[0]);
  if (command == nullptr) return output.Usage(UnknownCommand(words[0]));
  CommandContext context(*command, std::move(invocation).value(), output);
  return command->handler(context);
}

}  // namespace sl::cli
