#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string temp = path + ".tmp";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create " + temp + ": " + Errno());
  Status written = WriteAll(fd, bytes);
  if (written.ok() && fsync(fd) != 0) written = Internal("fsync of " + temp + " failed: " + Errno());
  if (close(fd) != 0 && written.ok()) written = Internal("close of " + temp + " failed: " + Errno());
  if (!written.ok()) {
    unlink(temp.c_str());
    return Internal("cannot save " + path + ": " + written.message());
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    Status s = Internal("cannot rename " + temp + " to " + path + ": " + Errno());
    unlink(temp.c_str());
    return s;
  }
  // The rename is durable only once the directory entry is on disk.
  const std::string dir = DirectoryOf(path);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Internal("cannot open directory " + dir + ": " + Errno());
  int rc = fsync(dfd);
  close(dfd);
  if (rc != 0) return Internal("fsync of directory " + dir + " failed: " + Errno());
  return Status::Ok();
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
  if (bytes.size() > kMaxStateBytes) return ResourceExhausted("licensing state too large to save");
  SL_RETURN_IF_ERROR(WriteFileAtomically(path_, bytes));
  if (!witness_path_.empty() && !Exists(witness_path_)) {
    SL_RETURN_IF_ERROR(WriteFileAtomically(
        witness_path_, "Smart Licensing state has been saved on this device; see " + path_ + "\n"));
  }
  return Status::Ok();
}

Status FileStateStore::Erase() {
  for (const std::string& p : {path_, path_ + ".tmp", witness_path_}) {
    if (!p.empty() && unlink(p.c_str()) != 0 && errno != ENOENT) {
      return Internal("cannot remove " + p + ": " + Errno());
    }
  }
  return Status::Ok();
}

}  // namespace sl
