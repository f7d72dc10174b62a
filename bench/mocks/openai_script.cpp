#include "mocks/openai_script.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace ce::mocks {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// A message's text: a string, or the text parts of an array.
std::string content_text(const json& msg) {
  if (!msg.contains("content")) return {};
  const auto& c = msg["content"];
  if (c.is_string()) return c.get<std::string>();
  std::string out;
  if (c.is_array())
    for (const auto& part : c)
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string())
        out += part["text"].get<std::string>();
  return out;
}

openai_error bad(std::string message, std::optional<std::string> param = std::nullopt,
                 std::optional<std::string> code = std::nullopt) {
  openai_error e;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return e;
}

std::optional<openai_error> check_strict_schema(const json& fn) {
  const std::string name = fn.value("name", "");
  const auto& params = fn.contains("parameters") ? fn["parameters"] : json();
  if (!params.is_object()) return std::nullopt;
  if (!params.contains("additionalProperties") || params["additionalProperties"] != false)
    return bad("Invalid schema for function '" + name +
                 "': In context=(), 'additionalProperties' is required to be supplied and to be false.",
               "tools", "invalid_function_parameters");
  if (params.contains("properties") && params["properties"].is_object()) {
    std::set<std::string> required;
    if (params.contains("required") && params["required"].is_array())
      for (const auto& r : params["required"])
        if (r.is_string()) required.insert(r.get<std::string>());
    for (auto it = params["properties"].begin(); it != params["properties"].end(); ++it)
      if (!required.count(it.key()))
        return bad("Invalid schema for function '" + name +
                     "': In context=(), 'required' is required to be supplied and to be an array including every "
                     "key in properties. Missing '" + it.key() + "'.",
                   "tools", "invalid_function_parameters");
  }
  return std::nullopt;
}

std::optional<openai_error> check_tools(const json& body, bool check_strict, std::set<std::string>& names) {
  if (!body.contains("tools")) return std::nullopt;
  const auto& tools = body["tools"];
  if (!tools.is_array()) return bad("Invalid type for 'tools': expected an array.", "tools");
  const auto valid_name = [](const std::string& n) {
    return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
  };
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const auto& t = tools[i];
    const std::string where = "tools[" + std::to_string(i) + "]";
    if (!t.is_object() || t.value("type", "") != "function" || !t.contains("function") || !t["function"].is_object())
      return bad("Invalid value for '" + where + ".type': expected 'function' with a 'function' object.", where + ".type");
    const auto& fn = t["function"];
    if (!fn.contains("name") || !fn["name"].is_string())
      return bad("Missing required parameter: '" + where + ".function.name'.", where + ".function.name", "missing_required_parameter");
    const std::string name = fn["name"].get<std::string>();
    if (!valid_name(name))
      return bad("Invalid '" + where + ".function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                 where + ".function.name", "invalid_value");
    if (fn.contains("parameters") && !fn["parameters"].is_object())
      return bad("Invalid type for '" + where + ".function.parameters': expected an object.", where + ".function.parameters");
    if (check_strict && fn.value("strict", false))
      if (auto e = check_strict_schema(fn)) return e;
    names.insert(name);
  }
  return std::nullopt;
}

