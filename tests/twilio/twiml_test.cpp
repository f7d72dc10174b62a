#include "twilio/twiml.hpp"

#include <catch2/catch.hpp>

using namespace ce::twilio;

namespace {
constexpr std::string_view decl = R"(<?xml version="1.0" encoding="UTF-8"?>)";
}

TEST_CASE("xml_escape escapes the five XML special characters", "[twiml]") {
  CHECK(xml_escape(R"(a & b < c > d "e" 'f')") ==
        "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;");
  CHECK(xml_escape("plain text, é") == "plain text, é");
  CHECK(xml_escape("") == "");
}

TEST_CASE("xml_escape drops control characters XML cannot carry", "[twiml]") {
  CHECK(xml_escape(std::string{"a\x01" "b\tc\nd\re\x1f"}) == "ab\tc\nd\re");
}

TEST_CASE("connect_stream builds a Connect Stream document with parameters", "[twiml]") {
  auto xml = connect_stream("wss://agent.example.com/twilio/media",
                            "https://agent.example.com/twilio/after-stream",
                            {{"token", "abc.def"}, {"direction", "inbound"}});
  CHECK(xml == std::string{decl} +
                   R"(<Response><Connect action="https://agent.example.com/twilio/after-stream" )"
                   R"(method="POST"><Stream url="wss://agent.example.com/twilio/media">)"
                   R"(<Parameter name="token" value="abc.def"/>)"
                   R"(<Parameter name="direction" value="inbound"/>)"
                   R"(</Stream></Connect></Response>)");
}

