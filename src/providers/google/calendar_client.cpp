#include "providers/google/calendar_client.hpp"

#include "providers/google/calendar_json.hpp"
#include "providers/google/google_session.hpp"
#include "providers/http/callback_gate.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>


#include <atomic>

namespace ce::google {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

std::string events_path(const std::string& calendar) { return "/calendars/" + http::percent_encode(calendar) + "/events"; }

std::string event_path(const std::string& calendar, const std::string& id) {
  return events_path(calendar) + "/" + http::percent_encode(id);
}

std::string with_updates(std::string path, const calendar_options& o) {
  if (!o.send_updates.empty()) path += "?sendUpdates=" + http::percent_encode(o.send_updates);
  return path;
}

/// Parses a 2xx JSON body into T, or reports a protocol violation.
template <class T, class Parse>
http::result<T> parse_body(const std::string& body, Parse parse) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object())
    return http::make_error(http::provider_errc::protocol_violation, "the answer is not a JSON object");
  return parse(j);
}

} // namespace

struct calendar_client::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, calendar_options o)
    : ex_(io.get_executor()), session_(std::make_shared<google_session>(ex_, std::move(o))) {}

  template <class T>
  void deliver(const calendar_callback<T>& done, http::result<T> r) {
    if (done) gate_.invoke([&] { done(std::move(r)); });
  }

  void do_free_busy(free_busy_query q, calendar_callback<free_busy_result> done) {
    api_call call{"freeBusy", bhttp::verb::post, "/freeBusy", free_busy_to_json(q).dump(), {}};
    session_->run(std::move(call), [self = shared_from_this(), done](auto err, http::buffered_response res) {
      if (err) return self->deliver<free_busy_result>(done, std::move(*err));
      self->deliver(done, parse_body<free_busy_result>(res.body, [](const nlohmann::json& j) {
                      return http::result<free_busy_result>(free_busy_from_json(j));
                    }));
    });
  }

  void do_insert(std::string cal, calendar_event ev, calendar_callback<insert_outcome> done) {
    if (!valid_event_id(ev.id))
      return deliver<insert_outcome>(done, http::make_error(http::provider_errc::bad_request,
                                                            "event id must match [a-v0-9]{5,1024} (use make_event_id)"));
    api_call call{"events.insert", bhttp::verb::post, with_updates(events_path(cal), session_->options()),
                  event_to_json(ev).dump(), {409}};
    session_->run(std::move(call), [self = shared_from_this(), cal, ev, done](auto err, http::buffered_response res) {
      if (err) return self->deliver<insert_outcome>(done, std::move(*err));
      if (res.head.status == 409) return self->on_duplicate(cal, ev, done);
      self->deliver(done, parse_body<insert_outcome>(res.body, [](const nlohmann::json& j) {
                      return http::result<insert_outcome>(insert_outcome{event_from_json(j), false});
                    }));
    });
  }

  /// 409 on insert: the id exists (our earlier attempt got through, or the booking was
  /// cancelled). Fetch it; confirm it again if it was cancelled.
  void on_duplicate(const std::string& cal, const calendar_event& ev, calendar_callback<insert_outcome> done) {
    api_call get{"events.get", bhttp::verb::get, event_path(cal, ev.id), {}, {}};
    session_->run(std::move(get), [self = shared_from_this(), cal, ev, done](auto err, http::buffered_response res) {
      if (err) return self->deliver<insert_outcome>(done, std::move(*err));
      auto existing = parse_body<calendar_event>(res.body, [](const nlohmann::json& j) {
        return http::result<calendar_event>(event_from_json(j));
      });
      if (!existing.ok()) return self->deliver<insert_outcome>(done, existing.error());
      if (existing.value().status != "cancelled")
        return self->deliver(done, http::result<insert_outcome>(insert_outcome{std::move(existing.value()), true}));
      // Deleting only cancels: bring the booking back with its current details.
      auto body = event_to_json(ev);
      body.erase("id");
      body["status"] = "confirmed";
      api_call patch{"events.patch", bhttp::verb::patch, with_updates(event_path(cal, ev.id), self->session_->options()),
                     body.dump(), {}};
      self->session_->run(std::move(patch), [self, done](auto perr, http::buffered_response pres) {
        if (perr) return self->deliver<insert_outcome>(done, std::move(*perr));
        self->deliver(done, parse_body<insert_outcome>(pres.body, [](const nlohmann::json& j) {
                        return http::result<insert_outcome>(insert_outcome{event_from_json(j), true});
                      }));
      });
    });
  }

  void do_patch(std::string cal, std::string id, event_patch p, calendar_callback<calendar_event> done) {
    api_call call{"events.patch", bhttp::verb::patch, with_updates(event_path(cal, id), session_->options()),
                  patch_to_json(p).dump(), {}};
    run_event(std::move(call), std::move(done));
  }

  void do_get(std::string cal, std::string id, calendar_callback<calendar_event> done) {
    run_event(api_call{"events.get", bhttp::verb::get, event_path(cal, id), {}, {}}, std::move(done));
  }

  void run_event(api_call call, calendar_callback<calendar_event> done) {
    session_->run(std::move(call), [self = shared_from_this(), done](auto err, http::buffered_response res) {
      if (err) return self->deliver<calendar_event>(done, std::move(*err));
      self->deliver(done, parse_body<calendar_event>(res.body, [](const nlohmann::json& j) {
                      return http::result<calendar_event>(event_from_json(j));
                    }));
    });
  }

  void do_delete(std::string cal, std::string id, calendar_callback<delete_outcome> done) {
    api_call call{"events.delete", bhttp::verb::delete_, with_updates(event_path(cal, id), session_->options()), {}, {410}};
    session_->run(std::move(call), [self = shared_from_this(), done](auto err, http::buffered_response res) {
      if (err) return self->deliver<delete_outcome>(done, std::move(*err));
      self->deliver(done, http::result<delete_outcome>(res.head.status == 410 ? delete_outcome::already_deleted
                                                                             : delete_outcome::deleted));
    });
  }

  http::executor ex_;
  std::shared_ptr<google_session> session_;
  http::callback_gate gate_;
};

