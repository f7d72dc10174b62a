// get_available_slots, book_appointment, reschedule_appointment, cancel_appointment and
// get_appointments against a real PostgreSQL: hours, idempotency, bays, ownership.
#include "tools_env.hpp"

using namespace ce::tools;
using namespace ce::tools::test;

namespace {

json booking(const test_customer& c, const std::string& start, const std::string& service = "oil_change") {
  return json{{"service_type", service}, {"vehicle_id", c.car.id}, {"start", start}};
}

std::vector<std::string> starts_of(const json& result) {
  std::vector<std::string> out;
  for (const auto& s : result["slots"]) out.push_back(s["start"].get<std::string>());
  return out;
}

// Books `start` directly in the store for someone else (another caller's booking).
void taken_by(tool_rig& rig, const std::string& phone, int serial, const std::string& start) {
  auto other = rig.customer(phone, serial);
  ce::store::booking_request r;
  r.customer_id = other.person.id;
  r.vehicle_id = other.car.id;
  r.service_type = "oil_change";
  r.start_local = start;
  r.call_sid = "CAother" + std::to_string(serial);
  r.idempotency_key = "other-" + std::to_string(serial);
  auto booked = rig.shop.book(r);
  INFO((booked ? "" : booked.error().message));
  REQUIRE(booked.ok());
}

} // namespace

TEST_CASE("available slots follow the hours, the lunch break, the service's length and the part of day") {
  tool_rig rig{"t_tools_slots", "+12175550601"};
  auto monday = future_monday();
  auto day = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday},
                                              {"date_to", monday}, {"max", 20}});
  REQUIRE(day["ok"] == true);
  CHECK(day["service_type"] == "oil_change");
  CHECK(day["duration_min"] == 30);
  auto starts = starts_of(day);
  REQUIRE(starts.size() == 16);
  CHECK(starts.front() == monday + " 08:00");
  CHECK(starts[7] == monday + " 11:30");
  CHECK(starts[8] == monday + " 13:00");
  CHECK(starts.back() == monday + " 16:30");
  CHECK(day["slots"][0] == json{{"start", monday + " 08:00"}, {"end", monday + " 08:30"}, {"free_bays", 4}});

  auto pads = rig.call("get_available_slots", {{"service_type", "brake_pads"}, {"date_from", monday},
                                               {"date_to", monday}, {"max", 20}});
  auto pad_starts = starts_of(pads);
  CHECK(pad_starts == std::vector<std::string>{monday + " 08:00", monday + " 08:30", monday + " 09:00",
                                               monday + " 09:30", monday + " 10:00", monday + " 13:00",
                                               monday + " 13:30", monday + " 14:00", monday + " 14:30",
                                               monday + " 15:00"});

  auto afternoon = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday},
                                                    {"part_of_day", "afternoon"}, {"max", 3}});
  CHECK(starts_of(afternoon) == std::vector<std::string>{monday + " 13:00", monday + " 13:30", monday + " 14:00"});
  auto by_default = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday}});
  CHECK(by_default["slots"].size() == 5);

  auto saturday = next_day(monday, 5);
  auto sat = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", saturday},
                                              {"date_to", saturday}, {"max", 20}});
  CHECK(starts_of(sat).size() == 8);
  CHECK(starts_of(sat).back() == saturday + " 11:30");

  taken_by(rig, "+12175550602", 2, monday + " 08:00");
  auto after = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday}, {"max", 1}});
  CHECK(after["slots"][0]["free_bays"] == 3);
}

TEST_CASE("slot queries refuse past dates, closed days, unknown services and malformed dates") {
  tool_rig rig{"t_tools_slots_bad", "+12175550603"};
  auto monday = future_monday();
  auto past = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", "2020-01-06"}});
  CHECK(error_of(past) == "outside_hours");
  CHECK_THAT(message_of(past), Catch::Contains("past"));
  auto sunday = next_day(monday, 6);
  auto closed = rig.call("get_available_slots",
                         {{"service_type", "oil_change"}, {"date_from", sunday}, {"date_to", sunday}});
  CHECK(error_of(closed) == "outside_hours");
  CHECK_THAT(message_of(closed), Catch::Contains("closed"));
  auto unknown = rig.call("get_available_slots", {{"service_type", "car_wash"}, {"date_from", monday}});
  CHECK(error_of(unknown) == "invalid_argument");
  CHECK_THAT(message_of(unknown), Catch::Contains("oil_change") && Catch::Contains("air_conditioning"));
  auto worded = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", "next monday"}});
  CHECK(error_of(worded) == "invalid_argument");
  CHECK_THAT(message_of(worded), Catch::Contains("YYYY-MM-DD"));
  CHECK(error_of(rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", "2031-02-30"}})) ==
        "invalid_argument");
  CHECK(error_of(rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday},
                                                  {"date_to", next_day(monday, -1)}})) == "invalid_argument");
  CHECK(error_of(rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday},
                                                  {"date_to", next_day(monday, 90)}})) == "invalid_argument");
  CHECK(error_of(rig.call("get_available_slots",
                          {{"service_type", "oil_change"}, {"date_from", monday}, {"part_of_day", "evening"}})) ==
        "invalid_argument");
  CHECK(error_of(rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday}, {"max", 0}})) ==
        "invalid_argument");
}

