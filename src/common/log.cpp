#include "common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>
#include <string>

namespace ce::log {
namespace {

std::mutex mutex_;
spdlog::level::level_enum level_ = spdlog::level::info;
spdlog::sink_ptr sink_;

spdlog::sink_ptr shared_sink() {
  if (!sink_) sink_ = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return sink_;
}

} // namespace

void init(std::string_view level) {
  std::lock_guard<std::mutex> guard{mutex_};
  level_ = spdlog::level::from_str(std::string{level});
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level_); });
}

std::shared_ptr<spdlog::logger> get(std::string_view subsystem) {
  std::lock_guard<std::mutex> guard{mutex_};
  std::string name{subsystem};
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, shared_sink());
  logger->set_level(level_);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return logger;
}

std::string redact_phone(std::string_view phone) {
  if (phone.size() <= 4) return std::string(phone.size(), '*');
  return std::string(phone.size() - 4, '*') + std::string{phone.substr(phone.size() - 4)};
}

} // namespace ce::log
