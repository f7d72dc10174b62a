// Availability and booking against a real PostgreSQL: bays, idempotency, ownership.
#include "store_env.hpp"

#include <atomic>
#include <map>
#include <set>
#include <thread>

using namespace ce::store;
using namespace ce::store::test;

namespace {

booking_request request_for(const test_customer& c, const std::string& start, const std::string& key,
                            const std::string& service = "oil_change") {
  booking_request r;
  r.customer_id = c.person.id;
  r.vehicle_id = c.car.id;
  r.service_type = service;
  r.start_local = start;
  r.call_sid = "CAtest" + key;
  r.idempotency_key = key;
  return r;
}

std::int64_t count_active(pg_connection& conn) {
  auto r = conn.exec("SELECT count(*) FROM appointments WHERE status IN ('booked', 'confirmed')");
  REQUIRE(r.ok());
  return (*r)[0].int64(0);
}

} // namespace

TEST_CASE("50 concurrent bookings of the same slot: exactly as many succeed as there are bays") {
  auto url = fresh_database("t_book_race");
  auto setup = make_store(url);
  constexpr int callers = 50;
  std::vector<test_customer> people;
  for (int i = 0; i < callers; ++i) people.push_back(add_customer(setup, "+1217555" + std::to_string(1000 + i), i));
  auto start = future_monday() + "T09:00";

  std::atomic<int> ready{0};
  std::vector<result<appointment>> results(callers, make_error(store_errc::other, "not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i)
    threads.emplace_back([&, i] {  // no Catch2 assertions off the main thread
      auto store = dealership_store::create(options_for(url), facts());
      auto& out = results[static_cast<std::size_t>(i)];
      if (!store || !store->connection().connect()) out = make_error(store_errc::other, "no connection");
      ++ready;
      while (ready.load() < callers) std::this_thread::yield();  // start together
      if (store && store->connection().connected())
        out = store->book(request_for(people[static_cast<std::size_t>(i)], start, "race-" + std::to_string(i),
                                       "brake_inspection"));
    });
  for (auto& t : threads) t.join();

  int booked = 0;
  std::set<int> bays;
  for (const auto& r : results) {
    if (r.ok()) {
      ++booked;
      bays.insert(r->bay);
      CHECK(r->starts_local == future_monday() + " 09:00");
      CHECK(r->ends_local == future_monday() + " 09:45");
    } else {
      INFO(r.error().message);
      CHECK(r.code() == store_errc::conflict);
    }
  }
  CHECK(booked == facts().service_bays);
  CHECK(bays.size() == static_cast<std::size_t>(facts().service_bays));
  CHECK(count_active(setup.connection()) == facts().service_bays);
}

TEST_CASE("the same idempotency key returns the same appointment instead of booking twice") {
  auto url = fresh_database("t_book_idempotent");
  auto store = make_store(url);
  auto c = add_customer(store, "+12175550150", 1);
  auto req = request_for(c, future_monday() + "T10:00", "call-CA1-turn-7");
  auto first = store.book(req);
  REQUIRE(first.ok());
  CHECK(first->status == "booked");
  CHECK(first->created_by_call_sid == "CAtestcall-CA1-turn-7");
  CHECK(first->confirmation_code.size() == 6);
  CHECK(first->confirmation_code.find_first_of("0O1IL25SB8Z") == std::string::npos);
  auto retry = store.book(req);
  REQUIRE(retry.ok());
  CHECK(retry->id == first->id);
  CHECK(retry->confirmation_code == first->confirmation_code);
  // Even when the retry's details drifted, the key wins: still one booking.
  req.start_local = future_monday() + "T14:00";
  auto drifted = store.book(req);
  REQUIRE(drifted.ok());
  CHECK(drifted->id == first->id);
  CHECK(count_active(store.connection()) == 1);

  // Concurrent retries with one key: one row.
  auto key_req = request_for(c, future_monday() + "T15:00", "concurrent-key");
  std::vector<std::thread> threads;
  std::vector<std::int64_t> ids(8, 0);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto s = dealership_store::create(options_for(url), facts());
      if (!s) return;
      auto r = s->book(key_req);
      if (r) ids[static_cast<std::size_t>(i)] = r->id;
    });
  for (auto& t : threads) t.join();
  CHECK(std::set<std::int64_t>(ids.begin(), ids.end()).size() == 1);
  CHECK(ids[0] != 0);
  CHECK(count_active(store.connection()) == 2);

  // Someone else presenting the key gets nothing of the first booking.
  auto other = add_customer(store, "+12175550151", 2);
  auto stolen = store.book(request_for(other, future_monday() + "T10:00", "call-CA1-turn-7"));
  REQUIRE_FALSE(stolen.ok());
  CHECK(stolen.code() == store_errc::conflict);
}

