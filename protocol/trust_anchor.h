// What a certificate must be to serve as the agent's CSSM trust anchor: the CSSM
// signing certificate, which signs every licensing response and issues the devices' ID
// certificates. Checked when an operator sets it, so that a wrong file (the TLS CA, a
// server certificate, an expired copy) is refused at once instead of surfacing later as
// signatures that never verify.
// Thread-safety: a pure function.
#pragma once

#include "protocol/crypto.h"
#include "smartlicensing/status.h"
#include "smartlicensing/time_source.h"

namespace sl {

// OK when `cert` is a CA certificate (basicConstraints CA:TRUE) allowed to sign
// (keyUsage, when present, has digitalSignature and keyCertSign), valid at `now`, with
// an EC P-256 key (the protocol's only algorithm). InvalidArgument otherwise, saying
// which of these fails and what the operator should give instead.
Status CheckTrustAnchor(const Certificate& cert, UnixSeconds now);

}  // namespace sl
