// What the tools know about the call they serve: who is calling (Twilio `From`), which
// customer the call is about, whether that customer proved who they are, and which of
// their records this call has seen. One per call, owned by the call's tools actor and
// changed only by execute() (see executor.hpp).
//
// Scope rules (docs/tools.md): personal data needs `verified`; the store checks ownership
// of every appointment and vehicle against `customer_id`, so the id sets below are what the
// call learned (for logs and session snapshots), not the authority.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace ce::tools {

/// Verification checks allowed per call (docs/tools.md: `too_many_attempts` after 3).
inline constexpr int max_verify_attempts = 3;

struct caller_context {
  std::string call_sid;
  /// Twilio `From` as received: E.164, or empty / "anonymous" / anything unparsable when
  /// the number is withheld (then there is no caller ID).
  std::string caller_phone;

  /// The customer this call is about: set by lookup_customer or create_customer.
  std::optional<std::int64_t> customer_id;
  std::string first_name;
  std::string last_name;       ///< revealed only once verified
  std::string customer_phone;  ///< E.164 of that customer's record
  bool has_date_of_birth = false;  ///< what the record can be verified with
  bool has_zip = false;

  bool verified = false;
  /// Failed verification checks in this call; at max_verify_attempts verification is
  /// refused (`too_many_attempts`). A malformed answer (e.g. a 4-digit ZIP) is refused
  /// before it is checked and does not count.
  int verify_attempts = 0;

  std::set<std::int64_t> vehicle_ids;      ///< the verified customer's vehicles seen or added
  std::set<std::int64_t> appointment_ids;  ///< their appointments seen, booked or changed

  /// Outbound calls: the job the call was placed for (reminder_scheduler). The job's
  /// tools answer only for it; its customer is verified once they confirm who they are.
  std::optional<std::int64_t> job_id;
  int job_attempt = 0;
  bool identity_confirmed = false;

  int attempts_left() const { return verify_attempts >= max_verify_attempts ? 0 : max_verify_attempts - verify_attempts; }
};

} // namespace ce::tools