std::optional<openai_error> check_messages(const json& messages) {
  static const std::set<std::string> roles{"system", "developer", "user", "assistant", "tool"};
  // Tool call ids still waiting for their tool message, and where they were asked.
  std::vector<std::string> open_ids;
  std::size_t open_at = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const std::string where = "messages.[" + std::to_string(i) + "]";
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
      return bad("Missing required parameter: '" + where + ".role'.", where + ".role", "missing_required_parameter");
    const std::string role = m["role"].get<std::string>();
    if (!roles.count(role))
      return bad("Invalid value: '" + role + "'. Supported values are: 'system', 'assistant', 'user', 'tool', and 'developer'.",
                 where + ".role", "invalid_value");
    if (role == "tool") {
      if (!m.contains("tool_call_id") || !m["tool_call_id"].is_string())
        return bad("Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.",
                   where + ".tool_call_id");
      if (!m.contains("content") || !(m["content"].is_string() || m["content"].is_array()))
        return bad("Invalid type for '" + where + ".content': expected one of a string or array of objects.", where + ".content");
      const std::string id = m["tool_call_id"].get<std::string>();
      auto it = std::find(open_ids.begin(), open_ids.end(), id);
      if (it == open_ids.end())
        return bad("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                   where + ".role");
      open_ids.erase(it);
      continue;
    }
    if (!open_ids.empty()) {
      std::string ids;
      for (const auto& id : open_ids) ids += (ids.empty() ? "" : ", ") + id;
      return bad("An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                 "'tool_call_id'. The following tool_call_ids did not have response messages: " + ids,
                 "messages.[" + std::to_string(open_at) + "].role");
    }
    if (role == "assistant") {
      const bool has_calls = m.contains("tool_calls") && !m["tool_calls"].is_null();
      if (!has_calls && (!m.contains("content") || m["content"].is_null()))
        return bad("Invalid value for '" + where + ".content': expected a string, got null.", where + ".content");
      if (has_calls) {
        if (!m["tool_calls"].is_array()) return bad("Invalid type for '" + where + ".tool_calls': expected an array.", where + ".tool_calls");
        for (std::size_t k = 0; k < m["tool_calls"].size(); ++k) {
          const auto& tc = m["tool_calls"][k];
          const std::string tw = where + ".tool_calls.[" + std::to_string(k) + "]";
          if (!tc.is_object() || !tc.contains("id") || !tc["id"].is_string())
            return bad("Missing required parameter: '" + tw + ".id'.", tw + ".id", "missing_required_parameter");
          if (tc.value("type", "") != "function" || !tc.contains("function") || !tc["function"].is_object() ||
              !tc["function"].contains("name") || !tc["function"]["name"].is_string())
            return bad("Missing required parameter: '" + tw + ".function'.", tw + ".function", "missing_required_parameter");
          if (!tc["function"].contains("arguments") || !tc["function"]["arguments"].is_string())
            return bad("Invalid type for '" + tw + ".function.arguments': expected a string.", tw + ".function.arguments");
          open_ids.push_back(tc["id"].get<std::string>());
        }
        open_at = i;
      }
    } else if (!m.contains("content") || !(m["content"].is_string() || m["content"].is_array())) {
      return bad("Invalid type for '" + where + ".content': expected one of a string or array of objects.", where + ".content");
    }
  }
  if (!open_ids.empty()) {
    std::string ids;
    for (const auto& id : open_ids) ids += (ids.empty() ? "" : ", ") + id;
    return bad("An assistant message with 'tool_calls' must be followed by tool messages responding to each "
               "'tool_call_id'. The following tool_call_ids did not have response messages: " + ids,
               "messages.[" + std::to_string(open_at) + "].role");
  }
  return std::nullopt;
}

/// The function name the last tool message answers, or empty.
std::string answered_function(const json& messages) {
  const auto& last = messages.back();
  if (last.value("role", "") != "tool") return {};
  const std::string id = last.value("tool_call_id", "");
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->value("role", "") != "assistant" || !it->contains("tool_calls") || !(*it)["tool_calls"].is_array()) continue;
    for (const auto& tc : (*it)["tool_calls"])
      if (tc.value("id", "") == id) return tc["function"].value("name", "");
  }
  return {};
}

