// The license types an Expressway consumes and the tags under which the agent
// reports them to CSSM. Thread-safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace sl::expressway {

enum class LicenseType {
  kRichMediaSession,  // RMS: one video call or two audio-only SIP calls
  kRoomSystem,        // TelePresence Room System registration
  kDesktopSystem,     // Desktop System registration
};

// The entitlement tags used on the wire and in CSSM pools.
inline constexpr const char* kRmsTag = "expressway_rms";
inline constexpr const char* kRoomTag = "expressway_room";
inline constexpr const char* kDesktopTag = "expressway_desktop";

const char* LicenseTag(LicenseType type);
const char* LicenseTypeName(LicenseType type);  // "Rich Media Sessions", ...

// Current usage per license type, as reported to CSSM (tag -> count).
using UsageByTag = std::map<std::string, int64_t>;

}  // namespace sl::expressway
