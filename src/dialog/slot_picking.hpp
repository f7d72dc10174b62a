// slot_picking: which free slots to offer a caller, and which one the caller then picked.
// Offers stay short (two or three times, spoken in one sentence): the exact time asked
// for when it is free, otherwise the nearest ones that day, otherwise the first free
// time with others spread across the same day (or the next day when it has only one).
#pragma once

#include "dialog/calendar.hpp"
#include "dialog/date_parse.hpp"

#include <optional>
#include <vector>

namespace ce::dialog {

struct slot_offer {
  std::vector<local_time> slots;
  bool exact = false;  ///< the caller's requested time is free; slots holds just that one
};

/// `free` is in time order. Empty when nothing is free.
slot_offer choose_offer(const std::vector<local_time>& free, const when_wish& wish);

/// Up to three free slots after the last offered one ("anything later?").
std::vector<local_time> later_than(const std::vector<local_time>& free, const std::vector<local_time>& offered);

/// Up to two free slots before the first offered one ("anything earlier?").
std::vector<local_time> earlier_than(const std::vector<local_time>& free, const std::vector<local_time>& offered);

/// "the first one", "second", "the last one" -> index below `count`; nullopt otherwise
/// (also for dates such as "the first of december").
std::optional<std::size_t> ordinal_choice(const word_list& words, std::size_t count);

/// The slot the caller picked by time and/or day ("ten thirty", "tuesday at nine"), first
/// among the offered ones, then among all free ones. nullopt when it matches none or the
/// words name no time (a day alone picks only when one offered slot is on it).
std::optional<local_time> picked_slot(const when_wish& heard, const std::vector<local_time>& offered,
                                      const std::vector<local_time>& free);

} // namespace ce::dialog
