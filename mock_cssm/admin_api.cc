// The admin API of the mock CSSM: what a test engineer does on the CSSM portal plus
// fault injection and the clock, all behind one bearer token. The routes themselves
// are in admin_accounts.cc, admin_instances.cc and admin_controls.cc.
#include <httplib.h>

#include "base/secrets.h"
#include "mock_cssm/admin_routes.h"
#include "mock_cssm/http_util.h"
#include "mock_cssm/server_impl.h"

namespace sl::mock {

namespace {

bool HasAdminToken(const httplib::Request& req, const std::string& admin_token) {
  std::string header = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (header.compare(0, prefix.size(), prefix) != 0) return false;
  return ConstantTimeEquals(header.substr(prefix.size()), admin_token);
}

}  // namespace

void InstallAdminAuthentication(httplib::Server& http, const std::string& admin_token) {
  http.set_pre_routing_handler([&admin_token](const httplib::Request& req, httplib::Response& res) {
    if (req.path.compare(0, 7, "/admin/") != 0 || HasAdminToken(req, admin_token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.set_header("WWW-Authenticate", "Bearer");
    SendJson(res, 401, ErrorJson("unauthenticated", "the admin API needs 'Authorization: Bearer <admin token>'"));
    return httplib::Server::HandlerResponse::Handled;
  });
}

void ServerImpl::InstallAdminRoutes() {
  InstallAdminAuthentication(*http_, options_.admin_token);
  InstallAccountRoutes(*http_, SharedCssm{cssm_, mutex_});
  InstallProductInstanceRoutes(*http_, SharedCssm{cssm_, mutex_});
  InstallFaultRoutes(*http_, faults_);
  InstallClockRoutes(*http_, clock_);
}

}  // namespace sl::mock
