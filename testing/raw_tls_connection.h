// A hand-driven connection to a local TLS server, for tests that must misbehave as a
// client where no HTTP library would: hold a bare TCP connection idle, stall in the
// middle of the TLS handshake or of the request headers, or stream a chunked body
// without end. The server's certificate is not verified (these tests are about
// resources, not trust).
// Thread-safety: one object per thread.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sl::test {

class RawTlsConnection {
 public:
  // A TCP connection to 127.0.0.1:`port`; nullptr when it cannot be made.
  static std::unique_ptr<RawTlsConnection> Tcp(int port);
  // A TCP connection and a completed TLS handshake (at most `timeout`); nullptr on failure.
  static std::unique_ptr<RawTlsConnection> Tls(int port, std::chrono::milliseconds timeout);
  ~RawTlsConnection();
  RawTlsConnection(const RawTlsConnection&) = delete;
  RawTlsConnection& operator=(const RawTlsConnection&) = delete;

  // Writes `bytes` as they are on the TCP connection (e.g. the start of a handshake).
  bool SendPlain(std::string_view bytes);
  // Writes `bytes` over TLS. REQUIRES: made by Tls().
  bool Send(std::string_view bytes);

  // What StreamChunkedBody saw.
  struct Outcome {
    size_t body_bytes_sent = 0;  // chunk payload the server accepted into its socket
    std::string answer;          // what the server sent back (status line, headers, body)
    bool server_closed = false;  // the server closed or reset the connection
    bool timed_out = false;      // neither happened before the deadline
  };
  // Sends `head` (a request's line and headers, ending in the empty line, with
  // "Transfer-Encoding: chunked") and then 64 KiB chunks until `max_body_bytes` are
  // sent, the server answers or closes, or `deadline` passes; then reads the answer
  // until the server closes or the deadline. Never sends the last chunk.
  Outcome StreamChunkedBody(const std::string& head, size_t max_body_bytes,
                            std::chrono::steady_clock::time_point deadline);

 private:
  explicit RawTlsConnection(int fd) : fd_(fd) {}
  // Reads what the server sends until it closes or `deadline`; appends to `out`.
  void ReadUntilClosed(Outcome& out, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace sl::test
