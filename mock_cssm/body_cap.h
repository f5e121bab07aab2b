// The request body cap on every route of the mock, whatever the transfer encoding.
// httplib 0.11.4 applies its payload limit to a Content-Length body only (and then
// reads the whole declared length to skip it), and reads a chunked body whole before
// any handler runs. So every route that takes a body is registered through
// CappedRoutes, whose handlers read the body themselves and stop at the cap;
// GuardRequestBody refuses, before any byte of the body is read, a declared length
// over the cap and a body on a method that takes none; unknown paths are answered
// without reading the body. A request answered before its body was read whole gets
// "Connection: close" and its connection is closed after the answer.
//
// Thread-safety: the handlers run on httplib's threads and share nothing.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sl::mock {

using RouteHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Registers routes on `http` whose handlers see at most `max_body_bytes` of body;
// a longer body is answered 413 (the error handler writes the body) without reading
// past the cap. The handlers get the request with its body filled in.
class CappedRoutes {
 public:
  CappedRoutes(httplib::Server& http, size_t max_body_bytes) : http_(http), max_body_(max_body_bytes) {}

  void Get(const std::string& pattern, RouteHandler handler);
  void Post(const std::string& pattern, RouteHandler handler);
  void Put(const std::string& pattern, RouteHandler handler);
  void Delete(const std::string& pattern, RouteHandler handler);
  // Answers 404 to a request with a body on any path no route took, without reading
  // the body. Call after every other route is registered.
  void RefuseUnroutedBodies();

 private:
  httplib::Server& http_;
  const size_t max_body_;
};

// For the pre-routing handler: true when the request was answered (413 for a
// Content-Length over `max_body_bytes`, 400 for a body on a method that takes none)
// before any of its body was read. The response has its status only; the error
// handler writes the body.
bool GuardRequestBody(const httplib::Request& req, httplib::Response& res, size_t max_body_bytes);

// Marks `res` "Connection: close": its request's body may not have been read whole.
void CloseAfterResponse(const httplib::Request& req, httplib::Response& res);

// For the logger (which httplib calls once the response is written): when `res` says
// "Connection: close", ends the connection of `req` without a reset that could cost
// the client the answer: reads and drops what the client still sends, for at most
// 2 s and max(max_body_bytes, 1 MiB) bytes, then stops reading from it, so that the
// unread rest of a body is never parsed as another request.
void LingeringClose(const httplib::Request& req, const httplib::Response& res, size_t max_body_bytes);

}  // namespace sl::mock
