#include "providers/deepgram/tts_rest_client.hpp"

#include "common/log.hpp"
#include "providers/deepgram/text_chunks.hpp"
#include "providers/http/callback_gate.hpp"
#include "providers/http/http_exchange.hpp"
#include "providers/http/tls.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include <deque>

namespace ce::deepgram {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

std::string rest_speak_query(const tts_rest_options& o) {
  http::query_params q{{"model", o.model},
                       {"encoding", o.encoding},
                       {"sample_rate", std::to_string(o.sample_rate)},
                       {"container", "none"}};
  for (const auto& kv : o.extra_query)
    if (kv.first != "container") q.push_back(kv);
  return http::encode_query(q);
}

namespace {

/// Deepgram's error body: {err_code, err_msg} or {error_code, error_message}.
http::provider_error deepgram_http_error(const http::response_head& head, const std::string& body) {
  std::string reason, message;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    for (const char* k : {"err_code", "error_code"})
      if (auto it = j.find(k); it != j.end() && it->is_string()) reason = it->get<std::string>();
    for (const char* k : {"err_msg", "error_message"})
      if (auto it = j.find(k); it != j.end() && it->is_string()) message = it->get<std::string>();
  }
  if (message.empty()) message = head.get("dg-error");
  auto err = http::classify_http(head.status, reason, std::move(message));
  http::apply_retry_hints(err, head.get("retry-after-ms"), head.get("retry-after"), "");
  return err;
}

} // namespace

