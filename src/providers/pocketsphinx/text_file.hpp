// Private: whole-file reads and writes for the model files prepared at start.
#pragma once

#include <optional>
#include <string>

namespace ce::stt {

std::optional<std::string> read_text_file(const std::string& path);

/// Writes `content` to `path` unless the file already holds exactly that. The content goes
/// to a temporary file renamed over `path`, so readers never see half a file. False and
/// `*error` set on failure.
bool write_if_changed(const std::string& path, const std::string& content, std::string* error);

} // namespace ce::stt
