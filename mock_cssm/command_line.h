// The mock-cssm binary's command line (docs/mock-cssm.md): its usage text, and the
// parser that turns argv into the server's options or a usage error.
// Thread-safety: ParseCommandLine reads the admin token file, if one is named, and
// is otherwise a pure function.
#pragma once

#include <string>

#include "smartlicensing/mock_cssm.h"
#include "smartlicensing/status.h"

namespace sl::mock {

extern const char kUsage[];

// What the command line asks for: the usage text, or a server with these options.
struct Invocation {
  bool help = false;
  ServerOptions options;  // when !help
};

// Parses argv[1..argc). Every error (unknown option, missing or bad value, a
// non-loopback address without --allow-non-loopback, an unreadable admin token
// file) is InvalidArgument with the sentence to show before the usage hint.
Result<Invocation> ParseCommandLine(int argc, const char* const* argv);

}  // namespace sl::mock
