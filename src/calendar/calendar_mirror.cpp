#include "calendar/calendar_mirror.hpp"

#include "common/log.hpp"
#include "metrics/metrics.hpp"
#include "store/calendar_sync.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace ce::calendar {

namespace {

bool active(const std::string& status) { return status == "booked" || status == "confirmed"; }
bool removed(const std::string& status) { return status == "cancelled" || status == "no_show"; }

std::string service_label(const mirror_options& o, const std::string& id) {
  auto it = o.service_names.find(id);
  if (it == o.service_names.end()) return id;
  auto name = it->second;
  for (std::string_view article : {"an ", "a ", "the "})
    if (name.starts_with(article)) name.erase(0, article.size());
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

google::calendar_event event_for(const mirror_options& o, const store::mirror_row& r, const std::string& event_id) {
  google::calendar_event e;
  e.id = event_id;
  e.summary = service_label(o, r.service_type) + " - " + r.first_name + " " + r.last_name;
  e.description = "Booked by phone (callengine). Confirmation code " + r.confirmation_code + ". Phone " + r.phone +
                  "." + (r.vehicle.empty() ? "" : " Vehicle " + r.vehicle + ".") + " Bay " + std::to_string(r.bay) +
                  "." + (r.notes.empty() ? "" : " Notes: " + r.notes);
  if (!o.shop_name.empty()) e.location = o.shop_name;
  e.start = {r.starts_local, o.time_zone, ""};
  e.end = {r.ends_local, o.time_zone, ""};
  e.status = "confirmed";
  // Our own bookings do not make the shop busy in freeBusy: the bays decide that, and busy
  // blocks are what the shop puts in its calendar itself (availability).
  e.transparency = "transparent";
  e.private_properties = {{"appointmentId", std::to_string(r.id)},
                          {"confirmationCode", r.confirmation_code},
                          {"source", "callengine"}};
  if (!r.call_sid.empty()) e.private_properties["callSid"] = r.call_sid;
  e.reminders_use_default = true;
  return e;
}

google::event_patch patch_for(const google::calendar_event& e) {
  google::event_patch p;
  p.summary = e.summary;
  p.description = e.description;
  p.start = e.start;
  p.end = e.end;
  p.status = "confirmed";
  p.transparency = e.transparency;
  p.private_properties = e.private_properties;
  return p;
}

} // namespace

std::string mirror_event_id(std::int64_t appointment_id, const std::string& confirmation_code) {
  return google::make_event_id("callengine/appointment/" + std::to_string(appointment_id) + "/" + confirmation_code);
}

calendar_mirror::calendar_mirror(store::pg_connection conn, std::shared_ptr<google_calendar> google,
                                 mirror_options options, ce::metrics::registry* metrics)
  : conn_(std::move(conn)), google_(std::move(google)), opt_(std::move(options)), log_(log::get("calendar")),
    rng_(std::random_device{}()) {
  if (metrics) {
    ok_metric_ = &metrics->get_counter("ce_calendar_mirrored_total", "Appointment changes mirrored to Google Calendar");
    failed_metric_ = &metrics->get_counter("ce_calendar_mirror_failures_total",
                                           "Google Calendar mirror attempts that failed (retried with backoff)");
    dropped_metric_ = &metrics->get_counter("ce_calendar_mirror_dropped_total",
                                            "Mirror notifications refused by the full queue (reconciled later)");
    depth_metric_ = &metrics->get_gauge("ce_calendar_mirror_queue", "Appointments waiting to be mirrored");
  }
}

calendar_mirror::~calendar_mirror() = default;

void calendar_mirror::publish() {
  if (depth_metric_) depth_metric_->set(static_cast<double>(items_.size()));
}

bool calendar_mirror::enqueue(std::int64_t id, const std::string& call_sid) {
  if (auto it = items_.find(id); it != items_.end()) {
    if (!call_sid.empty()) it->second.call_sid = call_sid;
    return true;  // already queued: that attempt loads the latest state
  }
  if (items_.size() >= opt_.max_queue) {
    ++totals_.dropped;
    if (dropped_metric_) dropped_metric_->inc();
    log_->warn("call_sid={} role=calendar mirror queue full ({}); appointment {} waits for the next reconcile",
               call_sid, opt_.max_queue, id);
    return false;
  }
  items_.emplace(id, item{call_sid, clock::now(), 0});
  order_.push_back(id);
  publish();
  return true;
}

std::optional<std::size_t> calendar_mirror::reconcile() {
  auto room = opt_.max_queue - std::min(opt_.max_queue, items_.size());
  if (room == 0) return std::size_t{0};
  auto pending = store::pending_mirrors(conn_, opt_.horizon_days, static_cast<int>(std::min<std::size_t>(room, 10000)));
  if (!pending) {
    log_->warn("role=calendar reconcile: PostgreSQL unavailable ({})", pending.error().message);
    return std::nullopt;
  }
  std::size_t added = 0;
  for (const auto& p : *pending)
    if (!items_.count(p.id) && enqueue(p.id, p.call_sid)) ++added;
  if (added) log_->info("role=calendar reconcile: {} appointments to mirror", added);
  return added;
}

std::optional<calendar_mirror::clock::time_point> calendar_mirror::next_due() const {
  std::optional<clock::time_point> best;
  for (const auto& [id, it] : items_)
    if (!best || it.due < *best) best = it.due;
  return best;
}

std::size_t calendar_mirror::run_due(clock::time_point now, std::size_t budget) {
  std::vector<std::int64_t> due;
  for (auto id : order_) {
    if (due.size() >= budget) break;
    if (items_.at(id).due <= now) due.push_back(id);
  }
  std::size_t tried = 0;
  for (auto id : due) {
    ++tried;
    auto& it = items_.at(id);
    if (mirror_one(id, it) == step::retry) {
      // Google (or PostgreSQL) is failing: the others wait as long as this one instead of
      // each spending a full deadline on it now.
      for (auto other : due)
        if (auto o = items_.find(other); o != items_.end() && o->second.due <= now) o->second.due = it.due;
      break;
    }
    items_.erase(id);
    order_.erase(std::find(order_.begin(), order_.end(), id));
  }
  publish();
  return tried;
}

void calendar_mirror::after_failure(std::int64_t id, item& it, bool permanent, const std::string& what) {
  ++totals_.failed;
  if (failed_metric_) failed_metric_->inc();
  ++it.attempts;
  if (permanent || it.attempts >= opt_.max_attempts) {
    ++totals_.gave_up;
    log_->error("call_sid={} role=calendar appointment {} not mirrored after {} attempts ({}); left to the next "
                "reconcile", it.call_sid, id, it.attempts, what);
    return;
  }
  auto base = static_cast<double>(opt_.backoff_initial.count()) * std::pow(2.0, it.attempts - 1);
  base = std::min(base, static_cast<double>(opt_.backoff_max.count()));
  std::uniform_real_distribution<double> u(1.0 - opt_.jitter, 1.0 + opt_.jitter);
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(base * u(rng_)));
  it.due = clock::now() + delay;
  log_->warn("call_sid={} role=calendar appointment {} mirror failed ({}); retry {} in {} ms", it.call_sid, id, what,
             it.attempts, delay.count());
}

