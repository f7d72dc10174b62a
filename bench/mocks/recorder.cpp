#include "mocks/recorder.hpp"

namespace ce::mocks {
namespace {

constexpr std::array<std::string_view, service_count> service_names{"stt",    "tts",    "openai",
                                                                    "google", "twilio", "control"};

} // namespace

std::string_view to_string(service s) { return service_names[static_cast<std::size_t>(s)]; }

bool parse_service(std::string_view name, service& out) {
  for (std::size_t i = 0; i < service_count; ++i) {
    if (service_names[i] == name) {
      out = static_cast<service>(i);
      return true;
    }
  }
  return false;
}

recorder::recorder(std::size_t limit) : limit_(limit) {}

std::int64_t recorder::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_)
    .count();
}

std::uint64_t recorder::add(service s, std::string_view event, nlohmann::json fields) {
  if (!fields.is_object()) fields = nlohmann::json{{"value", std::move(fields)}};
  fields["t_ms"] = now_ms();
  fields["service"] = to_string(s);
  fields["event"] = event;
  std::lock_guard lock(mutex_);
  fields["seq"] = ++seq_;
  if (limit_ == 0) return seq_;
  while (entries_.size() >= limit_) entries_.pop_front();
  entries_.push_back(std::move(fields));
  return seq_;
}

std::vector<nlohmann::json> recorder::entries(std::optional<service> s, std::uint64_t since,
                                              std::string_view event_prefix, std::size_t limit) const {
  std::vector<nlohmann::json> out;
  const std::string_view want = s ? to_string(*s) : std::string_view{};
  // "stt.utterance" matches exactly; "stt." or "stt.*" match every event starting so.
  std::string_view match = event_prefix;
  bool prefix = false;
  if (!match.empty() && (match.back() == '*' || match.back() == '.')) {
    prefix = true;
    if (match.back() == '*') match.remove_suffix(1);
  }
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    if (out.size() >= limit) break;
    if (e["seq"].get<std::uint64_t>() <= since) continue;
    if (s && e["service"].get_ref<const std::string&>() != want) continue;
    if (!match.empty() || prefix) {
      const auto& ev = e["event"].get_ref<const std::string&>();
      if (prefix ? ev.rfind(match, 0) != 0 : ev != match) continue;
    }
    out.push_back(e);
  }
  return out;
}

std::uint64_t recorder::last_seq() const {
  std::lock_guard lock(mutex_);
  return seq_;
}

void recorder::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

void recorder::set_limit(std::size_t limit) {
  std::lock_guard lock(mutex_);
  limit_ = limit;
  while (entries_.size() > limit_) entries_.pop_front();
}

nlohmann::json recorder::stats() const {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < service_count; ++i) {
    const auto& c = counters_[i];
    out[std::string(service_names[i])] = {
      {"open", c.open.load()},           {"accepted", c.accepted.load()},
      {"rejected", c.rejected.load()},   {"messages_in", c.messages_in.load()},
      {"messages_out", c.messages_out.load()}, {"bytes_in", c.bytes_in.load()},
      {"bytes_out", c.bytes_out.load()}, {"faults", c.faults.load()}};
  }
  std::lock_guard lock(mutex_);
  out["log"] = {{"entries", entries_.size()}, {"last_seq", seq_}, {"limit", limit_}};
  return out;
}

} // namespace ce::mocks
