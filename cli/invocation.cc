#include "cli/invocation.h"

#include <optional>

#include "base/files.h"
#include "base/text.h"

namespace sl::cli {

const OptionNames& GlobalOptions() {
  static const OptionNames kGlobal{{"--state-dir", "--key-dir"}, {"--json", "--help"}};
  return kGlobal;
}

std::string Invocation::Get(const std::string& option) const {
  auto it = options.find(option);
  return it == options.end() ? "" : it->second;
}

Result<Invocation> ParseInvocation(const std::vector<std::string>& args, const OptionNames& known) {
  Invocation inv;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
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
      return InvalidArgument("unknown option " + arg);
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

Result<std::string> ReadOperatorFile(const std::string& path, size_t max_bytes, const std::string& what) {
  Result<std::string> data = ReadFileCapped(path, max_bytes);
  if (!data.ok()) return InvalidArgument("the " + what + " file: " + data.status().message());
  return data;
}

Result<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  Result<std::string> data = ReadOperatorFile(path, 4096, what);
  if (!data.ok()) return data.status();
  std::string line = data->substr(0, data->find_first_of("\r\n"));
  while (!line.empty() && line.back() == ' ') line.pop_back();
  if (line.empty()) return InvalidArgument("the " + what + " file '" + path + "' is empty");
  return line;
}

}  // namespace sl::cli
