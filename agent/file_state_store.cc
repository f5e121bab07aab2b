#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/private_files.h"
#include "smartlicensing/state_store.h"

namespace sl {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<std::string> FileStateStore::Load() {
  // Never through a link: in a directory someone else could write, it would make the
  // agent read, and report on, a file of their choosing.
  Result<std::string> bytes = ReadPrivateFile(path_, kMaxStateBytes);
  if (bytes.ok()) return bytes;
  switch (bytes.status().code()) {
    case StatusCode::kNotFound:
      if (!witness_path_.empty() && Exists(witness_path_)) {
        return DataLoss("the licensing state file " + path_ +
                        " is missing although this device has saved licensing state before; restore it "
                        "from a backup, or factory-reset the device");
      }
      return NotFound("no licensing state saved yet at " + path_);
    case StatusCode::kFailedPrecondition:
      return DataLoss("the licensing state file " + path_ + " is larger than any state the agent writes");
    default:
      // A local storage problem (unreadable, a link, not a file): DataLoss, never
      // PermissionDenied, which callers read as a refusal by CSSM.
      return DataLoss("cannot read the licensing state: " + bytes.status().message());
  }
}

Status FileStateStore::Save(std::string_view bytes) {
  if (bytes.size() > kMaxStateBytes) return FailedPrecondition("licensing state too large to save");
  SL_RETURN_IF_ERROR(WriteFileAtomically(path_, bytes));
  if (!witness_path_.empty() && !Exists(witness_path_)) {
    SL_RETURN_IF_ERROR(WriteFileAtomically(
        witness_path_, "Smart Licensing state has been saved on this device; see " + path_ + "\n"));
  }
  // Temporary files of a writer killed mid-write (ours are renamed by now). One writer
  // at a time is the store's contract, so none of them is still being written. A
  // failure to clean is not a failure to save.
  (void)RemoveLeftoverTempFiles(path_);
  if (!witness_path_.empty()) (void)RemoveLeftoverTempFiles(witness_path_);
  return Status::Ok();
}

Status FileStateStore::Erase() {
  // The witness goes first, and for good (its directory synced), before the record: a
  // crash in between leaves the record without a witness, which opens as it is and gets
  // its witness back at the next save. The other order left a witness without a record,
  // which opens as DataLoss: a factory reset cut short would have needed another.
  if (!witness_path_.empty()) SL_RETURN_IF_ERROR(RemoveFileDurably(witness_path_));
  // "<path>.tmp" is the temporary name earlier versions used.
  for (const std::string& p : {path_, path_ + ".tmp"}) SL_RETURN_IF_ERROR(RemoveFile(p));
  SL_RETURN_IF_ERROR(RemoveLeftoverTempFiles(path_));
  if (!witness_path_.empty()) SL_RETURN_IF_ERROR(RemoveLeftoverTempFiles(witness_path_));
  return Status::Ok();
}

}  // namespace sl
