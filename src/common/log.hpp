// spdlog setup: one logger per subsystem. Lines about a call always carry
// `call_sid=... role=...` as key=value, passed explicitly by the caller.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace ce::log {

/// Creates the subsystem loggers (stderr, one shared sink). `level`: trace, debug, info,
/// warn, error, off. Safe to call again (tests).
void init(std::string_view level);

/// The logger of a subsystem ("net", "twilio", "call", "stt", "llm", "tts", "tools",
/// "registry", "engine", ...). Created on first use.
std::shared_ptr<spdlog::logger> get(std::string_view subsystem);

/// The last 6 characters of a phone number, for info-level lines (no full numbers).
std::string redact_phone(std::string_view phone);

} // namespace ce::log
