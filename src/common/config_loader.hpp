// Loads and validates the engine configuration: config/engine.json, the dealership facts
// it points to, then environment overrides (secrets and deployment settings). Invalid
// configuration is an error value with a precise message; main exits non-zero on it.
#pragma once

#include "callengine/config.hpp"

#include <map>
#include <optional>
#include <string>

namespace ce {

using environment = std::map<std::string, std::string>;

struct config_result {
  std::optional<engine_config> config;
  std::string error;  ///< set when config is empty
};

/// `path`: the engine.json file. `env`: environment variables (main passes the process
/// environment; tests pass their own).
config_result load_config(const std::string& path, const environment& env);

/// Parses engine.json text (and the dealership facts from `dealership_path`).
config_result parse_config(const std::string& json_text, const std::string& base_dir, const environment& env);

/// Every setting read from the environment, with what it overrides (for the README and
/// `callengine --help`).
const std::map<std::string, std::string>& environment_settings();

} // namespace ce
