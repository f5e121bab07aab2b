#include "base/json.h"

#include <gtest/gtest.h>

namespace sl {
namespace {

TEST(JsonTest, ParsesAWellFormedObject) {
  Result<rapidjson::Document> doc = ParseJson(R"({"a": 1})");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->IsObject());
}

TEST(JsonTest, RejectsMalformedAndTrailingGarbage) {
  for (const char* bad : {"", "{", "{\"a\":}", "{} {}", "{}x", "[1,]"}) {
    Result<rapidjson::Document> doc = ParseJson(bad);
    EXPECT_FALSE(doc.ok()) << bad;
    EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(JsonTest, RejectsOversizedDocumentBeforeParsing) {
  std::string big = "\"" + std::string(100, 'x') + "\"";
  Result<rapidjson::Document> doc = ParseJson(big, 50);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kResourceExhausted);
}

TEST(JsonTest, RefusesStringsThatCannotRoundTrip) {
  struct Case {
    const char* json;
    const char* why;
  };
  for (const Case& c : {Case{R"({"s":"a\udc00b"})", "lone UTF-16 surrogate"},
                        Case{R"({"s":"a\ud800"})", ""},  // RapidJSON refuses this one itself
                        Case{R"({"s":"\u0000"})", "NUL"},
                        Case{R"({"k\udfff":1})", "lone UTF-16 surrogate"},
                        Case{R"({"a":[{"s":"x\udc01"}]})", "lone UTF-16 surrogate"},
                        Case{"{\"s\":\"\xED\xA0\x80\"}", ""}}) {
    Result<rapidjson::Document> doc = ParseJson(c.json);
    ASSERT_FALSE(doc.ok()) << c.json;
    EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(doc.status().message().find(c.why), std::string::npos) << doc.status().message();
  }
  EXPECT_TRUE(ParseJson(R"({"s":"\ud83d\ude00 caf\u00e9"})").ok()) << "a surrogate pair is a character";
}

TEST(JsonTest, RefusesAnObjectWithTheSameKeyTwice) {
  Result<rapidjson::Document> doc = ParseJson(R"({"a":{"mode":"smart","mode":"pak"}})");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("'mode' appears twice"), std::string::npos) << doc.status().message();
  EXPECT_TRUE(ParseJson(R"({"a":{"mode":1},"b":{"mode":2}})").ok()) << "the same key in two objects is fine";
}

TEST(JsonTest, TheRepeatedKeyIsNamedSafely) {
  // A key with an escape sequence, long enough that the name is shortened inside a "é".
  std::string key = "\\u001b[2Jx";
  for (int i = 0; i < 40; ++i) key += "\\u00e9";
  Result<rapidjson::Document> doc = ParseJson("[{\"" + key + "\":1,\"" + key + "\":2}]");
  ASSERT_FALSE(doc.ok());
  const std::string& message = doc.status().message();
  EXPECT_NE(message.find("appears twice"), std::string::npos) << message;
  EXPECT_EQ(message.find('\x1b'), std::string::npos) << message;
  // The message is text a record or an event may hold: it reads back as JSON.
  JsonWriter w;
  w.StartObject().Field("error", message).EndObject();
  EXPECT_TRUE(ParseJson(w.str()).ok()) << message;
}

TEST(JsonTest, DeepNestingDoesNotCrash) {
  std::string deep(100000, '[');
  EXPECT_FALSE(ParseJson(deep, 1 << 20).ok());
}

TEST(JsonReaderTest, ReadsTypedFields) {
  auto doc = ParseJson(R"({"s":"x","n":5,"b":true,"o":{"k":"v"},"a":[{"t":1},{"t":2}]})");
  ASSERT_TRUE(doc.ok());
  JsonReader r(*doc, "req");
  EXPECT_EQ(r.String("s"), "x");
  EXPECT_EQ(r.Int("n", 0, 10), 5);
  EXPECT_TRUE(r.Bool("b"));
  EXPECT_EQ(r.Object("o").String("k"), "v");
  auto items = r.Objects("a", 5);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].Int("t", 0, 9), 2);
  EXPECT_FALSE(r.OptionalString("missing").has_value());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(JsonReaderTest, NamesTheFirstBadField) {
  auto doc = ParseJson(R"({"count":"7","name":5})");
  ASSERT_TRUE(doc.ok());
  JsonReader r(*doc, "req");
  r.Int("count", 0, 10);
  r.String("name");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "field 'req.count' must be an integer");
}

TEST(JsonReaderTest, ReportsMissingOutOfRangeAndTooLong) {
  auto doc = ParseJson(R"({"n":11,"s":"abcdef","a":[{},{},{}]})");
  ASSERT_TRUE(doc.ok());
  {
    JsonReader r(*doc, "x");
    r.String("absent");
    EXPECT_EQ(r.status().message(), "field 'x.absent' is missing");
  }
  {
    JsonReader r(*doc, "x");
    r.Int("n", 0, 10);
    EXPECT_EQ(r.status().message(), "field 'x.n' must be between 0 and 10");
  }
  {
    JsonReader r(*doc, "x");
    r.String("s", 3);
    EXPECT_EQ(r.status().message(), "field 'x.s' is longer than 3 characters");
  }
  {
    JsonReader r(*doc, "x");
    r.Objects("a", 2);
    EXPECT_EQ(r.status().message(), "field 'x.a' has more than 2 items");
  }
}

