#include "cli/invocation.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/files.h"
#include "base/text.h"

namespace sl::cli {

const OptionNames& GlobalOptions() {
  static const OptionNames kGlobal{{"--state-dir", "--key-dir", "--key-provider", "--key-uri"},
                                   {"--json", "--help", "--version"}};
  return kGlobal;
}

namespace {

// Levenshtein distance, for did-you-mean on names of a few letters.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestName(const std::string& typed, const std::set<std::string>& known) {
  std::string best;
  size_t best_distance = 3;
  for (const std::string& name : known) {
    size_t d = EditDistance(typed, name);
    if (d < best_distance && 2 * d < name.size()) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

std::string Invocation::Get(const std::string& option) const {
  auto it = options.find(option);
  return it == options.end() ? "" : it->second;
}

Result<Invocation> ParseInvocation(const std::vector<std::string>& args, const OptionNames& known) {
  Invocation inv;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i] == "-h" ? "--help" : args[i];  // the short form every tool knows
    // "--" alone is a word, like any other that does not start with "--".
    if (arg.size() <= 2 || arg.compare(0, 2, "--") != 0) {
      inv.words.push_back(arg);
      continue;
    }
    std::string value;
    size_t eq = arg.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (known.switches.count(arg) != 0 && !inline_value) {
      inv.switches.insert(arg);
    } else if (known.value_options.count(arg) != 0) {
      if (!inline_value) {
        if (i + 1 >= args.size()) return InvalidArgument("option " + arg + " needs a value");
        value = args[++i];
      }
      inv.options[arg] = value;
    } else {
      // Also a switch given a value (--json=1): a switch takes none.
      std::set<std::string> names = known.value_options;
      names.insert(known.switches.begin(), known.switches.end());
      std::string closest = ClosestName(arg, names);
      return InvalidArgument("unknown option " + arg + (closest.empty() || closest == arg ? "" : "; did you mean " + closest + "?"));
    }
  }
  inv.json = inv.HasSwitch("--json");
  return inv;
}

Status CheckArguments(const Invocation& inv, size_t word_count, const std::set<std::string>& accepted) {
  if (inv.words.size() < word_count) return InvalidArgument("'" + inv.words[0] + "' is missing an argument");
  if (inv.words.size() > word_count) return InvalidArgument("unexpected argument '" + inv.words[word_count] + "'");
  const OptionNames& global = GlobalOptions();
  for (const auto& [option, value] : inv.options) {
    if (global.value_options.count(option) != 0) continue;
    if (accepted.count(option) == 0) return InvalidArgument("option " + option + " does not apply here");
  }
  for (const std::string& name : inv.switches) {
    if (global.switches.count(name) != 0) continue;
    if (accepted.count(name) == 0) return InvalidArgument("option " + name + " does not apply here");
  }
  return Status::Ok();
}

Result<int64_t> ParseInteger(const std::string& text, int64_t min, int64_t max, const std::string& what) {
  std::optional<int64_t> n = ParseDecimal(text, min, max);
  if (!n) {
    return InvalidArgument(what + " must be a whole number between " + std::to_string(min) + " and " +
                           std::to_string(max) + ", not '" + text + "'");
  }
  return *n;
}

namespace {

// At most `max_bytes` of standard input, for a secret piped in.
Result<std::string> ReadStandardInput(size_t max_bytes, const std::string& what) {
  std::string data;
  char buffer[1024];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InvalidArgument("cannot read the " + what + " from standard input: " + std::strerror(errno));
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > max_bytes) return InvalidArgument("the " + what + " on standard input is too long");
  }
  return data;
}

}  // namespace

Result<std::string> ReadOperatorFile(const std::string& path, size_t max_bytes, const std::string& what) {
  Result<std::string> data = ReadFileCapped(path, max_bytes);
  if (!data.ok()) return InvalidArgument("the " + what + " file: " + data.status().message());
  return data;
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  Result<std::string> data = path == "-" ? ReadStandardInput(4096, what) : ReadOperatorFile(path, 4096, what);
  if (!data.ok()) return data.status();
  std::string line = data->substr(0, data->find_first_of("\r\n"));
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.empty()) return InvalidArgument("the " + what + " file '" + path + "' is empty");
  return line;
}

Result<std::string> ReadPassphraseFile(const std::string& path) {
  Result<std::string> data =
      path == "-" ? ReadStandardInput(4096, "passphrase") : ReadOperatorFile(path, 4096, "passphrase");
  if (!data.ok()) return data.status();
  std::string passphrase = std::move(data).value();
  // One line ending, as `echo` or an editor leaves it; nothing else is trimmed.
  for (std::string_view ending : {"\r\n", "\n"}) {
    if (passphrase.size() >= ending.size() &&
        passphrase.compare(passphrase.size() - ending.size(), ending.size(), ending) == 0) {
      passphrase.resize(passphrase.size() - ending.size());
      break;
    }
  }
  if (passphrase.empty()) return InvalidArgument("the passphrase file '" + path + "' is empty");
  return passphrase;
}

}  // namespace sl::cli
