// Fuzzes the bounded JSON parser (base/json.h) every untrusted document goes through.
// Property: a document ParseJson accepts, written back out, is accepted again and
// writes the same (unless it holds a fraction or an exponent: RapidJSON's fast number
// parse may read a written double one unit off, and nothing of ours reads doubles);
// JsonReader reads any field of any type without crashing.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include "base/json.h"
#include "fuzz/fuzz_support.h"

namespace {

std::string Written(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool HoldsADouble(const rapidjson::Value& root) {
  std::vector<const rapidjson::Value*> pending = {&root};
  while (!pending.empty()) {
    const rapidjson::Value* v = pending.back();
    pending.pop_back();
    if (v->IsDouble()) return true;
    if (v->IsArray()) {
      for (const rapidjson::Value& e : v->GetArray()) pending.push_back(&e);
    } else if (v->IsObject()) {
      for (const auto& m : v->GetObject()) pending.push_back(&m.value);
    }
  }
  return false;
}

void ReadFields(const rapidjson::Document& doc) {
  sl::JsonReader r(doc, "doc");
  for (const char* name : {"a", "body", "type", "usage", "udi"}) {
    (void)r.OptionalString(name);
    (void)r.OptionalInt(name, -5, 1000000);
    (void)r.OptionalBool(name);
    (void)r.Objects(name, 16);
    (void)r.IntMembers(name, 0, 100, 16);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sl::Result<rapidjson::Document> doc = sl::ParseJson(sl::fuzz::AsText(data, size));
  if (!doc.ok()) return 0;
  ReadFields(*doc);
  const std::string once = Written(*doc);
  sl::Result<rapidjson::Document> again = sl::ParseJson(once, once.size());
  sl::fuzz::Check(again.ok(), "a parsed document written back parses again", once);
  if (HoldsADouble(*doc)) return 0;
  sl::fuzz::Check(Written(*again) == once, "a parsed document writes the same twice", once);
  return 0;
}
