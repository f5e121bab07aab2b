#include "base/json.h"

#include <rapidjson/error/en.h>

#include <cmath>
#include <set>

#include "base/text.h"

namespace sl {

namespace {

// Why `text` cannot be carried as a string, "" when it can.
std::string StringProblem(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) return "holds a NUL character";
    // U+D800-U+DFFF in UTF-8: 0xED 0xA0-0xBF ...; only an escaped lone surrogate gets here.
    if (c == 0xED && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0xA0) {
      return "holds a lone UTF-16 surrogate";
    }
  }
  return "";
}

std::string_view View(const rapidjson::Value& v) { return std::string_view(v.GetString(), v.GetStringLength()); }

// One value met while checking a document: enough to name where it is on an error.
struct Visited {
  const rapidjson::Value* value;
  size_t parent;         // index into the visited list; kRoot for the document itself
  std::string_view key;  // its key in the parent object, or
  size_t index;          // its index in the parent array
};
constexpr size_t kRoot = static_cast<size_t>(-1);

// Where visited[at] is, as "udi.sn" or "usage[2].tag" ("the document" for the root).
std::string PathOf(const std::vector<Visited>& visited, size_t at) {
  std::vector<std::string> parts;
  for (size_t i = at; i != kRoot && visited[i].parent != kRoot; i = visited[i].parent) {
    const Visited& v = visited[i];
    bool in_array = visited[v.parent].value->IsArray();
    parts.push_back(in_array ? "[" + std::to_string(v.index) + "]"
                             : (visited[v.parent].parent == kRoot ? "" : ".") +
                                   SanitizeForDisplay(std::string(v.key), 64));
  }
  if (parts.empty()) return "the document";
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += *it;
  return "'" + path + "'";
}

