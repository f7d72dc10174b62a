#include "mocks/time_util.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace ce::mocks {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void split_ms(std::int64_t ms, int& y, unsigned& mo, unsigned& d, unsigned& h, unsigned& mi, unsigned& s, unsigned& f) {
  const std::int64_t days = floor_div(ms, 86400000);
  std::int64_t rem = ms - days * 86400000;
  civil_from_days(days, y, mo, d);
  h = static_cast<unsigned>(rem / 3600000);
  rem %= 3600000;
  mi = static_cast<unsigned>(rem / 60000);
  rem %= 60000;
  s = static_cast<unsigned>(rem / 1000);
  f = static_cast<unsigned>(rem % 1000);
}

bool valid_civil(const civil_time& t) {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour <= 23 && t.minute <= 59 && t.second <= 60;
}

std::int64_t be64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return static_cast<std::int64_t>(v);
}
std::int32_t be32(const unsigned char* p) {
  return static_cast<std::int32_t>((std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3]);
}

bool is_utc_name(std::string_view z) {
  return z == "UTC" || z == "Etc/UTC" || z == "GMT" || z == "Etc/GMT" || z == "Z" || z == "Universal" || z == "Zulu";
}

} // namespace

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<civil_time> parse_date(std::string_view s) {
  civil_time t;
  unsigned y = 0;
  if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, t.month) || s[7] != '-' ||
      !digits(s, 8, 2, t.day))
    return std::nullopt;
  t.year = static_cast<int>(y);
  if (!valid_civil(t)) return std::nullopt;
  return t;
}

std::optional<civil_time> parse_date_time(std::string_view s) {
  if (s.size() < 19) return std::nullopt;
  auto date = parse_date(s.substr(0, 10));
  if (!date) return std::nullopt;
  civil_time t = *date;
  const char sep = s[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  if (!digits(s, 11, 2, t.hour) || s[13] != ':' || !digits(s, 14, 2, t.minute) || s[16] != ':' ||
      !digits(s, 17, 2, t.second))
    return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    unsigned frac = 0;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 3) frac = frac * 10 + static_cast<unsigned>(s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (int k = n; k < 3; ++k) frac *= 10;
    t.millis = frac;
  }
  if (i < s.size()) {
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
      t.offset_s = 0;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
      unsigned oh = 0, om = 0;
      if (!digits(s, i + 1, 2, oh) || !digits(s, i + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
      const int off = static_cast<int>(oh * 3600 + om * 60);
      t.offset_s = s[i] == '-' ? -off : off;
    } else {
      return std::nullopt;
    }
  }
  if (!valid_civil(t)) return std::nullopt;
  return t;
}

std::int64_t civil_to_ms(const civil_time& t) {
  return (days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second) * 1000 + t.millis;
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  auto t = parse_date_time(s);
  if (!t || !t->offset_s) return std::nullopt;
  return civil_to_ms(*t) - static_cast<std::int64_t>(*t->offset_s) * 1000;
}

std::string format_utc(std::int64_t ms, bool with_millis) {
  int y;
  unsigned mo, d, h, mi, s, f;
  split_ms(ms, y, mo, d, h, mi, s, f);
  char buf[40];
  if (with_millis)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", y, mo, d, h, mi, s, f);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, h, mi, s);
  return buf;
}

std::string format_with_offset(std::int64_t ms, int offset_s) {
  int y;
  unsigned mo, d, h, mi, s, f;
  split_ms(ms + static_cast<std::int64_t>(offset_s) * 1000, y, mo, d, h, mi, s, f);
  const int a = offset_s < 0 ? -offset_s : offset_s;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u%c%02d:%02d", y, mo, d, h, mi, s, offset_s < 0 ? '-' : '+',
                a / 3600, (a % 3600) / 60);
  return buf;
}