TEST_CASE("booking refuses bad times, unknown services, the past and other people's vehicles") {
  auto url = fresh_database("t_book_invalid");
  auto store = make_store(url);
  auto c = add_customer(store, "+12175550160", 1);
  auto other = add_customer(store, "+12175550161", 2);
  auto monday = future_monday();
  auto expect = [&](booking_request r, store_errc code, const char* words) {
    auto b = store.book(r);
    INFO(r.start_local << " " << r.service_type);
    REQUIRE_FALSE(b.ok());
    CHECK(b.code() == code);
    CHECK_THAT(b.error().message, Catch::Contains(words));
  };
  expect(request_for(c, monday + "T07:30", "k1"), store_errc::invalid, "opens at 08:00");
  expect(request_for(c, monday + "T16:30", "k2", "alignment"), store_errc::invalid, "after closing");
  expect(request_for(c, monday + "T11:00", "k3", "brake_pads"), store_errc::invalid, "lunch");
  expect(request_for(c, next_day(monday, 6) + "T09:00", "k4"), store_errc::invalid, "closed on Sundays");
  expect(request_for(c, monday + "T09:10", "k5"), store_errc::invalid, "every 30 minutes");
  expect(request_for(c, "2030-02-30T09:00", "k6"), store_errc::invalid, "not a date");
  expect(request_for(c, "next tuesday", "k7"), store_errc::invalid, "YYYY-MM-DD");
  expect(request_for(c, monday + "T09:00", "k8", "moon_landing"), store_errc::invalid, "unknown service type");
  expect(request_for(c, "2020-06-01T09:00", "k9"), store_errc::invalid, "in the past");
  auto wrong_car = request_for(c, monday + "T09:00", "k10");
  wrong_car.vehicle_id = other.car.id;
  expect(wrong_car, store_errc::forbidden, "not this customer's");
  auto nobody = request_for(c, monday + "T09:00", "k11");
  nobody.customer_id = 999999;
  nobody.vehicle_id.reset();
  expect(nobody, store_errc::not_found, "no such customer");
  CHECK(count_active(store.connection()) == 0);
}

TEST_CASE("when every bay is taken the booking is a conflict, and a longer service must fit whole") {
  auto url = fresh_database("t_book_full");
  auto store = make_store(url);
  auto monday = future_monday();
  std::vector<test_customer> people;
  for (int i = 0; i < 5; ++i) people.push_back(add_customer(store, "+1217555017" + std::to_string(i), i));
  for (int i = 0; i < 4; ++i)
    REQUIRE(store.book(request_for(people[static_cast<std::size_t>(i)], monday + "T14:00", "full-" + std::to_string(i))).ok());
  auto fifth = store.book(request_for(people[4], monday + "T14:00", "full-4"));
  REQUIRE_FALSE(fifth.ok());
  CHECK(fifth.code() == store_errc::conflict);
  // A 2-hour job starting at 13:00 would run into the 14:00 bookings on every bay.
  CHECK(store.book(request_for(people[4], monday + "T13:00", "full-5", "brake_pads")).code() == store_errc::conflict);
  CHECK(store.book(request_for(people[4], monday + "T14:30", "full-6")).ok());
}

