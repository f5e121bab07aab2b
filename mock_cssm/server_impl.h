// ServerImpl: the mock CSSM's HTTPS server behind smartlicensing/mock_cssm.h. It owns
// the domain (Cssm), the licensing service, the fault plan and the server clock; its
// routes are installed by server.cc (licensing) and admin_api.cc (admin API).
// Thread-safety: as MockCssmServer; the handlers run on httplib's threads and take
// mutex_ for the domain.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "mock_cssm/body_cap.h"
#include "mock_cssm/cssm.h"
#include "mock_cssm/faults.h"
#include "mock_cssm/licensing_service.h"
#include "smartlicensing/mock_cssm.h"
#include "smartlicensing/time_source.h"

namespace httplib {
class SSLServer;
struct Request;
struct Response;
}  // namespace httplib

namespace sl::mock {

class ServerImpl {
 public:
  // Loads keys, certificates and the seed. `base_time` must outlive the server.
  static Result<std::unique_ptr<ServerImpl>> Create(const ServerOptions& options,
                                                    const TimeSource& base_time);
  ~ServerImpl();

  // Binds the listening socket and returns its port.
  Result<int> Bind();
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  void Serve();
  void Stop();

 private:
  ServerImpl(const ServerOptions& options, const TimeSource& base_time, PrivateKey signing_key,
             Certificate signing_cert);
  void InstallRoutes();
  void InstallAdminRoutes(CappedRoutes& routes);
  void HandleLicensing(const httplib::Request& req, httplib::Response& res);
  // Gives the errors httplib raises itself (unknown path, body over the cap) a JSON
  // body; false when the response already has one.
  bool AnswerHttpError(const httplib::Request& req, httplib::Response& res);
  std::string BodyTooLargeMessage() const;

  ServerOptions options_;
  OffsetTimeSource clock_;
  std::mutex mutex_;  // guards cssm_ (and the service's replay cache)
  Cssm cssm_;
  LicensingService licensing_;
  FaultPlan faults_;
  std::unique_ptr<httplib::SSLServer> http_;
  std::atomic<bool> stop_requested_{false};
  int listen_socket_ = -1;  // set while httplib creates it, in Bind()
};

}  // namespace sl::mock
