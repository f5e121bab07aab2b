#include <memory>
#include <string>
#include <utility>

#include "smartlicensing/curl_transport.h"

namespace sl {
namespace {

// Stands in for a transport whose settings CurlTransport::Create refused, so that the
// agent reports the reason as a communication failure instead of not opening.
class UnusableTransport final : public Transport {
 public:
  explicit UnusableTransport(std::string why) : why_(std::move(why)) {}
  TransportReply Send(std::string_view) override {
    TransportReply reply;
    reply.failure = TransportFailure::kBadConfiguration;
    reply.error = why_;
    return reply;
  }

 private:
  std::string why_;
};

}  // namespace

TransportFactory CurlTransportFactory(CurlTransportOptions options) {
  return [options](const TransportSettings& settings) -> std::unique_ptr<Transport> {
    Result<std::unique_ptr<CurlTransport>> transport = CurlTransport::Create(settings, options);
    if (!transport.ok()) return std::make_unique<UnusableTransport>(transport.status().message());
    return std::move(transport).value();
  };
}

}  // namespace sl
