#include "smartlicensing/expressway/calls.h"

namespace sl::expressway {

using R = Registration;

const std::vector<RmsTableRow> kRmsConsumptionTable = {
    // calling                    called                      {C, E, Lync gateway}
    {R::kUnifiedCm,               R::kExpresswayCLync,        {0, 0, 1}},
    {R::kUnifiedCm,               R::kExternal,               {0, 1, 0}},
    {R::kUnifiedCm,               R::kThirdPartyGatekeeper,   {1, 0, 0}},
    {R::kExpresswayC,             R::kExternal,               {0, 1, 0}},
    {R::kExpresswayCRemoteSipProxy, R::kExternal,             {0, 1, 0}},
    {R::kExpresswayCSip,          R::kThirdPartyGatekeeper,   {1, 0, 0}},
    {R::kExpresswayCH323,         R::kThirdPartyGatekeeper,   {1, 0, 0}},
    {R::kExpresswayCRemoteSipProxy, R::kThirdPartyGatekeeper, {1, 0, 0}},
    {R::kExpresswayC,             R::kExpresswayCLync,        {0, 0, 1}},
    {R::kExpresswayCRemoteSipProxy, R::kExpresswayCLync,      {0, 0, 1}},
    {R::kExpresswayCSip,          R::kThirdPartySipServer,    {1, 0, 0}},
    {R::kExpresswayCH323,         R::kThirdPartySipServer,    {1, 0, 0}},
    {R::kExpresswayESip,          R::kExternal,               {0, 1, 0}, /*C not applicable=*/true},
    {R::kExpresswayEH323,         R::kExternal,               {0, 1, 0}, /*C not applicable=*/true},
};

const char* RegistrationName(Registration r) {
  switch (r) {
    case R::kUnifiedCm: return "Unified CM";
    case R::kExpresswayC: return "Expressway-C";
    case R::kExpresswayCSip: return "Expressway-C (SIP)";
    case R::kExpresswayCH323: return "Expressway-C (H323)";
    case R::kExpresswayCRemoteSipProxy: return "Expressway-C (Remote [SIP] - proxy)";
    case R::kExpresswayCLync: return "Expressway-C (Lync)";
    case R::kExpresswayESip: return "Expressway-E (SIP)";
    case R::kExpresswayEH323: return "Expressway-E (H.323)";
    case R::kExternal: return "External";
    case R::kThirdPartyGatekeeper: return "Third-party Gatekeeper";
    case R::kThirdPartySipServer: return "Third-party SIP server";
  }
  return "";
}

std::optional<RmsTableRow> FindRmsRow(Registration calling, Registration called) {
  for (const RmsTableRow& row : kRmsConsumptionTable) {
    if (row.calling == calling && row.called == called) return row;
  }
  if (calling == R::kExpresswayCSip || calling == R::kExpresswayCH323) {
    return FindRmsRow(R::kExpresswayC, called);
  }
  return std::nullopt;
}

Result<RmsCharge> ChargeFor(const CallScenario& s) {
  if (s.interworked_with_non_cisco_endpoint) {
    return s.interworking_on_expressway_e ? RmsCharge{0, 1, 0} : RmsCharge{1, 0, 0};
  }
  switch (s.destination) {
    case Destination::kRegisteredEndpoint:
    case Destination::kCiscoInfrastructure:
    case Destination::kCollaborationCloud:
      return RmsCharge{};  // included in the registration license
    case Destination::kCloudCmr:
      if (!s.dial_string_transformed) return RmsCharge{};  // license bypass
      return RmsCharge{0, 1, 0};
    case Destination::kUnmanagedMcu:
      return RmsCharge{1, 0, 0};
    case Destination::kTableRow:
      break;
  }
  std::optional<RmsTableRow> row = FindRmsRow(s.calling, s.called);
  if (!row) {
    return NotFound(std::string("the RMS table has no row for ") + RegistrationName(s.calling) + " -> " +
                    RegistrationName(s.called));
  }
  return row->charge;
}

int IntraclusterRms(bool both_registered_to_cisco_infrastructure) {
  return both_registered_to_cisco_infrastructure ? 0 : 1;
}

int CountMediaLines(std::string_view sdp) {
  int count = 0;
  size_t pos = 0;
  while (pos < sdp.size()) {
    size_t end = sdp.find('\n', pos);
    std::string_view line = sdp.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (line.size() >= 2 && line[0] == 'm' && line[1] == '=') ++count;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return count;
}

}  // namespace sl::expressway
