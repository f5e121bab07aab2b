// The admin API's routes (/admin/v1/..., docs/mock-cssm.md), one installer per
// resource: what a test engineer does on the CSSM portal (accounts, virtual accounts
// and their license pools, tokens, product instances) and the mock's own controls
// (injected faults, the server clock). ServerImpl::InstallAdminRoutes puts them
// together behind the bearer-token check.
//
// Thread-safety: the handlers run on httplib's threads. Those that touch the Cssm
// take its mutex; FaultPlan and OffsetTimeSource are thread-safe themselves. What an
// installer is given must outlive the server.
#pragma once

#include <mutex>
#include <string>

#include "mock_cssm/cssm.h"
#include "mock_cssm/faults.h"
#include "smartlicensing/time_source.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace sl::mock {

// The Cssm and the mutex that guards it (the licensing service takes the same one).
struct SharedCssm {
  Cssm& cssm;
  std::mutex& mutex;
};

// Answers 401 to any /admin/ request without "Authorization: Bearer <admin_token>",
// before routing, so that nothing else about the request is looked at first.
void InstallAdminAuthentication(httplib::Server& http, const std::string& admin_token);
// Smart accounts, virtual accounts, license pools and registration tokens.
void InstallAccountRoutes(httplib::Server& http, SharedCssm domain);
// Registered product instances: list, show, remove.
void InstallProductInstanceRoutes(httplib::Server& http, SharedCssm domain);
// Faults queued for the licensing endpoints: add, list, clear.
void InstallFaultRoutes(httplib::Server& http, FaultPlan& faults);
// The server clock's offset from the base time: set and show.
void InstallClockRoutes(httplib::Server& http, OffsetTimeSource& clock);

}  // namespace sl::mock