TEST_CASE("the pinned clock decides what is already past") {
  tool_rig rig{"t_tools_clock", "+12175550604"};
  auto c = rig.customer("+12175550604", 1);
  auto monday = future_monday();
  rig.pin_clock(monday + " 10:10");
  auto slots = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", monday}, {"max", 2}});
  CHECK(starts_of(slots) == std::vector<std::string>{monday + " 10:30", monday + " 11:00"});
  CHECK(error_of(rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", next_day(monday, -1)}})) ==
        "outside_hours");
  rig.verify_caller();
  auto early = rig.call("book_appointment", booking(c, monday + " 09:00"));
  CHECK(error_of(early) == "outside_hours");
  CHECK_THAT(message_of(early), Catch::Contains("past"));
  CHECK(rig.call("book_appointment", booking(c, monday + " 10:30"))["ok"] == true);
}

TEST_CASE("a booking answers with its confirmation code, and the same call repeated books once") {
  tool_rig rig{"t_tools_book", "+12175550605"};
  auto c = rig.customer("+12175550605", 1);
  rig.verify_caller();
  auto monday = future_monday();
  auto args = booking(c, monday + " 09:00");
  args["notes"] = "squeak from the front left";
  auto first = rig.call("book_appointment", args);
  REQUIRE(first["ok"] == true);
  const auto& a = first["appointment"];
  CHECK(a["confirmation_code"].get<std::string>().size() == 6);
  CHECK(a["service_type"] == "oil_change");
  CHECK(a["service_name"] == "oil change");
  CHECK(a["start"] == monday + " 09:00");
  CHECK(a["end"] == monday + " 09:30");
  CHECK(a["vehicle_id"] == c.car.id);
  CHECK(a["status"] == "booked");
  CHECK(rig.ctx.appointment_ids.count(a["id"].get<std::int64_t>()) == 1);

  auto again = rig.call("book_appointment", args);
  CHECK(again["appointment"] == a);
  auto retried = rig.call_text("book_appointment", "{\"start\":\"" + monday + "T09:00\",\"vehicle_id\":" +
                                                     std::to_string(c.car.id) + ",\"service_type\":\"oil_change\"}");
  CHECK(retried["appointment"]["id"] == a["id"]);
  CHECK(rig.count("SELECT count(*) FROM appointments") == 1);
  CHECK(rig.count("SELECT count(*) FROM appointments WHERE created_by_call_sid = 'CAtools0001' AND "
                  "idempotency_key IS NOT NULL AND notes = 'squeak from the front left'") == 1);
}

TEST_CASE("a booking outside the hours, in the lunch break, off the grid or in the past is outside_hours") {
  tool_rig rig{"t_tools_book_hours", "+12175550606"};
  auto c = rig.customer("+12175550606", 1);
  rig.verify_caller();
  auto monday = future_monday();
  struct refused {
    std::string start;
    std::string service;
    const char* says;
  };
  for (const auto& r : {refused{next_day(monday, 6) + " 09:00", "oil_change", "closed"},
                        refused{monday + " 07:30", "oil_change", "opens"},
                        refused{monday + " 12:00", "oil_change", "lunch"},
                        refused{monday + " 11:30", "alignment", "lunch"},
                        refused{monday + " 16:30", "brake_pads", "closing"},
                        refused{next_day(monday, 5) + " 11:30", "alignment", "closing"},
                        refused{monday + " 09:10", "oil_change", "every 30 minutes"},
                        refused{"2020-01-06 09:00", "oil_change", "past"}}) {
    INFO(r.start << " " << r.service);
    auto result = rig.call("book_appointment", booking(c, r.start, r.service));
    CHECK(error_of(result) == "outside_hours");
    CHECK_THAT(message_of(result), Catch::Contains(r.says));
  }
  for (const auto& bad : {std::string{"monday at nine"}, monday + " 9am", monday.substr(0, 8) + "40 09:00"}) {
    INFO(bad);
    CHECK(error_of(rig.call("book_appointment", booking(c, bad))) == "invalid_argument");
  }
  auto unknown = rig.call("book_appointment", booking(c, monday + " 09:00", "detailing"));
  CHECK(error_of(unknown) == "invalid_argument");
  CHECK_THAT(message_of(unknown), Catch::Contains("tire_rotation"));
  CHECK(rig.count("SELECT count(*) FROM appointments") == 0);
}

TEST_CASE("when every bay is taken the booking is a conflict") {
  tool_rig rig{"t_tools_book_full", "+12175550607"};
  auto c = rig.customer("+12175550607", 1);
  auto start = future_monday() + " 09:00";
  for (int i = 0; i < facts().service_bays; ++i) taken_by(rig, "+1217555071" + std::to_string(i), 10 + i, start);
  rig.verify_caller();
  auto r = rig.call("book_appointment", booking(c, start));
  CHECK(error_of(r) == "conflict");
  CHECK_THAT(message_of(r), Catch::Contains("get_available_slots"));
  CHECK(rig.count("SELECT count(*) FROM appointments") == facts().service_bays);
  auto slots = rig.call("get_available_slots", {{"service_type", "oil_change"}, {"date_from", future_monday()},
                                                {"date_to", future_monday()}, {"max", 20}});
  auto starts = starts_of(slots);
  CHECK(std::find(starts.begin(), starts.end(), start) == starts.end());
  CHECK(starts.size() == 15);
}

TEST_CASE("another customer's vehicle or appointment is forbidden") {
  tool_rig rig{"t_tools_scope", "+12175550608"};
  auto me = rig.customer("+12175550608", 1);
  auto monday = future_monday();
  taken_by(rig, "+12175550609", 2, monday + " 10:00");
  auto other = rig.shop.find_customer_by_phone("+12175550609");
  REQUIRE(other.ok());
  auto theirs = rig.shop.upcoming_appointments(other->id);
  REQUIRE(theirs.ok());
  REQUIRE(theirs->size() == 1);
  const auto& appt = theirs->front();
  auto their_car = rig.shop.vehicles_of(other->id);
  REQUIRE(their_car.ok());

  rig.verify_caller();
  CHECK(error_of(rig.call("book_appointment", json{{"service_type", "oil_change"},
                                                   {"vehicle_id", their_car->front().id},
                                                   {"start", monday + " 09:00"}})) == "forbidden");
  CHECK(error_of(rig.call("reschedule_appointment", {{"appointment_id", appt.id}, {"new_start", monday + " 14:00"}})) ==
        "forbidden");
  CHECK(error_of(rig.call("reschedule_appointment",
                          {{"confirmation_code", appt.confirmation_code}, {"new_start", monday + " 14:00"}})) ==
        "forbidden");
  CHECK(error_of(rig.call("cancel_appointment", {{"appointment_id", appt.id}})) == "forbidden");
  CHECK(error_of(rig.call("cancel_appointment", {{"confirmation_code", appt.confirmation_code}})) == "forbidden");
  CHECK(error_of(rig.call("cancel_appointment", {{"appointment_id", appt.id + 1000}})) == "not_found");
  CHECK(error_of(rig.call("cancel_appointment", {{"confirmation_code", "WXY347"}})) == "not_found");
  CHECK(error_of(rig.call("book_appointment", json{{"service_type", "oil_change"}, {"vehicle_id", 999999},
                                                   {"start", monday + " 09:00"}})) == "not_found");
  auto still = rig.shop.upcoming_appointments(other->id);
  REQUIRE(still.ok());
  CHECK(still->front().starts_local == monday + " 10:00");
  CHECK(still->front().status == "booked");
  CHECK(rig.count("SELECT count(*) FROM appointments WHERE customer_id = " + std::to_string(me.person.id)) == 0);
}

TEST_CASE("rescheduling by id or confirmation code moves the caller's appointment within the hours") {
  tool_rig rig{"t_tools_reschedule", "+12175550610"};
  auto c = rig.customer("+12175550610", 1);
  rig.verify_caller();
  auto monday = future_monday();
  auto booked = rig.call("book_appointment", booking(c, monday + " 09:00", "alignment"))["appointment"];
  auto id = booked["id"].get<std::int64_t>();
  auto code = booked["confirmation_code"].get<std::string>();

  auto by_id = rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", monday + " 14:00"}});
  REQUIRE(by_id["ok"] == true);
  CHECK(by_id["appointment"]["start"] == monday + " 14:00");
  CHECK(by_id["appointment"]["end"] == monday + " 15:00");
  CHECK(by_id["appointment"]["confirmation_code"] == code);
  auto tuesday = next_day(monday);
  auto by_code = rig.call("reschedule_appointment", {{"confirmation_code", code}, {"new_start", tuesday + " 08:30"}});
  CHECK(by_code["appointment"]["start"] == tuesday + " 08:30");
  CHECK(by_code["appointment"]["id"] == id);

  // alignment is 60 minutes: 11:30 runs into lunch, 16:30 past closing.
  CHECK(error_of(rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", tuesday + " 11:30"}})) ==
        "outside_hours");
  CHECK(error_of(rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", tuesday + " 16:30"}})) ==
        "outside_hours");
  CHECK(error_of(rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", "2020-01-07 09:00"}})) ==
        "outside_hours");
  CHECK(error_of(rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", "tuesday"}})) ==
        "invalid_argument");
  CHECK(error_of(rig.call("reschedule_appointment",
                          {{"appointment_id", id + 1}, {"confirmation_code", code}, {"new_start", tuesday + " 10:00"}})) ==
        "invalid_argument");

  for (int i = 0; i < facts().service_bays; ++i)
    taken_by(rig, "+1217555062" + std::to_string(i), 20 + i, tuesday + " 13:00");
  CHECK(error_of(rig.call("reschedule_appointment", {{"appointment_id", id}, {"new_start", tuesday + " 13:00"}})) ==
        "conflict");
  auto now = rig.shop.upcoming_appointments(c.person.id);
  REQUIRE(now.ok());
  CHECK(now->front().starts_local == tuesday + " 08:30");
}

TEST_CASE("a cancelled appointment stays cancelled, and booking the same slot again in the call books anew") {
  tool_rig rig{"t_tools_cancel", "+12175550611"};
  auto c = rig.customer("+12175550611", 1);
  rig.verify_caller();
  auto start = future_monday() + " 15:00";
  auto first = rig.call("book_appointment", booking(c, start))["appointment"];
  auto code = first["confirmation_code"].get<std::string>();
  auto cancelled = rig.call("cancel_appointment", {{"confirmation_code", code}});
  REQUIRE(cancelled["ok"] == true);
  CHECK(cancelled["appointment"]["status"] == "cancelled");
  CHECK(cancelled["appointment"]["id"] == first["id"]);
  CHECK(rig.call("cancel_appointment", {{"appointment_id", first["id"]}})["appointment"]["status"] == "cancelled");
  CHECK(rig.call("get_appointments")["appointments"] == json::array());

  auto again = rig.call("book_appointment", booking(c, start));
  REQUIRE(again["ok"] == true);
  CHECK(again["appointment"]["id"] != first["id"]);
  CHECK(again["appointment"]["status"] == "booked");
  CHECK(rig.call("book_appointment", booking(c, start))["appointment"]["id"] == again["appointment"]["id"]);
  CHECK(rig.count("SELECT count(*) FROM appointments") == 2);
  CHECK(rig.count("SELECT count(*) FROM appointments WHERE status = 'booked'") == 1);
}

TEST_CASE("get_appointments lists the verified caller's upcoming appointments") {
  tool_rig rig{"t_tools_appointments", "+12175550612"};
  auto c = rig.customer("+12175550612", 1);
  rig.verify_caller();
  auto monday = future_monday();
  auto later = rig.call("book_appointment", booking(c, next_day(monday, 2) + " 13:00", "battery"))["appointment"];
  auto sooner = rig.call("book_appointment", booking(c, monday + " 08:00", "tire_rotation"))["appointment"];
  rig.ctx.appointment_ids.clear();
  auto list = rig.call("get_appointments")["appointments"];
  REQUIRE(list.size() == 2);
  CHECK(list[0] == sooner);
  CHECK(list[1] == later);
  CHECK(list[1]["service_name"] == "battery replacement");
  CHECK(rig.ctx.appointment_ids.size() == 2);
}
