// Which calls consume Rich Media Session (RMS) licenses, and on which node, per the
// specification's "Call Types and Licensing", "RMS License Consumption Table",
// "License Bypass for Calls to CMRs" and "Intracluster Calls".
//
// Charges are counted in half-licenses: one RMS license allows one video call or two
// audio-only SIP calls. The table itself is data (kRmsConsumptionTable), one row per
// row of the specification, so that a reader can check it line by line.
// Thread-safety: constants and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smartlicensing/status.h"

namespace sl::expressway {

// Where an endpoint is registered, in the specification's words.
enum class Registration {
  kUnifiedCm,
  kExpresswayC,                // any protocol
  kExpresswayCSip,
  kExpresswayCH323,
  kExpresswayCRemoteSipProxy,  // "Expressway-C (Remote [SIP] - proxy)", proxied through Expressway-E
  kExpresswayCLync,            // "Expressway-C (Lync)": Microsoft Lync / Skype for Business via the gateway
  kExpresswayESip,
  kExpresswayEH323,
  kExternal,                   // a gatekeeper or system connected to Expressway-E (B2B, Jabber Guest)
  kThirdPartyGatekeeper,       // connected to Expressway-C
  kThirdPartySipServer,        // connected to Expressway-C
};
const char* RegistrationName(Registration r);

// Licenses one call takes on each node, in whole RMS licenses (for a video call).
struct RmsCharge {
  int on_expressway_c = 0;
  int on_expressway_e = 0;
  int on_lync_gateway = 0;  // the Expressway-C acting as Lync gateway
  int total() const { return on_expressway_c + on_expressway_e + on_lync_gateway; }
};

struct RmsTableRow {
  Registration calling;
  Registration called;
  RmsCharge charge;
  bool expressway_c_not_applicable = false;  // "-" in the table
};

// The specification's RMS consumption table, row for row. In the three Lync rows the
// license is consumed on "Expressway-C (Lync Gateway)": the specification prints that
// cell in the Expressway-C column for Unified CM callers and in the Expressway-E column
// for Expressway-C callers; either way the node named is the Lync gateway, so it is
// counted there.
extern const std::vector<RmsTableRow> kRmsConsumptionTable;

// The row for calling -> called; an Expressway-C (SIP) or (H323) endpoint falls back
// to the plain "Expressway-C" row when the table has no protocol-specific one.
std::optional<RmsTableRow> FindRmsRow(Registration calling, Registration called);

// The other kinds of destination the specification treats specially.
enum class Destination {
  kTableRow,               // use the consumption table (calling -> called)
  kRegisteredEndpoint,     // another registered system: a "Registered" call
  kCiscoInfrastructure,    // Cisco Meeting Server, TelePresence Server/MCU managed by Conductor
  kUnmanagedMcu,           // an MCU not managed by TelePresence Conductor
  kCollaborationCloud,     // Cisco Collaboration Cloud
  kCloudCmr,               // a cloud-based CMR (Webex)
};

struct CallScenario {
  Registration calling = Registration::kExpresswayC;
  Registration called = Registration::kExternal;
  Destination destination = Destination::kTableRow;
  bool dial_string_transformed = false;  // cloud CMR: bypass only for untransformed strings
  // SIP <-> H.323 interworking (or a gateway) with an endpoint not registered to
  // Cisco infrastructure: one RMS on the node that interworks, whatever the rest.
  bool interworked_with_non_cisco_endpoint = false;
  bool interworking_on_expressway_e = false;
};

// The RMS licenses one video call of `scenario` takes, per node; NotFound when the
// scenario is a table call whose row the specification does not give.
Result<RmsCharge> ChargeFor(const CallScenario& scenario);

// A call between endpoints registered to different peers of one cluster: no RMS when
// both are registered to Cisco infrastructure, otherwise one, on the peer where the
// B2BUA is engaged.
int IntraclusterRms(bool both_registered_to_cisco_infrastructure);

// "m=" lines in an SDP body; an audio-only SIP call is one negotiated with exactly one.
int CountMediaLines(std::string_view sdp);

}  // namespace sl::expressway
