// Fuzzes the agent's handling of a reply body (agent/cssm_channel.h CssmChannel::Verify
// and CheckIdCertificate), with the real CSSM trust anchor of the test PKI and a real
// device key. The first byte picks the request answered (its type), the HTTP status,
// and whether the rest is the reply as is or a response body the harness signs with
// the CSSM key, so that mutations pass the signature check and reach the decoder and
// the checks after it. In the body, $MID$ stands for the request's message id and
// $CERT$ for an ID certificate the trust anchor issued for the device key.
// Property: a reply is accepted only when it answers this request, is of its type,
// and encodes back.
#include "agent/cssm_channel.h"
#include "fuzz/fuzz_support.h"
#include "protocol/envelope.h"

namespace {

constexpr sl::MessageType kTypes[] = {sl::MessageType::kRegister, sl::MessageType::kRenewId,
                                      sl::MessageType::kAuthorize, sl::MessageType::kReportUsage,
                                      sl::MessageType::kDeregister};
constexpr int kStatuses[] = {200, 400, 404, 503};
const char kMessageId[] = "0123456789abcdef0123456789abcdef";

struct Device {
  sl::PrivateKey key;
  std::string id_certificate_pem;
};

const Device& TheDevice() {
  static const Device* device = [] {
    sl::PrivateKey key = sl::PrivateKey::Generate().value();
    sl::Certificate cert = sl::IssueCertificate(sl::fuzz::CssmKey(), sl::fuzz::CssmCertificate(), key.Public(),
                                                "EXPWY-VE-L SN1", sl::fuzz::kNow - 60, sl::fuzz::kNow + 365 * sl::kDay)
                               .value();
    return new Device{key, cert.ToPem()};
  }();
  return *device;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sl::CssmChannel* channel = new sl::CssmChannel(sl::fuzz::CssmCertificate());
  static const std::string cert_json = sl::fuzz::JsonEscaped(TheDevice().id_certificate_pem);
  if (size == 0) return 0;
  sl::Request request;
  request.type = kTypes[(data[0] & 7) % 5];
  request.message_id = kMessageId;
  sl::TransportReply reply;
  reply.http_status = kStatuses[(data[0] >> 3) & 3];
  reply.body = std::string(sl::fuzz::AsText(data + 1, size - 1));
  if (data[0] & 0x20) {
    std::string body = sl::fuzz::Expand(reply.body, {{"MID", kMessageId}, {"CERT", cert_json}});
    reply.body = sl::SealMessage(body, sl::fuzz::CssmKey()).value();
  }
  sl::CssmReply verified = channel->Verify(reply, request);
  if (verified.outcome == sl::CssmReply::Outcome::kOffline) return 0;
  const sl::Response& response = verified.response;
  sl::fuzz::Check(response.in_reply_to == request.message_id, "an accepted reply answers this request");
  sl::fuzz::Check(sl::EncodeResponse(response).ok(), "an accepted reply encodes back");
  if (!verified.ok()) return 0;
  sl::fuzz::Check(response.type == request.type, "an accepted reply is of the request's type");
  if (request.type == sl::MessageType::kRegister || request.type == sl::MessageType::kRenewId) {
    (void)channel->CheckIdCertificate(response.id_certificate_pem, TheDevice().key);
  }
  return 0;
}
