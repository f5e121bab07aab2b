#include "mock_cssm/body_cap.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "mock_cssm/http_util.h"

namespace sl::mock {

namespace {

constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kMinLingerBytes = 1 << 20;

// Reads the body through `read`, at most `max_body` bytes, then calls `handler` with
// the request and that body; answers 413 or 400 itself when the body is over the cap
// or cannot be read.
void ReadCappedThen(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& read,
                    size_t max_body, const RouteHandler& handler) {
  std::string body;
  bool over_cap = false;
  bool complete = read([&](const char* data, size_t n) {
    if (n > max_body - body.size()) {
      over_cap = true;
      return false;  // stop reading: nothing past the cap is buffered
    }
    body.append(data, n);
    return true;
  });
  if (over_cap || res.status == 413) {
    res.status = 413;
    CloseAfterResponse(req, res);
    return;
  }
  if (!complete) {
    CloseAfterResponse(req, res);
    SendJson(res, 400, ErrorJson("bad_request", "the request body could not be read (malformed chunked "
                                                "encoding, or the connection closed before its end)"));
    return;
  }
  httplib::Request with_body = req;
  with_body.body = std::move(body);
  handler(with_body, res);
}

httplib::Server::HandlerWithContentReader Capped(size_t max_body, RouteHandler handler) {
  return [max_body, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res,
                                                  const httplib::ContentReader& read) {
    ReadCappedThen(req, res, read, max_body, handler);
  };
}

bool TakesBody(const std::string& method) {
  // The mock's DELETE routes take no body (and httplib 0.11.4 would not read one).
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

void CappedRoutes::Get(const std::string& pattern, RouteHandler handler) {
  // GuardRequestBody refuses a GET with a body before it is read.
  http_.Get(pattern, std::move(handler));
}
void CappedRoutes::Post(const std::string& pattern, RouteHandler handler) {
  http_.Post(pattern, Capped(max_body_, std::move(handler)));
}
void CappedRoutes::Put(const std::string& pattern, RouteHandler handler) {
  http_.Put(pattern, Capped(max_body_, std::move(handler)));
}
void CappedRoutes::Delete(const std::string& pattern, RouteHandler handler) {
  // GuardRequestBody refuses a DELETE with a body before it is read.
  http_.Delete(pattern, std::move(handler));
}

void CappedRoutes::RefuseUnroutedBodies() {
  auto not_found = [](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader&) {
    CloseAfterResponse(req, res);
    SendJson(res, 404, ErrorJson("not_found", "no such endpoint: " + req.method + " " + req.path));
  };
  http_.Post(".*", not_found);
  http_.Put(".*", not_found);
  http_.Patch(".*", not_found);
}

bool GuardRequestBody(const httplib::Request& req, httplib::Response& res, size_t max_body_bytes) {
  const bool chunked = req.has_header("Transfer-Encoding");
  std::string length = req.get_header_value("Content-Length");
  // strtoull saturates: a length too long to parse is over the cap too.
  const bool declared_over_cap = !length.empty() && std::strtoull(length.c_str(), nullptr, 10) > max_body_bytes;
  const bool has_body = chunked || (!length.empty() && length != "0");
  if (declared_over_cap) {
    res.status = 413;
  } else if (has_body && !TakesBody(req.method)) {
    res.status = 400;
    res.set_content(ErrorJson("bad_request", "a " + req.method + " request carries no body"), "application/json");
  } else {
    return false;
  }
  CloseAfterResponse(req, res);
  return true;
}

void CloseAfterResponse(const httplib::Request&, httplib::Response& res) { res.set_header("Connection", "close"); }

void LingeringClose(const httplib::Request& req, const httplib::Response& res, size_t max_body_bytes) {
  if (req.ssl == nullptr || res.get_header_value("Connection") != "close") return;
  const int fd = SSL_get_fd(req.ssl);
  if (fd < 0) return;
  // No more from us; the client, having read the answer, closes its side.
  shutdown(fd, SHUT_WR);
  // Closing with unread bytes would reset the connection, and a client still sending
  // (the rest of its body was in flight) could lose the answer: read what comes, into
  // a small buffer and away, for a bounded time and amount.
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  size_t budget = std::max(max_body_bytes, kMinLingerBytes);
  char sink[16 * 1024];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
    if (n <= 0 || static_cast<size_t>(n) >= budget) break;
    budget -= static_cast<size_t>(n);
  }
  // httplib goes on to read the next request on this connection: it sees the end.
  shutdown(fd, SHUT_RD);
}

}  // namespace sl::mock
