// The grammar of an slagent command line, and the checks every command makes of what
// it was given.
//
// A command line is words (the command and its arguments), options that take a value
// (`--name VALUE` or `--name=VALUE`) and switches (`--name`), in any order. Parsing
// knows only which option names exist and whether they take a value; which command
// accepts which of them is the command table's business (cli/command_table.h), so
// that "unknown option --x" (a typo anywhere) and "option --x does not apply here"
// (a real option given to the wrong command) stay two different errors.
//
// Every error here is InvalidArgument: the operator typed something wrong (exit 2).
// Thread-safety: plain values and pure functions (the file readers read the file
// system, nothing else).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "smartlicensing/status.h"

namespace sl::cli {

// The option names a command line may use.
struct OptionNames {
  std::set<std::string> value_options;  // --name VALUE
  std::set<std::string> switches;       // --name
};

// The options every command accepts: where the state is, how to answer, and help.
const OptionNames& GlobalOptions();

struct Invocation {
  std::vector<std::string> words;              // words[0], when present, is the command
  std::map<std::string, std::string> options;  // "--name" -> value; the last one given wins
  std::set<std::string> switches;              // "--name"
  bool json = false;                           // --json: answer with one JSON object

  bool Has(const std::string& option) const { return options.count(option) != 0; }
  // The option's value; "" when it was not given.
  std::string Get(const std::string& option) const;
  bool HasSwitch(const std::string& name) const { return switches.count(name) != 0; }
};

// The name in `known` closest to `typed` when it is a plausible typo (at most two
// letters added, dropped or changed, and fewer than half of them), else "".
std::string ClosestName(const std::string& typed, const std::set<std::string>& known);

// `args` is the command line without the program name. InvalidArgument for a name not
// in `known` ("unknown option --x", with a did-you-mean), or a value option at the end
// without its value.
Result<Invocation> ParseInvocation(const std::vector<std::string>& args, const OptionNames& known);

// Checks that the command got exactly `word_count` words (itself included) and no
// option or switch outside `accepted` and the global ones.
Status CheckArguments(const Invocation& invocation, size_t word_count, const std::set<std::string>& accepted);

// A whole number in [min, max]; the error names the option or argument (`what`).
Result<int64_t> ParseInteger(const std::string& text, int64_t min, int64_t max, const std::string& what);

// A file the operator named on the command line, at most `max_bytes`: any problem
// reading it is the operator's (InvalidArgument), not the state directory's.
Result<std::string> ReadOperatorFile(const std::string& path, size_t max_bytes, const std::string& what);

// The first line of a file holding a secret (a token, a proxy password), without its
// line ending or trailing spaces, so that `echo secret > file` works. Reading it from a
// file keeps the secret out of the process list and the shell history. "-" reads it
// from standard input (`pass show cssm-token | slagent register --token-file -`).
Result<std::string> ReadSecretFile(const std::string& path, const std::string& what);

// A backup's passphrase from a file ("-": standard input): all of it but one trailing
// line ending, so that a passphrase may hold spaces. InvalidArgument when it is empty;
// no message holds the passphrase.
Result<std::string> ReadPassphraseFile(const std::string& path);

}  // namespace sl::cli
