#include "twilio/playback_tracker.hpp"

#include <catch2/catch.hpp>

using namespace ce::twilio;

namespace {

mark_info seg(std::uint64_t generation, int index, std::size_t upto) {
  return mark_info{std::to_string(generation) + ":" + std::to_string(index), generation, upto};
}

} // namespace

TEST_CASE("a fresh tracker has nothing playing and nothing heard", "[playback]") {
  playback_tracker t;
  CHECK(t.outstanding() == 0);
  CHECK_FALSE(t.playing());
  CHECK_FALSE(t.playing(1));
  CHECK_FALSE(t.heard_upto(1));
}

TEST_CASE("echoes in send order are heard and advance the heard position", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 12));
  t.sent(seg(1, 1, 30));
  t.sent(seg(1, 2, 47));
  CHECK(t.outstanding() == 3);
  CHECK(t.playing());
  CHECK(t.playing(1));
  CHECK_FALSE(t.heard_upto(1));

  auto first = t.on_echo("1:0");
  CHECK(first.status == echo_status::heard);
  CHECK(first.mark.name == "1:0");
  CHECK(first.mark.heard_text_upto == 12);
  CHECK_FALSE(first.out_of_order);
  CHECK(t.heard_upto(1) == 12u);

  CHECK(t.on_echo("1:1").status == echo_status::heard);
  CHECK(t.heard_upto(1) == 30u);
  CHECK(t.on_echo("1:2").status == echo_status::heard);
  CHECK(t.heard_upto(1) == 47u);
  CHECK(t.outstanding() == 0);
  CHECK_FALSE(t.playing());
  CHECK_FALSE(t.playing(1));
  CHECK(t.unknown_echoes() == 0);
  CHECK(t.cancelled_echoes() == 0);
}

TEST_CASE("after a clear, echoes of earlier marks count as cancelled, not heard", "[playback]") {
  playback_tracker t;
  t.sent(seg(4, 0, 10));
  t.sent(seg(4, 1, 25));
  t.sent(seg(4, 2, 40));
  REQUIRE(t.on_echo("4:0").status == echo_status::heard);

  t.on_clear();  // barge-in
  CHECK(t.outstanding() == 2);
  CHECK_FALSE(t.playing());
  CHECK_FALSE(t.playing(4));

  auto a = t.on_echo("4:1");
  CHECK(a.status == echo_status::cancelled);
  CHECK(a.mark.heard_text_upto == 25);
  auto b = t.on_echo("4:2");
  CHECK(b.status == echo_status::cancelled);
  CHECK(t.outstanding() == 0);
  CHECK(t.cancelled_echoes() == 2);
  // What the caller heard is what was echoed before the clear.
  CHECK(t.heard_upto(4) == 10u);
}

TEST_CASE("a clear with nothing heard leaves the turn with no heard position", "[playback]") {
  playback_tracker t;
  t.sent(seg(2, 0, 20));
  t.on_clear();
  CHECK(t.on_echo("2:0").status == echo_status::cancelled);
  CHECK_FALSE(t.heard_upto(2));
}

TEST_CASE("marks sent after a clear play normally while cancelled echoes drain", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 10));
  t.sent(seg(1, 1, 20));
  t.on_clear();
  t.sent(seg(2, 0, 8));
  CHECK(t.outstanding() == 3);
  CHECK(t.playing());
  CHECK_FALSE(t.playing(1));
  CHECK(t.playing(2));

  CHECK(t.on_echo("1:0").status == echo_status::cancelled);
  CHECK(t.playing());
  CHECK(t.on_echo("1:1").status == echo_status::cancelled);
  auto fresh = t.on_echo("2:0");
  CHECK(fresh.status == echo_status::heard);
  CHECK_FALSE(fresh.out_of_order);
  CHECK(t.heard_upto(2) == 8u);
  CHECK_FALSE(t.heard_upto(1));
  CHECK_FALSE(t.playing());
}

TEST_CASE("a second clear cancels only what is still outstanding", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 5));
  t.on_clear();
  t.sent(seg(2, 0, 6));
  t.on_clear();
  CHECK_FALSE(t.playing());
  CHECK(t.on_echo("1:0").status == echo_status::cancelled);
  CHECK(t.on_echo("2:0").status == echo_status::cancelled);
  CHECK(t.outstanding() == 0);
  t.on_clear();  // with nothing outstanding
  t.sent(seg(3, 0, 7));
  CHECK(t.playing());
  CHECK(t.on_echo("3:0").status == echo_status::heard);
}

