// Conformance of the hot-path JSON scanner against nlohmann::json: both must accept the
// same texts and, for accepted ones, yield the same value.
#include "twilio/json_scan.hpp"
#include "twilio/media_messages.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

namespace {

using nlohmann::json;

/// Rebuilds a json value from scanner events.
struct dom_builder {
  json root;
  std::vector<json*> stack;
  std::string pending_key;
  bool beyond_double = false;  ///< saw a number nlohmann cannot represent

  json* place(json v) {
    if (stack.empty()) {
      root = std::move(v);
      return &root;
    }
    json* top = stack.back();
    if (top->is_object()) {
      json& slot = (*top)[pending_key];
      slot = std::move(v);
      return &slot;
    }
    top->push_back(std::move(v));
    return &top->back();
  }
  bool start_object() {
    stack.push_back(place(json::object()));
    return true;
  }
  bool start_array() {
    stack.push_back(place(json::array()));
    return true;
  }
  bool end_object() {
    stack.pop_back();
    return true;
  }
  bool end_array() { return end_object(); }
  bool key(std::string_view k) {
    pending_key.assign(k);
    return true;
  }
  bool string(std::string_view s) {
    place(std::string{s});
    return true;
  }
  bool number(std::string_view raw, std::optional<std::uint64_t> v) {
    auto parsed = json::parse(raw, nullptr, false);
    if (parsed.is_discarded()) {
      beyond_double = true;
      place(nullptr);
      return true;
    }
    if (v) CHECK(parsed.get<std::uint64_t>() == *v);
    else CHECK_FALSE((parsed.is_number_unsigned()));
    place(std::move(parsed));
    return true;
  }
  bool literal(std::string_view word) {
    if (word == "true") place(true);
    else if (word == "false") place(false);
    else place(nullptr);
    return true;
  }
};

std::optional<json> scan_to_json(std::string_view text, bool* beyond_double = nullptr) {
  dom_builder b;
  std::string scratch;
  if (!ce::twilio::json_scan::scan(text, b, scratch)) return std::nullopt;
  if (beyond_double != nullptr) *beyond_double = b.beyond_double;
  return b.root;
}

/// Returns whether nlohmann accepted `text`.
bool check_agrees(std::string_view text) {
  INFO("text: " << json(std::string{text}).dump(-1, ' ', true, json::error_handler_t::replace));
  auto reference = json::parse(text.begin(), text.end(), nullptr, false);
  bool deep = text.find(std::string(ce::twilio::json_scan::max_depth + 1, '[')) != std::string_view::npos;
  bool beyond_double = false;
  auto ours = scan_to_json(text, &beyond_double);
  if (beyond_double) {
    // The one intended difference: nlohmann refuses numbers past double range.
    CHECK(reference.is_discarded());
  } else if (reference.is_discarded() || deep) {
    CHECK_FALSE(ours);
  } else {
    REQUIRE(ours);
    CHECK(*ours == reference);
  }
  return !reference.is_discarded();
}

} // namespace

TEST_CASE("the scanner accepts exactly the JSON nlohmann accepts, with the same values",
          "[json_scan]") {
  const char* corpus[] = {
      "{}", "[]", "0", "-0", "1", "-1", "0.5", "-0.0e+0", "1E5", "1e-5", "123456789012345678901234",
      "18446744073709551615", "18446744073709551616", "true", "false", "null", R"("")",
      R"("plain")", R"("\"\\\/\b\f\n\r\t")", R"("\u0000")", R"("\u00e9\u4E2D")",
      R"("\ud83d\ude00")", "\"\xC3\xA9\xF0\x9F\x98\x80\"", " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
      R"({"a":1,"a":2})", R"({"a":{"b":{"c":[[],[{}]]}}})", R"([1,"two",true,false,null,{"x":-3.25}])",
      // invalid
      "", " ", "{", "}", "[", "]", "{,}", "[,]", "[1,]", R"({"a":1,})", R"({"a" 1})", R"({"a":})",
      R"({a:1})", "[1 2]", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity",
      "tru", "truex", "nul", "[true false]", R"("unterminated)", R"("\x")", R"("\u12")", R"("\u12G4")",
      R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", "\"a\x01\"", "\"\xC3\"", "\"\xC0\xAF\"",
      "\"\xED\xA0\x80\"", "\"\xF5\x80\x80\x80\"", "\"\xFF\"", "{} {}", "[] x", R"({"a":1}})",
      "\xEF\xBB\xBF{}", "/* c */ {}", R"({'a':1})", "\xEF\xBB{}", "[1e999]", "-1e999",
  };
  for (const char* text : corpus) check_agrees(text);
}

TEST_CASE("the scanner agrees with nlohmann on randomly mutated Twilio frames", "[json_scan][fuzz]") {
  using namespace ce::twilio;
  ce::twilio::start_event s;
  s.sequence_number = 1;
  s.stream_sid = "MZ11111111111111111111111111111111";
  s.call_sid = "CA33333333333333333333333333333333";
  s.account_sid = "AC22222222222222222222222222222222";
  s.tracks = {"inbound"};
  s.custom_parameters = {{"token", "a.b"}, {"note", "caf\xC3\xA9 \"q\" \\ \n"}};
  const std::string seeds[] = {
      start_message(s),
      inbound_media_message(s.stream_sid, 2, 1, 0, std::vector<std::uint8_t>(40, 0x7F)),
      mark_echo_message(s.stream_sid, 3, "g1:s0"),
      dtmf_message(s.stream_sid, 4, '#'),
      stop_message(s.stream_sid, 5, s.account_sid, s.call_sid),
      R"({"n":[-1.5e3,0,18446744073709551616,true,null,"\u00e9\ud83d\ude00"]})",
  };
  const std::string interesting = "\"\\{}[],:0-1e.+ utnfa\x01\x1f\x7f\x80\xbf\xc3\xed\xf0\xff";
  std::mt19937 rng{20240611};
  int accepted = 0;
  const int rounds = 20000;
  for (int round = 0; round < rounds; ++round) {
    std::string text = seeds[static_cast<std::size_t>(round) % std::size(seeds)];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      auto pos = rng() % text.size();
      char c = rng() % 4 == 0 ? static_cast<char>(rng() & 0xFF) : interesting[rng() % interesting.size()];
      switch (rng() % 4) {
        case 0: text[pos] = c; break;
        case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(pos), c); break;
        case 2: text.erase(pos, 1); break;
        case 3: text.resize(pos); break;
      }
    }
    accepted += check_agrees(text) ? 1 : 0;
    // and the frame parser never throws or crashes on it
    CHECK_NOTHROW(parse_inbound(text));
  }
  // The mutations exercise both sides of the grammar.
  CHECK(accepted > rounds / 20);
  CHECK(accepted < rounds - rounds / 20);
}

TEST_CASE("the scanner refuses nesting deeper than its limit", "[json_scan]") {
  using ce::twilio::json_scan::max_depth;
  std::string ok = std::string(max_depth, '[') + std::string(max_depth, ']');
  CHECK(scan_to_json(ok));
  std::string too_deep = std::string(max_depth + 1, '[') + std::string(max_depth + 1, ']');
  CHECK_FALSE(scan_to_json(too_deep));
}