struct tts_rest_client::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, tts_rest_options o, tts_rest_callbacks c)
    : ex_(io.get_executor()), opt_(std::move(o)), cb_(std::move(c)), log_(log::get("deepgram")),
      retry_timer_(ex_) {}

  struct job {
    std::uint64_t segment = 0;
    std::vector<std::string> pieces;
    std::size_t next_piece = 0;
    steady::time_point started;
    int attempts = 0;           ///< of the current piece
    bool piece_audio = false;   ///< the current piece delivered audio
    std::size_t skip_header = 0;  ///< bytes of a WAV header still to drop
  };

  void do_synthesize(std::uint64_t segment, std::string text) {
    if (stopped()) return;
    if (queue_.size() >= opt_.max_queued_segments)
      return done(segment, http::make_error(http::provider_errc::rate_limited, "too many segments queued", "queue_full"));
    auto pieces = split_text(text, opt_.max_chars);
    if (pieces.empty()) return done(segment, http::make_error(http::provider_errc::bad_request, "empty text"));
    job j;
    j.segment = segment;
    j.pieces = std::move(pieces);
    queue_.push_back(std::move(j));
    if (!current_) next_job();
  }

  void do_cancel(std::optional<std::uint64_t> segment) {
    std::erase_if(queue_, [&](const job& j) { return !segment || j.segment == *segment; });
    if (current_ && (!segment || current_->segment == *segment)) {
      if (exchange_) exchange_->cancel();
      exchange_.reset();
      retry_timer_.cancel();
      current_.reset();
      next_job();
    }
  }

  void do_stop() {
    stopped_flag_ = true;
    queue_.clear();
    if (exchange_) exchange_->cancel();
    exchange_.reset();
    retry_timer_.cancel();
    current_.reset();
    cb_ = {};
  }

  void next_job() {
    if (current_ || queue_.empty() || stopped()) return;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    current_->started = steady::now();
    start_piece();
  }

  void start_piece() {
    auto& j = *current_;
    j.attempts = 0;
    j.piece_audio = false;
    attempt();
  }

  void attempt() {
    auto& j = *current_;
    auto base = http::parse_url(opt_.base_url);
    if (!base) return finish_job(http::make_error(http::provider_errc::bad_request, "invalid base_url"));
    ++j.attempts;
    j.skip_header = 0;
    http::http_request_spec spec;
    spec.method = boost::beast::http::verb::post;
    spec.endpoint = *base;
    spec.target = base->path + "/v1/speak?" + rest_speak_query(opt_);
    spec.headers = {{"Authorization", "Token " + opt_.api_key}, {"Content-Type", "application/json"},
                    {"Accept", "audio/mulaw"}};
    spec.body = nlohmann::json{{"text", j.pieces[j.next_piece]}}.dump();
    if (base->secure() && !tls_) tls_ = http::client_tls_context(opt_.tls);
    http::http_timeouts t{opt_.connect_timeout, opt_.first_byte_timeout, opt_.idle_timeout};

    auto head = std::make_shared<http::response_head>();
    auto error_body = std::make_shared<std::string>();
    std::weak_ptr<impl> weak = weak_from_this();
    const std::uint64_t serial = ++serial_;
    http::http_exchange::handlers h;
    h.on_head = [weak, serial, head](const http::response_head& rh) {
      auto self = weak.lock();
      if (!self || self->serial_ != serial) return;
      *head = rh;
      if (rh.status == 200 && rh.get("content-type").find("wav") != std::string::npos) self->current_->skip_header = 44;
    };
    h.on_body = [weak, serial, head, error_body](std::string_view piece) {
      auto self = weak.lock();
      if (!self || self->serial_ != serial) return;
      if (head->status != 200) {
        if (error_body->size() < 64 * 1024) error_body->append(piece);
        return;
      }
      self->on_audio(piece);
    };
    h.on_done = [weak, serial, head, error_body](std::optional<http::provider_error> err) {
      auto self = weak.lock();
      if (!self || self->serial_ != serial) return;
      self->exchange_.reset();
      if (!err && head->status != 200) err = deepgram_http_error(*head, *error_body);
      self->on_attempt_done(std::move(err), head->status);
    };
    log_->debug("{} tts rest request segment={} piece={}/{} attempt={} chars={}", opt_.log_context, j.segment,
                j.next_piece + 1, j.pieces.size(), j.attempts, count_chars(j.pieces[j.next_piece]));
    exchange_ = std::make_shared<http::http_exchange>(ex_, tls_, std::move(spec), t, std::move(h));
    exchange_->start();
  }

  void on_audio(std::string_view piece) {
    auto& j = *current_;
    if (j.skip_header > 0) {
      // We never ask for a container; should one come anyway, its header must not play.
      if (!j.piece_audio && piece.size() >= 4 && piece.substr(0, 4) != "RIFF") j.skip_header = 0;
      const std::size_t n = std::min(j.skip_header, piece.size());
      piece.remove_prefix(n);
      j.skip_header -= n;
    }
    if (piece.empty()) return;
    j.piece_audio = true;
    tts_audio chunk;
    chunk.segment = j.segment;
    chunk.mulaw.assign(reinterpret_cast<const std::uint8_t*>(piece.data()),
                       reinterpret_cast<const std::uint8_t*>(piece.data()) + piece.size());
    if (cb_.on_audio) gate_.invoke([&] { cb_.on_audio(std::move(chunk)); });
  }

  void on_attempt_done(std::optional<http::provider_error> err, int status) {
    auto& j = *current_;
    if (!err) {
      if (++j.next_piece < j.pieces.size()) return start_piece();
      return finish_job(std::nullopt);
    }
    if (!j.piece_audio) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - j.started);
      if (auto delay = http::retry_delay(*err, opt_.retry, j.attempts, opt_.deadline - elapsed, jitter_.next())) {
        log_->info("{} tts rest segment={} attempt {} failed ({}), retrying in {} ms", opt_.log_context, j.segment,
                   j.attempts, err->describe(), delay->count());
        retry_timer_.expires_after(*delay);
        retry_timer_.async_wait([weak = weak_from_this(), seg = j.segment](boost::system::error_code ec) {
          auto self = weak.lock();
          if (ec || !self || !self->current_ || self->current_->segment != seg) return;
          self->attempt();
        });
        return;
      }
    }
    log_->warn("{} tts rest segment={} failed after {} attempt(s) (status {}): {}", opt_.log_context, j.segment,
               j.attempts, status, err->describe());
    finish_job(std::move(err));
  }

  void finish_job(std::optional<http::provider_error> err) {
    const auto seg = current_->segment;
    current_.reset();
    done(seg, std::move(err));
    next_job();
  }

  void done(std::uint64_t segment, std::optional<http::provider_error> err) {
    if (cb_.on_done) gate_.invoke([&] { cb_.on_done(segment, std::move(err)); });
  }

  bool stopped() const { return stopped_flag_ || gate_.closed(); }

  http::executor ex_;
  tts_rest_options opt_;
  tts_rest_callbacks cb_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::deque<job> queue_;
  std::optional<job> current_;
  std::shared_ptr<http::http_exchange> exchange_;
  http::steady_timer retry_timer_;
  http::jitter_source jitter_;
  std::uint64_t serial_ = 0;
  bool stopped_flag_ = false;
  http::callback_gate gate_;
};

tts_rest_client::tts_rest_client(boost::asio::io_context& io, tts_rest_options options, tts_rest_callbacks callbacks)
  : impl_(std::make_shared<impl>(io, std::move(options), std::move(callbacks))) {}

tts_rest_client::~tts_rest_client() {
  impl_->gate_.close();
  asio::post(impl_->ex_, [p = impl_] { p->do_stop(); });
}

void tts_rest_client::synthesize(std::uint64_t segment, std::string text) {
  asio::post(impl_->ex_, [p = impl_, segment, t = std::move(text)]() mutable { p->do_synthesize(segment, std::move(t)); });
}

void tts_rest_client::cancel(std::uint64_t segment) {
  asio::post(impl_->ex_, [p = impl_, segment] { p->do_cancel(segment); });
}

void tts_rest_client::cancel_all() {
  asio::post(impl_->ex_, [p = impl_] { p->do_cancel(std::nullopt); });
}

} // namespace ce::deepgram
