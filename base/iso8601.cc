#include "base/iso8601.h"

#include <cstdio>
#include <ctime>
#include <sstream>

namespace sl {

std::string FormatIso8601(UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<UnixSeconds> ParseIso8601(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (text.size() != 20 ||
      std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 20) {
    return InvalidArgument("time '" + text + "' is not in the form 2026-01-31T23:59:59Z");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::tm check = tm;
  UnixSeconds t = timegm(&tm);
  if (tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon || tm.tm_hour != check.tm_hour ||
      tm.tm_min != check.tm_min || tm.tm_sec != check.tm_sec) {
    return InvalidArgument("time '" + text + "' is not a valid date and time");
  }
  return t;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  int64_t days = seconds / kDay;
  int64_t hours = seconds % kDay / kHour;
  int64_t minutes = seconds % kHour / kMinute;
  std::ostringstream out;
  if (days > 0) out << days << (days == 1 ? " day " : " days ") << hours << (hours == 1 ? " hour" : " hours");
  else if (hours > 0) out << hours << (hours == 1 ? " hour " : " hours ") << minutes << " minutes";
  else out << minutes << (minutes == 1 ? " minute" : " minutes");
  return out.str();
}

}  // namespace sl
