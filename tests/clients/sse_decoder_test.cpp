// The SSE decoder (protocols.md §7.2) and the chunk handling above it (§7.3), without a
// network: adversarial splits of the byte stream must never change what is decoded.
#include <catch2/catch.hpp>

#include "providers/openai/chat_protocol.hpp"
#include "providers/openai/sentence_splitter.hpp"
#include "providers/openai/sse_decoder.hpp"

#include <nlohmann/json.hpp>

using ce::openai::chunk_accumulator;
using ce::openai::sentence_splitter;
using ce::openai::sse_decoder;
using ce::openai::sse_event;

namespace {

// Every rule at once: CRLF, CR and LF line ends, a comment, multi-line data, a field
// without a space after the colon, event/id/retry fields, an unknown field, an empty
// event (only blank lines), and a final [DONE].
const std::string stream =
  ": keep-alive\r\n\r\n"
  "data: {\"a\":1}\r\n\r\n"
  "event: message\nid: 7\ndata: line one\ndata:line two\n\n"
  "retry: 1500\rdata: {\"b\":\r\r"
  "\n\n"
  "foo: ignored\ndata:\n\n"
  "data: [DONE]\n\n";

std::vector<sse_event> expected() {
  std::vector<sse_event> e(5);
  e[0].data = "{\"a\":1}";
  e[1].event = "message";
  e[1].id = "7";
  e[1].data = "line one\nline two";
  e[2].retry = 1500;
  e[2].data = "{\"b\":";
  e[3].data = "";  // "foo: ignored" is no field; "data:" is an empty data line
  e[4].data = "[DONE]";
  return e;
}

bool same(const std::vector<sse_event>& a, const std::vector<sse_event>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].data != b[i].data || a[i].event != b[i].event || a[i].id != b[i].id || a[i].retry != b[i].retry) return false;
  return true;
}

std::vector<sse_event> decode_in_parts(const std::string& s, const std::vector<std::size_t>& cuts) {
  sse_decoder d;
  std::vector<sse_event> out;
  std::size_t prev = 0;
  for (auto c : cuts) {
    d.feed(std::string_view(s).substr(prev, c - prev), out);
    prev = c;
  }
  d.feed(std::string_view(s).substr(prev), out);
  CHECK_FALSE(d.has_partial());
  return out;
}

} // namespace

TEST_CASE("SSE decoder follows the line, field and event rules", "[clients][sse]") {
  auto out = decode_in_parts(stream, {});
  REQUIRE(out.size() == 5);
  CHECK(same(out, expected()));
}

TEST_CASE("SSE decoder gives the same events whatever the split: every byte boundary, every pair, byte by byte",
          "[clients][sse]") {
  const auto want = expected();
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    INFO("cut at " << i);
    REQUIRE(same(decode_in_parts(stream, {i}), want));
  }
  for (std::size_t i = 0; i <= stream.size(); ++i)
    for (std::size_t j = i; j <= stream.size(); ++j) {
      INFO("cuts at " << i << ", " << j);
      REQUIRE(same(decode_in_parts(stream, {i, j}), want));
    }
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
  CHECK(same(decode_in_parts(stream, every), want));
}

TEST_CASE("SSE decoder reports an unfinished event at the end of the stream, and over-long lines", "[clients][sse]") {
  sse_decoder d;
  std::vector<sse_event> out;
  d.feed("data: {\"x\":1}\n\ndata: {\"y\"", out);
  CHECK(out.size() == 1);
  CHECK(d.has_partial());
  d.feed(":2}\n", out);
  CHECK(out.size() == 1);
  CHECK(d.has_partial());  // a data line without its blank line is not an event yet
  d.feed("\n", out);
  CHECK(out.size() == 2);
  CHECK(out[1].data == "{\"y\":2}");

  sse_decoder small(16);
  std::vector<sse_event> o2;
  small.feed("data: 0123456789abcdef", o2);
  CHECK(small.overflowed());
}

