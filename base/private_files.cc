#include "base/private_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/files.h"

namespace sl {
namespace {

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Why `path`, which lstat describes as `st`, is not a file to open; "" when it is one.
std::string NotARegularFile(const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "is a symbolic link, which is never followed here";
  if (!S_ISREG(st.st_mode)) return "is not a regular file";
  return "";
}

// O_NOFOLLOW | O_NONBLOCK (a FIFO planted in the directory must not block the open),
// then a check that what was opened is a regular file. Cleared O_NONBLOCK afterwards
// does not matter: it has no effect on regular files.
Result<int> OpenNoFollow(const std::string& path, int flags, mode_t mode) {
  struct stat st{};
  // Refused before opening when possible: opening a device may act on it.
  if (lstat(path.c_str(), &st) == 0 && !NotARegularFile(st).empty()) {
    return DataLoss(Quoted(path) + " " + NotARegularFile(st) + ": remove it");
  }
  int fd = open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(Quoted(path) + " does not exist");
    if (errno == ELOOP) return DataLoss(Quoted(path) + " is a symbolic link, which is never followed here: remove it");
    return DataLoss("cannot open " + Quoted(path) + ": " + FileErrorText(errno));
  }
  if (fstat(fd, &st) != 0 || !NotARegularFile(st).empty()) {
    close(fd);
    return DataLoss(Quoted(path) + " is not a regular file: remove it");
  }
  return fd;
}

}  // namespace

Status CheckPrivateDirectory(const std::string& dir, const std::string& what) {
  struct stat st{};
  if (stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(what + " " + Quoted(dir) + " does not exist");
    return DataLoss("cannot read " + what + " " + Quoted(dir) + ": " + FileErrorText(errno));
  }
  if (!S_ISDIR(st.st_mode)) return DataLoss(what + " " + Quoted(dir) + " is not a directory");
  const uid_t me = geteuid();
  if (me != 0 && st.st_uid != me && st.st_uid != 0) {
    return DataLoss(what + " " + Quoted(dir) + " belongs to user " + std::to_string(st.st_uid) + ", not to you (user " +
                    std::to_string(me) + ") or root, who could replace its files: run slagent as its owner, or, as "
                    "root, 'chown " + std::to_string(me) + " " + dir + "'");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return DataLoss(what + " " + Quoted(dir) + " is writable by group or others (mode " + Octal(st.st_mode) +
                    "), who could plant links to files elsewhere in it: run 'chmod 700 " + dir + "'");
  }
  return Status::Ok();
}

Result<std::string> ReadPrivateFile(const std::string& path, size_t max_bytes) {
  Result<int> fd = OpenNoFollow(path, O_RDONLY, 0);
  if (!fd.ok()) return fd.status();
  return ReadOpenFileCapped(*fd, path, max_bytes);
}

Result<std::string> ReadKeyFile(const std::string& path, size_t max_bytes) {
  Result<int> fd = OpenNoFollow(path, O_RDONLY, 0);
  if (!fd.ok()) return fd.status();
  struct stat st{};
  if (fstat(*fd, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    close(*fd);
    return DataLoss(Quoted(path) + " may be read or written by group or others (mode " + Octal(st.st_mode) +
                    "): whoever read it holds the key; run 'chmod 600 " + path + "'");
  }
  return ReadOpenFileCapped(*fd, path, max_bytes);
}

Result<int> OpenPrivateFile(const std::string& path, int flags) {
  Result<int> fd = OpenNoFollow(path, flags | O_CREAT, 0600);
  if (!fd.ok()) return fd.status();
  struct stat st{};
  if (fstat(*fd, &st) != 0 || st.st_nlink != 1) {
    close(*fd);
    return DataLoss(Quoted(path) + " has other hard links, so writing it would change another file: remove it");
  }
  if (Status given = GiveToDirectoryOwner(*fd, DirectoryOf(path)); !given.ok()) {
    close(*fd);
    return given;
  }
  return fd;
}

Status AppendToPrivateFile(const std::string& path, std::string_view line, bool sync) {
  Result<int> opened = OpenPrivateFile(path, O_WRONLY | O_APPEND);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  Status result;
  struct stat st{};
  if (flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
    result = DataLoss("cannot append to " + Quoted(path) + ": " + FileErrorText(errno));
  } else {
    ssize_t written = write(fd, line.data(), line.size());
    const int error = errno;
    if (written != static_cast<ssize_t>(line.size())) {
      if (written > 0) (void)ftruncate(fd, st.st_size);  // no half line
      result = DataLoss("cannot append to " + Quoted(path) + ": " + FileErrorText(written < 0 ? error : ENOSPC));
    } else if (sync && fsync(fd) != 0) {
      result = DataLoss("cannot write " + Quoted(path) + " to disk: " + FileErrorText(errno));
    }
  }
  close(fd);  // releases the flock
  return result;
}

}  // namespace sl
