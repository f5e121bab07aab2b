#include "transport/reply_buffer.h"

#include <string_view>

#include "transport/retry_after.h"

namespace sl {

size_t OnReplyBody(char* data, size_t size, size_t count, void* reply_buffer) {
  auto* reply = static_cast<CurlTransport::ReplyBuffer*>(reply_buffer);
  const size_t n = size * count;
  // CURLOPT_MAXFILESIZE only acts on a declared Content-Length; counting here also
  // stops chunked bodies and bodies that run until the connection closes.
  if (reply->body.size() + n > reply->cap) {
    reply->too_large = true;
    return 0;  // anything short of n aborts the transfer with CURLE_WRITE_ERROR
  }
  reply->body.append(data, n);
  return n;
}

size_t OnReplyHeader(char* data, size_t size, size_t count, void* reply_buffer) {
  auto* reply = static_cast<CurlTransport::ReplyBuffer*>(reply_buffer);
  const size_t n = size * count;
  TrackRetryAfter(std::string_view(data, n), reply->retry_after);
  return n;
}

}  // namespace sl
