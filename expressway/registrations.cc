#include "smartlicensing/expressway/registrations.h"

#include <cstdio>
#include <vector>

namespace sl::expressway {

namespace {

// "TC7.3.6" with prefix "TC" -> {7,3,6}; nullopt when the prefix or numbers are wrong.
std::optional<std::vector<int>> ParseVersion(const std::string& version, const std::string& prefix) {
  if (version.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::vector<int> parts;
  std::string rest = version.substr(prefix.size());
  size_t pos = 0;
  while (pos <= rest.size() && parts.size() < 4) {
    size_t end = rest.find('.', pos);
    std::string part = rest.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    parts.push_back(std::stoi(part));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return parts;
}

bool AtLeast(const std::string& version, const std::string& prefix, std::vector<int> minimum) {
  std::optional<std::vector<int>> v = ParseVersion(version, prefix);
  if (!v) return false;
  v->resize(std::max(v->size(), minimum.size()), 0);
  minimum.resize(v->size(), 0);
  return *v >= minimum;
}

bool IsDesktopSystem(const RegistrationRequest& r) {
  if (r.signaling != Signaling::kSip) return false;  // H.323 cannot tell desktop from room
  if (r.model == "Movi") return true;
  if (r.model == "EX60" || r.model == "EX90") {
    // TC7.3.6 or later; any CE release is later than every TC release.
    return AtLeast(r.software_version, "TC", {7, 3, 6}) || ParseVersion(r.software_version, "CE").has_value();
  }
  if (r.model == "DX70" || r.model == "DX80") return AtLeast(r.software_version, "CE", {8, 2});
  return false;
}

}  // namespace

std::optional<LicenseType> LicenseFor(const RegistrationRequest& r) {
  if (r.kind == RegistrationKind::kProxyOnE || r.kind == RegistrationKind::kMra) return std::nullopt;
  return IsDesktopSystem(r) ? LicenseType::kDesktopSystem : LicenseType::kRoomSystem;
}

RegistrationTable::RegistrationTable(PlatformCapacity capacity, std::optional<int64_t> licensed_room,
                                     std::optional<int64_t> licensed_desktop)
    : capacity_(std::move(capacity)), licensed_room_(licensed_room), licensed_desktop_(licensed_desktop) {}

int64_t RegistrationTable::InUse(LicenseType type) const {
  int64_t n = 0;
  for (const auto& [key, r] : entries_) n += LicenseFor(r) == type ? 1 : 0;
  return n;
}

Status RegistrationTable::Register(const RegistrationRequest& r) {
  if (r.alias.empty()) return InvalidArgument("a registration needs an alias");
  if (r.kind == RegistrationKind::kProxyOnE && r.signaling == Signaling::kH323) {
    return InvalidArgument("proxy registration is possible with SIP endpoints only");
  }
  auto key = std::make_pair(r.alias, r.signaling);
  if (entries_.count(key) != 0) return AlreadyExists("alias '" + r.alias + "' is already registered");
  if (Registrations() + 1 > capacity_.registrations) {
    return ResourceExhausted("the unit's limit of " + std::to_string(capacity_.registrations) +
                             " registrations is reached");
  }
  if (r.kind == RegistrationKind::kMra) {
    int64_t mra = 0;
    for (const auto& [k, e] : entries_) mra += e.kind == RegistrationKind::kMra ? 1 : 0;
    if (mra + 1 > capacity_.mra_registrations) {
      return ResourceExhausted("the unit's limit of " + std::to_string(capacity_.mra_registrations) +
                               " MRA registrations is reached");
    }
  }
  std::optional<LicenseType> type = LicenseFor(r);
  if (type) {
    const std::optional<int64_t>& licensed =
        *type == LicenseType::kDesktopSystem ? licensed_desktop_ : licensed_room_;
    if (licensed && InUse(*type) + 1 > *licensed) {
      return ResourceExhausted(std::string("no ") + LicenseTypeName(*type) + " license is left (" +
                               std::to_string(*licensed) + " installed; room and desktop licenses are not interchangeable)");
    }
  }
  entries_[key] = r;
  return Status::Ok();
}

Status RegistrationTable::Unregister(const std::string& alias, Signaling signaling) {
  if (entries_.erase({alias, signaling}) == 0) return NotFound("alias '" + alias + "' is not registered");
  return Status::Ok();
}

UsageByTag RegistrationTable::Usage() const {
  return {{kRoomTag, InUse(LicenseType::kRoomSystem)}, {kDesktopTag, InUse(LicenseType::kDesktopSystem)}};
}

}  // namespace sl::expressway