TEST_CASE("reschedule and cancel only touch the caller's own appointment and record the call") {
  auto url = fresh_database("t_book_ownership");
  auto store = make_store(url);
  auto owner = add_customer(store, "+12175550180", 1);
  auto stranger = add_customer(store, "+12175550181", 2);
  auto monday = future_monday();
  auto booked = store.book(request_for(owner, monday + "T09:00", "own-1"));
  REQUIRE(booked.ok());

  auto hijack = store.reschedule(stranger.person.id, booked->id, monday + "T10:00", "CAstranger");
  REQUIRE_FALSE(hijack.ok());
  CHECK(hijack.code() == store_errc::forbidden);
  auto hijack_cancel = store.cancel(stranger.person.id, booked->id, "CAstranger");
  CHECK(hijack_cancel.code() == store_errc::forbidden);
  CHECK(store.find_appointment(stranger.person.id, booked->confirmation_code).code() == store_errc::forbidden);
  CHECK(store.reschedule(owner.person.id, 987654, monday + "T10:00", "CAx").code() == store_errc::not_found);

  auto moved = store.reschedule(owner.person.id, booked->id, next_day(monday) + "T13:30", "CAmover");
  REQUIRE(moved.ok());
  CHECK(moved->id == booked->id);
  CHECK(moved->starts_local == next_day(monday) + " 13:30");
  CHECK(moved->ends_local == next_day(monday) + " 14:00");
  CHECK(moved->updated_by_call_sid == "CAmover");
  CHECK(moved->created_by_call_sid == booked->created_by_call_sid);
  CHECK(moved->bay == booked->bay);  // its own bay was free: kept
  // Moving within its own time range does not collide with itself.
  auto nudged = store.reschedule(owner.person.id, booked->id, next_day(monday) + "T13:30", "CAmover2");
  REQUIRE(nudged.ok());
  CHECK_THAT(store.reschedule(owner.person.id, booked->id, monday + "T12:30", "CAx").error().message,
             Catch::Contains("lunch"));

  auto found = store.find_appointment(owner.person.id, " " + booked->confirmation_code.substr(0, 3) + "-" +
                                                         booked->confirmation_code.substr(3));
  REQUIRE(found.ok());
  CHECK(found->id == booked->id);

  auto cancelled = store.cancel(owner.person.id, booked->id, "CAcanceller");
  REQUIRE(cancelled.ok());
  CHECK(cancelled->status == "cancelled");
  CHECK(cancelled->updated_by_call_sid == "CAcanceller");
  auto again = store.cancel(owner.person.id, booked->id, "CAretry");
  REQUIRE(again.ok());
  CHECK(again->updated_by_call_sid == "CAcanceller");
  CHECK(store.reschedule(owner.person.id, booked->id, monday + "T10:00", "CAx").code() == store_errc::invalid);
  auto upcoming = store.upcoming_appointments(owner.person.id);
  REQUIRE(upcoming.ok());
  CHECK(upcoming->empty());
}

TEST_CASE("rescheduling into a full slot moves to a free bay or is a conflict") {
  auto url = fresh_database("t_book_resched_full");
  auto store = make_store(url);
  auto monday = future_monday();
  std::vector<test_customer> people;
  for (int i = 0; i < 5; ++i) people.push_back(add_customer(store, "+1217555019" + std::to_string(i), i));
  for (int i = 0; i < 3; ++i)
    REQUIRE(store.book(request_for(people[static_cast<std::size_t>(i)], monday + "T10:00", "r" + std::to_string(i))).ok());
  auto mine = store.book(request_for(people[3], monday + "T08:00", "r3"));
  REQUIRE(mine.ok());
  auto moved = store.reschedule(people[3].person.id, mine->id, monday + "T10:00", "CAm");
  REQUIRE(moved.ok());
  auto other = store.book(request_for(people[4], monday + "T08:00", "r4"));
  REQUIRE(other.ok());
  auto back = store.book(request_for(people[4], monday + "T10:00", "r5"));
  CHECK(back.code() == store_errc::conflict);
  auto upcoming = store.upcoming_appointments(people[3].person.id);
  REQUIRE(upcoming.ok());
  REQUIRE(upcoming->size() == 1);
  CHECK(upcoming->front().starts_local == monday + " 10:00");
}

