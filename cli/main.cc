// slagent: the Smart Licensing agent's command-line tool and daemon.
// Usage and exit codes: `slagent help`, README.md, cli/exit_codes.h.
#include "cli/commands.h"

int main(int argc, char** argv) { return sl::cli::Main(argc, argv); }