bool rule_matches(const llm_rule& r, const json& body, const std::set<std::string>& tools) {
  const auto& messages = body["messages"];
  if (r.times >= 0 && r.used->load() >= r.times) return false;
  if (messages.size() < r.min_messages) return false;
  if (!r.last_role.empty() && messages.back().value("role", "") != r.last_role) return false;
  if (!r.contains.empty()) {
    std::string text;
    for (auto it = messages.rbegin(); it != messages.rend(); ++it)
      if (it->value("role", "") == "user") {
        text = lower_ascii(content_text(*it));
        break;
      }
    const bool any = std::any_of(r.contains.begin(), r.contains.end(),
                                 [&](const std::string& c) { return text.find(lower_ascii(c)) != std::string::npos; });
    if (!any) return false;
  }
  if (!r.tool_result_for.empty() && answered_function(messages) != r.tool_result_for) return false;
  if (!r.has_tool.empty() && !tools.count(r.has_tool)) return false;
  if (!r.tool_calls.empty()) {
    if (body.contains("tool_choice") && body["tool_choice"] == "none") return false;
    for (const auto& c : r.tool_calls)
      if (!tools.count(c.name)) return false;
  }
  return true;
}

std::uint64_t mix(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::string call_id(std::uint64_t serial, std::size_t index) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = "call_";
  std::uint64_t h = mix(serial * 131 + index);
  for (int i = 0; i < 24; ++i) {
    if (i % 10 == 9) h = mix(h);
    id.push_back(alphabet[h % 62]);
    h /= 62;
  }
  return id;
}

int estimate_tokens(std::size_t chars) { return static_cast<int>((chars + 3) / 4); }

} // namespace

nlohmann::json openai_error::body() const {
  return json{{"error",
               {{"message", message},
                {"type", type},
                {"param", param ? json(*param) : json(nullptr)},
                {"code", code ? json(*code) : json(nullptr)}}}};
}

std::optional<openai_error> validate_chat_request(const nlohmann::json& body, bool check_strict_schemas) {
  if (!body.is_object()) return bad("Invalid request body: expected a JSON object.");
  if (!body.contains("model") || !body["model"].is_string() || body["model"].get_ref<const std::string&>().empty())
    return bad("you must provide a model parameter");
  if (!body.contains("messages")) return bad("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
  const auto& messages = body["messages"];
  if (!messages.is_array()) return bad("Invalid type for 'messages': expected an array.", "messages", "invalid_type");
  if (messages.empty())
    return bad("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
               "messages", "empty_array");
  if (body.contains("stream") && !body["stream"].is_boolean())
    return bad("Invalid type for 'stream': expected a boolean.", "stream", "invalid_type");
  if (body.contains("stream_options") && !body["stream_options"].is_null() && !body.value("stream", false))
    return bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
  std::set<std::string> names;
  if (auto e = check_tools(body, check_strict_schemas, names)) return e;
  if (body.contains("tool_choice") && body["tool_choice"].is_object()) {
    const auto& tc = body["tool_choice"];
    const std::string name = tc.contains("function") && tc["function"].is_object() ? tc["function"].value("name", "") : "";
    if (!names.count(name))
      return bad("Invalid value for 'tool_choice': function '" + name + "' is not among the provided tools.", "tool_choice");
  } else if (body.contains("tool_choice") && body["tool_choice"].is_string()) {
    const std::string v = body["tool_choice"].get<std::string>();
    if (v != "none" && v != "auto" && v != "required")
      return bad("Invalid value: '" + v + "'. Supported values are: 'none', 'auto', and 'required'.", "tool_choice");
    if (v != "none" && names.empty() && v == "required")
      return bad("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice");
  }
  return check_messages(messages);
}

std::vector<std::string> split_text_pieces(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::string piece;
    while (i < text.size() && text[i] == ' ') piece.push_back(text[i++]);
    if (i >= text.size()) {
      if (!piece.empty()) out.push_back(piece);
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (std::isalnum(c) || c >= 0x80) {
      std::size_t n = 0;
      while (i < text.size() && n < 6) {
        const auto d = static_cast<unsigned char>(text[i]);
        if (!(std::isalnum(d) || d >= 0x80)) break;
        piece.push_back(text[i++]);
        ++n;
      }
      // Do not cut inside a UTF-8 sequence.
      while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) piece.push_back(text[i++]);
    } else {
      piece.push_back(text[i++]);
    }
    out.push_back(std::move(piece));
  }
  return out;
}

