// The system prompt of the cloud LLM role (OpenAI): who the agent is, how it talks on the
// phone, the dealership's facts from config (hours, address, services and prices), the
// tool rules of docs/tools.md (caller scope, verification before personal data), and what
// the call knows about the caller so far.
//
// Personal data never goes into the prompt before verification: an identified but
// unverified caller is only named by first name (what lookup_customer reveals); the last
// name is added once verify_customer / create_customer verified them.
#pragma once

#include "callengine/call.hpp"
#include "callengine/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ce::dialog {

/// What the call learned about the caller from tool results.
struct prompt_caller {
  std::optional<std::int64_t> customer_id;  ///< identified (lookup_customer found a record)
  std::string first_name;
  std::string last_name;  ///< only once verified
  bool verified = false;
  bool lookup_done = false;  ///< the caller-ID lookup answered (found or not)
  bool lookup_failed = false;  ///< it could not be made (no usable caller ID, system unavailable)
};

/// A call the shop placed for a job (reminder or follow-up): what the tools revealed.
struct prompt_job {
  std::string kind;        ///< "reminder" or "followup"
  std::string first_name;  ///< get_call_purpose
  bool identity_confirmed = false;  ///< confirm_identity said it is them
  bool wrong_person = false;
  std::string appointment;  ///< "an oil change for the 2021 Toyota Camry at 2026-12-08 09:00", once confirmed
};

struct prompt_context {
  call_direction direction = call_direction::inbound;
  std::optional<prompt_job> job;  ///< outbound calls placed by the reminder scheduler
  char opt_out_key = '9';
  std::string today;         ///< "YYYY-MM-DD" at the dealership, empty when unknown
  std::string weekday;       ///< "tuesday", empty when unknown
  prompt_caller caller;
};

std::string build_system_prompt(const dealership_facts& facts, const prompt_context& ctx);

/// Updates `caller` from one tool result (JSON text) of `tool_name`; true when it changed.
/// Only the fields the tool contract reveals are taken (first name before verification).
bool update_prompt_caller(prompt_caller& caller, std::string_view tool_name, std::string_view result_json);

/// Updates `job` from one outbound tool result; true when it changed.
bool update_prompt_job(prompt_job& job, std::string_view tool_name, std::string_view result_json);

/// "tuesday" for "2026-11-24"; empty when the date is not valid.
std::string weekday_of(std::string_view yyyy_mm_dd);

} // namespace ce::dialog