TEST_CASE("Chunk handling: text deltas, tool-call fragments by index, usage, an error object, [DONE]",
          "[clients][sse]") {
  chunk_accumulator acc;
  auto step = acc.on_data(R"({"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null},"finish_reason":null}],"usage":null})");
  CHECK(step.text.empty());
  step = acc.on_data(R"({"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})");
  CHECK(step.text == "Hi");
  acc.on_data(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":""}}]}}]})");
  acc.on_data(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"d\":\"x\\"}}]}}]})");
  acc.on_data(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"b","arguments":"{}"}}]}}]})");
  acc.on_data(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"y\"}"}}]}}]})");
  acc.on_data(R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})");
  acc.on_data(R"({"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4}}})");
  CHECK(acc.on_data("[DONE]").done);
  auto c = acc.finish();
  CHECK(c.id == "c1");
  CHECK(c.text == "Hi");
  CHECK(c.finish_reason == "tool_calls");
  REQUIRE(c.tool_calls.size() == 2);
  CHECK(c.tool_calls[0].id == "call_1");
  CHECK(c.tool_calls[0].arguments == "{\"d\":\"x\\\"y\"}");
  CHECK(c.tool_calls[0].arguments_valid);
  CHECK(c.tool_calls[1].name == "b");
  REQUIRE(c.usage);
  CHECK(c.usage->total_tokens == 15);
  CHECK(c.usage->cached_tokens == 4);

  chunk_accumulator bad;
  bad.on_data(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"a","arguments":"{\"x\":"}}]}}]})");
  CHECK_FALSE(bad.finish().tool_calls[0].arguments_valid);
  auto err = bad.on_data(R"({"error":{"message":"boom","type":"server_error","param":null,"code":null}})");
  REQUIRE(err.error);
  CHECK(err.error->code == ce::http::provider_errc::server_error);
  CHECK(err.error->message == "boom");
  auto junk = bad.on_data("{not json");
  REQUIRE(junk.error);
  CHECK(junk.error->code == ce::http::provider_errc::protocol_violation);
}

TEST_CASE("Sentence splitter hands over each sentence as soon as it is complete", "[clients][sse][sentence]") {
  sentence_splitter s;
  CHECK(s.push("Sure").empty());
  CHECK(s.push(".") == std::vector<std::string>{"Sure."});  // on the delta that ends it
  CHECK(s.push(" I have 9").empty());
  CHECK(s.push(".").empty());  // "9." could still be "9.30": wait for the next character
  CHECK(s.push(" Bye") == std::vector<std::string>{"I have 9."});
  sentence_splitter t;
  std::vector<std::string> out;
  for (std::string_view piece : {"Sure", ".", " I have", " 9", ".", "30", " or 10", " a.m.", " on Tuesday", ".", " Dr", ".",
                                 " Smith", " will", " see", " you", "!", " Okay", "?\"", " Bye"}) {
    for (auto& x : t.push(piece)) out.push_back(x);
  }
  if (auto rest = t.finish()) out.push_back(*rest);
  CHECK(out == std::vector<std::string>{"Sure.", "I have 9.30 or 10 a.m. on Tuesday.", "Dr. Smith will see you!",
                                        "Okay?\"", "Bye"});
  sentence_splitter lines;
  CHECK(lines.push("First line\nSecond") == std::vector<std::string>{"First line"});
  CHECK(lines.finish() == std::optional<std::string>("Second"));
  sentence_splitter longrun(40);
  auto parts = longrun.push("this goes on and on, without any full stop at all for a while");
  REQUIRE(parts.size() == 1);
  CHECK(parts[0] == "this goes on and on,");
  CHECK_FALSE(sentence_splitter().finish());
}

namespace {

/// Pushes the pieces in order; the sentences each push returned, one list per piece.
std::vector<std::vector<std::string>> push_each(sentence_splitter& s, std::initializer_list<std::string_view> pieces) {
  std::vector<std::vector<std::string>> out;
  for (auto p : pieces) out.push_back(s.push(p));
  return out;
}

using sentences = std::vector<std::string>;

} // namespace

TEST_CASE("Sentence splitter cuts a sentence on the delta that ends it, without waiting for the next space",
          "[clients][sse][sentence]") {
  sentence_splitter s;
  // The first sentence is out on the push of its '.', not one token later.
  CHECK(push_each(s, {"Sure", ",", " happy", " to", " help", "."}) ==
        std::vector<sentences>{{}, {}, {}, {}, {}, {"Sure, happy to help."}});
  CHECK(s.pending().empty());
  // ".." waits (an ellipsis on its way), "..." is an end.
  CHECK(push_each(s, {" We open", "..", "."}) == std::vector<sentences>{{}, {}, {"We open..."}});
  CHECK(s.push(" Really").empty());
  CHECK(s.push("?") == sentences{"Really?"});
  CHECK(s.push(" Yes").empty());
  CHECK(s.push("!") == sentences{"Yes!"});
  CHECK(s.push(" Well").empty());
  CHECK(s.push("\xE2\x80\xA6") == sentences{"Well\xE2\x80\xA6"});
  // Closing quotes or brackets that came with the end go with it.
  CHECK(s.push(" He asked \"why?\"") == sentences{"He asked \"why?\""});
  CHECK(s.push(" (As planned.)") == sentences{"(As planned.)"});
  // A '.' after a word of more than one letter that is not an abbreviation is an end.
  CHECK(s.push(" It is on Main St. near the park").empty());
  CHECK(s.push(".") == sentences{"It is on Main St. near the park."});
  CHECK_FALSE(s.finish());
}