TEST_CASE("an echo of a mark never sent is reported as unknown and counted", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 10));
  auto r = t.on_echo("bogus");
  CHECK(r.status == echo_status::unknown);
  CHECK(r.mark.name.empty());
  CHECK(t.unknown_echoes() == 1);
  CHECK(t.outstanding() == 1);
  CHECK(t.playing());
  // an echo repeated after its mark was consumed is unknown too
  CHECK(t.on_echo("1:0").status == echo_status::heard);
  CHECK(t.on_echo("1:0").status == echo_status::unknown);
  CHECK(t.unknown_echoes() == 2);
  CHECK(t.heard_upto(1) == 10u);
}

TEST_CASE("marks echoed out of order are matched by name and flagged", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 10));
  t.sent(seg(1, 1, 20));
  t.sent(seg(1, 2, 30));

  auto late = t.on_echo("1:1");
  CHECK(late.status == echo_status::heard);
  CHECK(late.out_of_order);
  CHECK(t.out_of_order_echoes() == 1);
  CHECK(t.heard_upto(1) == 20u);
  CHECK(t.outstanding() == 2);

  auto early = t.on_echo("1:0");
  CHECK(early.status == echo_status::heard);
  CHECK_FALSE(early.out_of_order);
  CHECK(t.heard_upto(1) == 20u);  // never moves backwards
  CHECK(t.on_echo("1:2").status == echo_status::heard);
  CHECK(t.heard_upto(1) == 30u);
  CHECK(t.out_of_order_echoes() == 1);
}

TEST_CASE("out-of-order echoes after a clear are still cancellations", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 10));
  t.sent(seg(1, 1, 20));
  t.on_clear();
  auto r = t.on_echo("1:1");
  CHECK(r.status == echo_status::cancelled);
  CHECK(r.out_of_order);
  CHECK(t.on_echo("1:0").status == echo_status::cancelled);
  CHECK_FALSE(t.heard_upto(1));
  CHECK(t.outstanding() == 0);
}

TEST_CASE("repeated mark names are matched oldest first", "[playback]") {
  playback_tracker t;
  t.sent(mark_info{"same", 1, 5});
  t.on_clear();
  t.sent(mark_info{"same", 2, 9});
  auto first = t.on_echo("same");
  CHECK(first.status == echo_status::cancelled);
  CHECK(first.mark.generation == 1);
  auto second = t.on_echo("same");
  CHECK(second.status == echo_status::heard);
  CHECK(second.mark.generation == 2);
}

TEST_CASE("heard positions are kept per generation", "[playback]") {
  playback_tracker t;
  t.sent(seg(1, 0, 11));
  t.sent(seg(2, 0, 22));
  t.on_echo("1:0");
  t.on_echo("2:0");
  CHECK(t.heard_upto(1) == 11u);
  CHECK(t.heard_upto(2) == 22u);
  CHECK_FALSE(t.heard_upto(3));
}

TEST_CASE("only recent generations keep a heard position", "[playback]") {
  playback_tracker t;
  for (std::uint64_t g = 0; g < 200; ++g) {
    t.sent(seg(g, 0, g));
    t.on_echo(std::to_string(g) + ":0");
  }
  CHECK(t.heard_upto(199) == 199u);
  CHECK(t.heard_upto(150) == 150u);
  CHECK_FALSE(t.heard_upto(0));
}

TEST_CASE("outstanding marks are bounded by dropping the oldest", "[playback]") {
  playback_tracker t{3};
  t.sent(seg(1, 0, 1));
  t.on_clear();
  t.sent(seg(1, 1, 2));
  t.sent(seg(1, 2, 3));
  t.sent(seg(1, 3, 4));  // drops the cancelled 1:0
  CHECK(t.outstanding() == 3);
  CHECK(t.overflowed() == 1);
  CHECK(t.playing());
  CHECK(t.on_echo("1:0").status == echo_status::unknown);
  t.on_clear();
  t.sent(seg(1, 4, 5));  // drops the cancelled 1:1
  CHECK(t.overflowed() == 2);
  CHECK(t.playing());
  CHECK(t.on_echo("1:2").status == echo_status::cancelled);
  CHECK(t.on_echo("1:3").status == echo_status::cancelled);
  CHECK(t.on_echo("1:4").status == echo_status::heard);
  CHECK_FALSE(t.playing());
}