// Checks every string, key and object of `root` (iteratively: documents may nest deep).
Status CheckDocument(const rapidjson::Value& root) {
  std::vector<Visited> visited = {{&root, kRoot, {}, 0}};
  std::vector<size_t> pending = {0};
  while (!pending.empty()) {
    size_t at = pending.back();
    pending.pop_back();
    const rapidjson::Value* v = visited[at].value;
    if (v->IsString()) {
      if (std::string problem = StringProblem(View(*v)); !problem.empty()) {
        return InvalidArgument("malformed JSON: the string at " + PathOf(visited, at) + " " + problem);
      }
    } else if (v->IsDouble() && !std::isfinite(v->GetDouble())) {
      // RapidJSON reads 2e308 as infinity, which no JSON writer can write back (fuzzing found it).
      return InvalidArgument("malformed JSON: the number at " + PathOf(visited, at) + " is out of range");
    } else if (v->IsArray()) {
      for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        visited.push_back({&(*v)[i], at, {}, i});
        pending.push_back(visited.size() - 1);
      }
    } else if (v->IsObject()) {
      std::set<std::string_view> keys;
      for (const auto& m : v->GetObject()) {
        if (std::string problem = StringProblem(View(m.name)); !problem.empty()) {
          return InvalidArgument("malformed JSON: a key in " + PathOf(visited, at) + " " + problem);
        }
        if (!keys.insert(View(m.name)).second) {
          return InvalidArgument("malformed JSON: the key '" + SanitizeForDisplay(std::string(View(m.name)), 64) +
                                 "' appears twice in one object");
        }
        visited.push_back({&m.value, at, View(m.name), 0});
        pending.push_back(visited.size() - 1);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<rapidjson::Document> ParseJson(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return ResourceExhausted("JSON document of " + std::to_string(text.size()) +
                             " bytes is over the limit of " + std::to_string(max_bytes) + " bytes");
  }
  rapidjson::Document doc;
  // Iterative parsing keeps deeply nested input from exhausting the stack.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(),
                                                                                   text.size());
  if (doc.HasParseError()) {
    return InvalidArgument(std::string("malformed JSON at offset ") +
                           std::to_string(doc.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(doc.GetParseError()));
  }
  SL_RETURN_IF_ERROR(CheckDocument(doc));
  return doc;
}

namespace {
const rapidjson::Value& EmptyObject() {
  static const rapidjson::Value* empty = new rapidjson::Value(rapidjson::kObjectType);
  return *empty;
}
}  // namespace

JsonReader::JsonReader(const rapidjson::Value& object, std::string path)
    : JsonReader(object, std::move(path), std::make_shared<Status>()) {}

JsonReader::JsonReader(const rapidjson::Value& object, std::string path, std::shared_ptr<Status> error)
    : object_(&object), path_(std::move(path)), error_(std::move(error)) {
  if (!object_->IsObject()) {
    if (error_->ok()) *error_ = InvalidArgument("'" + path_ + "' must be a JSON object");
    object_ = &EmptyObject();
  }
}

std::string JsonReader::FieldPath(const char* name) const {
  return path_.empty() ? std::string(name) : path_ + "." + name;
}

void JsonReader::Fail(const char* name, const std::string& problem) {
  if (error_->ok()) *error_ = InvalidArgument("field '" + FieldPath(name) + "' " + problem);
}

bool JsonReader::Has(const char* name) const {
  auto it = object_->FindMember(name);
  return it != object_->MemberEnd() && !it->value.IsNull();
}

const rapidjson::Value* JsonReader::Find(const char* name, bool required) {
  auto it = object_->FindMember(name);
  if (it == object_->MemberEnd() || it->value.IsNull()) {
    if (required) Fail(name, "is missing");
    return nullptr;
  }
  return &it->value;
}

std::optional<std::string> JsonReader::OptionalString(const char* name, size_t max_len) {
  const rapidjson::Value* v = Find(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->IsString()) {
    Fail(name, "must be a string");
    return std::nullopt;
  }
  if (v->GetStringLength() > max_len) {
    Fail(name, "is longer than " + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return std::string(v->GetString(), v->GetStringLength());
}

std::string JsonReader::String(const char* name, size_t max_len) {
  if (!Has(name)) {
    Fail(name, "is missing");
    return {};
  }
  return OptionalString(name, max_len).value_or("");
}

std::optional<int64_t> JsonReader::OptionalInt(const char* name, int64_t min, int64_t max) {
  const rapidjson::Value* v = Find(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->IsInt64()) {
    Fail(name, "must be an integer");
    return std::nullopt;
  }
  int64_t n = v->GetInt64();
  if (n < min || n > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

int64_t JsonReader::Int(const char* name, int64_t min, int64_t max) {
  if (!Has(name)) {
    Fail(name, "is missing");
    return 0;
  }
  return OptionalInt(name, min, max).value_or(0);
}

std::optional<bool> JsonReader::OptionalBool(const char* name) {
  const rapidjson::Value* v = Find(name, false);
  if (v == nullptr) return std::nullopt;
  if (!v->IsBool()) {
    Fail(name, "must be true or false");
    return std::nullopt;
  }
  return v->GetBool();
}

bool JsonReader::Bool(const char* name) {
  if (!Has(name)) {
    Fail(name, "is missing");
    return false;
  }
  return OptionalBool(name).value_or(false);
}

JsonReader JsonReader::Object(const char* name) {
  const rapidjson::Value* v = Find(name, true);
  if (v == nullptr) return JsonReader(EmptyObject(), FieldPath(name), error_);
  return JsonReader(*v, FieldPath(name), error_);
}

std::vector<JsonReader> JsonReader::Objects(const char* name, size_t max_items) {
  std::vector<JsonReader> out;
  const rapidjson::Value* v = Find(name, true);
  if (v == nullptr) return out;
  if (!v->IsArray()) {
    Fail(name, "must be an array");
    return out;
  }
  if (v->Size() > max_items) {
    Fail(name, "has more than " + std::to_string(max_items) + " items");
    return out;
  }
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    out.push_back(JsonReader((*v)[i], FieldPath(name) + "[" + std::to_string(i) + "]", error_));
  }
  return out;
}

std::vector<std::pair<std::string, int64_t>> JsonReader::IntMembers(const char* name, int64_t min,
                                                                    int64_t max, size_t max_items) {
  std::vector<std::pair<std::string, int64_t>> out;
  JsonReader members = Object(name);
  if (!ok()) return out;
  if (members.object_->MemberCount() > max_items) {
    Fail(name, "has more than " + std::to_string(max_items) + " members");
    return out;
  }
  for (auto it = members.object_->MemberBegin(); it != members.object_->MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    int64_t value = members.Int(key.c_str(), min, max);
    if (!ok()) return {};
    out.emplace_back(std::move(key), value);
  }
  return out;
}

JsonWriter& JsonWriter::Key(std::string_view k) {
  if (!IsCarriableText(k)) {
    if (status_.ok()) status_ = InvalidArgument("a key after '" + SanitizeForDisplay(last_key_, 64) +
                                                "' is not well-formed UTF-8 free of NUL");
  }
  last_key_.assign(k);
  writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  return *this;
}

JsonWriter& JsonWriter::Value(std::string_view v) {
  if (!IsCarriableText(v)) {
    if (status_.ok()) {
      status_ = InvalidArgument("field '" + SanitizeForDisplay(last_key_, 64) +
                                "' is not well-formed UTF-8 free of NUL characters");
    }
  }
  writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  return *this;
}

}  // namespace sl
