// Per-actor metrics for CAF 0.17 (which has no telemetry): every actor of the engine is a
// `metered<State>`, a stateful actor whose consume() counts messages, times handlers and
// samples its mailbox depth into the metrics of its role (stt, llm, tts, ...). Roles,
// not actor instances, are the label: hundreds of calls stay a handful of series.
//
// Spawn: the behaviour function takes `metered<State>*` and calls `self->meter(role)`
// first thing (see call_session.cpp).
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <string>

namespace ce::metrics {
class registry;
class counter;
class histogram;
class gauge;
} // namespace ce::metrics

namespace ce::actors {

struct role_metrics {
  ce::metrics::counter* messages = nullptr;
  ce::metrics::histogram* handler_seconds = nullptr;
  ce::metrics::histogram* mailbox_depth = nullptr;
  ce::metrics::gauge* mailbox_depth_max = nullptr;
  ce::metrics::gauge* live = nullptr;
  ce::metrics::counter* failures = nullptr;
};

/// Metrics of a role, registered on first use (thread-safe; cached per role).
role_metrics& metrics_for_role(const std::string& role);
/// Bind the metrics of every role to `r` (main does this once, before spawning).
void bind_actor_metrics(ce::metrics::registry& r);

void record_message(role_metrics& m, std::size_t depth, std::chrono::nanoseconds took);
void record_live(role_metrics& m, int delta);

template <class State>
class metered : public caf::stateful_actor<State> {
public:
  using super = caf::stateful_actor<State>;

  explicit metered(caf::actor_config& cfg) : super(cfg) {}

  /// Attach this actor to the metrics of `role`; call once, from the behaviour function.
  void meter(const std::string& role) {
    role_ = &metrics_for_role(role);
    record_live(*role_, 1);
    this->attach_functor([m = role_] { record_live(*m, -1); });
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    if (!role_) return super::consume(x);
    auto depth = this->mailbox().size();
    auto t0 = std::chrono::steady_clock::now();
    auto res = super::consume(x);
    record_message(*role_, depth, std::chrono::steady_clock::now() - t0);
    return res;
  }

private:
  role_metrics* role_ = nullptr;
};

} // namespace ce::actors
