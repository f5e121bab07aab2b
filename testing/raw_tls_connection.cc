#include "testing/raw_tls_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace sl::test {

namespace {

int MillisecondsUntil(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits until `fd` is ready for `events` (or the deadline); false on timeout.
bool WaitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, MillisecondsUntil(deadline)) > 0;
}

}  // namespace

std::unique_ptr<RawTlsConnection> RawTlsConnection::Tcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return nullptr;
  }
  return std::unique_ptr<RawTlsConnection>(new RawTlsConnection(fd));
}

std::unique_ptr<RawTlsConnection> RawTlsConnection::Tls(int port, std::chrono::milliseconds timeout) {
  std::unique_ptr<RawTlsConnection> c = Tcp(port);
  if (!c) return nullptr;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  fcntl(c->fd_, F_SETFL, fcntl(c->fd_, F_GETFL) | O_NONBLOCK);
  c->ctx_ = SSL_CTX_new(TLS_client_method());
  c->ssl_ = c->ctx_ != nullptr ? SSL_new(c->ctx_) : nullptr;
  if (c->ssl_ == nullptr) return nullptr;
  SSL_set_fd(c->ssl_, c->fd_);
  for (;;) {
    int r = SSL_connect(c->ssl_);
    if (r == 1) return c;
    int e = SSL_get_error(c->ssl_, r);
    short events = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0 || !WaitFor(c->fd_, events, deadline)) return nullptr;
  }
}

RawTlsConnection::~RawTlsConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

bool RawTlsConnection::SendPlain(std::string_view bytes) {
  return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

bool RawTlsConnection::Send(std::string_view bytes) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!bytes.empty()) {
    int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if ((e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) || !WaitFor(fd_, POLLOUT, deadline)) return false;
  }
  return true;
}

RawTlsConnection::Outcome RawTlsConnection::StreamChunkedBody(const std::string& head, size_t max_body_bytes,
                                                              std::chrono::steady_clock::time_point deadline) {
  Outcome out;
  if (!Send(head)) {
    out.server_closed = true;
    return out;
  }
  constexpr size_t kChunk = 64 * 1024;
  const std::string chunk = "10000\r\n" + std::string(kChunk, 'x') + "\r\n";
  while (out.body_bytes_sent < max_body_bytes) {
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    if (poll(&p, 1, MillisecondsUntil(deadline)) <= 0) {
      out.timed_out = true;
      return out;
    }
    if ((p.revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      // The server answered or closed; or only sent TLS 1.3 session tickets.
      char buf[4096];
      int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n > 0) {
        out.answer.append(buf, static_cast<size_t>(n));
        break;
      }
      if (SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ) continue;
      out.server_closed = true;
      return out;
    }
    // SSL_write of a whole record: retried with the same buffer until it goes.
    int n = SSL_write(ssl_, chunk.data(), static_cast<int>(chunk.size()));
    if (n > 0) {
      out.body_bytes_sent += kChunk;
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) {
      out.server_closed = true;
      break;
    }
  }
  ReadUntilClosed(out, deadline);
  return out;
}

void RawTlsConnection::ReadUntilClosed(Outcome& out, std::chrono::steady_clock::time_point deadline) {
  char buf[16 * 1024];
  for (;;) {
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      out.answer.append(buf, static_cast<size_t>(n));
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      out.server_closed = true;
      return;
    }
    if (!WaitFor(fd_, POLLIN, deadline)) {
      out.timed_out = out.answer.empty();
      return;
    }
  }
}

}  // namespace sl::test
