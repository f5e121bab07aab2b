// The licensing endpoint's logic, below HTTP: takes a request envelope, checks it
// (well-formed, fresh, not replayed, signed by the device key the server holds),
// runs the operation on the Cssm and returns the signed response envelope with the
// HTTP status to send.
//
// Thread-safety: Handle() may be called from many server threads; one mutex guards
// the Cssm and the replay cache, and signing happens outside it.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "mock_cssm/cssm.h"
#include "protocol/crypto.h"
#include "protocol/envelope.h"

namespace sl::mock {

// Why a request is refused: a stable error code (error_code::...) and the
// operator's sentence.
struct RefusalReason {
  const char* code;
  std::string message;
};

struct LicensingReply {
  int http_status = 200;
  std::string body;  // a signed envelope
};

class LicensingService {
 public:
  // `cssm` is shared with the admin API; every use of it takes mutex().
  LicensingService(Cssm& cssm, std::mutex& mutex, PrivateKey signing_key, int64_t max_clock_skew_seconds);

  LicensingReply Handle(std::string_view request_envelope);
  // A signed refusal for a request the HTTP layer rejected before reading it.
  LicensingReply Refusal(const char* code, const std::string& message);
  // Signs `response` (the fault injector uses it, then spoils the signature).
  LicensingReply Seal(const Response& response);

  // The HTTP status each refusal code travels with.
  static int HttpStatusFor(const std::string& code);

 private:
  // Reads the envelope and the request (outside the lock), then Admit()s it.
  Response Process(std::string_view request_envelope);
  // The checks that need the domain, in the order a peer hears of them: whose key
  // signed it, freshness, replay, then the product instance's current certificate
  // and registration; then the operation. `device_key` is the CSR's key for a
  // registration, nullopt otherwise (the product instance's key is used).
  // `refusal` is the reply to refuse with. REQUIRES: mutex held.
  Response Admit(const SignedMessage& envelope, const Request& request, std::optional<PublicKey> device_key,
                 const Response& refusal);
  // Runs the operation on the Cssm. REQUIRES: mutex held, the request admitted.
  Response Dispatch(const Request& request, const PublicKey& device_key, const std::string& instance_id,
                    const Response& refusal);
  // Remembers the message; refuses a replay, or any message when the cache is full.
  // REQUIRES: mutex held.
  std::optional<RefusalReason> CheckNotReplayed(const std::string& message_id, UnixSeconds now);
  enum class Remembered { kNew, kReplayed, kFull };
  // Records `message_id` as seen at `now`. REQUIRES: mutex held.
  Remembered RememberMessage(const std::string& message_id, UnixSeconds now);

  Cssm& cssm_;
  std::mutex& mutex_;
  PrivateKey signing_key_;
  const int64_t max_skew_;
  // Message ids seen within the freshness window, and the order they came in, so
  // that old ones are forgotten from the front in constant time per message.
  std::unordered_set<std::string> seen_messages_;
  std::deque<std::pair<UnixSeconds, std::string>> seen_order_;
};

// The replay cache is bounded: a flood of fresh messages cannot exhaust memory.
constexpr size_t kMaxRememberedMessages = 200000;

}  // namespace sl::mock
