// The whole slagent program, from a command line to an exit code: parse the line
// (cli/invocation.h), find the command in the table (cli/command_table.h), run its
// handler, answer on the given streams (cli/output.h). main.cc only passes std::cout
// and std::cerr, so every command can run in-process in a test with string streams.
// Thread-safety: one call at a time, from the main thread: commands read the
// environment ($SLAGENT_STATE_DIR), `run` blocks signals on the calling thread.
// Commands that write serialise on the state directory's lock, also across processes.
#pragma once

#include <ostream>

namespace sl::cli {

// argv[0] is the program's name and is not read. Returns the exit code
// (cli/exit_codes.h): no command prints the usage and exits 2, `help` or --help
// prints it and exits 0.
int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace sl::cli
