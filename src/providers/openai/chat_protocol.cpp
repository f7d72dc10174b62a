#include "providers/openai/chat_protocol.hpp"

#include "providers/http/backoff.hpp"

#include <nlohmann/json.hpp>

namespace ce::openai {
namespace {

using json = nlohmann::json;

std::string_view role_name(chat_role r) {
  switch (r) {
  case chat_role::system: return "system";
  case chat_role::developer: return "developer";
  case chat_role::user: return "user";
  case chat_role::assistant: return "assistant";
  case chat_role::tool: return "tool";
  }
  return "user";
}

const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return (it == j.end() || it->is_null()) ? nullptr : &*it;
}

std::string string_member(const json& j, const char* key) {
  const json* v = member(j, key);
  return (v && v->is_string()) ? v->get<std::string>() : std::string();
}

int int_member(const json& j, const char* key) {
  const json* v = member(j, key);
  return (v && v->is_number_integer()) ? v->get<int>() : 0;
}

/// The common stream chunk (a text or tool-call delta) read with nlohmann's SAX interface:
/// no document is built, only the few values a chunk carries are kept. A chunk with an
/// `error` or a `usage` object, or anything unexpected, stops it (`general`): the
/// document path reads those.
class chunk_scan {
public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  struct call_fragment {
    int index = -1;
    std::string id, name, arguments;
  };
  struct choice {
    long long index = -1;
    std::string text;
    std::string finish_reason;
    std::vector<call_fragment> calls;
  };

  std::string id, model;
  std::vector<choice> choices;  ///< complete choice objects, in order
  bool general = false;         ///< needs the document path

