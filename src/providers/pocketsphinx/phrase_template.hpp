// Sentence templates for the domain corpus: "can i come in {date} at {time}" with named
// slots and inline alternatives ("{please|}" = "please" or nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ce::stt {

using slot_table = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Every sentence `pattern` stands for. `{name}` is replaced by each value of slot `name`;
/// `{a|b|}` by each alternative (an empty one drops the text). When there are more than
/// `limit` combinations, `limit` distinct ones spread evenly over all of them are returned
/// (deterministically, varied by `seed`). Whitespace is collapsed. An unknown slot name is
/// kept as literal text so that the missing-word check catches it.
std::vector<std::string> expand_template(std::string_view pattern, const slot_table& slots,
                                         std::size_t limit, std::uint64_t seed = 0);

/// Collects the expansions of many templates into one corpus.
class corpus_writer {
public:
  explicit corpus_writer(const slot_table& slots) : slots_(slots) {}

  /// Adds the expansions of `pattern` (at most `limit`), each `weight` times: repeating a
  /// sentence is how frequent replies get more probability.
  void add(std::string_view pattern, std::size_t limit = 400, int weight = 1);
  void add_all(const std::vector<std::string>& patterns, std::size_t limit = 400,
               int weight = 1);
  std::vector<std::string> take() { return std::move(sentences_); }

private:
  const slot_table& slots_;
  std::vector<std::string> sentences_;
  std::uint64_t seed_ = 1;
};

} // namespace ce::stt
