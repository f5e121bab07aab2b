// What the CurlTransport tests share: settings for the mock CSSM (Direct, On-Prem,
// through a proxy), a device that talks through a transport, fault injection, and
// environment variables set for one test. Each test starts its own mock-cssm and,
// for the proxy tests, its own tinyproxy, on loopback.
// Thread-safety: for one test's thread.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "smartlicensing/curl_transport.h"
#include "testing/mock_cssm_process.h"
#include "testing/test_device.h"
#include "testing/test_util.h"

namespace sl::transport_test {

inline constexpr const char* kToken = "TEST-TOKEN-EXPRESSWAY";
inline constexpr const char* kProxyUser = "licensing";
inline constexpr const char* kProxyPassword = "Hunter2-pr0xy-s3cret";

inline TransportSettings DirectTo(const std::string& url) {
  TransportSettings s;
  s.mode = TransportMode::kDirect;
  s.url = url;
  s.ca_bundle_path = test::PkiPath("tls-ca.crt");
  s.connect_timeout_seconds = 5;
  s.total_timeout_seconds = 10;
  return s;
}

inline TransportSettings OnPremAt(const std::string& url) {
  TransportSettings s = DirectTo(url);
  s.mode = TransportMode::kOnPrem;
  return s;
}

inline ProxySettings Proxy(int port, const std::string& user = kProxyUser,
                           const std::string& password = kProxyPassword) {
  return ProxySettings{"127.0.0.1", port, user, password};
}

// `settings` with the proxy on loopback `proxy_port` (kProxyUser, kProxyPassword).
inline TransportSettings ThroughProxy(TransportSettings settings, int proxy_port) {
  settings.proxy = Proxy(proxy_port);
  return settings;
}

inline std::unique_ptr<CurlTransport> MustCreate(const TransportSettings& settings,
                                                 CurlTransportOptions options = {}) {
  Result<std::unique_ptr<CurlTransport>> t = CurlTransport::Create(settings, options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

// A protocol device whose every exchange goes through `transport`; a transport
// failure shows up as status 0 with the failure's message as the body.
inline test::TestDevice DeviceThrough(Transport& transport, const std::string& serial = "SN1") {
  return test::TestDevice(
      [&transport](const std::string& envelope) {
        TransportReply r = transport.Send(envelope);
        return r.delivered() ? std::make_pair(r.http_status, r.body) : std::make_pair(0, r.error);
      },
      Udi{"EXPWY-VE-L", serial});
}

inline void ExpectRegisterAndAuthorize(Transport& transport) {
  test::TestDevice device = DeviceThrough(transport);
  test::Exchange reg = device.Register(kToken);
  ASSERT_EQ(reg.http_status, 200) << reg.raw;
  ASSERT_TRUE(reg.verified.ok()) << reg.verified.ToString();
  ASSERT_TRUE(reg.response.ok) << reg.raw;
  EXPECT_FALSE(device.instance_id().empty());
  test::Exchange auth = device.Authorize({{"expressway_rms", 3}});
  ASSERT_EQ(auth.http_status, 200) << auth.raw;
  ASSERT_TRUE(auth.verified.ok()) << auth.verified.ToString();
  EXPECT_EQ(auth.response.authorization_status, "Authorized") << auth.raw;
}

inline void InjectFault(const test::MockCssmProcess& mock, const std::string& json) {
  test::HttpResult r = mock.Admin("POST", "/admin/v1/faults", json);
  ASSERT_EQ(r.status, 201) << r.body << r.error;
}

inline std::string HostPort(int port) { return "127.0.0.1:" + std::to_string(port); }

// Sets environment variables for one test and puts the old values back.
class ScopedEnv {
 public:
  void Set(const char* name, const std::string& value) {
    if (saved_.count(name) == 0) {
      const char* old = getenv(name);
      saved_[name] = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
    }
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace sl::transport_test
