// Option keys (Product Activation Keys) for PAK-based licensing: the format, the
// checks an Expressway makes when one is added, and what the installed keys grant.
//
// Public API. Key format (ours; the real one is not public): "EXP1.<payload>.<signature>", where
// payload is Base64 of a JSON object
//   {"option":"rich_media_sessions","quantity":100,"serial":"0A1B2C3D",
//    "expires":"2027-06-01T00:00:00Z","demo":false,"fips":false}
// ("expires" absent: unlimited) and signature is Base64 of the vendor key's ECDSA
// signature of the payload bytes. A key is bound to one device serial number.
//
// Specification rules kept here: keys are added by index 1..64 (CLI) or appended
// (web UI); only the first 65 installed keys take effect (CDETS CSCvf78728: later keys
// are listed but ignored); expired keys stop counting; Traversal Server, Expressway
// Series and Advanced Account Security moving into FIPS mode need a restart, raise an
// alarm that stays until then, and take effect only after it; in Smart Licensing mode
// no option key has any effect.
// Thread-safety: not thread-safe; the owner serialises calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smartlicensing/agent.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl::expressway {

// PAK or Smart Licensing: the agent's own setting (Agent::GetStatus().mode).
using LicensingMode = sl::LicensingMode;

enum class OptionKind {
  kRichMediaSessions,
  kDesktopSystems,
  kRoomSystems,
  kHsm,
  kAdvancedAccountSecurity,
  kMicrosoftInteroperability,
  // Older software only.
  kExpresswaySeries,
  kTraversalServer,
  kEncryption,
  kH323SipInterworking,
};
const char* OptionKindName(OptionKind kind);  // "rich_media_sessions", ...

struct OptionKeySpec {
  OptionKind kind = OptionKind::kRichMediaSessions;
  int64_t quantity = 0;  // for the three license options; 0 for features
  std::string serial_number;
  std::optional<UnixSeconds> expires;  // nullopt: unlimited
  bool demo = false;
  bool fips = false;  // Advanced Account Security: moves the system into FIPS mode
};

// The vendor side: makes a key signed with the vendor's EC private key (PEM), for
// tests and tooling that issue keys. InvalidArgument when the PEM is not a key.
Result<std::string> IssueOptionKey(const OptionKeySpec& spec, std::string_view vendor_private_key_pem);

// Parses and checks a key for `serial_number` at time `now` against the vendor's
// public key (PEM): malformed, not signed by the vendor, for another device, or
// expired are each refused with the reason.
Result<OptionKeySpec> VerifyOptionKey(const std::string& text, std::string_view vendor_public_key_pem,
                                      const std::string& serial_number, UnixSeconds now);

struct InstalledOptionKey {
  int index = 0;
  std::string text;
  OptionKeySpec spec;
  bool awaiting_restart = false;
  std::string warning;  // e.g. a demo key of the same option is still installed
};

// What the effective keys grant.
struct OptionEntitlements {
  int64_t rich_media_sessions = 0;
  int64_t room_systems = 0;
  int64_t desktop_systems = 0;
  std::map<OptionKind, bool> features;  // HSM, Advanced Account Security, ...
  bool fips_mode = false;
  bool Has(OptionKind kind) const {
    auto it = features.find(kind);
    return it != features.end() && it->second;
  }
};

class OptionKeys {
 public:
  static constexpr int kMaxCliIndex = 64;
  static constexpr size_t kMaxEffectiveKeys = 65;

  // `vendor_public_key_pem`: the key option keys must be signed with.
  OptionKeys(std::string vendor_public_key_pem, std::string serial_number);

  // The web UI's "Add option": the next index after the highest in use.
  Result<InstalledOptionKey> Add(const std::string& text, UnixSeconds now);
  // xConfiguration Option [1..64] Key: overwrites whatever key was at `index`.
  Result<InstalledOptionKey> Set(int index, const std::string& text, UnixSeconds now);
  Status Remove(int index);
  // Every installed key by index, including those past the 65th (they are listed).
  std::vector<InstalledOptionKey> Installed() const;

  // What takes effect at `now`: nothing in Smart mode; in PAK mode the first 65 keys
  // by index that have not expired and are not awaiting a restart.
  OptionEntitlements Effective(UnixSeconds now, LicensingMode mode) const;
  // "Restart required" alarms, one per key awaiting a restart.
  std::vector<std::string> Alarms() const;
  // The system restarted: keys awaiting it take effect, their alarms clear.
  void Restarted();

 private:
  Result<InstalledOptionKey> Install(int index, const std::string& text, UnixSeconds now);

  std::string vendor_key_pem_;
  std::string serial_number_;
  std::map<int, InstalledOptionKey> keys_;  // by index
};

}  // namespace sl::expressway
