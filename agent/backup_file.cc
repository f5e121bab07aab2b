#include "agent/backup_file.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

#include "agent/aes_gcm.h"
#include "base/secrets.h"
#include "smartlicensing/state_store.h"

namespace sl {
namespace {

constexpr std::string_view kMagic = "SLBACKUP";
constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kCipherAes256Gcm = 1;
constexpr uint8_t kKdfScrypt = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kSaltAt = 20;
constexpr size_t kNonceAt = kSaltAt + kSaltBytes;
static_assert(kNonceAt + kAesGcmNonceBytes == kBackupHeaderBytes);
// The smallest N worth calling a key derivation.
constexpr int kMinLog2N = 10;

void PutUint32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t GetUint32(std::string_view in) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// OK when a file may ask for `p`: enough to mean something, within the bounds.
Status CheckParameters(const ScryptParameters& p) {
  if (p.log2_n < kMinLog2N || p.log2_n > 30 || p.r < 1 || p.p < 1 || p.r > 1024 || p.p > 1024) {
    return DataLoss("its key derivation parameters are out of range");
  }
  const uint64_t n = uint64_t{1} << p.log2_n;
  if (128 * n * p.r > kMaxScryptMemoryBytes || n * p.r * p.p > kMaxScryptWork) {
    return DataLoss("its key derivation parameters ask for more memory or time than a backup may");
  }
  return Status::Ok();
}

using KdfContext = std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)>;

// The AES key scrypt derives from `passphrase`. REQUIRES: CheckParameters(p) is OK.
Result<std::string> DeriveKey(std::string_view passphrase, std::string_view salt, const ScryptParameters& p) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  KdfContext ctx(kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr, &EVP_KDF_CTX_free);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Internal("OpenSSL has no scrypt");
  uint64_t n = uint64_t{1} << p.log2_n;
  uint32_t r = p.r;
  uint32_t par = p.p;
  // OpenSSL refuses above its own ceiling; ours is lower, and checked before.
  uint64_t max_memory = 2 * kMaxScryptMemoryBytes;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(passphrase.data()),
                                        passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &par),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
      OSSL_PARAM_construct_end(),
  };
  std::string key(kAesGcmKeyBytes, '\0');
  if (EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(key.data()), key.size(), params) != 1) {
    return Internal("scrypt failed (out of memory?)");
  }
  return key;
}

// Wipes a key when it goes out of scope.
struct WipedOnExit {
  std::string& bytes;
  ~WipedOnExit() { WipeSecret(bytes); }
};

std::string Header(const ScryptParameters& p, std::string_view salt, std::string_view nonce) {
  std::string h(kMagic);
  h.push_back(static_cast<char>(kFormatVersion));
  h.push_back(static_cast<char>(kCipherAes256Gcm));
  h.push_back(static_cast<char>(kKdfScrypt));
  h.push_back(static_cast<char>(p.log2_n));
  PutUint32(h, p.r);
  PutUint32(h, p.p);
  h.append(salt).append(nonce);
  return h;
}

}  // namespace

bool IsEncryptedBackup(std::string_view file) { return file.substr(0, kMagic.size()) == kMagic; }

Result<std::string> EncryptBackup(std::string_view record, std::string_view passphrase,
                                  const ScryptParameters& parameters) {
  if (passphrase.empty()) return InvalidArgument("the backup passphrase is empty");
  if (Status s = CheckParameters(parameters); !s.ok()) {
    return InvalidArgument("scrypt parameters a restore would refuse: " + s.message());
  }
  const std::string salt = RandomBytes(kSaltBytes);
  const std::string nonce = RandomBytes(kAesGcmNonceBytes);
  Result<std::string> key = DeriveKey(passphrase, salt, parameters);
  if (!key.ok()) return key.status();
  WipedOnExit wipe{*key};
  std::string header = Header(parameters, salt, nonce);
  Result<std::string> sealed = AesGcmSeal(*key, nonce, header, record);
  if (!sealed.ok()) return sealed.status();
  return header + *sealed;
}

Result<std::string> DecryptBackup(std::string_view file, std::string_view passphrase) {
  if (passphrase.empty()) return InvalidArgument("the backup passphrase is empty");
  if (!IsEncryptedBackup(file)) return DataLoss("it is not an encrypted backup");
  if (file.size() < kBackupHeaderBytes + kAesGcmTagBytes) return DataLoss("it is truncated");
  if (file.size() > kBackupHeaderBytes + kMaxStateBytes + kAesGcmTagBytes) return DataLoss("it is too large");
  const std::string_view header = file.substr(0, kBackupHeaderBytes);
  if (static_cast<uint8_t>(header[8]) != kFormatVersion) {
    return FailedPrecondition("it has format version " + std::to_string(static_cast<uint8_t>(header[8])) +
                              "; this agent reads version 1");
  }
  if (static_cast<uint8_t>(header[9]) != kCipherAes256Gcm || static_cast<uint8_t>(header[10]) != kKdfScrypt) {
    return FailedPrecondition("it names a cipher or key derivation this agent does not know");
  }
  ScryptParameters p;
  p.log2_n = static_cast<uint8_t>(header[11]);
  p.r = GetUint32(header.substr(12, 4));
  p.p = GetUint32(header.substr(16, 4));
  if (Status s = CheckParameters(p); !s.ok()) return s;
  Result<std::string> key = DeriveKey(passphrase, header.substr(kSaltAt, kSaltBytes), p);
  if (!key.ok()) return key.status();
  WipedOnExit wipe{*key};
  Result<std::string> record =
      AesGcmOpen(*key, header.substr(kNonceAt, kAesGcmNonceBytes), header, file.substr(kBackupHeaderBytes));
  if (!record.ok() && record.status().code() == StatusCode::kDataLoss) {
    return DataLoss("wrong passphrase or damaged file");
  }
  return record;
}

}  // namespace sl
