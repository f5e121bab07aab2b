#include "fault_matrix_world.h"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>

#include "smartlicensing/curl_transport.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_util.h"

namespace sl::test {
namespace {

constexpr const char* kAdminToken = "fault-matrix-admin-token";
constexpr const char* kProxyPassword = "proxy-password-right";

}  // namespace

InProcessCssm::InProcessCssm(const TimeSource& clock, const std::string& signing_name) {
  mock::ServerOptions options;
  options.tls_cert_path = PkiPath("server.crt");
  options.tls_key_path = PkiPath("server.key");
  options.signing_key_path = PkiPath(signing_name + ".key");
  options.signing_cert_path = PkiPath(signing_name + ".crt");
  options.admin_token = kAdminToken;
  options.seed_path = TestSeedPath();
  Result<std::unique_ptr<mock::MockCssmServer>> created = mock::MockCssmServer::Create(options, clock);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  if (!created.ok()) return;
  server_ = std::move(created).value();
  port_ = server_->Bind().value();
  serving_ = std::thread([this] { server_->Serve(); });
}

InProcessCssm::~InProcessCssm() {
  if (!server_) return;
  server_->Stop();
  serving_.join();
}

int InProcessCssm::Admin(const std::string& method, const std::string& path, const std::string& body) const {
  httplib::SSLClient client("127.0.0.1", port_);
  client.set_ca_cert_path(PkiPath("tls-ca.crt").c_str());
  client.enable_server_certificate_verification(true);
  client.set_bearer_token_auth(kAdminToken);
  httplib::Result r = method == "DELETE" ? client.Delete(path.c_str())
                      : method == "PUT"  ? client.Put(path.c_str(), body, "application/json")
                                         : client.Post(path.c_str(), body, "application/json");
  return r ? r->status : 0;
}

// Every cell registers a device or two in the seed's virtual account: a pool large
// enough that they never make it out of compliance.
MatrixWorld::MatrixWorld() : cssm_(clock_, "cssm-signing") {
  EXPECT_EQ(cssm_.Admin("PUT", "/admin/v1/accounts/Acme%20Video/virtual-accounts/Expressway/licenses/expressway_rms",
                        R"({"count":100000})"),
            200);
}

InProcessCssm& MatrixWorld::impostor() {
  if (!impostor_) impostor_ = std::make_unique<InProcessCssm>(clock_, "other-ca");
  return *impostor_;
}

TinyproxyProcess& MatrixWorld::proxy() {
  if (!proxy_) proxy_ = std::make_unique<TinyproxyProcess>(cssm_.port(), kProxyUser, kProxyPassword);
  return *proxy_;
}

TransportSettings MatrixWorld::GenuineSettings(int64_t timeout_seconds) const {
  TransportSettings settings;
  settings.url = "https://127.0.0.1:" + std::to_string(cssm_.port()) + "/licservice/license";
  settings.ca_bundle_path = PkiPath("tls-ca.crt");
  settings.connect_timeout_seconds = timeout_seconds;
  settings.total_timeout_seconds = timeout_seconds;
  return settings;
}

// The transport the agent holds for its whole life: each Send goes through a new
// CurlTransport for the device's current route, so a cell changes where the next
// operation goes without changing the settings stored in the agent's state.
class MatrixDevice::RoutedTransport : public Transport {
 public:
  explicit RoutedTransport(MatrixDevice* device) : device_(device) {}
  TransportReply Send(std::string_view envelope) override {
    const TransportSettings settings = device_->route_ ? *device_->route_ : device_->world_.GenuineSettings();
    CurlTransportOptions options;
    options.time = &device_->world_.clock();
    Result<std::unique_ptr<CurlTransport>> transport = CurlTransport::Create(settings, options);
    EXPECT_TRUE(transport.ok()) << transport.status().ToString();
    if (!transport.ok()) return TransportReply{};
    TransportReply reply = (*transport)->Send(envelope);
    if (reply.delivered()) device_->replies_.push_back(reply.body);
    return reply;
  }

 private:
  MatrixDevice* device_;
};

MatrixDevice::MatrixDevice(MatrixWorld& world, const std::string& serial) : world_(world) {
  ON_CALL(identity_, GetUdi()).WillByDefault(::testing::Return(Udi{"EXPWY-VE-L", serial}));
  ON_CALL(identity_, Hostname()).WillByDefault(::testing::Return("exp-" + serial + ".example.com"));
  AgentEnvironment env;
  env.time = &world.clock();
  env.store = &store_;
  env.identity = &identity_;
  env.secret = &secret_;
  env.transport_factory = [this](const TransportSettings&) -> std::unique_ptr<Transport> {
    return std::make_unique<RoutedTransport>(this);
  };
  env.trust_anchor_pem = ReadPki("cssm-signing.crt");
  Result<std::unique_ptr<Agent>> opened = Agent::Open(std::move(env));
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  agent_ = std::move(opened).value();
  EXPECT_TRUE(agent_->Enable().ok());
  EXPECT_TRUE(agent_->SetTransportSettings(world.GenuineSettings()).ok());
}

MatrixDevice::~MatrixDevice() { agent_.reset(); }

AgentState MatrixDevice::State() const {
  Result<AgentState> state = OpenState(store_.record, secret_);
  EXPECT_TRUE(state.ok()) << state.status().ToString();
  return state.ok() ? *state : AgentState{};
}

ScriptedTlsServer::ScriptedTlsServer(const std::string& identity, std::string body, bool drip, int status,
                                     std::string retry_after)
    : body_(std::move(body)), drip_(drip), status_(status), retry_after_(std::move(retry_after)),
      server_(PkiPath(identity + ".crt").c_str(), PkiPath(identity + ".key").c_str()) {
  server_.Post(".*", [this](const httplib::Request&, httplib::Response& res) {
    if (!drip_) {
      res.status = status_;
      if (!retry_after_.empty()) res.set_header("Retry-After", retry_after_);
      res.set_content(body_, "application/json");
      return;
    }
    // A byte every 100 ms for at most 5 s: each read makes progress, so only the total
    // timeout can end it; the write fails (and the drip stops) once the client is gone.
    res.set_chunked_content_provider("application/json", [](size_t offset, httplib::DataSink& sink) {
      if (offset >= 50) {
        sink.done();
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return sink.write(" ", 1);
    });
  });
  EXPECT_TRUE(server_.is_valid());
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(server_.is_running());
}

ScriptedTlsServer::~ScriptedTlsServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sl::test
