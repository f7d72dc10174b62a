// Short-lived tokens the engine mints at the voice webhook and checks when the Media
// Stream starts (carried as `<Parameter name="token">`, returned in
// start.customParameters). Format: base64url(payload JSON) "." base64url(HMAC-SHA256(
// secret, first part)), both without padding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ce::twilio {

struct stream_claims {
  std::string call_sid;
  std::string from;
  std::string to;
  std::string direction;    ///< "inbound" or "outbound"
  std::string appointment;  ///< optional id the call is about; may be empty
  std::int64_t expires_unix_s = 0;
  /// An outbound call's job: "<job id>/<attempt>/<reminder|followup>"; empty for inbound.
  std::string job;
};

/// The `<Parameter>` name the token travels under.
inline constexpr std::string_view stream_token_parameter = "token";

/// Mints a token for `c`. `now_unix_s` is recorded as the issue time. A token minted with
/// an empty secret never verifies.
std::string mint_stream_token(std::string_view secret, const stream_claims& c,
                              std::int64_t now_unix_s);

/// The claims of a token whose MAC is valid under `secret` and that has not expired
/// (`now_unix_s < expires_unix_s`). Otherwise nullopt, with the reason in `*why` when
/// `why` is non-null: "empty secret", "malformed", "bad signature", "bad payload",
/// "expired".
std::optional<stream_claims> verify_stream_token(std::string_view secret, std::string_view token,
                                                 std::int64_t now_unix_s,
                                                 std::string* why = nullptr);

/// verify_stream_token, and the token's call_sid must equal `call_sid` (start.callSid):
/// otherwise nullopt with "call_sid mismatch".
std::optional<stream_claims> verify_stream_token_for_call(std::string_view secret,
                                                          std::string_view token,
                                                          std::string_view call_sid,
                                                          std::int64_t now_unix_s,
                                                          std::string* why = nullptr);

} // namespace ce::twilio
