#include "store/redis.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <sys/time.h>

namespace ce::store {

namespace {

timeval to_timeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

redis_reply convert(const redisReply* r) {
  redis_reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = redis_reply::kind::string; out.text.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = redis_reply::kind::status_reply; out.text.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = redis_reply::kind::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = redis_reply::kind::array;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: out.type = redis_reply::kind::nil; break;
  }
  return out;
}

struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

bool parse_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

} // namespace

result<redis_address> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme)
    return make_error(store_errc::invalid, "a Redis URL starts with redis://");
  auto rest = url.substr(scheme.size());
  redis_address a;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto userinfo = rest.substr(0, at);
    auto colon = userinfo.find(':');
    a.password = std::string{colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1)};
    rest = rest.substr(at + 1);
  }
  auto slash = rest.find('/');
  auto hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    auto db = rest.substr(slash + 1);
    if (!db.empty() && (!parse_int(db, a.db) || a.db < 0))
      return make_error(store_errc::invalid, "bad Redis database number in " + std::string{url});
  }
  auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos) {
    if (!parse_int(hostport.substr(colon + 1), a.port) || a.port <= 0 || a.port > 65535)
      return make_error(store_errc::invalid, "bad Redis port in " + std::string{url});
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) a.host = std::string{hostport};
  return a;
}

redis_connection::redis_connection(redis_options options) : options_(std::move(options)) {}
redis_connection::~redis_connection() { disconnect(); }

redis_connection::redis_connection(redis_connection&& other) noexcept
    : options_(std::move(other.options_)), ctx_(std::exchange(other.ctx_, nullptr)), failures_(other.failures_) {}

redis_connection& redis_connection::operator=(redis_connection&& other) noexcept {
  if (this != &other) {
    disconnect();
    options_ = std::move(other.options_);
    ctx_ = std::exchange(other.ctx_, nullptr);
    failures_ = other.failures_;
  }
  return *this;
}

void redis_connection::disconnect() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
}

backoff_state redis_connection::backoff() const {
  if (failures_ == 0) return {};
  auto delay = options_.backoff_initial;
  for (int i = 1; i < failures_ && delay < options_.backoff_max; ++i) delay *= 2;
  return {failures_, std::min(delay, options_.backoff_max)};
}

status redis_connection::connect() {
  if (ctx_) return done{};
  auto addr = parse_redis_url(options_.url);
  if (!addr) return addr.error();
  ctx_ = redisConnectWithTimeout(addr->host.c_str(), addr->port, to_timeval(options_.connect_timeout_ms));
  if (!ctx_ || ctx_->err) {
    std::string msg = ctx_ ? ctx_->errstr : "out of memory";
    disconnect();
    failures_ = std::min(failures_ + 1, 30);
    return make_error(store_errc::unavailable, "cannot connect to Redis: " + msg);
  }
  redisSetTimeout(ctx_, to_timeval(options_.command_timeout_ms));
  redisEnableKeepAlive(ctx_);
  std::vector<std::vector<std::string>> setup;
  if (!addr->password.empty()) setup.push_back({"AUTH", addr->password});
  if (addr->db != 0) setup.push_back({"SELECT", std::to_string(addr->db)});
  if (!setup.empty()) {
    auto r = pipeline(setup);
    if (!r) {
      disconnect();
      failures_ = std::min(failures_ + 1, 30);
      auto e = r.error();
      e.message = "Redis refused the connection setup: " + e.message;
      return e;
    }
  }
  failures_ = 0;
  return done{};
}

status redis_connection::ensure_connected() { return ctx_ ? status{done{}} : connect(); }

store_error redis_connection::io_error() {
  bool timed_out = ctx_ && ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
  std::string msg = ctx_ ? ctx_->errstr : "no connection";
  disconnect();
  failures_ = std::min(failures_ + 1, 30);
  if (timed_out) return make_error(store_errc::timeout, "Redis did not answer in time");
  return make_error(store_errc::unavailable, "connection to Redis lost: " + msg);
}

result<redis_reply> redis_connection::command(const std::vector<std::string>& args) {
  auto r = pipeline({args});
  if (!r) return r.error();
  return std::move(r->front());
}

result<redis_reply> redis_connection::command(std::initializer_list<std::string_view> args) {
  std::vector<std::string> v;
  v.reserve(args.size());
  for (auto a : args) v.emplace_back(a);
  return command(v);
}

result<std::vector<redis_reply>> redis_connection::pipeline(const std::vector<std::vector<std::string>>& commands) {
  if (auto c = ensure_connected(); !c) return c.error();
  for (const auto& cmd : commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK)
      return io_error();
  }
  std::vector<redis_reply> replies;
  std::optional<std::string> error_reply;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || !raw) return io_error();
    reply_ptr reply{static_cast<redisReply*>(raw)};
    if (reply->type == REDIS_REPLY_ERROR) {
      if (!error_reply) error_reply = std::string(reply->str, reply->len);
      replies.emplace_back();
      continue;
    }
    replies.push_back(convert(reply.get()));
  }
  if (error_reply) return make_error(store_errc::other, "Redis: " + *error_reply);
  return replies;
}

status redis_connection::ping() {
  auto r = command({"PING"});
  if (!r) return r.error();
  return done{};
}

int redis_connection::socket() const { return ctx_ ? ctx_->fd : -1; }

result<std::vector<redis_reply>> redis_connection::read_pushed() {
  if (!ctx_) return make_error(store_errc::unavailable, "not connected to Redis");
  if (redisBufferRead(ctx_) != REDIS_OK) return io_error();
  std::vector<redis_reply> out;
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(ctx_->reader, &raw) != REDIS_OK) return io_error();
    if (!raw) break;
    reply_ptr reply{static_cast<redisReply*>(raw)};
    if (reply->type != REDIS_REPLY_ERROR) out.push_back(convert(reply.get()));
  }
  return out;
}

result<std::optional<std::string>> redis_connection::get(std::string_view key) {
  auto r = command({"GET", key});
  if (!r) return r.error();
  if (r->type == redis_reply::kind::nil) return std::optional<std::string>{};
  return std::optional<std::string>{std::move(r->text)};
}

status redis_connection::setex(std::string_view key, int ttl_s, std::string_view value) {
  if (ttl_s < 1) return make_error(store_errc::invalid, "a TTL is at least 1 second");
  auto r = command({"SETEX", key, std::to_string(ttl_s), value});
  if (!r) return r.error();
  return done{};
}

result<std::int64_t> redis_connection::del(std::string_view key) {
  auto r = command({"DEL", key});
  if (!r) return r.error();
  return static_cast<std::int64_t>(r->integer);
}

result<bool> redis_connection::expire(std::string_view key, int ttl_s) {
  auto r = command({"EXPIRE", key, std::to_string(ttl_s)});
  if (!r) return r.error();
  return r->integer == 1;
}

result<std::int64_t> redis_connection::ttl(std::string_view key) {
  auto r = command({"TTL", key});
  if (!r) return r.error();
  return static_cast<std::int64_t>(r->integer);
}

} // namespace ce::store