calendar_mirror::step calendar_mirror::mirror_one(std::int64_t id, item& it) {
  auto row = store::load_mirror_row(conn_, id, opt_.time_zone);
  if (!row) {
    if (row.code() == store::store_errc::not_found) return step::done;
    after_failure(id, it, false, "PostgreSQL: " + row.error().message);
    return it.attempts >= opt_.max_attempts ? step::give_up : step::retry;
  }
  if (row->synced) return step::done;
  if (it.call_sid.empty()) it.call_sid = row->call_sid;
  auto event_id = row->calendar_event_id.empty() ? mirror_event_id(id, row->confirmation_code) : row->calendar_event_id;
  std::string stored_id = event_id;
  std::string what;

  auto fail = [&](const http::provider_error& e) {
    after_failure(id, it, e.is_permanent(), "google: " + e.describe());
    return it.attempts >= opt_.max_attempts || e.is_permanent() ? step::give_up : step::retry;
  };

  if (active(row->status)) {
    auto ev = event_for(opt_, *row, event_id);
    bool done = false;
    if (!row->calendar_event_id.empty()) {  // mirrored before (a move): patch it in place
      auto patched = google_->patch(event_id, patch_for(ev));
      auto gone = !patched && (patched.error().code == http::provider_errc::not_found ||
                               patched.error().code == http::provider_errc::gone);
      if (!patched && !gone) return fail(patched.error());
      done = patched.ok();
      what = "updated";
    }
    if (!done) {  // first time, or the event vanished: insert under our id (409 = there already)
      auto inserted = google_->insert(ev);
      if (!inserted) return fail(inserted.error());
      what = "inserted";
      if (inserted->already_existed) {
        auto patched = google_->patch(event_id, patch_for(ev));
        if (!patched) return fail(patched.error());
        what = "updated";
      }
    }
  } else if (removed(row->status)) {
    auto gone = google_->remove(event_id);
    if (!gone && gone.error().code != http::provider_errc::not_found) return fail(gone.error());
    if (!gone) stored_id = row->calendar_event_id;  // never reached the calendar
    what = gone ? "deleted" : "was not on the calendar (nothing to delete)";
  } else {
    stored_id = row->calendar_event_id;  // completed: the event stays as it is
    what = "left as is (" + row->status + ")";
  }
  auto marked = store::mark_mirrored(conn_, id, stored_id, row->version);
  if (!marked) {
    after_failure(id, it, false, "PostgreSQL: " + marked.error().message);
    return it.attempts >= opt_.max_attempts ? step::give_up : step::retry;
  }
  ++totals_.mirrored;
  if (ok_metric_) ok_metric_->inc();
  log_->info("call_sid={} role=calendar appointment {} {}: shop calendar event {}", it.call_sid, id, what, event_id);
  return step::done;
}

} // namespace ce::calendar
