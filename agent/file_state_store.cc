#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "agent/state_store.h"

namespace sl {
namespace {

std::string Errno() { return std::strerror(errno); }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("write failed: " + Errno());
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

namespace {

// Temporary files are "<path>.tmp.XXXXXX" (mkstemp), next to `path` so that the rename
// or link stays within one file system.
constexpr const char* kTempInfix = ".tmp.";
constexpr size_t kTempSuffixLength = 6;

// Creates a new temporary file next to `path` with mkstemp (O_EXCL: never an existing
// file or a symlink someone planted), mode 0600, writes `bytes` and fsyncs it. Returns
// its name; on failure nothing is left behind.
Result<std::string> WriteTempFile(const std::string& path, std::string_view bytes) {
  std::string name = path + kTempInfix + std::string(kTempSuffixLength, 'X');
  int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return Internal("cannot create a temporary file for " + path + ": " + Errno());
  Status written;
  if (fchmod(fd, 0600) != 0) written = Internal("cannot make " + name + " owner-only: " + Errno());
  if (written.ok()) written = WriteAll(fd, bytes);
  if (written.ok() && fsync(fd) != 0) written = Internal("fsync of " + name + " failed: " + Errno());
  if (close(fd) != 0 && written.ok()) written = Internal("close of " + name + " failed: " + Errno());
  if (!written.ok()) {
    unlink(name.c_str());
    return written;
  }
  return name;
}

// A rename or link is durable only once the directory entry is on disk.
Status SyncDirectoryOf(const std::string& path) {
  const std::string dir = DirectoryOf(path);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Internal("cannot open directory " + dir + ": " + Errno());
  int rc = fsync(dfd);
  close(dfd);
  if (rc != 0) return Internal("fsync of directory " + dir + " failed: " + Errno());
  return Status::Ok();
}

// Removes the temporary files a crash may have left next to `path` (they may hold a
// copy of the state, private key included).
Status RemoveLeftoverTempFiles(const std::string& path) {
  const std::string dir = DirectoryOf(path);
  size_t slash = path.rfind('/');
  const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + kTempInfix;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return errno == ENOENT ? Status::Ok() : Internal("cannot list " + dir + ": " + Errno());
  Status result;
  while (struct dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name.size() != prefix.size() + kTempSuffixLength || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string full = dir + "/" + name;
    if (unlink(full.c_str()) != 0 && errno != ENOENT && result.ok()) {
      result = Internal("cannot remove " + full + ": " + Errno());
    }
  }
  closedir(d);
  return result;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  Result<std::string> temp = WriteTempFile(path, bytes);
  if (!temp.ok()) return Internal("cannot save " + path + ": " + temp.status().message());
  if (rename(temp->c_str(), path.c_str()) != 0) {
    Status s = Internal("cannot rename " + *temp + " to " + path + ": " + Errno());
    unlink(temp->c_str());
    return s;
  }
  return SyncDirectoryOf(path);
}

Status CreateFileAtomically(const std::string& path, std::string_view bytes) {
  Result<std::string> temp = WriteTempFile(path, bytes);
  if (!temp.ok()) return Internal("cannot create " + path + ": " + temp.status().message());
  // link() never replaces: of two processes creating the file at once, one wins and the
  // other gets EEXIST; and the name appears only with the complete, synced content.
  int rc = link(temp->c_str(), path.c_str());
  int link_errno = errno;
  unlink(temp->c_str());
  if (rc != 0) {
    if (link_errno == EEXIST) return AlreadyExists(path + " already exists");
    return Internal("cannot create " + path + ": " + std::strerror(link_errno));
  }
  return SyncDirectoryOf(path);
}

Result<std::string> FileStateStore::Load() {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return Internal("cannot open the licensing state " + path_ + ": " + Errno());
    if (!witness_path_.empty() && Exists(witness_path_)) {
      return DataLoss("the licensing state file " + path_ +
                      " is missing although this device has saved licensing state before; restore it "
                      "from a backup, or factory-reset the device");
    }
    return NotFound("no licensing state saved yet at " + path_);
  }
  std::string bytes;
  char buffer[16384];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return Internal("cannot read the licensing state " + path_ + ": " + Errno());
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (bytes.size() > kMaxStateBytes) {
      close(fd);
      return DataLoss("the licensing state file " + path_ + " is larger than any state the agent writes");
    }
  }
  close(fd);
  return bytes;
}

Status FileStateStore::Save(std::string_view bytes) {
  if (bytes.size() > kMaxStateBytes) return FailedPrecondition("licensing state too large to save");
  SL_RETURN_IF_ERROR(WriteFileAtomically(path_, bytes));
  if (!witness_path_.empty() && !Exists(witness_path_)) {
    SL_RETURN_IF_ERROR(WriteFileAtomically(
        witness_path_, "Smart Licensing state has been saved on this device; see " + path_ + "\n"));
  }
  return Status::Ok();
}

Status FileStateStore::Erase() {
  // "<path>.tmp" is the temporary name earlier versions used.
  for (const std::string& p : {path_, path_ + ".tmp", witness_path_}) {
    if (!p.empty() && unlink(p.c_str()) != 0 && errno != ENOENT) {
      return Internal("cannot remove " + p + ": " + Errno());
    }
  }
  SL_RETURN_IF_ERROR(RemoveLeftoverTempFiles(path_));
  if (!witness_path_.empty()) SL_RETURN_IF_ERROR(RemoveLeftoverTempFiles(witness_path_));
  return Status::Ok();
}

}  // namespace sl
