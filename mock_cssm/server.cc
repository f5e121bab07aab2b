#include "mock_cssm/server_impl.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "base/encoding.h"
#include "base/files.h"
#include "base/json.h"
#include "mock_cssm/admin_routes.h"
#include "mock_cssm/connection_threads.h"
#include "mock_cssm/http_util.h"
#include "mock_cssm/seed.h"
#include "mock_cssm/status_context.h"

namespace sl::mock {

namespace {

constexpr size_t kMaxPemBytes = 16 * 1024;
// Connections the kernel completes before the accept loop takes them.
constexpr int kListenBacklog = 1024;

// The CSSM signing key and the certificate that goes with it.
struct SigningIdentity {
  PrivateKey key;
  Certificate cert;
};

Result<SigningIdentity> LoadSigningIdentity(const ServerOptions& options) {
  Result<std::string> key_pem = ReadFileCapped(options.signing_key_path, kMaxPemBytes);
  if (!key_pem.ok()) return Prefixed("signing key", key_pem.status());
  Result<PrivateKey> key = PrivateKey::FromPem(*key_pem);
  if (!key.ok()) return InvalidArgument("signing key '" + options.signing_key_path + "' is not a PEM private key");
  Result<std::string> cert_pem = ReadFileCapped(options.signing_cert_path, kMaxPemBytes);
  if (!cert_pem.ok()) return Prefixed("signing certificate", cert_pem.status());
  Result<Certificate> cert = Certificate::FromPem(*cert_pem);
  if (!cert.ok()) return InvalidArgument("signing certificate: " + cert.status().message());
  if (!cert->Key().SameKeyAs(key->Public())) {
    return InvalidArgument("the signing certificate does not match the signing key");
  }
  return SigningIdentity{std::move(*key), std::move(*cert)};
}

Status LoadSeed(Cssm& cssm, const std::string& seed_path) {
  Result<std::string> seed = ReadFileCapped(seed_path, kMaxSeedBytes);
  if (!seed.ok()) return Prefixed("seed", seed.status());
  return Prefixed("seed '" + seed_path + "'", ApplySeed(cssm, *seed));
}

// Re-encodes a signed envelope with one bit of its signature flipped.
std::string SpoilSignature(const std::string& envelope) {
  Result<SignedMessage> m = OpenEnvelope(envelope);
  if (!m.ok() || m->signature.empty()) return envelope;
  m->signature[m->signature.size() / 2] ^= 0x01;
  JsonWriter w;
  w.StartObject().Field("body", m->body).Field("signature", Base64Encode(m->signature)).EndObject();
  return w.str();
}

// Applies the part of `fault` that comes before the request is processed. True when
// the fault is the whole answer (status, drop, malformed): infrastructure in front
// of CSSM answered, so the request is not processed.
bool AnswerWithFault(const Fault& fault, httplib::Response& res) {
  switch (fault.kind) {
    case FaultKind::kDelay:
      std::this_thread::sleep_for(std::chrono::milliseconds(fault.delay_ms));
      return false;
    case FaultKind::kStatus:
      if (fault.retry_after_seconds) res.set_header("Retry-After", std::to_string(*fault.retry_after_seconds));
      SendJson(res, fault.http_status,
               ErrorJson("injected_fault", "injected HTTP " + std::to_string(fault.http_status)));
      return true;
    case FaultKind::kDrop:
      // Headers promise a body that never comes: the client sees the connection drop.
      res.set_content_provider(1024, "application/json", [](size_t, size_t, httplib::DataSink&) { return false; });
      return true;
    case FaultKind::kMalformed:
      res.set_content("<html><body>502 Bad Gateway</body></html> {\"body\":", "application/json");
      return true;
    case FaultKind::kBadSignature:
      return false;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<ServerImpl>> ServerImpl::Create(const ServerOptions& options,
                                                       const TimeSource& base_time) {
  Result<SigningIdentity> identity = LoadSigningIdentity(options);
  if (!identity.ok()) return identity.status();
  if (options.admin_token.size() < 8) return InvalidArgument("the admin token must be at least 8 characters");

  std::unique_ptr<ServerImpl> server(new ServerImpl(options, base_time, identity->key, identity->cert));
  if (!server->http_->is_valid()) {
    return InvalidArgument("cannot load the TLS certificate '" + options.tls_cert_path + "' and key '" +
                           options.tls_key_path + "'");
  }
  if (!options.seed_path.empty()) SL_RETURN_IF_ERROR(LoadSeed(server->cssm_, options.seed_path));
  return server;
}

ServerImpl::ServerImpl(const ServerOptions& options, const TimeSource& base_time, PrivateKey signing_key,
                       Certificate signing_cert)
    : options_(options),
      clock_(base_time),
      cssm_(clock_, signing_key, std::move(signing_cert)),
      licensing_(cssm_, mutex_, signing_key, options.max_clock_skew_seconds),
      http_(std::make_unique<httplib::SSLServer>(options.tls_cert_path.c_str(), options.tls_key_path.c_str())) {
  if (http_->is_valid()) {
    SSL_CTX_set_min_proto_version(http_->ssl_context(), TLS1_2_VERSION);
  }
  // Every connection on a thread of its own: idle and stalled connections do not
  // hold up a legitimate one (connection_threads.h).
  http_->new_task_queue = [] { return new ConnectionThreads(); };
  // httplib listens with a backlog of 5: a burst of connections (or a few a busy
  // accept loop has not taken yet) overflows it and waits out a SYN retransmission
  // (1 s, then 3 s). Bind() listens again with a longer one; this remembers the socket.
  http_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });
  // Short keep-alive so that Stop() is not held up by idle client connections.
  http_->set_keep_alive_timeout(2);
  // Small request/response pairs on a kept-alive connection otherwise wait out
  // Nagle plus delayed ACK (~40 ms each).
  http_->set_tcp_nodelay(true);
  http_->set_read_timeout(10, 0);
  http_->set_write_timeout(10, 0);
  http_->set_payload_max_length(options.max_body_bytes);
  InstallRoutes();
}

ServerImpl::~ServerImpl() { Stop(); }

Result<int> ServerImpl::Bind() {
  int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port < 0) {
    return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                       " (address in use, or not a local address)");
  }
  // Linux lets a listening socket listen again, with another backlog.
  if (listen_socket_ >= 0) ::listen(listen_socket_, kListenBacklog);
  return port;
}

