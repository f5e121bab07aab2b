#include "smartlicensing/transport.h"

#include <cctype>

namespace sl {
namespace {

// Splits "https://host[:port]/path" into its parts; false when it is not of that form.
bool SplitHttpsUrl(const std::string& url, std::string* host, std::string* port, std::string* path) {
  const std::string scheme = "https://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  size_t host_start = scheme.size();
  size_t slash = url.find('/', host_start);
  std::string authority = url.substr(host_start, slash == std::string::npos ? std::string::npos : slash - host_start);
  *path = slash == std::string::npos ? "" : url.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    *host = authority.substr(0, colon);
    *port = authority.substr(colon + 1);
  } else {
    *host = authority;
    port->clear();
  }
  return true;
}

bool IsValidHost(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
  }
  return true;
}

bool IsValidPort(const std::string& port) {
  if (port.empty() || port.size() > 5) return false;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  int n = std::stoi(port);
  return n >= 1 && n <= 65535;
}

Status CheckUrl(const std::string& url, bool on_prem) {
  const char* form = on_prem ? "https://<host>[:port]/SmartTransport" : "https://<host>[:port]/<path>";
  std::string host, port, path;
  for (char c : url) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) {
      return InvalidArgument("URL must not contain spaces; expected " + std::string(form));
    }
  }
  if (!SplitHttpsUrl(url, &host, &port, &path)) {
    return InvalidArgument("URL '" + url + "' is not HTTPS; expected " + form +
                           " (HTTPS is the only supported transport protocol)");
  }
  if (!IsValidHost(host)) {
    return InvalidArgument("URL '" + url + "' has no valid host name; expected " + form);
  }
  if (url.find('@') != std::string::npos) {
    return InvalidArgument("URL must not carry credentials; expected " + std::string(form));
  }
  if (!port.empty() || url.find(':', 8) != std::string::npos) {
    if (!IsValidPort(port)) return InvalidArgument("URL '" + url + "' has a bad port; expected " + form);
  }
  if (on_prem && path != "/SmartTransport") {
    return InvalidArgument("On-Prem URL '" + url + "' must end in /SmartTransport; expected " + form +
                           ", for example https://example.com/SmartTransport");
  }
  if (!on_prem && (path.empty() || path[0] != '/')) {
    return InvalidArgument("URL '" + url + "' has no path; expected " + std::string(form));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTransportSettings(const TransportSettings& s) {
  if (s.mode == TransportMode::kOnPrem) {
    if (s.url.empty()) {
      return InvalidArgument("On-Prem needs the Smart Transport URL, https://<host>[:port]/SmartTransport");
    }
    SL_RETURN_IF_ERROR(CheckUrl(s.url, /*on_prem=*/true));
  } else if (!s.url.empty()) {
    SL_RETURN_IF_ERROR(CheckUrl(s.url, /*on_prem=*/false));
  }
  if (s.proxy) {
    if (!IsValidHost(s.proxy->host)) {
      return InvalidArgument("proxy address '" + s.proxy->host + "' is not an IPv4 address or FQDN");
    }
    if (s.proxy->port < 1 || s.proxy->port > 65535) {
      return InvalidArgument("proxy port " + std::to_string(s.proxy->port) + " is not between 1 and 65535");
    }
    if (s.proxy->username.empty() && !s.proxy->password.empty()) {
      return InvalidArgument("a proxy password needs a proxy username");
    }
    if (s.proxy->username.find(':') != std::string::npos) {
      return InvalidArgument("proxy username must not contain ':'");
    }
  }
  if (s.connect_timeout_seconds < 1 || s.connect_timeout_seconds > 600 ||
      s.total_timeout_seconds < s.connect_timeout_seconds || s.total_timeout_seconds > 3600) {
    return InvalidArgument("timeouts must be 1-600 s to connect and up to 3600 s in total");
  }
  return Status::Ok();
}

std::string EffectiveUrl(const TransportSettings& s) {
  return s.url.empty() && s.mode == TransportMode::kDirect ? std::string(kDefaultCssmUrl) : s.url;
}

const char* TransportFailureName(TransportFailure f) {
  switch (f) {
    case TransportFailure::kNone: return "none";
    case TransportFailure::kBadConfiguration: return "bad configuration";
    case TransportFailure::kDns: return "name resolution failed";
    case TransportFailure::kConnect: return "connection failed";
    case TransportFailure::kTls: return "TLS handshake failed";
    case TransportFailure::kTimeout: return "timed out";
    case TransportFailure::kProxy: return "proxy failure";
    case TransportFailure::kProxyAuthentication: return "proxy authentication failed";
    case TransportFailure::kResponseTooLarge: return "response too large";
    case TransportFailure::kConnectionLost: return "connection lost";
    case TransportFailure::kTlsUntrusted: return "TLS certificate not trusted";
    case TransportFailure::kTlsCertificateDates: return "TLS certificate not valid now";
    case TransportFailure::kRedirected: return "redirected";
  }
  return "unknown";
}

}  // namespace sl