calendar_client::calendar_client(boost::asio::io_context& io, calendar_options options)
  : impl_(std::make_shared<impl>(io, std::move(options))) {}

calendar_client::~calendar_client() {
  impl_->gate_.close();
  asio::post(impl_->ex_, [p = impl_] { p->session_->stop(); });
}

void calendar_client::free_busy(free_busy_query query, calendar_callback<free_busy_result> done) {
  asio::post(impl_->ex_, [p = impl_, q = std::move(query), d = std::move(done)]() mutable {
    p->do_free_busy(std::move(q), std::move(d));
  });
}

void calendar_client::insert_event(std::string calendar_id, calendar_event event, calendar_callback<insert_outcome> done) {
  asio::post(impl_->ex_, [p = impl_, c = std::move(calendar_id), e = std::move(event), d = std::move(done)]() mutable {
    p->do_insert(std::move(c), std::move(e), std::move(d));
  });
}

void calendar_client::patch_event(std::string calendar_id, std::string event_id, event_patch patch,
                                  calendar_callback<calendar_event> done) {
  asio::post(impl_->ex_, [p = impl_, c = std::move(calendar_id), i = std::move(event_id), pa = std::move(patch),
                              d = std::move(done)]() mutable { p->do_patch(std::move(c), std::move(i), std::move(pa), std::move(d)); });
}

void calendar_client::delete_event(std::string calendar_id, std::string event_id, calendar_callback<delete_outcome> done) {
  asio::post(impl_->ex_, [p = impl_, c = std::move(calendar_id), i = std::move(event_id), d = std::move(done)]() mutable {
    p->do_delete(std::move(c), std::move(i), std::move(d));
  });
}

void calendar_client::get_event(std::string calendar_id, std::string event_id, calendar_callback<calendar_event> done) {
  asio::post(impl_->ex_, [p = impl_, c = std::move(calendar_id), i = std::move(event_id), d = std::move(done)]() mutable {
    p->do_get(std::move(c), std::move(i), std::move(d));
  });
}

} // namespace ce::google
