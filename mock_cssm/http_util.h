// The HTTP plumbing the mock's handlers share (server.cc and the admin_*.cc route
// files): JSON bodies out, JSON error objects with their status, JSON bodies in.
// Thread-safety: pure functions over the request and response they are given.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "base/json.h"
#include "smartlicensing/status.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace sl::mock {

// {"error":{"code":"...","message":"..."}}
std::string ErrorJson(const std::string& code, const std::string& message);
// The HTTP status an admin API error travels with (400, 403, 404, 409, 413, 500).
int AdminHttpStatus(const Status& status);

// Answers with `status` and `json` as an application/json body.
void SendJson(httplib::Response& res, int status, const std::string& json);
// Answers an admin API error: AdminHttpStatus(s), and ErrorJson of its code and message.
void SendAdminError(httplib::Response& res, const Status& s);
// The request body as a JSON object; when it is not one, answers 400 (as
// SendAdminError) and returns nullopt, so the handler only has to return.
std::optional<rapidjson::Document> ReadJsonObject(const httplib::Request& req, httplib::Response& res);

// An admin request body read by `read(JsonReader&)` (the reader names the object
// `what` in errors): what `read` returns, or nullopt once the error (the body is not
// a JSON object, or a field is missing or wrong) has been answered.
template <typename Read>
auto ReadAdminBody(const httplib::Request& req, httplib::Response& res, const char* what, Read read)
    -> std::optional<decltype(read(std::declval<JsonReader&>()))> {
  std::optional<rapidjson::Document> doc = ReadJsonObject(req, res);
  if (!doc) return std::nullopt;
  JsonReader r(*doc, what);
  auto value = read(r);
  if (!r.ok()) {
    SendAdminError(res, r.status());
    return std::nullopt;
  }
  return value;
}

// The licensing endpoints: Direct /licservice/license and On-Prem /SmartTransport.
bool IsLicensingPath(const std::string& path);

}  // namespace sl::mock
