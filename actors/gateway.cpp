#include "actors/gateway.hpp"

#include "actors/amd_relay.hpp"
#include "actors/call_registry.hpp"
#include "actors/call_session.hpp"
#include "actors/reminder_scheduler.hpp"
#include "metrics/metrics.hpp"

#include <atomic>

namespace ce::actors {
namespace {

/// The actor side of one call's edge, called on the call's shard: caller audio and the
/// edge detector's events go to the call's stt (its audio_route), the rest of the Twilio
/// stream and the edge's playback reports to its call_session. Only messages, at the rate
/// of batches (calls.quiet_batch_ms of audio, while the embedded recogniser takes it),
/// speech events, sentences played and turns; never one per frame or per mark.
///
/// Caller audio in flight to the actors is bounded: past calls.inbound_queue_frames (in
/// 20 ms frames), new audio is dropped and counted (the call is stuck; nothing else queues
/// without bound).
class inbox final : public call_inbox {
public:
  inbox(caf::actor session, std::shared_ptr<audio_route> route, const engine_config& cfg,
        ce::metrics::counter& dropped_metric)
    : session_(std::move(session)), route_(std::move(route)),
      limit_(static_cast<std::int32_t>(cfg.calls.inbound_queue_frames)), dropped_metric_(dropped_metric) {}

  void caller_audio(mulaw_buffer audio) override {
    const auto frames = static_cast<std::int32_t>((audio.size() + frame_bytes_20ms - 1) / frame_bytes_20ms);
    if (route_->in_flight.load(std::memory_order_relaxed) + frames > limit_) {
      dropped_metric_.inc(static_cast<std::uint64_t>(frames));
      return;
    }
    route_->in_flight.fetch_add(frames, std::memory_order_relaxed);
    caf::anon_send(stt_or_session(), inbound_audio{std::move(audio), true});
  }
  void caller_speech(ce::caller_speech event) override { caf::anon_send(stt_or_session(), event); }
  void speech_audio(mulaw_buffer audio, bool in_progress) override {
    caf::anon_send(stt_or_session(), speech_handover{std::move(audio), in_progress});
  }
  void dtmf(char digit) override { caf::anon_send(session_, dtmf_pressed{digit}); }
  void stopped() override { caf::anon_send(session_, stream_stopped_atom::value); }
  void closed() override { caf::anon_send(session_, stream_closed_atom::value); }
  void playback_started(std::uint64_t generation, time_point at) override {
    caf::anon_send(session_, ce::actors::playback_started{generation, at});
  }
  void segment_played(std::uint64_t generation, std::uint32_t segment) override {
    caf::anon_send(session_, ce::actors::segment_played{generation, segment});
  }
  void speech_heard(std::uint64_t generation, bool any, std::uint32_t segment, std::size_t chars) override {
    caf::anon_send(session_, ce::actors::speech_heard{generation, any, segment, chars});
  }

private:
  /// Between an stt failure and its restart (or after the call ended) the session takes
  /// what is the stt's and forwards it.
  caf::actor stt_or_session() const {
    auto target = route_->target();
    return target ? target : session_;
  }

  caf::actor session_;
  std::shared_ptr<audio_route> route_;
  std::int32_t limit_;
  ce::metrics::counter& dropped_metric_;
};

class gateway final : public call_gateway {
public:
  gateway(caf::actor_system& sys, engine_services services, std::shared_ptr<amd_relay> relay)
    : sys_(sys), services_(std::move(services)), relay_(std::move(relay)) {}

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

  void outbound_event(outbound_call_event event) override {
    if (!event.answered_by.empty()) {
      caf::anon_send(services_.registry, amd_verdict{event.call_sid, event.answered_by});
      // the call's stream may be on another node
      if (relay_) relay_->publish(event.call_sid, event.answered_by);
    }
    if (services_.reminders) caf::anon_send(services_.reminders, outbound_callback{std::move(event)});
  }

  void drain(std::int64_t deadline_ms, std::function<void()> done) override {
    caf::anon_send(services_.registry, begin_drain{deadline_ms, std::move(done)});
  }

private:
  caf::actor_system& sys_;
  engine_services services_;
  std::shared_ptr<amd_relay> relay_;
};

} // namespace

std::unique_ptr<call_gateway> make_gateway(caf::actor_system& sys, engine_services services,
                                           std::shared_ptr<amd_relay> relay) {
  return std::make_unique<gateway>(sys, std::move(services), std::move(relay));
}

} // namespace ce::actors
