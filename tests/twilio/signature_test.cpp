#include "twilio/signature.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

using ce::twilio::body_sha256_hex;
using ce::twilio::compute_signature;
using ce::twilio::form_params;
using ce::twilio::form_urlencode;
using ce::twilio::parse_form_urlencoded;
using ce::twilio::signature_url_variants;
using ce::twilio::validate_json_body;
using ce::twilio::validate_signature;

namespace {

// protocols.md §3.4 (twilio-python's request validator vectors).
constexpr std::string_view token = "12345";
constexpr std::string_view base_url = "https://mycompany.com/myapp.php?foo=1&bar=2";

form_params call_params() {
  return {{"CallSid", "CA1234567890ABCDE"},
          {"Digits", "1234"},
          {"From", "+14158675309"},
          {"To", "+18005551212"},
          {"Caller", "+14158675309"}};
}

// The extra mock vector of §3.4.
constexpr std::string_view mock_token = "test_auth_token";

form_params mock_voice_params() {
  return {{"AccountSid", "AC00000000000000000000000000000001"},
          {"ApiVersion", "2010-04-01"},
          {"CallSid", "CA00000000000000000000000000000002"},
          {"CallStatus", "ringing"},
          {"Direction", "inbound"},
          {"From", "+15550001111"},
          {"To", "+15550002222"}};
}

} // namespace

