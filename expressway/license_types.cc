#include "smartlicensing/expressway/license_types.h"

namespace sl::expressway {

const char* LicenseTag(LicenseType type) {
  switch (type) {
    case LicenseType::kRichMediaSession: return kRmsTag;
    case LicenseType::kRoomSystem: return kRoomTag;
    case LicenseType::kDesktopSystem: return kDesktopTag;
  }
  return "";
}

const char* LicenseTypeName(LicenseType type) {
  switch (type) {
    case LicenseType::kRichMediaSession: return "Rich Media Sessions";
    case LicenseType::kRoomSystem: return "TelePresence Room Systems";
    case LicenseType::kDesktopSystem: return "Desktop Systems";
  }
  return "";
}

}  // namespace sl::expressway
