// How a libcurl transfer that ended without an HTTP reply becomes a TransportFailure
// and the sentence an operator reads: which host or proxy, what failed, libcurl's
// own words, and what to check. One table maps libcurl's codes to small functions,
// one per kind of failure.
// Thread-safety: pure functions, except DescribeFailedTransfer, which reads the
// handle of the transfer that just ended (on the thread that ran it).
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <string>

#include "smartlicensing/transport.h"

namespace sl {

// What is known of one transfer that ended without an HTTP reply.
struct FailedTransfer {
  CURLcode code = CURLE_OK;  // CURLE_OK: the transfer ended without a status line
  std::string detail;        // libcurl's sentence, without a trailing period
  long connect_status = 0;   // the proxy's HTTP answer to CONNECT; 0 without one
  bool connected = false;    // a connection to the server or proxy was made
  bool too_large = false;    // the write callback stopped the reply at `cap`
  size_t cap = 0;            // the reply size cap, in bytes
};

// Where the transfer was going: what the sentences name.
struct TransferRoute {
  const TransportSettings& settings;
  const std::string& url;
  const std::string& target;  // "host:port" of the server
  const std::string& proxy;   // "host:port" of the proxy; empty without one
};

struct ClassifiedFailure {
  TransportFailure failure;
  std::string message;  // may name the proxy's username, never its password
};

// Reads what `curl` knows of the transfer that just ended with `code`: libcurl's
// sentence (`error_buffer` when it has one, else the code's name), the proxy's
// CONNECT answer and whether a connection was made.
FailedTransfer DescribeFailedTransfer(CURL* curl, CURLcode code, const char* error_buffer, bool too_large,
                                      size_t cap);

ClassifiedFailure ClassifyFailure(const FailedTransfer& transfer, const TransferRoute& route);

}  // namespace sl