TEST_CASE("Sentence splitter waits for more after a dot that may not end the sentence (digit, one letter, "
          "abbreviation, two dots)",
          "[clients][sse][sentence]") {
  sentence_splitter s;
  // A digit: "49." may become "49.95".
  CHECK(push_each(s, {"It costs 49", ".", "95", " dollars", "."}) ==
        std::vector<sentences>{{}, {}, {}, {}, {"It costs 49.95 dollars."}});
  // ... and when it does not, the sentence is out with the next space.
  CHECK(push_each(s, {" Room 9", ".", " Next"}) == std::vector<sentences>{{}, {}, {"Room 9."}});
  CHECK(s.finish() == std::optional<std::string>("Next"));
  // A one-letter word, lower case: "a." may become "a.m.", which is an abbreviation.
  CHECK(push_each(s, {"Open at 10 a", ".", "m", ".", " on Monday", "."}) ==
        std::vector<sentences>{{}, {}, {}, {}, {}, {"Open at 10 a.m. on Monday."}});
  // A one-letter word, upper case: an initial.
  CHECK(push_each(s, {" Ask for J", ".", " Smith", "."}) == std::vector<sentences>{{}, {}, {}, {"Ask for J. Smith."}});
  // A lower-case one-letter word that was an end after all: cut with the next space.
  CHECK(push_each(s, {" Take plan a", ".", " Or"}) == std::vector<sentences>{{}, {}, {"Take plan a."}});
  CHECK(s.finish() == std::optional<std::string>("Or"));
  // The abbreviations, in either case.
  for (std::string_view abbr : {"Dr", "mr", "Mrs", "St", "approx", "e.g", "I.E", "p.m", "vs"}) {
    sentence_splitter a;
    CHECK(a.push("See ").empty());
    CHECK(a.push(abbr).empty());
    CHECK(a.push(".").empty());
    CHECK(a.pending() == "See " + std::string(abbr) + ".");
  }
  // ".." may become "..."; followed by a space it is an end as it stands.
  CHECK(push_each(s, {"Let me see", "..", " Yes", "."}) == std::vector<sentences>{{}, {}, {"Let me see.."}, {"Yes."}});
  CHECK_FALSE(s.finish());
}

TEST_CASE("Sentence splitter drops closing quotes and brackets that arrive just after an early cut",
          "[clients][sse][sentence]") {
  sentence_splitter s;
  CHECK(s.push("He said \"Sure.") == sentences{"He said \"Sure."});
  CHECK(s.push("\" Then he left").empty());  // the closing quote goes nowhere
  CHECK(s.push(".") == sentences{"Then he left."});
  // Several closers, over several deltas, and a '!' that belonged to the same end.
  CHECK(push_each(s, {" (Call us today?", "!", "\"", ")", " Bye", "."}) ==
        std::vector<sentences>{{"(Call us today?"}, {}, {}, {}, {}, {"Bye."}});
  // The reply ends with the closer: nothing is left for finish() to hand over.
  CHECK(s.push(" \"Okay?") == sentences{"\"Okay?"});
  CHECK(s.push("\"").empty());
  CHECK(s.pending().empty());
  CHECK_FALSE(s.finish());
  // After a space (or anything else) a quote is no longer part of the cut end: it is kept.
  sentence_splitter t;
  CHECK(t.push("Yes!") == sentences{"Yes!"});
  CHECK(t.push(" \"Fine\" he said.") == sentences{"\"Fine\" he said."});
  // A cut at a line break is not an early cut: what follows is kept.
  CHECK(t.push("List\n") == sentences{"List"});
  CHECK(t.push("(a) first").empty());
  CHECK(t.finish() == std::optional<std::string>("(a) first"));
}
