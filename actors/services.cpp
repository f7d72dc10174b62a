#include "actors/services.hpp"

#include "metrics/metrics.hpp"

namespace ce::actors {

call_metrics::call_metrics(ce::metrics::registry& r)
  : registry(r),
    active(r.get_gauge("ce_calls_active", "Calls in progress")),
    admitted(r.get_counter("ce_calls_admitted_total", "Calls admitted")),
    turn_latency(r.get_histogram("ce_turn_latency_seconds",
                                 "End of caller speech to first agent audio frame sent",
                                 ce::metrics::latency_buckets())),
    barge_in_reaction(r.get_histogram("ce_barge_in_reaction_seconds",
                                      "Caller speech onset to Twilio clear sent",
                                      ce::metrics::latency_buckets())),
    barge_ins(r.get_counter("ce_barge_ins_total", "Agent turns interrupted by the caller")),
    reprompts(r.get_counter("ce_silence_reprompts_total", "Reprompts after caller silence")),
    child_restarts(r.get_counter("ce_child_restarts_total", "Call child actors restarted after a failure")),
    inbound_dropped(r.get_counter("ce_inbound_frames_dropped_total",
                                  "Caller audio frames dropped because a call fell behind")),
    stale_dropped(r.get_counter("ce_stale_messages_dropped_total",
                                "Messages of an interrupted generation dropped on arrival")) {
  for (auto why : all_end_reasons) {
    ended(why);
    if (why == end_reason::refused_capacity || why == end_reason::refused_draining ||
        why == end_reason::invalid_stream)
      refused(why);
  }
}

ce::metrics::counter& call_metrics::refused(end_reason why) {
  return registry.get_counter("ce_calls_refused_total", "Calls refused, by reason",
                              {{"reason", std::string{to_string(why)}}});
}

ce::metrics::counter& call_metrics::ended(end_reason why) {
  return registry.get_counter("ce_calls_ended_total", "Calls ended, by reason",
                              {{"reason", std::string{to_string(why)}}});
}

} // namespace ce::actors
