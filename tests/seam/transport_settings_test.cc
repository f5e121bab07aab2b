#include <gtest/gtest.h>

#include "smartlicensing/transport.h"

namespace sl {
namespace {

TransportSettings OnPrem(const std::string& url) {
  TransportSettings s;
  s.mode = TransportMode::kOnPrem;
  s.url = url;
  return s;
}

TEST(TransportSettingsTest, DirectDefaultsToCiscoCssm) {
  TransportSettings s;
  EXPECT_TRUE(ValidateTransportSettings(s).ok());
  EXPECT_EQ(EffectiveUrl(s), kDefaultCssmUrl);
}

TEST(TransportSettingsTest, OnPremAcceptsTheExactSmartTransportUrl) {
  EXPECT_TRUE(ValidateTransportSettings(OnPrem("https://example.com/SmartTransport")).ok());
  EXPECT_TRUE(ValidateTransportSettings(OnPrem("https://127.0.0.1:8443/SmartTransport")).ok());
}

TEST(TransportSettingsTest, OnPremRejectsOtherFormsAndShowsTheExpectedOne) {
  for (const char* bad : {"", "http://example.com/SmartTransport", "https://example.com/",
                          "https://example.com", "https://example.com/smarttransport",
                          "https://exa mple.com/SmartTransport", "https://example.com/SmartTransport ",
                          "https://example.com:0/SmartTransport", "https://example.com:99999/SmartTransport",
                          "https://user:pw@example.com/SmartTransport", "ftp://example.com/SmartTransport"}) {
    Status s = ValidateTransportSettings(OnPrem(bad));
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("https://<host>[:port]/SmartTransport"), std::string::npos) << s.message();
  }
}

TEST(TransportSettingsTest, DirectRejectsPlainHttp) {
  TransportSettings s;
  s.url = "http://cssm.example.com/licservice/license";
  EXPECT_FALSE(ValidateTransportSettings(s).ok());
}

TEST(TransportSettingsTest, ProxyPortAndAddressAreChecked) {
  TransportSettings s;
  s.proxy = ProxySettings{"proxy.example.com", 3128, "user", "secret"};
  EXPECT_TRUE(ValidateTransportSettings(s).ok());
  for (int port : {0, -1, 65536}) {
    s.proxy->port = port;
    EXPECT_FALSE(ValidateTransportSettings(s).ok()) << port;
  }
  s.proxy->port = 3128;
  s.proxy->host = "bad host";
  EXPECT_FALSE(ValidateTransportSettings(s).ok());
}

TEST(TransportSettingsTest, ErrorsNeverQuoteTheProxyPassword) {
  TransportSettings s;
  s.proxy = ProxySettings{"bad host", 3128, "user", "hunter2"};
  EXPECT_EQ(ValidateTransportSettings(s).message().find("hunter2"), std::string::npos);
  s.proxy = ProxySettings{"proxy", 0, "user", "hunter2"};
  EXPECT_EQ(ValidateTransportSettings(s).message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace sl
