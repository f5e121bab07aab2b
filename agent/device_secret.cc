#include "agent/device_secret.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "protocol/crypto.h"

namespace sl {
namespace {

Result<std::string> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return InvalidArgument("odd number of hex digits");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("not hexadecimal");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

Result<std::string> HmacDeviceSecret::Mac(std::string_view data) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof(out),
                &out_len) == nullptr) {
    return Internal("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

Result<std::unique_ptr<HmacDeviceSecret>> LoadOrCreateDeviceSecretFile(const std::string& path) {
  // O_EXCL: two processes starting at once cannot both create (and disagree on) a key.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string hex = RandomHex(kDeviceSecretBytes) + "\n";
    bool ok = write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && fsync(fd) == 0;
    close(fd);
    if (!ok) {
      unlink(path.c_str());
      return Internal("cannot write the device secret file " + path + ": " + std::strerror(errno));
    }
  } else if (errno != EEXIST) {
    return Internal("cannot create the device secret file " + path + ": " + std::strerror(errno));
  }
  fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Internal("cannot read the device secret file " + path + ": " + std::strerror(errno));
  char buffer[256];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  close(fd);
  std::string text(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  Result<std::string> key = FromHex(text);
  if (!key.ok() || key->size() != kDeviceSecretBytes) {
    return DataLoss("the device secret file " + path + " is damaged (expected " +
                    std::to_string(2 * kDeviceSecretBytes) + " hex characters)");
  }
  return std::make_unique<HmacDeviceSecret>(std::move(key).value());
}

}  // namespace sl
