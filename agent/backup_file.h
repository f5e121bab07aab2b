// The encrypted backup file (docs/backup.md): the portable state record (agent_state.h,
// secrets in clear) encrypted with AES-256-GCM under a key derived from the operator's
// passphrase with scrypt. The header (magic, version, algorithms, scrypt parameters,
// salt, nonce) is authenticated as associated data, so no byte of the file can change
// unnoticed:
//
//   offset size
//        0    8  magic "SLBACKUP"
//        8    1  format version (1)
//        9    1  cipher (1: AES-256-GCM)
//       10    1  key derivation (1: scrypt)
//       11    1  scrypt log2(N)
//       12    4  scrypt r (big-endian)
//       16    4  scrypt p (big-endian)
//       20   16  salt (random)
//       36   12  nonce (random)
//       48    n  ciphertext of the record
//     48+n   16  GCM tag
//
// Reading bounds the scrypt parameters (memory and work), so a crafted file cannot
// make a restore take gigabytes or hours.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

struct ScryptParameters {
  // 32 MiB and about a tenth of a second: costly for a guesser, cheap for a restore.
  int log2_n = 15;
  uint32_t r = 8;
  uint32_t p = 1;
};

constexpr size_t kBackupHeaderBytes = 48;
// The most memory (128 * r * N bytes) and work (N * r * p) a file may ask of scrypt.
constexpr uint64_t kMaxScryptMemoryBytes = 256ull * 1024 * 1024;
constexpr uint64_t kMaxScryptWork = uint64_t{1} << 24;

// Whether `file` is an encrypted backup (begins with the magic), whatever its state.
bool IsEncryptedBackup(std::string_view file);

// The encrypted file holding `record`, with a fresh salt and nonce.
// InvalidArgument for an empty passphrase or parameters EncryptBackup would refuse to
// read back.
Result<std::string> EncryptBackup(std::string_view record, std::string_view passphrase,
                                  const ScryptParameters& parameters = {});

// The record inside `file`. REQUIRES: nothing; any input is safe.
//   InvalidArgument     an empty passphrase;
//   FailedPrecondition  a version, cipher or key derivation this agent does not know;
//   DataLoss            a truncated file, parameters out of bounds, or a file that does
//                       not authenticate: the wrong passphrase or a damaged file (GCM
//                       cannot tell them apart).
Result<std::string> DecryptBackup(std::string_view file, std::string_view passphrase);

}  // namespace sl
