#include "providers/pocketsphinx/text_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ce::stt {

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_if_changed(const std::string& path, const std::string& content, std::string* error) {
  if (auto current = read_text_file(path); current && *current == content) return true;
  auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      if (error) *error = "cannot write " + tmp;
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    if (error) *error = "cannot replace " + path + ": " + ec.message();
    return false;
  }
  return true;
}

} // namespace ce::stt
