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

bool RefuseUnauthenticatedAdmin(const httplib::Request& req, httplib::Response& res, const std::string& admin_token) {
  if (req.path.compare(0, 7, "/admin/") != 0 || HasAdminToken(req, admin_token)) return false;
  res.set_header("WWW-Authenticate", "Bearer");
  SendJson(res, 401, ErrorJson("unauthenticated", "the admin API needs 'Authorization: Bearer <admin token>'"));
  // The body (if any) is not read: nothing more is read from this connection.
  CloseAfterResponse(req, res);
  return true;
}

void ServerImpl::InstallAdminRoutes(CappedRoutes& routes) {
  InstallAccountRoutes(routes, SharedCssm{cssm_, mutex_});
  InstallProductInstanceRoutes(routes, SharedCssm{cssm_, mutex_});
  InstallFaultRoutes(routes, faults_);
  InstallClockRoutes(routes, clock_);
}

}  // namespace sl::mock
