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

#include "mock_cssm/body_cap.h"
#include "mock_cssm/cssm.h"
#include "mock_cssm/faults.h"
#include "smartlicensing/time_source.h"

namespace sl::mock {

// The Cssm and the mutex that guards it (the licensing service takes the same one).
struct SharedCssm {
  Cssm& cssm;
  std::mutex& mutex;
};

// For the pre-routing handler: answers 401 to any /admin/ request without
// "Authorization: Bearer <admin_token>" (true), so that nothing else about the
// request is looked at first.
bool RefuseUnauthenticatedAdmin(const httplib::Request& req, httplib::Response& res, const std::string& admin_token);
// Smart accounts, virtual accounts, license pools and registration tokens.
void InstallAccountRoutes(CappedRoutes& http, SharedCssm domain);
// Registered product instances: list, show, remove.
void InstallProductInstanceRoutes(CappedRoutes& http, SharedCssm domain);
// Faults queued for the licensing endpoints: add, list, clear.
void InstallFaultRoutes(CappedRoutes& http, FaultPlan& faults);
// The server clock's offset from the base time: set and show.
void InstallClockRoutes(CappedRoutes& http, OffsetTimeSource& clock);

}  // namespace sl::mock
