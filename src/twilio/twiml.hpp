// TwiML documents the engine serves (protocols.md §2) and a small reader for the same
// shapes, used by the simulated Twilio peer and the tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::twilio {

/// `<Parameter name value>` pairs of a `<Stream>`, in document order.
using stream_parameters = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view default_voice = "Polly.Joanna";

/// Escapes `& < > " '` for use in XML text or attribute values.
std::string xml_escape(std::string_view text);

/// `<Response><Connect action method="POST"><Stream url><Parameter/>…</Stream></Connect>
/// </Response>`. An empty `action_url` omits `action` and `method`.
std::string connect_stream(std::string_view stream_url, std::string_view action_url,
                           const stream_parameters& params);

/// `<Response><Say voice>text</Say><Hangup/></Response>`.
std::string say_and_hangup(std::string_view text, std::string_view voice = default_voice);

struct dial_options {
  std::string voice{default_voice};  ///< voice of the `<Say>` before the `<Dial>`
  std::string caller_id;             ///< `callerId`, omitted when empty
  int timeout_s = 0;                 ///< `timeout`, omitted when <= 0
  std::string action_url;            ///< `action` (method POST), omitted when empty
};

/// `<Response>[<Say>say_text_before</Say>]<Dial …><Number>number</Number></Dial></Response>`.
/// The `<Say>` is omitted when `say_text_before` is empty.
std::string dial(std::string_view number, std::string_view say_text_before,
                 const dial_options& options = {});

/// `<Response><Hangup/></Response>`.
std::string hangup();

/// The `wss://` (or `ws://`) URL of `path` under the engine's public base URL: https maps
/// to wss, http to ws (wss/ws kept), a trailing slash of the base is dropped and `path`
/// gets a leading slash. Other schemes are kept as given.
std::string stream_url_from_base(std::string_view public_base_url, std::string_view path);

/// What the simulated caller needs from a TwiML response. Texts and attribute values are
/// unescaped; the Dial number is trimmed.
struct parsed_twiml {
  std::optional<std::string> stream_url;
  stream_parameters stream_params;
  std::optional<std::string> connect_action;
  std::vector<std::string> say_texts;
  std::optional<std::string> dial_number;
  bool hangup = false;
  std::vector<std::string> verbs;  ///< names of `<Response>`'s children, in order
};

/// Reads a `<Response>` document (optional XML declaration and comments; attributes in
/// either quote style; self-closing tags; the five predefined entities and numeric
/// character references). Anything not well formed, or without a `<Response>` root,
/// yields nullopt.
std::optional<parsed_twiml> parse_twiml(std::string_view xml);

} // namespace ce::twilio
