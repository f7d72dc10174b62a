// Time formats the mocks speak: RFC 3339 (Google), RFC 2822 (Twilio), and IANA zones read
// from the system's TZif files (/usr/share/zoneinfo), so Calendar events given as a local
// `dateTime` plus `timeZone` land at the right instant. Times are milliseconds since the
// Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ce::mocks {

/// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);

struct civil_time {
  int year = 1970;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  std::optional<int> offset_s;  ///< present when the text had `Z` or `±hh:mm`
};

/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm]` (also a space or lowercase t/z).
std::optional<civil_time> parse_date_time(std::string_view s);
/// `YYYY-MM-DD`.
std::optional<civil_time> parse_date(std::string_view s);
/// Milliseconds since the epoch of a civil time read as UTC (its offset ignored).
std::int64_t civil_to_ms(const civil_time& t);
/// RFC 3339 with a mandatory offset; nullopt without one.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s);

/// `2026-06-02T12:00:00.000Z` (with_millis) or `2026-06-02T12:00:00Z`.
std::string format_utc(std::int64_t ms, bool with_millis = true);
/// `2026-06-02T08:00:00-04:00`.
std::string format_with_offset(std::int64_t ms, int offset_s);
/// `Mon, 01 Jun 2026 10:00:00 +0000`.
std::string format_rfc2822(std::int64_t ms);
/// Milliseconds since the epoch, now (system clock).
std::int64_t wall_clock_ms();

/// IANA time zones from TZif files, parsed once and cached. "UTC", "Etc/UTC", "GMT" and
/// "Z" need no file. Instants past the file's last transition use its last offset.
class zone_db {
public:
  explicit zone_db(std::string root = "/usr/share/zoneinfo");

  bool valid(std::string_view zone);
  /// UTC offset (seconds) in force at `utc_ms`.
  std::optional<int> offset_at(std::string_view zone, std::int64_t utc_ms);
  /// The instant a local wall-clock time names in `zone`.
  std::optional<std::int64_t> local_to_utc(std::string_view zone, std::int64_t local_ms);

private:
  struct zone_data {
    std::vector<std::int64_t> transitions;  ///< seconds
    std::vector<std::uint8_t> types;        ///< index into offsets, per transition
    std::vector<int> offsets;               ///< seconds east of UTC
    int initial = 0;                        ///< offset before the first transition
  };
  const zone_data* load(std::string_view zone);

  std::string root_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<zone_data>, std::less<>> cache_;
};

} // namespace ce::mocks
