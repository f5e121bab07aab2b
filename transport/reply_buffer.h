// CurlTransport::ReplyBuffer: one Send's reply as libcurl's callbacks receive it,
// and the two callbacks (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION) that fill it.
// Thread-safety: a buffer belongs to the one Send that owns it; the callbacks run on
// that Send's thread, inside curl_easy_perform.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "smartlicensing/curl_transport.h"

namespace sl {

struct CurlTransport::ReplyBuffer {
  std::string body;
  size_t cap = 0;          // the most body bytes to keep (max_response_bytes)
  bool too_large = false;  // the body passed `cap` and the transfer was stopped
  std::optional<std::string> retry_after;  // the raw header value of the final response
};

// CURLOPT_WRITEFUNCTION, with CURLOPT_WRITEDATA a ReplyBuffer: appends to the body,
// or stops the transfer (CURLE_WRITE_ERROR) when the body would pass the cap.
size_t OnReplyBody(char* data, size_t size, size_t count, void* reply_buffer);
// CURLOPT_HEADERFUNCTION, with CURLOPT_HEADERDATA a ReplyBuffer: keeps Retry-After.
size_t OnReplyHeader(char* data, size_t size, size_t count, void* reply_buffer);

}  // namespace sl
