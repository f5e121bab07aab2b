// The table of slagent's commands: one entry per command with its name, the options
// and switches it accepts, its lines in `slagent help`, and its handler. The usage
// text is made from the table and the parser's vocabulary is the table's options, so
// that a command, its help and what it accepts cannot drift apart
// (tests/cli/commands_test.cc checks each entry's help against its options).
// Thread-safety: the table is immutable after its first use; the functions are pure.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/invocation.h"

namespace sl::cli {

class CommandContext;

// Runs one command line whose command is this entry's; returns the exit code.
using CommandHandler = int (*)(CommandContext& context);

// Where a command is listed in `slagent help`.
enum class UsageSection {
  kConfiguration,
  kLicensing,
  kOperation,
  // Not in the usage text: `help` and `version`, which need no state. The usage
  // text is the one written by hand before the table (tests/cli/commands_test.cc
  // holds a copy and checks it byte for byte), which never listed them.
  kNotListed,
};

struct Command {
  std::string name;
  UsageSection section;
  // What it accepts besides the global options (GlobalOptions()). A handler may
  // accept less for one form of the command (`transport direct` takes no --port).
  std::set<std::string> value_options;
  std::set<std::string> switches;
  // Its lines in the usage text, without the two-space indent: the synopsis, then its
  // description after two spaces or more (help2man makes each such line an entry of
  // the man page); a line indented further continues the one before.
  std::vector<std::string> usage_lines;
  CommandHandler handler;

  // value_options and switches together: what CheckArguments takes.
  std::set<std::string> Accepted() const;
};

// Every command, in the order of the usage text.
const std::vector<Command>& CommandTable();

// nullptr when there is no command of that name.
const Command* FindCommand(std::string_view name);

// The parser's vocabulary: the global options and every command's.
OptionNames KnownOptions();

// `slagent help`: the synopsis, the table's usage lines by section, the global
// options and the exit codes.
std::string UsageText();
// `slagent help COMMAND`, `slagent COMMAND --help`: that command's lines.
std::string CommandUsageText(const Command& command);

}  // namespace sl::cli