std::string format_rfc2822(std::int64_t ms) {
  static const char* const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int y;
  unsigned mo, d, h, mi, s, f;
  split_ms(ms, y, mo, d, h, mi, s, f);
  const std::int64_t day_index = floor_div(ms, 86400000);
  const auto wd = static_cast<std::size_t>(((day_index % 7) + 7) % 7);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02u:%02u:%02u +0000", days[wd], d, months[mo - 1], y, h, mi, s);
  return buf;
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

zone_db::zone_db(std::string root) : root_(std::move(root)) {}

const zone_db::zone_data* zone_db::load(std::string_view zone) {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(zone); it != cache_.end()) return it->second.get();
  // Names only: no absolute paths, no parent directories.
  const bool safe = !zone.empty() && zone.front() != '/' && zone.find("..") == std::string_view::npos &&
                    std::all_of(zone.begin(), zone.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
                    });
  std::unique_ptr<zone_data> data;
  if (safe) {
    std::ifstream in(root_ + "/" + std::string(zone), std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto counts = [&](std::size_t at, std::int32_t c[6]) {
      for (int i = 0; i < 6; ++i) c[i] = be32(bytes.data() + at + 20 + 4 * i);
    };
    if (bytes.size() >= 44 && std::equal(bytes.begin(), bytes.begin() + 4, "TZif") && bytes[4] >= '2') {
      std::int32_t c[6];
      counts(0, c);  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
      const std::size_t v1 = static_cast<std::size_t>(c[3]) * 5 + static_cast<std::size_t>(c[4]) * 6 +
                             static_cast<std::size_t>(c[5]) + static_cast<std::size_t>(c[2]) * 8 +
                             static_cast<std::size_t>(c[1]) + static_cast<std::size_t>(c[0]);
      const std::size_t h2 = 44 + v1;
      if (bytes.size() >= h2 + 44) {
        counts(h2, c);
        const auto timecnt = static_cast<std::size_t>(c[3]);
        const auto typecnt = static_cast<std::size_t>(c[4]);
        std::size_t p = h2 + 44;
        if (typecnt > 0 && bytes.size() >= p + timecnt * 9 + typecnt * 6) {
          data = std::make_unique<zone_data>();
          for (std::size_t i = 0; i < timecnt; ++i) data->transitions.push_back(be64(bytes.data() + p + 8 * i));
          p += timecnt * 8;
          for (std::size_t i = 0; i < timecnt; ++i) data->types.push_back(std::min<std::uint8_t>(bytes[p + i], static_cast<std::uint8_t>(typecnt - 1)));
          p += timecnt;
          for (std::size_t i = 0; i < typecnt; ++i) data->offsets.push_back(be32(bytes.data() + p + 6 * i));
          data->initial = data->offsets.front();
        }
      }
    }
  }
  auto* raw = data.get();
  cache_.emplace(std::string(zone), std::move(data));
  return raw;
}

bool zone_db::valid(std::string_view zone) { return is_utc_name(zone) || load(zone) != nullptr; }

std::optional<int> zone_db::offset_at(std::string_view zone, std::int64_t utc_ms) {
  if (is_utc_name(zone)) return 0;
  const zone_data* z = load(zone);
  if (!z) return std::nullopt;
  const std::int64_t t = floor_div(utc_ms, 1000);
  auto it = std::upper_bound(z->transitions.begin(), z->transitions.end(), t);
  if (it == z->transitions.begin()) return z->initial;
  return z->offsets[z->types[static_cast<std::size_t>(it - z->transitions.begin() - 1)]];
}

std::optional<std::int64_t> zone_db::local_to_utc(std::string_view zone, std::int64_t local_ms) {
  auto first = offset_at(zone, local_ms);
  if (!first) return std::nullopt;
  // Two rounds settle every instant except the hour skipped by a DST jump.
  std::int64_t utc = local_ms - static_cast<std::int64_t>(*first) * 1000;
  auto second = offset_at(zone, utc);
  utc = local_ms - static_cast<std::int64_t>(*second) * 1000;
  return utc;
}

} // namespace ce::mocks
