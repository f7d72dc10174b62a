// Dispatch by tool name, the two call-control tools, and the boundary where every result
// becomes JSON text.
#include "tools/executor.hpp"

#include "tools/tool_impl.hpp"

#include <array>
#include <utility>

namespace ce::tools {

namespace {

using tool_fn = tool_result (*)(tool_call&);

checked<std::string> reason_of(const json& args) { return need_string(args, "reason"); }

tool_result end_call(tool_call& c) {
  auto reason = reason_of(c.args);
  if (!reason) return reason.error();
  c.outcome.control = control_request{control_request::action::end_call, *reason};
  return json{{"ok", true}};
}

tool_result transfer_to_human(tool_call& c) {
  auto reason = reason_of(c.args);
  if (!reason) return reason.error();
  c.outcome.control = control_request{control_request::action::transfer_to_human, *reason};
  return json{{"ok", true}};
}

constexpr std::array<std::pair<std::string_view, tool_fn>, 19> tools = {{
  {"lookup_customer", lookup_customer},
  {"verify_customer", verify_customer},
  {"get_vehicles", get_vehicles},
  {"get_service_history", get_service_history},
  {"get_appointments", get_appointments},
  {"get_available_slots", get_available_slots},
  {"book_appointment", book_appointment},
  {"reschedule_appointment", reschedule_appointment},
  {"cancel_appointment", cancel_appointment},
  {"create_customer", create_customer},
  {"add_vehicle", add_vehicle},
  {"decode_vin", decode_vin},
  {"transfer_to_human", transfer_to_human},
  {"end_call", end_call},
  {"get_call_purpose", get_call_purpose},
  {"confirm_identity", confirm_identity},
  {"confirm_appointment", confirm_appointment},
  {"record_call_outcome", record_call_outcome},
  {"opt_out_of_calls", opt_out_of_calls},
}};

tool_fn find_tool(std::string_view name) {
  for (const auto& [n, fn] : tools)
    if (n == name) return fn;
  return nullptr;
}

tool_result run(tool_env& env, caller_context& ctx, std::string_view name, std::string_view arguments_json,
                tool_outcome& outcome) {
  auto fn = find_tool(name);
  if (!fn) return fail(tool_errc::unknown_tool, "There is no tool named '" + std::string{name} + "'");
  auto args = parse_arguments(arguments_json);
  if (!args) return args.error();
  tool_call call{env, ctx, *args, outcome};
  return fn(call);
}

} // namespace

tool_outcome execute(tool_env& env, caller_context& ctx, std::string_view name, std::string_view arguments_json) {
  tool_outcome outcome;
  json result;
  try {
    auto r = run(env, ctx, name, arguments_json, outcome);
    if (r) {
      result = std::move(*r);
    } else {
      outcome.error = std::string{to_string(r.error().code)};
      outcome.detail = r.error().detail;
      result = failure_json(r.error());
    }
  } catch (const json::exception&) {
    // nlohmann reports a misuse by throwing; the tools read only checked values, so this
    // is a bug. Answer it like any failure rather than ending the call.
    outcome.control.reset();
    outcome.error = "invalid_argument";
    result = failure_json(fail(tool_errc::invalid_argument, "The arguments could not be read"));
  }
  // Text from callers or the database may hold invalid UTF-8: replace it, never throw.
  outcome.result_json = result.dump(-1, ' ', false, json::error_handler_t::replace);
  return outcome;
}

} // namespace ce::tools
