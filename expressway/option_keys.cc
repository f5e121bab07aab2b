#include "smartlicensing/expressway/option_keys.h"

#include "base/encoding.h"
#include "base/iso8601.h"
#include "base/json.h"
#include "protocol/crypto.h"

namespace sl::expressway {

namespace {

constexpr struct {
  OptionKind kind;
  const char* name;
  bool licenses;      // carries a quantity
  bool needs_restart;
} kOptions[] = {
    {OptionKind::kRichMediaSessions, "rich_media_sessions", true, false},
    {OptionKind::kDesktopSystems, "desktop_systems", true, false},
    {OptionKind::kRoomSystems, "room_systems", true, false},
    {OptionKind::kHsm, "hsm", false, false},
    {OptionKind::kAdvancedAccountSecurity, "advanced_account_security", false, false},
    {OptionKind::kMicrosoftInteroperability, "microsoft_interoperability", false, false},
    {OptionKind::kExpresswaySeries, "expressway_series", false, true},
    {OptionKind::kTraversalServer, "traversal_server", false, true},
    {OptionKind::kEncryption, "encryption", false, false},
    {OptionKind::kH323SipInterworking, "h323_sip_interworking", false, false},
};

const auto* Find(OptionKind kind) {
  for (const auto& o : kOptions) {
    if (o.kind == kind) return &o;
  }
  return &kOptions[0];
}

const std::string kPrefix = "EXP1.";

bool NeedsRestart(const OptionKeySpec& spec) {
  return Find(spec.kind)->needs_restart ||
         (spec.kind == OptionKind::kAdvancedAccountSecurity && spec.fips);
}

}  // namespace

const char* OptionKindName(OptionKind kind) { return Find(kind)->name; }

Result<std::string> IssueOptionKey(const OptionKeySpec& spec, std::string_view vendor_private_key_pem) {
  Result<PrivateKey> vendor_key = PrivateKey::FromPem(vendor_private_key_pem);
  if (!vendor_key.ok()) return InvalidArgument("the vendor key is not a PEM private key");
  JsonWriter w;
  w.StartObject().Field("option", OptionKindName(spec.kind)).Field("quantity", spec.quantity);
  w.Field("serial", spec.serial_number);
  if (spec.expires) w.Field("expires", FormatIso8601(*spec.expires));
  w.Field("demo", spec.demo).Field("fips", spec.fips).EndObject();
  std::string payload = w.str();
  Result<std::string> signature = vendor_key->Sign(payload);
  if (!signature.ok()) return signature.status();
  return kPrefix + Base64Encode(payload) + "." + Base64Encode(*signature);
}

Result<OptionKeySpec> VerifyOptionKey(const std::string& text, std::string_view vendor_public_key_pem,
                                      const std::string& serial_number, UnixSeconds now) {
  Result<PublicKey> vendor_key = PublicKey::FromPem(vendor_public_key_pem);
  if (!vendor_key.ok()) return InvalidArgument("the vendor key is not a PEM public key");
  const std::string form = "option key is malformed: expected EXP1.<payload>.<signature>";
  if (text.size() > 4096 || text.compare(0, kPrefix.size(), kPrefix) != 0) return InvalidArgument(form);
  size_t dot = text.find('.', kPrefix.size());
  if (dot == std::string::npos) return InvalidArgument(form);
  Result<std::string> payload = Base64Decode(text.substr(kPrefix.size(), dot - kPrefix.size()));
  Result<std::string> signature = Base64Decode(text.substr(dot + 1));
  if (!payload.ok() || !signature.ok()) return InvalidArgument(form);
  if (!vendor_key->Verify(*payload, *signature).ok()) {
    return Unauthenticated("option key signature does not verify: it was not issued by Cisco or was altered");
  }
  Result<rapidjson::Document> doc = ParseJson(*payload, 4096);
  if (!doc.ok()) return InvalidArgument("option key payload: " + doc.status().message());
  JsonReader r(*doc, "option_key");
  OptionKeySpec spec;
  std::string option = r.String("option", 64);
  bool known = false;
  for (const auto& o : kOptions) {
    if (option == o.name) {
      spec.kind = o.kind;
      known = true;
    }
  }
  if (r.ok() && !known) r.Fail("option", "'" + option + "' is not an option this system knows");
  spec.quantity = r.Int("quantity", 0, 1000000);
  spec.serial_number = r.String("serial", 64);
  std::optional<std::string> expires = r.OptionalString("expires", 32);
  spec.demo = r.OptionalBool("demo").value_or(false);
  spec.fips = r.OptionalBool("fips").value_or(false);
  if (!r.ok()) return r.status();
  if (expires) {
    Result<UnixSeconds> t = ParseIso8601(*expires);
    if (!t.ok()) return InvalidArgument("option key expiry: " + t.status().message());
    spec.expires = *t;
  }
  if (spec.serial_number != serial_number) {
    return PermissionDenied("option key is for serial number " + spec.serial_number + ", this system is " +
                            serial_number);
  }
  if (spec.expires && *spec.expires <= now) {
    return FailedPrecondition("option key expired on " + FormatIso8601(*spec.expires));
  }
  return spec;
}

OptionKeys::OptionKeys(std::string vendor_public_key_pem, std::string serial_number)
    : vendor_key_pem_(std::move(vendor_public_key_pem)), serial_number_(std::move(serial_number)) {}

Result<InstalledOptionKey> OptionKeys::Install(int index, const std::string& text, UnixSeconds now) {
  Result<OptionKeySpec> spec = VerifyOptionKey(text, vendor_key_pem_, serial_number_, now);
  if (!spec.ok()) return spec.status();
  InstalledOptionKey key{index, text, *spec, NeedsRestart(*spec), ""};
  if (!spec->demo) {
    for (const auto& [i, other] : keys_) {
      if (i != index && other.spec.demo && other.spec.kind == spec->kind) {
        key.warning = "a demo key for " + std::string(OptionKindName(spec->kind)) + " is installed at index " +
                      std::to_string(i) + ": remove it and restart, or the feature may stop when it expires";
      }
    }
  }
  keys_[index] = key;
  return key;
}

Result<InstalledOptionKey> OptionKeys::Add(const std::string& text, UnixSeconds now) {
  int index = keys_.empty() ? 1 : keys_.rbegin()->first + 1;
  return Install(index, text, now);
}

Result<InstalledOptionKey> OptionKeys::Set(int index, const std::string& text, UnixSeconds now) {
  if (index < 1 || index > kMaxCliIndex) {
    return InvalidArgument("option index must be between 1 and " + std::to_string(kMaxCliIndex));
  }
  return Install(index, text, now);
}

Status OptionKeys::Remove(int index) {
  if (keys_.erase(index) == 0) return NotFound("no option key at index " + std::to_string(index));
  return Status::Ok();
}

std::vector<InstalledOptionKey> OptionKeys::Installed() const {
  std::vector<InstalledOptionKey> out;
  for (const auto& [index, key] : keys_) out.push_back(key);
  return out;
}

OptionEntitlements OptionKeys::Effective(UnixSeconds now, LicensingMode mode) const {
  OptionEntitlements e;
  if (mode == LicensingMode::kSmart) return e;
  size_t seen = 0;
  for (const auto& [index, key] : keys_) {
    if (seen++ >= kMaxEffectiveKeys) break;  // CSCvf78728: listed, never processed
    if (key.awaiting_restart) continue;
    if (key.spec.expires && *key.spec.expires <= now) continue;
    switch (key.spec.kind) {
      case OptionKind::kRichMediaSessions: e.rich_media_sessions += key.spec.quantity; break;
      case OptionKind::kRoomSystems: e.room_systems += key.spec.quantity; break;
      case OptionKind::kDesktopSystems: e.desktop_systems += key.spec.quantity; break;
      default: e.features[key.spec.kind] = true; break;
    }
    if (key.spec.kind == OptionKind::kAdvancedAccountSecurity && key.spec.fips) e.fips_mode = true;
  }
  return e;
}

std::vector<std::string> OptionKeys::Alarms() const {
  std::vector<std::string> alarms;
  for (const auto& [index, key] : keys_) {
    if (key.awaiting_restart) {
      alarms.push_back("Restart required: the " + std::string(OptionKindName(key.spec.kind)) +
                       " option key at index " + std::to_string(index) + " takes effect after a restart");
    }
  }
  return alarms;
}

void OptionKeys::Restarted() {
  for (auto& [index, key] : keys_) key.awaiting_restart = false;
}

}  // namespace sl::expressway
