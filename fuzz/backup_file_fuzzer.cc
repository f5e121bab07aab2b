// Fuzzes the encrypted backup file (agent/backup_file.h DecryptBackup), which an operator
// hands `slagent restore`. Inputs whose first byte is 'E' are encrypted first (with the
// cheapest scrypt the reader accepts) so that mutations of the rest also exercise a file
// that authenticates; any other input is read as a backup file as is, but only when the
// scrypt work its header asks for is small (a restore may take a second, an execution
// may not). Properties: no crash or leak whatever the file; a file that decrypts is
// re-encrypted and decrypts back to the same record; a wrong passphrase never opens it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/backup_file.h"
#include "fuzz/fuzz_support.h"

namespace {

constexpr char kPassphrase[] = "fuzz passphrase";
const sl::ScryptParameters kCheap{10, 8, 1};  // the least the reader accepts

// The work (N * r * p) the header asks for; 0 when there is no whole header.
uint64_t ClaimedWork(std::string_view file) {
  if (file.size() < sl::kBackupHeaderBytes) return 0;
  auto u32 = [&](size_t at) {
    return (uint32_t{static_cast<uint8_t>(file[at])} << 24) | (uint32_t{static_cast<uint8_t>(file[at + 1])} << 16) |
           (uint32_t{static_cast<uint8_t>(file[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(file[at + 3])};
  };
  unsigned log2_n = static_cast<uint8_t>(file[11]);
  if (log2_n > 40) return UINT64_MAX;
  return (uint64_t{1} << log2_n) * u32(12) * u32(16);
}

void CheckRoundTrip(const std::string& record) {
  sl::Result<std::string> again = sl::EncryptBackup(record, kPassphrase, kCheap);
  if (!again.ok()) return;  // e.g. a record too large to be a backup
  sl::Result<std::string> back = sl::DecryptBackup(*again, kPassphrase);
  if (!back.ok() || *back != record) std::abort();
  if (sl::DecryptBackup(*again, "another passphrase").ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = sl::fuzz::AsText(data, size);
  if (!input.empty() && input[0] == 'E') {
    sl::Result<std::string> file = sl::EncryptBackup(input.substr(1), kPassphrase, kCheap);
    if (file.ok()) {
      sl::Result<std::string> back = sl::DecryptBackup(*file, kPassphrase);
      if (!back.ok() || *back != input.substr(1)) std::abort();
    }
    return 0;
  }
  if (ClaimedWork(input) > (uint64_t{1} << 14)) return 0;  // refused or slow: bounded elsewhere
  sl::Result<std::string> record = sl::DecryptBackup(input, kPassphrase);
  if (record.ok()) CheckRoundTrip(*record);
  return 0;
}