  bool null() { return value(nullptr); }
  bool boolean(bool) { return value(nullptr); }
  bool number_integer(number_integer_t v) { return integer(static_cast<long long>(v)); }
  bool number_unsigned(number_unsigned_t v) { return integer(static_cast<long long>(v)); }
  bool number_float(number_float_t, const string_t&) { return value(nullptr); }
  bool string(string_t& v) { return value(&v); }
  bool binary(binary_t&) { return value(nullptr); }
  bool key(string_t& k) {
    key_ = k;
    if (top() == ctx::top && (k == "error" || k == "usage")) pending_general_ = true;
    return true;
  }
  bool start_object(std::size_t) {
    if (pending_general_) return bail();
    ctx next = ctx::other;
    switch (top()) {
      case ctx::none: next = ctx::top; break;
      case ctx::choices: next = ctx::choice; choices_in_.emplace_back(); break;
      case ctx::choice: next = key_ == "delta" ? ctx::delta : ctx::other; break;
      case ctx::calls: next = ctx::call; current_choice().calls.emplace_back(); break;
      case ctx::call: next = key_ == "function" ? ctx::function : ctx::other; break;
      default: break;
    }
    stack_.push_back(next);
    return true;
  }
  bool end_object() {
    if (top() == ctx::choice) {
      choices.push_back(std::move(choices_in_.back()));
      choices_in_.pop_back();
    }
    stack_.pop_back();
    key_.clear();
    return true;
  }
  bool start_array(std::size_t) {
    if (pending_general_) return bail();
    ctx next = ctx::other;
    if (top() == ctx::top && key_ == "choices") next = ctx::choices;
    else if (top() == ctx::delta && key_ == "tool_calls") next = ctx::calls;
    stack_.push_back(next);
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    key_.clear();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
  enum class ctx { none, top, choices, choice, delta, calls, call, function, other };

  ctx top() const { return stack_.empty() ? ctx::none : stack_.back(); }
  choice& current_choice() { return choices_in_.back(); }
  bool bail() {
    general = true;
    return false;
  }

  bool value(string_t* s) {
    if (pending_general_) {  // an `error` / `usage` that is null or a plain value: nothing to read
      pending_general_ = s != nullptr;
      if (pending_general_) return bail();
      return true;
    }
    switch (top()) {
      case ctx::top:
        if (s && key_ == "id") id = std::move(*s);
        else if (s && key_ == "model") model = std::move(*s);
        break;
      case ctx::choice:
        if (s && key_ == "finish_reason") current_choice().finish_reason = std::move(*s);
        break;
      case ctx::delta:
        if (s && (key_ == "content" || key_ == "refusal")) current_choice().text += *s;
        break;
      case ctx::call:
        if (s && key_ == "id") current_choice().calls.back().id = std::move(*s);
        break;
      case ctx::function:
        if (s && key_ == "name") current_choice().calls.back().name += *s;
        else if (s && key_ == "arguments") current_choice().calls.back().arguments += *s;
        break;
      default: break;
    }
    return true;
  }

  bool integer(long long v) {
    if (pending_general_) return bail();
    if (top() == ctx::choice && key_ == "index") current_choice().index = v;
    else if (top() == ctx::call && key_ == "index") current_choice().calls.back().index = static_cast<int>(v);
    return true;
  }

  std::vector<ctx> stack_;
  std::vector<choice> choices_in_;
  std::string key_;
  bool pending_general_ = false;
};

} // namespace

std::string build_chat_body(const chat_request& r) {
  json body{{"model", r.model}, {"stream", true}};
  if (r.include_usage) body["stream_options"] = {{"include_usage", true}};
  json messages = json::array();
  for (const auto& m : r.messages) {
    json jm{{"role", role_name(m.role)}};
    jm["content"] = m.content ? json(*m.content) : json(nullptr);
    if (!m.tool_calls.empty()) {
      json calls = json::array();
      for (const auto& c : m.tool_calls)
        calls.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
      jm["tool_calls"] = std::move(calls);
    }
    if (m.role == chat_role::tool) jm["tool_call_id"] = m.tool_call_id;
    messages.push_back(std::move(jm));
  }
  body["messages"] = std::move(messages);
  const bool with_tools = r.tools && !r.tools->empty();
  if (with_tools && r.parallel_tool_calls) body["parallel_tool_calls"] = *r.parallel_tool_calls;
  switch (r.choice.kind) {
  case tool_choice::mode::unset: break;
  case tool_choice::mode::automatic: body["tool_choice"] = "auto"; break;
  case tool_choice::mode::none: body["tool_choice"] = "none"; break;
  case tool_choice::mode::required: body["tool_choice"] = "required"; break;
  case tool_choice::mode::function:
    body["tool_choice"] = {{"type", "function"}, {"function", {{"name", r.choice.function}}}};
    break;
  }
  if (r.max_completion_tokens) body["max_completion_tokens"] = *r.max_completion_tokens;
  if (r.temperature) body["temperature"] = *r.temperature;
  std::string out = body.dump();
  if (with_tools) {
    // the schemas go in as written once (the dump of an object ends with its '}')
    const std::string built = r.tools_json ? std::string() : tools_array_json(*r.tools);
    const std::string& tools = r.tools_json ? *r.tools_json : built;
    out.pop_back();
    out += ",\"tools\":";
    out += tools;
    out += '}';
  }
  return out;
}

std::string tools_array_json(const std::vector<tool_definition>& defs) {
  json tools = json::array();
  for (const auto& t : defs) {
    json params = json::parse(t.parameters_json, nullptr, false);
    if (params.is_discarded()) params = json{{"type", "object"}, {"properties", json::object()}};
    json fn{{"name", t.name}, {"parameters", std::move(params)}};
    if (!t.description.empty()) fn["description"] = t.description;
    if (t.strict) fn["strict"] = true;
    tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
  }
  return tools.dump();
}

chunk_step chunk_accumulator::on_data(std::string_view data) {
  chunk_step step;
  if (data.substr(0, 6) == "[DONE]") {
    step.done = true;
    return step;
  }
  // the common chunk: a delta, read without building a document
  if (!data.empty() && data.front() == '{') {
    chunk_scan scan;
    if (json::sax_parse(data, &scan) && !scan.general) {
      if (completion_.id.empty()) completion_.id = std::move(scan.id);
      if (completion_.model.empty()) completion_.model = std::move(scan.model);
      for (auto& choice : scan.choices) {
        if (choice.index != 0) continue;  // n = 1
        step.text += choice.text;
        for (auto& frag : choice.calls) {
          const int index = frag.index >= 0 ? frag.index : static_cast<int>(calls_.size());
          auto& parts = calls_[index];
          if (!frag.id.empty()) parts.id = std::move(frag.id);
          parts.name += frag.name;
          parts.arguments += frag.arguments;
        }
        if (!choice.finish_reason.empty()) completion_.finish_reason = std::move(choice.finish_reason);
      }
      completion_.text += step.text;
      return step;
    }
  }
  auto j = json::parse(data, nullptr, false);
  if (!j.is_object()) {
    step.error = http::make_error(http::provider_errc::protocol_violation, "a stream chunk is not a JSON object", "bad_chunk");
    return step;
  }
  if (const json* err = member(j, "error")) {
    std::string message = err->is_object() ? string_member(*err, "message") : std::string();
    if (message.empty()) message = err->is_string() ? err->get<std::string>() : "error in the stream";
    const std::string type = string_member(*err, "type");
    const std::string code = err->is_object() && member(*err, "code") && (*err)["code"].is_string()
                               ? (*err)["code"].get<std::string>() : std::string();
    step.error = http::classify_stream_error(type, code, std::move(message));
    return step;
  }
  if (completion_.id.empty()) completion_.id = string_member(j, "id");
  if (completion_.model.empty()) completion_.model = string_member(j, "model");
  if (const json* choices = member(j, "choices"); choices && choices->is_array()) {
    for (const auto& choice : *choices) {
      if (!choice.is_object() || int_member(choice, "index") != 0) continue;  // n = 1
      if (const json* delta = member(choice, "delta"); delta && delta->is_object()) {
        for (const char* key : {"content", "refusal"}) {
          const json* piece = member(*delta, key);
          if (piece && piece->is_string()) step.text += piece->get<std::string>();
        }
        if (const json* calls = member(*delta, "tool_calls"); calls && calls->is_array()) {
          for (const auto& frag : *calls) {
            if (!frag.is_object()) continue;
            const json* idx = member(frag, "index");
            const int index = (idx && idx->is_number_integer()) ? idx->get<int>() : static_cast<int>(calls_.size());
            auto& parts = calls_[index];
            if (auto id = string_member(frag, "id"); !id.empty()) parts.id = id;
            if (const json* fn = member(frag, "function"); fn && fn->is_object()) {
              parts.name += string_member(*fn, "name");
              parts.arguments += string_member(*fn, "arguments");
            }
          }
        }
      }
      if (auto reason = string_member(choice, "finish_reason"); !reason.empty()) completion_.finish_reason = reason;
    }
  }
  if (const json* u = member(j, "usage"); u && u->is_object()) {
    chat_usage usage;
    usage.prompt_tokens = int_member(*u, "prompt_tokens");
    usage.completion_tokens = int_member(*u, "completion_tokens");
    usage.total_tokens = int_member(*u, "total_tokens");
    if (const json* d = member(*u, "prompt_tokens_details")) usage.cached_tokens = int_member(*d, "cached_tokens");
    if (const json* d = member(*u, "completion_tokens_details")) usage.reasoning_tokens = int_member(*d, "reasoning_tokens");
    completion_.usage = usage;
  }
  completion_.text += step.text;
  return step;
}

chat_completion chunk_accumulator::finish() {
  chat_completion out = completion_;
  for (const auto& [index, parts] : calls_) {
    completed_tool_call c;
    c.index = index;
    c.id = parts.id;
    c.name = parts.name;
    c.arguments = parts.arguments.empty() ? "{}" : parts.arguments;
    auto parsed = json::parse(c.arguments, nullptr, false);
    if (parsed.is_discarded()) {
      c.arguments_valid = false;
      c.parse_error = "arguments are not valid JSON";
    } else if (!parsed.is_object()) {
      c.arguments_valid = false;
      c.parse_error = "arguments are not a JSON object";
    }
    out.tool_calls.push_back(std::move(c));
  }
  return out;
}

http::provider_error chat_http_error(int status, std::string_view body, std::string_view retry_after_ms,
                                     std::string_view retry_after, std::string_view should_retry) {
  std::string message, type, code;
  auto j = json::parse(body, nullptr, false);
  if (const json* err = member(j, "error"); err && err->is_object()) {
    message = string_member(*err, "message");
    type = string_member(*err, "type");
    code = string_member(*err, "code");
  }
  if (message.empty()) message = "HTTP " + std::to_string(status);
  auto e = http::classify_http(status, {code, type}, std::move(message));
  http::apply_retry_hints(e, retry_after_ms, retry_after, should_retry);
  return e;
}

} // namespace ce::openai
