#include "dialog/date_parse.hpp"

#include "dialog/text_match.hpp"

#include <algorithm>
#include <array>

namespace ce::dialog {

namespace {

/// The words of one utterance and which of them a date or time has already used.
struct scan {
  const word_list& words;
  std::vector<bool> used;

  explicit scan(const word_list& w) : words(w), used(w.size(), false) {}
  bool is(std::size_t i, std::string_view w) const { return i < words.size() && words[i] == w; }
  bool open(std::size_t i) const { return i < words.size() && !used[i]; }
  void take(std::size_t from, std::size_t count) {
    for (std::size_t k = from; k < from + count && k < used.size(); ++k) used[k] = true;
  }
  bool has(std::string_view text) const { return phrase(text).find_in(words, 0).has_value(); }
};

struct month_day {
  int month = 0;
  int day = 0;
  std::optional<int> year;
};

/// "fourth", "twenty fourth", "24th" or a cardinal "twenty four" as a day of the month.
std::optional<number_match> day_of_month(const word_list& words, std::size_t at) {
  if (auto o = read_ordinal(words, at); o && o->value <= 31) return o;
  if (auto c = read_cardinal(words, at); c && c->value >= 1 && c->value <= 31 && c->words <= 2) return c;
  return std::nullopt;
}

std::optional<int> year_after(const word_list& words, std::size_t at, bool two_digit) {
  if (auto y = read_year(words, at)) return static_cast<int>(y->value);
  if (!two_digit) return std::nullopt;
  auto c = read_cardinal(words, at);
  if (!c || c->value > 99 || c->words > 2) return std::nullopt;
  return static_cast<int>(c->value >= 30 ? 1900 + c->value : 2000 + c->value);
}

std::optional<std::size_t> year_words(const word_list& words, std::size_t at, bool two_digit) {
  if (auto y = read_year(words, at)) return y->words;
  if (!two_digit) return std::nullopt;
  auto c = read_cardinal(words, at);
  if (!c || c->value > 99 || c->words > 2) return std::nullopt;
  return c->words;
}

/// "november twenty fourth [twenty twenty six]" or "the twenty fourth of november".
std::optional<month_day> month_phrase(scan& s, std::size_t i, bool two_digit_year) {
  auto month = parse_month(s.words[i]);
  if (!month || !s.open(i)) return std::nullopt;
  month_day out{*month, 0, std::nullopt};
  if (i >= 2 && s.is(i - 1, "of")) {
    for (std::size_t len : {2, 1}) {
      if (i < len + 1) continue;
      auto start = i - 1 - len;
      auto o = read_ordinal(s.words, start);
      if (!o || o->words != len || o->value > 31 || !s.open(start)) continue;
      out.day = static_cast<int>(o->value);
      out.year = year_after(s.words, i + 1, two_digit_year);
      auto year_len = out.year ? *year_words(s.words, i + 1, two_digit_year) : 0;
      s.take(start, i + 1 + year_len - start);
      return out;
    }
  }
  std::size_t j = i + 1;
  if (s.is(j, "the")) ++j;
  auto year_here = read_year(s.words, j);
  auto day = day_of_month(s.words, j);
  if (!day || !s.open(j) || (year_here && year_here->words > day->words)) return std::nullopt;
  out.day = static_cast<int>(day->value);
  std::size_t end = j + day->words;
  if (s.is(end, "of")) ++end;
  out.year = year_after(s.words, end, two_digit_year);
  auto year_len = out.year ? *year_words(s.words, end, two_digit_year) : 0;
  s.take(i, end + year_len - i);
  return out;
}

/// The next date on or after `today` with this month and day (or in the given year).
std::optional<civil_date> resolve(const month_day& md, civil_date today) {
  if (md.year) {
    civil_date d{*md.year, md.month, md.day};
    return is_valid(d) ? std::optional(d) : std::nullopt;
  }
  for (int y = today.year; y <= today.year + 4; ++y) {
    civil_date d{y, md.month, md.day};
    if (is_valid(d) && d >= today) return d;
  }
  return std::nullopt;
}

/// The next date from today (inclusive) that is this day of the month, preferring one on
/// the named weekday ("monday the thirtieth").
std::optional<civil_date> resolve_day_of_month(int day, std::optional<weekday> wd, civil_date today) {
  std::optional<civil_date> first;
  for (int k = 0; k < 24; ++k) {
    int m = (today.month - 1 + k) % 12 + 1;
    int y = today.year + (today.month - 1 + k) / 12;
    civil_date d{y, m, day};
    if (!is_valid(d) || d < today) continue;
    if (!wd || weekday_of(d) == *wd) return d;
    if (!first) first = d;
  }
  return first;
}

civil_date next_weekday_date(civil_date today, weekday wd, bool this_week) {
  int delta = (static_cast<int>(wd) - static_cast<int>(weekday_of(today)) + days_per_week) % days_per_week;
  if (delta == 0 && !this_week) delta = days_per_week;
  return add_days(today, delta);
}

civil_date monday_of(civil_date d) {
  return add_days(d, -static_cast<int>(weekday_of(d)));
}

constexpr std::array<std::string_view, 19> pronoun_before_one = {
  "the", "that", "this", "other", "first", "second", "third", "last", "earlier", "later",
  "next", "another", "which", "either", "any", "each", "no", "every", "one"};

constexpr std::array<std::string_view, 10> not_a_time_after = {
  "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "hundred", "thousand"};

bool one_of(std::string_view w, auto const& list) {
  return std::find(list.begin(), list.end(), w) != list.end();
}

enum class meridiem { none, am, pm };

int to_minutes(int hour, int minute, meridiem m) {
  if (m == meridiem::am) return (hour % 12) * 60 + minute;
  if (m == meridiem::pm) return (hour % 12 + 12) * 60 + minute;
  int h = hour == 12 ? 12 : hour <= 6 ? hour + 12 : hour;
  return h * 60 + minute;
}

/// a.m. / p.m. after the hour at `j`; advances j.
meridiem read_meridiem(const scan& s, std::size_t& j) {
  if (s.is(j, "am") || (s.is(j, "a") && s.is(j + 1, "m"))) {
    j += s.is(j, "am") ? 1 : 2;
    return meridiem::am;
  }
  if (s.is(j, "pm") || (s.is(j, "p") && s.is(j + 1, "m"))) {
    j += s.is(j, "pm") ? 1 : 2;
    return meridiem::pm;
  }
  if (s.is(j, "in") && s.is(j + 1, "the") && s.is(j + 2, "morning")) {
    j += 3;
    return meridiem::am;
  }
  if (s.is(j, "in") && s.is(j + 1, "the") && (s.is(j + 2, "afternoon") || s.is(j + 2, "evening"))) {
    j += 3;
    return meridiem::pm;
  }
  return meridiem::none;
}

std::optional<int> hour_word(const scan& s, std::size_t i) {
  if (!s.open(i)) return std::nullopt;
  auto c = read_cardinal(s.words, i);
  if (!c) {
    // "the eighth a.m. one": an ordinal right before a.m./p.m. is a misheard hour.
    auto o = read_ordinal(s.words, i);
    std::size_t j = i + 1;
    if (o && o->words == 1 && o->value >= 1 && o->value <= 12 && read_meridiem(s, j) != meridiem::none)
      return static_cast<int>(o->value);
    return std::nullopt;
  }
  if (c->words != 1 || c->value < 1 || c->value > 12) return std::nullopt;
  if (i > 0) {  // the end of a bigger number ("twenty one")
    auto before = read_cardinal(s.words, i - 1);
    if (before && before->words >= 2) return std::nullopt;
  }
  if (s.words[i] == "one" && i > 0 && one_of(s.words[i - 1], pronoun_before_one)) return std::nullopt;
  if (i + 1 < s.words.size() && one_of(s.words[i + 1], not_a_time_after)) return std::nullopt;
  if (s.words[i] == "one" && s.is(i + 1, "of")) return std::nullopt;
  return static_cast<int>(c->value);
}

std::optional<int> find_clock(scan& s, bool bare_hours) {
  for (std::size_t i = 0; i < s.words.size(); ++i) {
    if (!s.open(i)) continue;
    const auto& w = s.words[i];
    if ((w == "noon" || w == "midday") && !(i > 0 && (s.is(i - 1, "before") || s.is(i - 1, "after")))) {
      s.take(i, 1);
      return 12 * 60;
    }
    if ((w == "half" || w == "quarter") && (s.is(i + 1, "past") || s.is(i + 1, "after") || s.is(i + 1, "to") ||
                                            s.is(i + 1, "till"))) {
      auto h = hour_word(s, i + 2);
      if (!h) continue;
      std::size_t j = i + 3;
      auto m = read_meridiem(s, j);
      bool before = s.is(i + 1, "to") || s.is(i + 1, "till");
      int minute = w == "half" ? 30 : before ? -15 : 15;
      s.take(i, j - i);
      return to_minutes(*h, 0, m) + minute;
    }
    auto h = hour_word(s, i);
    if (!h) continue;
    std::size_t j = i + 1;
    int minute = 0;
    bool explicit_time = i > 0 && (s.is(i - 1, "at") || s.is(i - 1, "around") || s.is(i - 1, "about"));
    if ((s.is(j, "oh") || s.is(j, "o")) && j + 1 < s.words.size() && digit_word(s.words[j + 1])) {
      minute = *digit_word(s.words[j + 1]);
      j += 2;
      explicit_time = true;
    } else if (auto c = read_cardinal(s.words, j); c && c->value >= 10 && c->value <= 59 && c->words <= 2) {
      // "the ten thirty one" is the ten thirty slot, not 10:31
      bool pronoun = c->words == 2 && s.is(j + 1, "one") && i > 0 && (s.is(i - 1, "the") || s.is(i - 1, "that"));
      minute = static_cast<int>(pronoun ? c->value - 1 : c->value);
      j += pronoun ? 1 : c->words;
      explicit_time = true;
    }
    if (s.is(j, "oclock") || (s.is(j, "o") && s.is(j + 1, "clock"))) {
      j += s.is(j, "oclock") ? 1 : 2;
      explicit_time = true;
    }
    auto m = read_meridiem(s, j);
    if (m != meridiem::none) explicit_time = true;
    if (!explicit_time && !bare_hours) continue;
    s.take(i, j - i);
    return to_minutes(*h, minute, m);
  }
  return std::nullopt;
}

struct weekday_hit {
  weekday day;
  std::size_t at;
};

std::optional<weekday_hit> find_weekday(const scan& s) {
  for (std::size_t i = 0; i < s.words.size(); ++i)
    if (auto d = weekday_word(s.words[i]); d && s.open(i)) return weekday_hit{*d, i};
  return std::nullopt;
}

/// A day of the month without a month: "the thirtieth", "on the fifth".
std::optional<int> lone_day_of_month(scan& s, const when_options& options, std::optional<weekday_hit> wd) {
  for (std::size_t i = 0; i < s.words.size(); ++i) {
    if (!s.open(i)) continue;
    auto o = read_ordinal(s.words, i);
    if (!o || o->value > 31) continue;
    std::size_t end = i + o->words;
    if (s.is(end, "one") || s.is(end, "option") || s.is(end, "slot") || s.is(end, "time") || s.is(end, "choice"))
      continue;
    if (std::size_t j = end; read_meridiem(s, j) != meridiem::none) continue;  // an hour: "eighth a.m."
    bool after_weekday = wd && (wd->at + 1 == i || (wd->at + 2 == i && s.is(i - 1, "the")));
    bool small = o->value <= 3;
    if (small && !options.small_ordinal_days && !after_weekday && !s.is(end, "of")) continue;
    s.take(i, o->words);
    return static_cast<int>(o->value);
  }
  return std::nullopt;
}

void read_flags(const scan& s, when_wish& w) {
  for (std::string_view p : {"as soon as possible", "soonest", "earliest", "first available", "next available",
                             "first opening", "any time", "anytime", "whenever", "any day"})
    if (s.has(p)) w.soonest = true;
  for (std::string_view p : {"another day", "different day", "other day", "different date", "another date",
                             "the next day", "a different week"})
    if (s.has(p)) w.another_day = true;
  for (std::string_view p : {"later", "after that"})
    if (s.has(p)) w.later = true;
  for (std::string_view p : {"earlier", "before that"})
    if (s.has(p)) w.earlier = true;
  if (s.has("morning") || s.has("before lunch") || s.has("before noon")) w.part = day_part::morning;
  if (s.has("afternoon") || s.has("evening") || s.has("after lunch")) w.part = day_part::afternoon;
}

/// today / tomorrow / next week / this week / the weekend.
void read_relative_days(const scan& s, std::optional<civil_date> today, when_wish& w) {
  bool next_week = s.has("next week");
  auto set = [&](int from, int to) {
    if (!today) {
      w.needs_date = true;
      return;
    }
    w.from = add_days(*today, from);
    w.to = add_days(*today, to);
  };
  int dow = today ? static_cast<int>(weekday_of(*today)) : 0;
  if (s.has("day after tomorrow")) set(2, 2);
  else if (s.has("tomorrow")) set(1, 1);
  else if (s.has("today") || s.has("tonight") || s.has("this morning") || s.has("this afternoon")) set(0, 0);
  else if (next_week) set(7 - dow, 13 - dow);
  else if (s.has("this week")) set(0, 6 - dow);
  else if (s.has("weekend")) set(std::max(0, 5 - dow), 6 - dow);
  else if (s.has("next month") && today) {
    civil_date first{today->year + (today->month == 12 ? 1 : 0), today->month % 12 + 1, 1};
    w.from = first;
    w.to = civil_date{first.year, first.month, days_in_month(first.year, first.month)};
  }
}

} // namespace

std::optional<weekday> weekday_word(std::string_view word) {
  for (int d = 0; d < days_per_week; ++d) {
    auto day = static_cast<weekday>(d);
    std::string name(weekday_name(day));
    name[0] = static_cast<char>(name[0] - 'A' + 'a');
    if (word == name || words_match(word, name)) return day;
  }
  return std::nullopt;
}

bool when_wish::empty() const {
  return !from && !minutes && part == day_part::any && !day_name && !soonest && !another_day && !later &&
         !earlier && !needs_date;
}

when_wish parse_when(const word_list& words, std::optional<civil_date> today, when_options options) {
  scan s(words);
  when_wish w;
  for (std::size_t i = 0; i < words.size() && !w.from && !w.needs_date; ++i) {
    auto md = month_phrase(s, i, false);
    if (!md) continue;
    if (md->year || today) {
      w.from = today ? resolve(*md, *today) : resolve(*md, civil_date{*md->year, 1, 1});
      w.to = w.from;
    } else {
      w.needs_date = true;
    }
  }
  auto wd = find_weekday(s);
  if (wd) {
    w.day_name = wd->day;
    s.take(wd->at, 1);
  }
  if (!w.from && !w.needs_date) {
    if (auto dom = lone_day_of_month(s, options, wd)) {
      if (today) w.from = resolve_day_of_month(*dom, w.day_name, *today);
      else w.needs_date = true;
      w.to = w.from;
    }
  }
  if (!w.from && !w.needs_date && wd) {
    if (today) {
      bool next_week = s.has("next week");
      bool this_week = wd->at > 0 && s.is(wd->at - 1, "this");
      auto d = next_week ? add_days(monday_of(*today), 7 + static_cast<int>(wd->day))
                         : next_weekday_date(*today, wd->day, this_week);
      w.from = d;
      w.to = d;
    } else {
      w.needs_date = true;
    }
  }
  if (!w.from && !w.needs_date) read_relative_days(s, today, w);
  w.minutes = find_clock(s, options.bare_hours);
  read_flags(s, w);
  return w;
}

std::optional<int> parse_clock_words(const word_list& words, bool bare_hours) {
  scan s(words);
  return find_clock(s, bare_hours);
}

std::optional<civil_date> parse_birth_date(const word_list& words) {
  scan s(words);
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto md = month_phrase(s, i, true);
    if (md && md->year) {
      civil_date d{*md->year, md->month, md->day};
      if (is_valid(d)) return d;
    }
  }
  // "three five nineteen eighty five": month, day, year as numbers
  for (std::size_t i = 0; i + 2 < words.size(); ++i) {
    auto m = read_cardinal(words, i);
    if (!m || m->words != 1 || m->value < 1 || m->value > 12) continue;
    auto d = day_of_month(words, i + 1);
    if (!d) continue;
    auto y = read_year(words, i + 1 + d->words);
    if (!y) continue;
    civil_date date{static_cast<int>(y->value), static_cast<int>(m->value), static_cast<int>(d->value)};
    if (is_valid(date)) return date;
  }
  return std::nullopt;
}

} // namespace ce::dialog
