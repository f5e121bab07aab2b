#include "fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/json.h"

namespace sl::fuzz {
namespace {

std::string ReadPki(const std::string& name) {
  std::ifstream in(std::string(SL_FUZZ_PKI_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  Check(in.good() || in.eof(), "the test PKI is readable", name);
  return text.str();
}

}  // namespace

void Check(bool holds, const char* what, std::string_view detail) {
  if (holds) return;
  std::fprintf(stderr, "fuzz check failed: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

const PrivateKey& CssmKey() {
  static const PrivateKey* key = new PrivateKey(PrivateKey::FromPem(ReadPki("cssm-signing.key")).value());
  return *key;
}

const Certificate& CssmCertificate() {
  static const Certificate* cert = new Certificate(Certificate::FromPem(ReadPki("cssm-signing.crt")).value());
  return *cert;
}

std::string Expand(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    const std::string mark = "$" + name + "$";
    for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at + value.size())) {
      text.replace(at, mark.size(), value);
    }
  }
  return text;
}

std::string JsonEscaped(std::string_view text) {
  JsonWriter w;
  w.Value(text);
  std::string quoted = w.str();
  return quoted.substr(1, quoted.size() - 2);
}

}  // namespace sl::fuzz
