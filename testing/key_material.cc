#include "testing/key_material.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "protocol/crypto.h"

namespace sl::test {

bool LoadsWithoutProvider(const std::string& pem) { return PrivateKey::FromPem(pem).ok(); }

std::vector<std::string> FilesWithPrivateKeys(const std::vector<std::string>& dirs) {
  std::vector<std::string> found;
  for (const std::string& dir : dirs) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      const std::string text = bytes.str();
      for (const char* header : {"BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY"}) {
        if (text.find(header) != std::string::npos) found.push_back(entry.path().string() + ": " + header);
      }
      // Any other kind of private key block must be useless without its provider.
      for (size_t at = text.find("-----BEGIN "); at != std::string::npos; at = text.find("-----BEGIN ", at + 1)) {
        size_t end_line = text.find("-----", at + 11);
        if (end_line == std::string::npos) break;
        std::string label = text.substr(at + 11, end_line - at - 11);
        if (label.find("PRIVATE KEY") == std::string::npos) continue;
        size_t end = text.find("-----END " + label + "-----", at);
        if (end == std::string::npos) continue;
        std::string block = text.substr(at, end - at + 14 + label.size()) + "\n";
        // Inside a JSON string its line breaks are escaped.
        for (size_t nl = block.find("\\n"); nl != std::string::npos; nl = block.find("\\n", nl)) {
          block.replace(nl, 2, "\n");
        }
        if (LoadsWithoutProvider(block)) found.push_back(entry.path().string() + ": a loadable " + label);
      }
    }
  }
  return found;
}

}  // namespace sl::test
