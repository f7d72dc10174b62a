#include "actors/gateway.hpp"

#include "actors/call_registry.hpp"
#include "actors/call_session.hpp"
#include "audio/vad.hpp"
#include "metrics/metrics.hpp"

#include <atomic>

namespace ce::actors {
namespace {

/// Pushes one call's inbound events to its actors: caller audio to the call's stt (its
/// audio_route), everything else to its call_session. Called on the connection's strand.
///
/// Caller audio goes frame by frame while the caller may be talking and in batches of
/// calls.quiet_batch_ms while the line is quiet: the inbox runs its own copy of the call's
/// voice detector (same configuration, same frames), and a voiced frame, speech and its
/// hangover go at once, so onsets, barge-ins and ends of speech reach the stt no later than
/// unbatched. Quiet audio only feeds the preroll and the silence sent to Deepgram, which
/// goes in 100 ms messages anyway. (After an stt restart the two detectors may disagree for
/// a moment; that only changes when a frame is delivered, never what is done with it.)
///
/// Caller audio in flight is bounded: past `limit` frames, new frames are dropped and
/// counted (the call is stuck; the caller hears no difference between a dropped frame and
/// a decoder hiccup, and nothing else queues without bound).
class inbox final : public call_inbox {
public:
  inbox(caf::actor session, std::shared_ptr<audio_route> route, const engine_config& cfg,
        ce::metrics::counter& dropped_metric)
    : session_(std::move(session)), route_(std::move(route)),
      limit_(static_cast<std::int32_t>(cfg.calls.inbound_queue_frames)),
      batch_bytes_(static_cast<std::size_t>(cfg.calls.quiet_batch_ms) * 8), vad_(cfg.stt.vad),
      dropped_metric_(dropped_metric) {}

  void media(mulaw_buffer payload, std::uint64_t) override {
    if (route_->in_flight.load(std::memory_order_relaxed) + static_cast<std::int32_t>(pending_.size()) >= limit_) {
      ++dropped_;
      dropped_metric_.inc();
      return;
    }
    auto r = vad_.push(payload);
    pending_bytes_ += payload.size();
    pending_.push_back(inbound_frame{std::move(payload), steady_clock::now()});
    if (r.event == audio::vad_result::kind::none && vad_.quiet() && pending_bytes_ < batch_bytes_) return;
    flush();
  }
  void mark(std::string name) override { caf::anon_send(session_, mark_echoed{std::move(name)}); }
  void dtmf(char digit) override { caf::anon_send(session_, dtmf_pressed{digit}); }
  void stopped() override {
    flush();
    caf::anon_send(session_, stream_stopped_atom::value);
  }
  void closed() override {
    flush();
    caf::anon_send(session_, stream_closed_atom::value);
  }
  void playback_started(std::uint64_t generation, time_point at) override {
    caf::anon_send(session_, ce::actors::playback_started{generation, at});
  }
  std::uint64_t dropped_frames() const override { return dropped_; }

private:
  void flush() {
    if (pending_.empty()) return;
    route_->in_flight.fetch_add(static_cast<std::int32_t>(pending_.size()), std::memory_order_relaxed);
    auto target = route_->target();
    inbound_audio a;
    a.frames.swap(pending_);
    pending_bytes_ = 0;
    caf::anon_send(target ? target : session_, std::move(a));
  }

  caf::actor session_;
  std::shared_ptr<audio_route> route_;
  std::int32_t limit_;
  std::size_t batch_bytes_;
  audio::energy_vad vad_;
  std::vector<inbound_frame> pending_;
  std::size_t pending_bytes_ = 0;
  ce::metrics::counter& dropped_metric_;
  std::uint64_t dropped_ = 0;
};

class gateway final : public call_gateway {
public:
  gateway(caf::actor_system& sys, engine_services services) : sys_(sys), services_(std::move(services)) {}

  void admit(admission_request req, std::function<void(admission_decision)> reply) override {
    caf::anon_send(services_.registry, admit_call{std::move(req), std::move(reply)});
  }

  std::shared_ptr<call_inbox> open(stream_start start, std::shared_ptr<media_sink> sink) override {
    auto route = std::make_shared<audio_route>();
    auto session = spawn_call_session(sys_, services_, call_setup{std::move(start), std::move(sink), route});
    return std::make_shared<inbox>(std::move(session), std::move(route), *services_.cfg,
                                   services_.metrics->inbound_dropped);
  }

  void after_stream(std::string call_sid, std::function<void(std::optional<end_reason>)> reply) override {
    caf::anon_send(services_.registry, query_after_stream{std::move(call_sid), std::move(reply)});
  }

  void list_calls(std::function<void(std::vector<call_record>)> reply) override {
    caf::anon_send(services_.registry, query_calls{std::move(reply)});
  }

  void find_call(std::string call_sid, std::function<void(std::optional<call_record>)> reply) override {
    caf::anon_send(services_.registry, query_call{std::move(call_sid), std::move(reply)});
  }

  void kill_child(std::string call_sid, std::string role, std::function<void(bool)> reply) override {
    caf::anon_send(services_.registry, kill_call_child{std::move(call_sid), std::move(role), std::move(reply)});
  }

  void drain(std::int64_t deadline_ms, std::function<void()> done) override {
    caf::anon_send(services_.registry, begin_drain{deadline_ms, std::move(done)});
  }

private:
  caf::actor_system& sys_;
  engine_services services_;
};

} // namespace

std::unique_ptr<call_gateway> make_gateway(caf::actor_system& sys, engine_services services) {
  return std::make_unique<gateway>(sys, std::move(services));
}

} // namespace ce::actors