TEST_CASE("the signature of the reference request matches the Twilio vector", "[signature]") {
  CHECK(compute_signature(token, base_url, call_params()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST_CASE("the signature covers explicit ports as written", "[signature]") {
  CHECK(compute_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", call_params()) ==
        "kvajT1Ptam85bY51eRf/AJRuM3w=");
  CHECK(compute_signature(token, "http://mycompany.com:80/myapp.php?foo=1&bar=2", call_params()) ==
        "0ZXoZLH/DfblKGATFgpif+LLRf4=");
  CHECK(compute_signature(token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", call_params()) ==
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=");
}

TEST_CASE("the signature does not depend on the order the params arrive in", "[signature]") {
  auto params = call_params();
  std::reverse(params.begin(), params.end());
  CHECK(compute_signature(token, base_url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  std::rotate(params.begin(), params.begin() + 2, params.end());
  CHECK(compute_signature(token, base_url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST_CASE("repeated names sign each distinct value once in sorted order", "[signature]") {
  form_params params{{"Sid", "CA123"},
                     {"SidAccount", "AC123"},
                     {"Digits", "5678"},
                     {"Digits", "1234"},
                     {"Digits", "1234"}};
  CHECK(compute_signature(token, base_url, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  CHECK(validate_signature(token, base_url, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU="));
}

TEST_CASE("the signature of the mock voice webhook matches the mock vector", "[signature]") {
  CHECK(compute_signature(mock_token, "https://agent.example.com/twilio/voice", mock_voice_params()) ==
        "zoz19PQY5MOxMp9I6R8bDit/Avg=");
  CHECK(validate_signature(mock_token, "https://agent.example.com/twilio/voice", mock_voice_params(),
                           "zoz19PQY5MOxMp9I6R8bDit/Avg="));
}

TEST_CASE("the signature of the mock media stream upgrade matches the mock vector", "[signature]") {
  CHECK(compute_signature(mock_token, "wss://agent.example.com/twilio/media", {}) ==
        "3e7xhjoVaTnMyug4iNR4fAL/8eg=");
  CHECK(validate_signature(mock_token, "wss://agent.example.com/twilio/media", {},
                           "3e7xhjoVaTnMyug4iNR4fAL/8eg="));
}

TEST_CASE("a validator seeing a non-default port accepts a signature made without it", "[signature]") {
  CHECK(validate_signature(token, "https://mycompany.com:1234/myapp.php?foo=1&bar=2", call_params(),
                           "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST_CASE("a validator seeing no port accepts a signature made with the default port", "[signature]") {
  CHECK(validate_signature(token, base_url, call_params(), "kvajT1Ptam85bY51eRf/AJRuM3w="));
  CHECK(validate_signature(token, "http://mycompany.com/myapp.php?foo=1&bar=2", call_params(),
                           "0ZXoZLH/DfblKGATFgpif+LLRf4="));
}

TEST_CASE("a validator seeing the default port accepts a signature made without it", "[signature]") {
  CHECK(validate_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", call_params(),
                           "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST_CASE("a validator keeps a non-default port it was given", "[signature]") {
  CHECK(validate_signature(token, "http://mycompany.com:1234/myapp.php?foo=1&bar=2", call_params(),
                           "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="));
}

TEST_CASE("a wss signature validates against the https form of the URL and back", "[signature]") {
  CHECK(validate_signature(mock_token, "https://agent.example.com/twilio/media", {},
                           "3e7xhjoVaTnMyug4iNR4fAL/8eg="));
  CHECK(validate_signature(mock_token, "wss://agent.example.com:443/twilio/media", {},
                           "3e7xhjoVaTnMyug4iNR4fAL/8eg="));
  auto https_sig = compute_signature(mock_token, "https://agent.example.com/twilio/media", {});
  CHECK(validate_signature(mock_token, "wss://agent.example.com/twilio/media", {}, https_sig));
  auto ws_sig = compute_signature(mock_token, "ws://127.0.0.1:8080/twilio/media", {});
  CHECK(validate_signature(mock_token, "http://127.0.0.1:8080/twilio/media", {}, ws_sig));
}

TEST_CASE("the URL variants are the scheme pair times port as given, stripped and defaulted",
          "[signature]") {
  auto v = signature_url_variants("https://h.example/p?q=1");
  std::vector<std::string> expected{"https://h.example/p?q=1", "https://h.example:443/p?q=1",
                                    "wss://h.example/p?q=1", "wss://h.example:443/p?q=1"};
  CHECK(v == expected);
  auto w = signature_url_variants("ws://[::1]:8080/media");
  std::vector<std::string> expected_w{"ws://[::1]:8080/media", "ws://[::1]/media",
                                      "http://[::1]:8080/media", "http://[::1]/media"};
  CHECK(w == expected_w);
  auto odd = signature_url_variants("not a url");
  CHECK(odd == std::vector<std::string>{"not a url"});
  CHECK(signature_url_variants("ftp://h:21/x") == std::vector<std::string>{"ftp://h:21/x", "ftp://h/x"});
}

TEST_CASE("URL variants keep credentials and leave bad ports alone", "[signature]") {
  auto v = signature_url_variants("https://user:pw@h.example:8443/p");
  CHECK(std::find(v.begin(), v.end(), "https://user:pw@h.example/p") != v.end());
  CHECK(signature_url_variants("https://h.example:80a/p") ==
        std::vector<std::string>{"https://h.example:80a/p"});
  CHECK(signature_url_variants("https://[::1/p") == std::vector<std::string>{"https://[::1/p"});
}

TEST_CASE("a forged signature is rejected", "[signature][reject]") {
  std::string forged = "RSOYDt4T1cUTdK1PDd93/VVr8B9=";
  CHECK_FALSE(validate_signature(token, base_url, call_params(), forged));
  CHECK_FALSE(validate_signature(token, base_url, call_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8"));
  CHECK_FALSE(validate_signature(token, base_url, call_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8= "));
  CHECK_FALSE(validate_signature(token, base_url, call_params(), "rsoydt4t1cutdk1pdd93/vvr8b8="));
}

TEST_CASE("an empty signature header or auth token never validates", "[signature][reject]") {
  CHECK_FALSE(validate_signature(token, base_url, call_params(), ""));
  CHECK_FALSE(validate_signature("", base_url, call_params(), compute_signature("", base_url, call_params())));
}

TEST_CASE("a signature made with another auth token is rejected", "[signature][reject]") {
  auto other = compute_signature("54321", base_url, call_params());
  CHECK_FALSE(validate_signature(token, base_url, call_params(), other));
}

TEST_CASE("a changed, added or removed parameter invalidates the signature", "[signature][reject]") {
  auto params = call_params();
  params[1].second = "1235";
  CHECK_FALSE(validate_signature(token, base_url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  params = call_params();
  params.emplace_back("Extra", "1");
  CHECK_FALSE(validate_signature(token, base_url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  params = call_params();
  params.pop_back();
  CHECK_FALSE(validate_signature(token, base_url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST_CASE("a signature for another path, query or host is rejected", "[signature][reject]") {
  const std::string sig = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  CHECK_FALSE(validate_signature(token, "https://mycompany.com/other.php?foo=1&bar=2", call_params(), sig));
  CHECK_FALSE(validate_signature(token, "https://mycompany.com/myapp.php?foo=1&bar=3", call_params(), sig));
  CHECK_FALSE(validate_signature(token, "https://evil.com/myapp.php?foo=1&bar=2", call_params(), sig));
  CHECK_FALSE(validate_signature(token, "ftp://mycompany.com/myapp.php?foo=1&bar=2", call_params(), sig));
}

TEST_CASE("the JSON body vector hashes and validates", "[signature][json]") {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  CHECK(body_sha256_hex(body) == hash);
  const std::string url = std::string{base_url} + "&bodySHA256=" + hash;
  CHECK(compute_signature(token, url, {}) == "a9nBmqA0ju/hNViExpshrM61xv4=");
  CHECK(validate_json_body(token, url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  const std::string with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256=" + hash;
  CHECK(validate_json_body(token, with_port, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
}

TEST_CASE("a JSON body that does not match its bodySHA256 is rejected", "[signature][json][reject]") {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string hash = body_sha256_hex(body);
  const std::string url = std::string{base_url} + "&bodySHA256=" + hash;
  const std::string sig = "a9nBmqA0ju/hNViExpshrM61xv4=";
  CHECK_FALSE(validate_json_body(token, url, R"({"property": "value", "boolean": false})", sig));
  CHECK_FALSE(validate_json_body(token, url, "", sig));
}

TEST_CASE("a JSON body request without bodySHA256 or with a bad signature is rejected",
          "[signature][json][reject]") {
  const std::string body = R"({"property": "value", "boolean": true})";
  const std::string hash = body_sha256_hex(body);
  CHECK_FALSE(validate_json_body(token, base_url, body, compute_signature(token, base_url, {})));
  const std::string url = std::string{base_url} + "&bodySHA256=" + hash;
  CHECK_FALSE(validate_json_body(token, url, body, "a9nBmqA0ju/hNViExpshrM61xv5="));
  CHECK_FALSE(validate_json_body("other", url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  CHECK_FALSE(validate_json_body(token, url, body, ""));
  // A hash that does not match the body, even with a signature valid for that URL.
  const std::string zero_url = std::string{base_url} + "&bodySHA256=" + std::string(64, '0');
  CHECK_FALSE(validate_json_body(token, zero_url, body, compute_signature(token, zero_url, {})));
  // The hash must be the same lowercase hex Twilio puts in the URL.
  std::string upper = hash;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const std::string upper_url = std::string{base_url} + "&bodySHA256=" + upper;
  CHECK_FALSE(validate_json_body(token, upper_url, body, compute_signature(token, upper_url, {})));
}

TEST_CASE("form bodies decode plus as space and percent escapes as bytes", "[form]") {
  auto p = parse_form_urlencoded("From=%2B15550001111&CallerName=Jane+Doe&City=S%c3%A3o&Empty=&Flag");
  REQUIRE(p);
  form_params expected{{"From", "+15550001111"},
                       {"CallerName", "Jane Doe"},
                       {"City", "S\xc3\xa3o"},
                       {"Empty", ""},
                       {"Flag", ""}};
  CHECK(*p == expected);
}

TEST_CASE("form bodies keep repeated names, equals signs in values and skip empty pairs", "[form]") {
  auto p = parse_form_urlencoded("&a=1&&a=2&b=x=y&");
  REQUIRE(p);
  form_params expected{{"a", "1"}, {"a", "2"}, {"b", "x=y"}};
  CHECK(*p == expected);
  auto empty = parse_form_urlencoded("");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("form bodies with malformed percent escapes are rejected", "[form][reject]") {
  CHECK_FALSE(parse_form_urlencoded("a=%"));
  CHECK_FALSE(parse_form_urlencoded("a=%4"));
  CHECK_FALSE(parse_form_urlencoded("a=%G1"));
  CHECK_FALSE(parse_form_urlencoded("a=%1G&b=2"));
  CHECK_FALSE(parse_form_urlencoded("%zz=1"));
  CHECK_FALSE(parse_form_urlencoded("a=1&b=50%"));
}

TEST_CASE("form encoding escapes everything but unreserved characters", "[form]") {
  form_params params{{"From", "+15550001111"}, {"Body", "a b&c=d/é~._-"}};
  CHECK(form_urlencode(params) == "From=%2B15550001111&Body=a+b%26c%3Dd%2F%C3%A9~._-");
  CHECK(form_urlencode({}) == "");
}

TEST_CASE("form encoding and decoding round-trip arbitrary bytes", "[form]") {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  form_params params{{all_bytes, all_bytes}, {"plain", "value"}, {"", "nameless"}};
  auto back = parse_form_urlencoded(form_urlencode(params));
  REQUIRE(back);
  CHECK(*back == params);
}

TEST_CASE("a webhook signed over the encoded form validates after decoding it", "[signature][form]") {
  const std::string url = "https://agent.example.com/twilio/voice";
  auto body = form_urlencode(mock_voice_params());
  auto decoded = parse_form_urlencoded(body);
  REQUIRE(decoded);
  CHECK(validate_signature(mock_token, url, *decoded, "zoz19PQY5MOxMp9I6R8bDit/Avg="));
}