TEST(JsonReaderTest, NonObjectRootIsAnError) {
  auto doc = ParseJson("[1]");
  ASSERT_TRUE(doc.ok());
  JsonReader r(*doc, "body");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.String("x"), "");  // reads are safe after an error
}

TEST(JsonWriterTest, WritesEscapedCompactJson) {
  JsonWriter w;
  w.StartObject().Field("a", "q\"x").Field("n", int64_t{-3}).Field("b", false).EndObject();
  EXPECT_EQ(w.str(), R"({"a":"q\"x","n":-3,"b":false})");
}

// Issue 12, defect 4: the error says which field holds the string it refuses, so that
// an operator (or the encoder's caller) knows what to fix.
TEST(JsonTest, TheRefusedStringIsNamedByItsField) {
  struct Case {
    const char* json;
    const char* where;
  };
  for (const Case& c : {Case{R"({"udi":{"pid":"P","sn":"a\u0000"}})", "the string at 'udi.sn' holds a NUL"},
                        Case{R"({"usage":[{"tag":"t"},{"tag":"\udc00"}]})", "the string at 'usage[1].tag' holds a lone"},
                        Case{R"({"token":"\udfff"})", "the string at 'token' holds a lone"},
                        Case{R"(["\u0000"])", "the string at '[0]' holds a NUL"},
                        Case{R"("\u0000")", "the string at the document holds a NUL"},
                        Case{R"({"a":{"k\u0000":1}})", "a key in 'a' holds a NUL"}}) {
    Result<rapidjson::Document> doc = ParseJson(c.json);
    ASSERT_FALSE(doc.ok()) << c.json;
    EXPECT_NE(doc.status().message().find(c.where), std::string::npos) << doc.status().message();
  }
}

// Issue 12, defect 4: the writer never writes what ParseJson refuses; it reports the field.
TEST(JsonTest, TheWriterRefusesStringsTheParserWouldRefuse) {
  struct Case {
    std::string value;
    bool carriable;
  };
  for (const Case& c : {Case{std::string("a\0b", 3), false}, Case{"\xED\xA0\x80", false},  // NUL; U+D800
                        Case{"\xED\xBF\xBF", false}, Case{"\xC0\xAF", false},            // U+DFFF; overlong
                        Case{"\x9B" "31m", false}, Case{"caf\xC3", false},                   // stray; cut short
                        Case{"\xF4\x90\x80\x80", false},                                  // past U+10FFFF
                        Case{"caf\xC3\xA9 \xF0\x9F\x98\x80", true}, Case{"", true}}) {
    JsonWriter w;
    w.StartObject().Field("token", c.value).Field("n", 1).EndObject();
    if (c.carriable) {
      ASSERT_TRUE(w.status().ok()) << w.status().ToString();
      Result<rapidjson::Document> doc = ParseJson(w.str());
      ASSERT_TRUE(doc.ok()) << doc.status().ToString();
      EXPECT_EQ(std::string((*doc)["token"].GetString(), (*doc)["token"].GetStringLength()), c.value);
    } else {
      ASSERT_FALSE(w.status().ok()) << "wrote " << w.str();
      EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(w.status().message().find("field 'token'"), std::string::npos) << w.status().message();
      EXPECT_FALSE(ParseJson(w.str()).ok()) << "the value is not blanked: " << w.str();
    }
  }
  JsonWriter keys;
  keys.StartObject().Field("ok", 1).Field(std::string("k\0", 2), 2).EndObject();
  EXPECT_FALSE(keys.status().ok());
  EXPECT_NE(keys.status().message().find("a key after 'ok'"), std::string::npos) << keys.status().message();
}

// Found by fuzz/json_fuzzer.cc: RapidJSON read these as infinity, which no writer can
// write back (the document was cut short where the number stood).
TEST(JsonTest, RefusesNumbersTooLargeForADouble) {
  struct Case {
    const char* json;
    const char* why;
  };
  for (const Case& c : {Case{R"({"protocol":16.276831e308})", "the number at 'protocol' is out of range"},
                        Case{R"([1, -2e308])", "the number at '[1]' is out of range"},
                        Case{R"({"a":{"b":1e400}})", ""}}) {  // RapidJSON refuses this one itself
    Result<rapidjson::Document> doc = ParseJson(c.json);
    ASSERT_FALSE(doc.ok()) << c.json;
    EXPECT_NE(doc.status().message().find(c.why), std::string::npos) << doc.status().message();
  }
  EXPECT_TRUE(ParseJson(R"({"a":1.7976931348623157e308,"b":-1e-400})").ok());
}

}  // namespace
}  // namespace sl
