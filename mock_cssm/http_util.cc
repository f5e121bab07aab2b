#include "mock_cssm/http_util.h"

#include "base/json.h"

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

}  // namespace sl::mock