TEST_CASE("connect_stream without an action omits action and method", "[twiml]") {
  auto xml = connect_stream("wss://h/m", "", {});
  CHECK(xml == std::string{decl} + R"(<Response><Connect><Stream url="wss://h/m"></Stream></Connect></Response>)");
}

TEST_CASE("connect_stream escapes URLs and parameter values", "[twiml]") {
  auto xml = connect_stream("wss://h/m", "https://h/after?a=1&b=2",
                            {{"n\"ame", "v<a>l'ue&"}});
  CHECK(xml.find(R"(action="https://h/after?a=1&amp;b=2")") != std::string::npos);
  CHECK(xml.find(R"(<Parameter name="n&quot;ame" value="v&lt;a&gt;l&apos;ue&amp;"/>)") !=
        std::string::npos);
  auto parsed = parse_twiml(xml);
  REQUIRE(parsed);
  CHECK(parsed->connect_action == "https://h/after?a=1&b=2");
  REQUIRE(parsed->stream_params.size() == 1);
  CHECK(parsed->stream_params[0] == std::pair<std::string, std::string>{"n\"ame", "v<a>l'ue&"});
}

TEST_CASE("say_and_hangup speaks with the default or a chosen voice, then hangs up", "[twiml]") {
  CHECK(say_and_hangup("Sorry, we're closed & busy.") ==
        std::string{decl} +
            R"(<Response><Say voice="Polly.Joanna">Sorry, we&apos;re closed &amp; busy.</Say><Hangup/></Response>)");
  CHECK(say_and_hangup("Bye", "alice") ==
        std::string{decl} + R"(<Response><Say voice="alice">Bye</Say><Hangup/></Response>)");
}

TEST_CASE("dial says the text first and dials the number", "[twiml]") {
  CHECK(dial("+15557778888", "Transferring you now.") ==
        std::string{decl} +
            R"(<Response><Say voice="Polly.Joanna">Transferring you now.</Say>)"
            R"(<Dial><Number>+15557778888</Number></Dial></Response>)");
  CHECK(dial("+15557778888", "") ==
        std::string{decl} + R"(<Response><Dial><Number>+15557778888</Number></Dial></Response>)");
}

TEST_CASE("dial adds action, timeout and caller id when given", "[twiml]") {
  dial_options opts;
  opts.action_url = "https://h/dial-done";
  opts.timeout_s = 25;
  opts.caller_id = "+15550001111";
  opts.voice = "alice";
  auto xml = dial("+15557778888", "One moment.", opts);
  CHECK(xml == std::string{decl} +
                   R"(<Response><Say voice="alice">One moment.</Say>)"
                   R"(<Dial action="https://h/dial-done" method="POST" timeout="25" callerId="+15550001111">)"
                   R"(<Number>+15557778888</Number></Dial></Response>)");
}

TEST_CASE("hangup is a bare Hangup", "[twiml]") {
  CHECK(hangup() == std::string{decl} + "<Response><Hangup/></Response>");
}

TEST_CASE("stream URLs map https to wss and http to ws under the base", "[twiml]") {
  CHECK(stream_url_from_base("https://agent.example.com", "/twilio/media") ==
        "wss://agent.example.com/twilio/media");
  CHECK(stream_url_from_base("https://agent.example.com/", "/twilio/media") ==
        "wss://agent.example.com/twilio/media");
  CHECK(stream_url_from_base("HTTP://127.0.0.1:8080//", "twilio/media") ==
        "ws://127.0.0.1:8080/twilio/media");
  CHECK(stream_url_from_base("https://h.example/agent/", "/media") == "wss://h.example/agent/media");
  CHECK(stream_url_from_base("wss://h.example", "/media") == "wss://h.example/media");
  CHECK(stream_url_from_base("ws://h.example/", "") == "ws://h.example");
}

TEST_CASE("every builder's output parses back to what was built", "[twiml][parse]") {
  auto connect = parse_twiml(connect_stream("wss://h/m", "https://h/after", {{"token", "t"}, {"x", ""}}));
  REQUIRE(connect);
  CHECK(connect->verbs == std::vector<std::string>{"Connect"});
  CHECK(connect->stream_url == "wss://h/m");
  CHECK(connect->connect_action == "https://h/after");
  CHECK(connect->stream_params == stream_parameters{{"token", "t"}, {"x", ""}});
  CHECK_FALSE(connect->hangup);

  auto bye = parse_twiml(say_and_hangup("Goodbye <3 & \"thanks\""));
  REQUIRE(bye);
  CHECK(bye->say_texts == std::vector<std::string>{"Goodbye <3 & \"thanks\""});
  CHECK(bye->hangup);
  CHECK(bye->verbs == std::vector<std::string>{"Say", "Hangup"});

  auto transfer = parse_twiml(dial("+15557778888", "Transferring"));
  REQUIRE(transfer);
  CHECK(transfer->dial_number == "+15557778888");
  CHECK(transfer->say_texts == std::vector<std::string>{"Transferring"});
  CHECK_FALSE(transfer->stream_url);

  auto end = parse_twiml(hangup());
  REQUIRE(end);
  CHECK(end->hangup);
}

TEST_CASE("the parser reads hand-written TwiML with whitespace, comments and either quote",
          "[twiml][parse]") {
  auto xml = R"(  <?xml version='1.0'?>
<!-- served by the fallback handler -->
<Response>
  <Connect action='https://agent.example.com/twilio/after-stream' method="POST">
    <Stream url = 'wss://agent.example.com/twilio/media'
            statusCallback="https://agent.example.com/twilio/stream-status" >
      <Parameter name="tenant" value='dentist-42' />
      <Parameter name='quote' value="it&#39;s &#x263A;"/>
      <Parameter name="noval"/>
    </Stream>
  </Connect>
  <Say voice="alice" language="en-US">
     Sorry, we got disconnected.<![CDATA[ <raw> & ]]>Goodbye.
  </Say>
  <Dial timeout="25"> +15557778888 </Dial>
  <Hangup></Hangup>
</Response>
)";
  auto p = parse_twiml(xml);
  REQUIRE(p);
  CHECK(p->stream_url == "wss://agent.example.com/twilio/media");
  CHECK(p->connect_action == "https://agent.example.com/twilio/after-stream");
  CHECK(p->stream_params ==
        stream_parameters{{"tenant", "dentist-42"}, {"quote", "it's \xE2\x98\xBA"}, {"noval", ""}});
  CHECK(p->say_texts == std::vector<std::string>{"Sorry, we got disconnected. <raw> & Goodbye."});
  CHECK(p->dial_number == "+15557778888");
  CHECK(p->hangup);
  CHECK(p->verbs == std::vector<std::string>{"Connect", "Say", "Dial", "Hangup"});
}

TEST_CASE("the parser takes the Dial number from a Number child", "[twiml][parse]") {
  auto p = parse_twiml(R"(<Response><Say>Transferring you now.</Say>
    <Dial action="https://agent.example.com/twilio/dial-done" answerOnBridge="true">
      <Number statusCallbackEvent="initiated ringing answered completed">+15557778888</Number>
    </Dial></Response>)");
  REQUIRE(p);
  CHECK(p->dial_number == "+15557778888");
  CHECK(p->say_texts == std::vector<std::string>{"Transferring you now."});
  CHECK_FALSE(p->hangup);
}

TEST_CASE("the parser accepts an empty Response", "[twiml][parse]") {
  auto p = parse_twiml("<Response/>");
  REQUIRE(p);
  CHECK(p->verbs.empty());
  CHECK_FALSE(p->stream_url);
}

TEST_CASE("the parser rejects documents that are not well-formed TwiML", "[twiml][parse][reject]") {
  const char* bad[] = {
      "",
      "   ",
      "hello",
      "<html><body/></html>",                             // wrong root
      "<Response>",                                       // unterminated
      "<Response></Respons>",                             // mismatched end tag
      "<Response><Say>hi</Response>",                     // unclosed child
      "<Response><Say>a & b</Say></Response>",            // bare ampersand
      "<Response><Say>&nbsp;</Say></Response>",           // unknown entity
      "<Response><Say>&#0;</Say></Response>",             // invalid character reference
      "<Response><Say>&#xD800;</Say></Response>",         // surrogate
      "<Response><Say>&#12a;</Say></Response>",           // bad digits
      "<Response><Say voice=alice>hi</Say></Response>",   // unquoted attribute
      "<Response><Say voice=\"a\" voice=\"b\">x</Say></Response>",  // duplicate attribute
      "<Response><Say voice=\"a\"loop=\"2\">x</Say></Response>",    // no space between attrs
      "<Response><Say voice=\"a<b\">x</Say></Response>",  // '<' in attribute
      "<Response><Say voice=\"a>x</Say></Response>",      // unterminated attribute
      "<Response/><Response/>",                           // two roots
      "<Response/>trailing",                              // text after the root
      "<Response><!-- unterminated </Response>",
      "<Response><![CDATA[ open </Response>",
      "<Response><Connect><Stream/></Connect></Response>",  // Stream without url
      "<Response><Connect><Stream url=\"wss://h\"><Parameter value=\"v\"/></Stream></Connect></Response>",
      "< Response/>",
      "<1Response/>",
  };
  for (const char* doc : bad) {
    INFO(doc);
    CHECK_FALSE(parse_twiml(doc));
  }
}

TEST_CASE("the parser refuses absurdly deep nesting instead of recursing without bound",
          "[twiml][parse][reject]") {
  std::string deep = "<Response>";
  for (int i = 0; i < 10000; ++i) deep += "<a>";
  for (int i = 0; i < 10000; ++i) deep += "</a>";
  deep += "</Response>";
  CHECK_FALSE(parse_twiml(deep));
  std::string shallow = "<Response>";
  for (int i = 0; i < 20; ++i) shallow += "<a>";
  for (int i = 0; i < 20; ++i) shallow += "</a>";
  shallow += "<Hangup/></Response>";
  auto p = parse_twiml(shallow);
  REQUIRE(p);
  CHECK(p->hangup);
}
