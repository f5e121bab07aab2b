// The slagent commands: parsing, running and printing. Main() is the whole program
// (main.cc only calls it), which keeps every command testable in-process.
// Thread-safety: Main() runs on the program's main thread.
#pragma once

namespace sl::cli {

int Main(int argc, char** argv);

}  // namespace sl::cli
