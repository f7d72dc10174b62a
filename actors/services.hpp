// Process-wide services every call needs: config, the shared actors and the call metrics.
// Built once by main (see engine.cpp), then copied into each call_session.
#pragma once

#include "callengine/call.hpp"
#include "callengine/config.hpp"

#include <caf/actor.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ce::metrics {
class registry;
class counter;
class gauge;
class histogram;
} // namespace ce::metrics

namespace ce::dialog {
class intent_matcher;
}
namespace ce::openai {
struct tool_definition;
}

namespace ce::actors {

struct call_metrics {
  explicit call_metrics(ce::metrics::registry& r);
  ce::metrics::registry& registry;
  ce::metrics::gauge& active;
  ce::metrics::counter& admitted;
  ce::metrics::histogram& turn_latency;
  ce::metrics::histogram& barge_in_reaction;
  ce::metrics::counter& barge_ins;
  ce::metrics::counter& reprompts;
  ce::metrics::counter& child_restarts;
  ce::metrics::counter& inbound_dropped;
  ce::metrics::counter& stale_dropped;
  ce::metrics::counter& refused(end_reason why);
  ce::metrics::counter& ended(end_reason why);
};

/// The dealership's date, shared between threads.
class shop_date {
public:
  void set(std::string yyyy_mm_dd) {
    std::lock_guard lock(mutex_);
    date_ = std::move(yyyy_mm_dd);
  }
  std::string get() const {
    std::lock_guard lock(mutex_);
    return date_;
  }

private:
  mutable std::mutex mutex_;
  std::string date_;
};

struct engine_services {
  std::shared_ptr<const engine_config> cfg;
  std::shared_ptr<call_metrics> metrics;
  caf::actor registry;    ///< call_registry
  caf::actor asr_pool;    ///< shared pocketsphinx decoders (embedded STT)
  caf::actor tts_engine;  ///< shared espeak-ng synthesiser (embedded TTS)
  caf::actor call_logs;   ///< call_log_writer (PostgreSQL)
  caf::actor store_pool;  ///< store workers: tools and session snapshots
  caf::actor calendar_mirror;  ///< Google Calendar mirror (only when configured)
  caf::actor reminders;        ///< reminder_scheduler (outbound jobs; records Twilio's callbacks)
  /// Read-only tables every call would otherwise build again (tens of KB each): the
  /// embedded dialog's compiled phrases, and the OpenAI tool schemas (null unless the LLM
  /// provider is OpenAI and they parsed).
  std::shared_ptr<const dialog::intent_matcher> intents;
  std::shared_ptr<const std::vector<openai::tool_definition>> tool_definitions;
  std::shared_ptr<const std::string> tool_definitions_json;  ///< the same, as the request's "tools" JSON
  /// The tools of calls the shop placed (the inbound ones plus get_call_purpose, ...).
  std::shared_ptr<const std::vector<openai::tool_definition>> outbound_tool_definitions;
  std::shared_ptr<const std::string> outbound_tool_definitions_json;
  /// Today's date at the dealership (its time zone, from PostgreSQL), kept current by the
  /// reminder scheduler; empty until known.
  std::shared_ptr<shop_date> today;
};

} // namespace ce::actors
