// Bounded JSON parsing and typed field access over RapidJSON, plus a small writer.
//
// RapidJSON has no size limit of its own and crashes on a Get*() of the wrong type,
// so every untrusted document goes through ParseJson (size cap, iterative parser,
// no trailing garbage) and JsonReader (checks each type, names the failing field).
// Thread-safety: none; use one reader or writer per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "smartlicensing/status.h"

namespace sl {

constexpr size_t kDefaultMaxJsonBytes = 64 * 1024;

// Parses one JSON document of at most `max_bytes`. The error names the offset.
// Besides JSON's grammar it refuses what cannot round-trip through our records and
// messages: a string (or key) holding a lone UTF-16 surrogate (RapidJSON validates raw
// UTF-8 but lets "\udc00" through as bytes no UTF-8 decoder accepts) or a NUL, and an
// object with the same key twice (which one counts differs between parsers), and a
// number too large for a double (RapidJSON would read it as infinity). The error
// names the field that holds the bad string, e.g. "the string at 'udi.sn' holds a NUL".
Result<rapidjson::Document> ParseJson(std::string_view text, size_t max_bytes = kDefaultMaxJsonBytes);

// Reads typed fields of one JSON object. The first problem is kept and later reads
// return defaults, so a caller reads every field and then checks status() once:
//
//   JsonReader r(doc, "request");
//   std::string token = r.String("token");
//   int64_t count = r.Int("count", 0, 1000000);
//   if (!r.ok()) return r.status();  // "field 'request.count' must be an integer"
class JsonReader {
 public:
  // `path` names the object in error messages.
  JsonReader(const rapidjson::Value& object, std::string path);

  bool ok() const { return error_->ok(); }
  const Status& status() const { return *error_; }
  bool Has(const char* name) const;

  std::string String(const char* name, size_t max_len = 4096);
  std::optional<std::string> OptionalString(const char* name, size_t max_len = 4096);
  int64_t Int(const char* name, int64_t min, int64_t max);
  std::optional<int64_t> OptionalInt(const char* name, int64_t min, int64_t max);
  bool Bool(const char* name);
  std::optional<bool> OptionalBool(const char* name);
  // A nested object; on error a reader over an empty object sharing this error.
  JsonReader Object(const char* name);
  // Each element of an array of objects, at most `max_items`.
  std::vector<JsonReader> Objects(const char* name, size_t max_items);
  // An object of integers, e.g. {"rms": 10, "room": 5}, as (name, value) pairs.
  std::vector<std::pair<std::string, int64_t>> IntMembers(const char* name, int64_t min, int64_t max,
                                                          size_t max_items);
  // Records an error of the caller's own about field `name` (e.g. a bad enum value).
  void Fail(const char* name, const std::string& problem);

 private:
  JsonReader(const rapidjson::Value& object, std::string path, std::shared_ptr<Status> error);
  const rapidjson::Value* Find(const char* name, bool required);
  std::string FieldPath(const char* name) const;

  const rapidjson::Value* object_;
  std::string path_;
  std::shared_ptr<Status> error_;
};

// Writes compact JSON:  JsonWriter w; w.StartObject().Field("a", 1).EndObject(); w.str();
// A key or string value that ParseJson would refuse (not well-formed UTF-8, a NUL) is
// remembered: status() names its field, and a caller that must not write a document it
// cannot read back checks it before using str(). (It is still written as given, not
// blanked, so that a caller that checks by reading back, like SealState, refuses too
// rather than keep a record with the field silently emptied.)
class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}
  JsonWriter& StartObject() { writer_.StartObject(); return *this; }
  JsonWriter& EndObject() { writer_.EndObject(); return *this; }
  JsonWriter& StartArray() { writer_.StartArray(); return *this; }
  JsonWriter& EndArray() { writer_.EndArray(); return *this; }
  JsonWriter& Key(std::string_view k);
  JsonWriter& Value(std::string_view v);
  JsonWriter& Value(const char* v) { return Value(std::string_view(v)); }
  JsonWriter& Value(int64_t v) { writer_.Int64(v); return *this; }
  JsonWriter& Value(int v) { writer_.Int64(v); return *this; }
  JsonWriter& Value(bool v) { writer_.Bool(v); return *this; }
  JsonWriter& Null() { writer_.Null(); return *this; }
  template <typename T>
  JsonWriter& Field(std::string_view k, const T& v) { Key(k); return Value(v); }
  // Inserts already-serialised JSON as the next value.
  JsonWriter& Raw(std::string_view json) {
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  std::string str() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }
  // OK, or InvalidArgument naming the first key or value that could not be written.
  const Status& status() const { return status_; }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
  std::string last_key_;
  Status status_;
};

}  // namespace sl