std::vector<std::string> split_arguments(std::string_view args, std::uint64_t salt) {
  std::set<std::size_t> cuts;
  if (const auto q = args.find('"'); q != std::string_view::npos && q + 2 < args.size()) cuts.insert(q + 2);
  if (const auto b = args.find('\\'); b != std::string_view::npos && b + 1 < args.size()) cuts.insert(b + 1);
  std::uint64_t h = mix(salt);
  for (std::size_t pos = 0;;) {
    pos += 1 + h % 8;
    h = mix(h);
    if (pos >= args.size()) break;
    cuts.insert(pos);
  }
  std::vector<std::string> out;
  std::size_t prev = 0;
  for (auto c : cuts) {
    if (c <= prev || c >= args.size()) continue;
    // Never split a UTF-8 sequence (the API streams whole characters).
    if ((static_cast<unsigned char>(args[c]) & 0xC0) == 0x80) continue;
    out.emplace_back(args.substr(prev, c - prev));
    prev = c;
  }
  out.emplace_back(args.substr(prev));
  return out;
}

reply_plan plan_reply(const nlohmann::json& body, const openai_config& cfg, std::uint64_t serial) {
  reply_plan plan;
  std::set<std::string> tools;
  if (body.contains("tools") && body["tools"].is_array())
    for (const auto& t : body["tools"]) tools.insert(t["function"].value("name", ""));
  const llm_rule* rule = nullptr;
  for (std::size_t i = 0; i < cfg.rules.size(); ++i) {
    if (rule_matches(cfg.rules[i], body, tools)) {
      rule = &cfg.rules[i];
      plan.rule = static_cast<int>(i);
      rule->used->fetch_add(1);
      break;
    }
  }
  std::size_t completion_chars = 0;
  if (rule && !rule->tool_calls.empty()) {
    const bool parallel = !body.contains("parallel_tool_calls") || body["parallel_tool_calls"] != false;
    for (std::size_t k = 0; k < rule->tool_calls.size(); ++k) {
      if (k > 0 && !parallel) break;
      const auto& spec = rule->tool_calls[k];
      planned_call c{call_id(serial, k), spec.name, spec.arguments, split_arguments(spec.arguments, serial * 7 + k)};
      completion_chars += spec.name.size() + spec.arguments.size();
      plan.calls.push_back(std::move(c));
    }
    plan.finish_reason = rule->finish_reason.empty() ? "tool_calls" : rule->finish_reason;
    if (rule->say) {  // content before the calls, in the same message (as the real API may do)
      plan.text = *rule->say;
      plan.pieces = split_text_pieces(plan.text);
      completion_chars += plan.text.size();
    }
  } else {
    plan.text = rule && rule->say ? *rule->say : cfg.default_text;
    plan.pieces = split_text_pieces(plan.text);
    plan.finish_reason = rule && !rule->finish_reason.empty() ? rule->finish_reason : "stop";
  }
  std::size_t prompt_chars = 0;
  for (const auto& m : body["messages"]) prompt_chars += content_text(m).size() + 16;
  if (body.contains("tools")) prompt_chars += body["tools"].dump().size();
  plan.prompt_tokens = estimate_tokens(prompt_chars);
  plan.completion_tokens = plan.calls.empty() ? static_cast<int>(plan.pieces.size()) : estimate_tokens(completion_chars) + 8;
  return plan;
}

chunk_builder::chunk_builder(std::string id, std::int64_t created, std::string model, bool include_usage)
  : id_(std::move(id)), created_(created), model_(std::move(model)), include_usage_(include_usage) {}