void ServerImpl::Serve() {
  if (!stop_requested_) http_->listen_after_bind();
}

void ServerImpl::Stop() {
  // Stopped once is stopped: the destructor's call after an explicit Stop() must not
  // wait out the loop below for a listen loop that has already ended.
  if (stop_requested_.exchange(true)) return;
  // httplib ignores stop() before the listen loop runs, so wait for it briefly.
  for (int i = 0; i < 200 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  http_->stop();
}

void ServerImpl::InstallRoutes() {
  // Before routing: the body cap for a declared length, then the admin token.
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    bool answered = GuardRequestBody(req, res, options_.max_body_bytes) ||
                    RefuseUnauthenticatedAdmin(req, res, options_.admin_token);
    return answered ? httplib::Server::HandlerResponse::Handled : httplib::Server::HandlerResponse::Unhandled;
  });
  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    LingeringClose(req, res, options_.max_body_bytes);
  });
  CappedRoutes routes(*http_, options_.max_body_bytes);
  auto licensing = [this](const httplib::Request& req, httplib::Response& res) { HandleLicensing(req, res); };
  if (options_.endpoints != Endpoints::kOnPremOnly) routes.Post(kDirectPath, licensing);
  if (options_.endpoints != Endpoints::kDirectOnly) routes.Post(kOnPremPath, licensing);
  InstallAdminRoutes(routes);
  routes.RefuseUnroutedBodies();
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        return AnswerHttpError(req, res) ? httplib::Server::HandlerResponse::Handled
                                         : httplib::Server::HandlerResponse::Unhandled;
      }));
  // A handler that throws must not crash the server or leak e.what() into headers.
  http_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendJson(res, 500, ErrorJson("internal_error", "internal server error"));
  });
}

std::string ServerImpl::BodyTooLargeMessage() const {
  return "request body is larger than " + std::to_string(options_.max_body_bytes) + " bytes";
}

bool ServerImpl::AnswerHttpError(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty() || res.content_provider_) return false;
  // On a licensing path, a signed refusal the agent can verify.
  if (res.status == 413 && IsLicensingPath(req.path)) {
    res.set_content(licensing_.Refusal(error_code::kPayloadTooLarge, BodyTooLargeMessage()).body, "application/json");
    return true;
  }
  const char* code = res.status == 404 ? "not_found" : res.status == 413 ? "payload_too_large"
                   : res.status == 405 ? "method_not_allowed" : "http_error";
  std::string message = res.status == 404 ? "no such endpoint: " + req.method + " " + req.path
                      : res.status == 413 ? BodyTooLargeMessage()
                                          : "HTTP " + std::to_string(res.status);
  res.set_content(ErrorJson(code, message), "application/json");
  return true;
}

void ServerImpl::HandleLicensing(const httplib::Request& req, httplib::Response& res) {
  std::optional<Fault> fault = faults_.Take(req.path);
  if (fault && AnswerWithFault(*fault, res)) return;
  LicensingReply reply = licensing_.Handle(req.body);
  if (fault && fault->kind == FaultKind::kBadSignature) reply.body = SpoilSignature(reply.body);
  SendJson(res, reply.http_status, reply.body);
}

}  // namespace sl::mock