TEST_CASE("free slots respect hours, lunch, bays, existing bookings and the past") {
  auto url = fresh_database("t_slots");
  auto store = make_store(url);
  auto monday = future_monday();
  slot_query q{monday, monday, "oil_change", 200, {}};
  auto all = store.available_slots(q);
  REQUIRE(all.ok());
  // 08:00..11:30 and 13:00..16:30 every 30 minutes: 8 + 8 starts, all 4 bays free.
  REQUIRE(all->size() == 16);
  CHECK(all->front().starts_local == monday + " 08:00");
  CHECK(all->back().starts_local == monday + " 16:30");
  CHECK(all->back().ends_local == monday + " 17:00");
  for (const auto& s : *all) {
    CHECK(s.free_bays == 4);
    CHECK(s.starts_local.substr(11, 2) != "12");
  }
  // A 2-hour job: 08:00..10:00 before lunch, 13:00..15:00 after.
  auto long_jobs = store.available_slots({monday, monday, "brake_pads", 200, {}});
  REQUIRE(long_jobs.ok());
  std::vector<std::string> starts;
  for (const auto& s : *long_jobs) starts.push_back(s.starts_local.substr(11));
  CHECK(starts == std::vector<std::string>{"08:00", "08:30", "09:00", "09:30", "10:00", "13:00", "13:30", "14:00",
                                           "14:30", "15:00"});

  // Fill 09:00 on every bay and 10:00 on one: 09:00 disappears, 08:30 (overlaps 09:00 for a
  // 45-minute job) too, 10:00 has 3 bays left.
  std::vector<test_customer> people;
  for (int i = 0; i < 5; ++i) people.push_back(add_customer(store, "+1217555020" + std::to_string(i), i));
  for (int i = 0; i < 4; ++i)
    REQUIRE(store.book(request_for(people[static_cast<std::size_t>(i)], monday + "T09:00", "s" + std::to_string(i))).ok());
  REQUIRE(store.book(request_for(people[4], monday + "T10:00", "s4")).ok());
  auto after = store.available_slots({monday, monday, "brake_inspection", 200, {}});
  REQUIRE(after.ok());
  std::map<std::string, int> free;
  for (const auto& s : *after) free[s.starts_local.substr(11)] = s.free_bays;
  CHECK(free.count("08:00") == 1);
  CHECK(free.count("08:30") == 0);
  CHECK(free.count("09:00") == 0);
  CHECK(free.count("09:30") == 1);
  CHECK(free["09:30"] == 3);  // 09:30-10:15 overlaps the 10:00 booking on one bay
  CHECK(free["10:00"] == 3);
  CHECK(free["10:30"] == 4);
  CHECK(free.count("11:30") == 0);  // 11:30-12:15 runs into lunch

  // Saturday closes at noon, Sunday is closed.
  auto weekend = store.available_slots({next_day(monday, 5), next_day(monday, 6), "alignment", 200, {}});
  REQUIRE(weekend.ok());
  REQUIRE(weekend->size() == 7);  // 08:00 .. 11:00
  CHECK(weekend->back().starts_local == next_day(monday, 5) + " 11:00");

  // Earliest first, at most N, and nothing before "now".
  auto few = store.available_slots({monday, next_day(monday, 4), "oil_change", 3, {}});
  REQUIRE(few.ok());
  CHECK(few->size() == 3);
  CHECK(few->front().starts_local == monday + " 08:00");
  auto monday_noon = store.available_slots({monday, monday, "oil_change", 200, std::nullopt});
  REQUIRE(monday_noon.ok());
  slot_query late{monday, monday, "oil_change", 200, monday_noon->front().starts_unix + 6 * 3600};
  auto afternoon = store.available_slots(late);
  REQUIRE(afternoon.ok());
  for (const auto& s : *afternoon) CHECK(s.starts_unix > *late.not_before_unix);
  CHECK(afternoon->front().starts_local == monday + " 14:30");
}

TEST_CASE("today's slots never lie in the past, and bad queries are refused") {
  auto url = fresh_database("t_slots_now");
  auto store = make_store(url);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto today = format_date(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())});
  auto slots = store.available_slots({next_day(today, -1), next_day(today, 1), "oil_change", 200, {}});
  REQUIRE(slots.ok());
  for (const auto& s : *slots) CHECK(s.starts_unix > now);
  CHECK(store.available_slots({today, today, "teleport", 5, {}}).code() == store_errc::invalid);
  CHECK_THAT(store.available_slots({"2030-06-10", "2030-06-01", "oil_change", 5, {}}).error().message,
             Catch::Contains("ends before it starts"));
  CHECK(store.available_slots({"2030-06-01", "2030-12-01", "oil_change", 5, {}}).code() == store_errc::invalid);
  CHECK(store.available_slots({"2030-06-31", "2030-07-01", "oil_change", 5, {}}).code() == store_errc::invalid);
  CHECK(store.available_slots({"2030-06-01", "2030-06-02", "oil_change", 0, {}}).code() == store_errc::invalid);
}
