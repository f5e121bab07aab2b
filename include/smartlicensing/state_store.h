// StateStore: where the agent keeps its one state record (configuration, device key,
// ID certificate, timers, grants), as opaque bytes.
//
// The agent seals the bytes itself (see device_secret.h), so a store only has to be
// atomic: after a power loss at any instant, Load() returns either the previous or
// the new record, never a mixture. FileStateStore does this with the classic
// sequence: write a temporary file, fsync it, rename it over the old file, fsync the
// directory. Public API. Thread-safety: the agent calls a store from one thread at a
// time.
#pragma once

#include <string>
#include <string_view>

#include "smartlicensing/status.h"

namespace sl {

class StateStore {
 public:
  virtual ~StateStore() = default;
  // The last record saved. NotFound when this device has never saved one; DataLoss
  // when the record vanished although the store knows one was saved, or cannot be
  // read. (Never PermissionDenied: the agent's callers read it as a refusal by CSSM.)
  virtual Result<std::string> Load() = 0;
  // Replaces the record atomically: on failure the previous record is still there.
  // FailedPrecondition when the record is larger than the store accepts; DataLoss
  // when it cannot be written (a full disk, a read-only file system).
  virtual Status Save(std::string_view bytes) = 0;
  // Removes the record and every trace of it (factory reset).
  virtual Status Erase() = 0;
};

// The record in one file. `witness_path`, when not empty, names a small file kept
// OUTSIDE the state directory (e.g. next to the device secret) that records that a
// state was once saved, so that deleting the state file is reported as DataLoss
// instead of looking like a factory-new device (which would restart the evaluation).
// Save() also removes the temporary files a writer killed mid-write left behind. The
// file is never read or written through a symbolic link; a new one is mode 0600.
// REQUIRES: one writer at a time per path (slagent holds its state directory's lock);
// readers may run alongside.
class FileStateStore final : public StateStore {
 public:
  explicit FileStateStore(std::string path, std::string witness_path = "")
      : path_(std::move(path)), witness_path_(std::move(witness_path)) {}

  Result<std::string> Load() override;
  Status Save(std::string_view bytes) override;
  Status Erase() override;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string witness_path_;
};

// The largest state record a store accepts: far above a real record (about 8 KiB
// with 256 license lines), small enough that a runaway write cannot fill a disk.
constexpr size_t kMaxStateBytes = 1024 * 1024 - 1;

}  // namespace sl