std::string chunk_builder::event(nlohmann::ordered_json choices, bool usage_null) const {
  ojson j{{"id", id_},
         {"object", "chat.completion.chunk"},
         {"created", created_},
         {"model", model_},
         {"system_fingerprint", "fp_mock"},
         {"choices", std::move(choices)}};
  if (include_usage_ && usage_null) j["usage"] = nullptr;
  return "data: " + j.dump() + "\n\n";
}

std::string chunk_builder::role(bool with_tools) const {
  ojson delta{{"role", "assistant"}, {"content", with_tools ? ojson(nullptr) : ojson("")}};
  if (!with_tools) delta["refusal"] = nullptr;
  return event(ojson::array({ojson{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", nullptr}}}), true);
}

std::string chunk_builder::content(std::string_view piece) const {
  return event(ojson::array({ojson{{"index", 0}, {"delta", {{"content", piece}}}, {"logprobs", nullptr}, {"finish_reason", nullptr}}}),
               true);
}

std::string chunk_builder::call_start(std::size_t index, const planned_call& call) const {
  ojson tc{{"index", index}, {"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", ""}}}};
  return event(ojson::array({ojson{{"index", 0},
                                 {"delta", {{"tool_calls", ojson::array({tc})}}},
                                 {"logprobs", nullptr},
                                 {"finish_reason", nullptr}}}),
               true);
}

std::string chunk_builder::call_arguments(std::size_t index, std::string_view fragment) const {
  ojson tc{{"index", index}, {"function", {{"arguments", fragment}}}};
  return event(ojson::array({ojson{{"index", 0},
                                 {"delta", {{"tool_calls", ojson::array({tc})}}},
                                 {"logprobs", nullptr},
                                 {"finish_reason", nullptr}}}),
               true);
}

std::string chunk_builder::finish(std::string_view reason) const {
  return event(ojson::array({ojson{{"index", 0}, {"delta", ojson::object()}, {"logprobs", nullptr}, {"finish_reason", reason}}}),
               true);
}

std::string chunk_builder::usage(int prompt_tokens, int completion_tokens) const {
  ojson j{{"id", id_},
         {"object", "chat.completion.chunk"},
         {"created", created_},
         {"model", model_},
         {"system_fingerprint", "fp_mock"},
         {"choices", ojson::array()},
         {"usage",
          {{"prompt_tokens", prompt_tokens},
           {"completion_tokens", completion_tokens},
           {"total_tokens", prompt_tokens + completion_tokens},
           {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
           {"completion_tokens_details",
            {{"reasoning_tokens", 0}, {"audio_tokens", 0}, {"accepted_prediction_tokens", 0}, {"rejected_prediction_tokens", 0}}}}}};
  return "data: " + j.dump() + "\n\n";
}

std::string chunk_builder::done() { return "data: [DONE]\n\n"; }

std::string chunk_builder::error_event(std::string_view message, std::string_view type) {
  ojson j{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}};
  return "data: " + j.dump() + "\n\n";
}

nlohmann::json chunk_builder::completion(const reply_plan& plan) const {
  ojson message{{"role", "assistant"}, {"refusal", nullptr}};
  if (plan.calls.empty()) {
    message["content"] = plan.text;
  } else {
    message["content"] = plan.text.empty() ? ojson(nullptr) : ojson(plan.text);
    ojson calls = ojson::array();
    for (const auto& c : plan.calls)
      calls.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    message["tool_calls"] = std::move(calls);
  }
  return ojson{{"id", id_},
              {"object", "chat.completion"},
              {"created", created_},
              {"model", model_},
              {"system_fingerprint", "fp_mock"},
              {"choices", ojson::array({ojson{{"index", 0}, {"message", message}, {"logprobs", nullptr}, {"finish_reason", plan.finish_reason}}})},
              {"usage",
               {{"prompt_tokens", plan.prompt_tokens},
                {"completion_tokens", plan.completion_tokens},
                {"total_tokens", plan.prompt_tokens + plan.completion_tokens}}}};
}

} // namespace ce::mocks
