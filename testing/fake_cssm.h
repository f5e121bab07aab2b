// FakeCssm: a small in-process stand-in for CSSM that answers agent requests with
// realistic signed responses (the test PKI's CSSM signing key, real ID certificates).
// Test code: it checks what the agent relies on, not everything the real service does.
// Thread-safety: none.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/crypto.h"
#include "protocol/envelope.h"
#include "protocol/messages.h"
#include "smartlicensing/time_source.h"
#include "smartlicensing/transport.h"

namespace sl::test {

class FakeCssm {
 public:
  struct Account {
    std::string smart_account;
    std::string virtual_account;
    bool export_controlled = false;
  };
  struct Instance {
    std::string id;
    Udi udi;
    std::string key_pem;
    std::string cert_serial;
    // The certificate the device held before the last renewal, accepted until the device
    // uses the current one (its reply may have been lost: docs/protocol.md, lost replies).
    std::string previous_cert_serial;
    Account account;
    UnixSeconds registration_expires = 0;
    std::optional<std::string> hostname;
  };

  explicit FakeCssm(const TimeSource& clock);

  void AddToken(const std::string& token, Account account);
  void SetEntitlement(const std::string& tag, int64_t count) { entitlements_[tag] = count; }
  // The server forgets the instance (removed by hand in the portal).
  void RemoveInstance(const std::string& id) { instances_.erase(id); }

  // Answers one sealed request the way the HTTP endpoint would.
  TransportReply Handle(std::string_view envelope);

  // Seals a response with `key` (default: the CSSM signing key).
  TransportReply Reply(const Response& response, int http_status = 200, const PrivateKey* key = nullptr) const;

  const std::vector<Request>& requests() const { return requests_; }
  const std::map<std::string, Instance>& instances() const { return instances_; }
  const PrivateKey& signing_key() const { return signing_key_; }
  const Certificate& signing_cert() const { return signing_cert_; }

  int64_t max_skew_seconds = 300;
  // When set, the next request is refused with this error code (then it clears).
  std::optional<std::string> refuse_next_with;

 private:
  // A response to `q` sent at `now`, ok until the caller says otherwise.
  static Response Accept(const Request& q, UnixSeconds now);
  TransportReply Refuse(const Request& q, const std::string& code, int http_status) const;
  // One per message type; Handle() has checked the envelope, the clock skew and, but
  // for a registration, the instance, its signature and its certificate.
  TransportReply HandleRegister(const SignedMessage& message, const Request& q, UnixSeconds now);
  TransportReply HandleRenewId(Instance& inst, const Request& q, UnixSeconds now);
  TransportReply HandleAuthorize(const Request& q, UnixSeconds now);  // authorize and report-usage
  static void DescribeRegistration(const Instance& inst, const Certificate& cert, Response& r);

  const TimeSource& clock_;
  PrivateKey signing_key_;
  Certificate signing_cert_;
  std::map<std::string, Account> tokens_;
  std::map<std::string, int64_t> entitlements_;
  std::map<std::string, Instance> instances_;
  std::vector<Request> requests_;
};

// Transport failures as a real transport reports them.
TransportReply TimeoutReply();
TransportReply HttpErrorReply(int http_status, std::optional<int64_t> retry_after = std::nullopt);

}  // namespace sl::test
