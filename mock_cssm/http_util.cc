#include "mock_cssm/http_util.h"

#include <httplib.h>

#include "smartlicensing/mock_cssm.h"

namespace sl::mock {

std::string ErrorJson(const std::string& code, const std::string& message) {
  JsonWriter w;
  w.StartObject().Key("error").StartObject().Field("code", code).Field("message", message).EndObject().EndObject();
  return w.str();
}

int AdminHttpStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 413;
    default: return 500;
  }
}

void SendJson(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_content(json, "application/json");
}

void SendAdminError(httplib::Response& res, const Status& s) {
  SendJson(res, AdminHttpStatus(s), ErrorJson(StatusCodeSlug(s.code()), s.message()));
}

std::optional<rapidjson::Document> ReadJsonObject(const httplib::Request& req, httplib::Response& res) {
  Result<rapidjson::Document> doc = ParseJson(req.body);
  if (!doc.ok()) {
    SendAdminError(res, doc.status());
    return std::nullopt;
  }
  if (!doc->IsObject()) {
    SendAdminError(res, InvalidArgument("request body must be a JSON object"));
    return std::nullopt;
  }
  return std::move(*doc);
}

bool IsLicensingPath(const std::string& path) { return path == kDirectPath || path == kOnPremPath; }

}  // namespace sl::mock
