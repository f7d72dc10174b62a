#include "audio/resampler.hpp"

#include <soxr.h>

#include <stdexcept>
#include <string>

namespace ce::audio {

struct resampler::impl {
  soxr_t handle = nullptr;
  ~impl() {
    if (handle) soxr_delete(handle);
  }
};

namespace {

unsigned long soxr_recipe(resampler::quality q) {
  switch (q) {
    case resampler::quality::quick: return SOXR_QQ;
    case resampler::quality::low: return SOXR_LQ;
    case resampler::quality::medium: return SOXR_MQ;
    case resampler::quality::high: return SOXR_HQ;
  }
  return SOXR_MQ;
}

soxr_t make_handle(double in_rate, double out_rate, resampler::quality q) {
  soxr_error_t err = nullptr;
  auto io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I);
  auto qs = soxr_quality_spec(soxr_recipe(q), 0);
  auto h = soxr_create(in_rate, out_rate, 1, &err, &io, &qs, nullptr);
  if (err != nullptr || h == nullptr)
    throw std::runtime_error(std::string("soxr_create failed: ") + (err ? err : "unknown"));
  return h;
}

} // namespace

resampler::resampler(double in_rate, double out_rate, quality q)
  : impl_(std::make_unique<impl>()), in_rate_(in_rate), out_rate_(out_rate) {
  impl_->handle = make_handle(in_rate, out_rate, q);
}

resampler::~resampler() = default;
resampler::resampler(resampler&&) noexcept = default;
resampler& resampler::operator=(resampler&&) noexcept = default;

void resampler::process(std::span<const std::int16_t> in, pcm16_buffer& out) {
  if (in.empty()) return;
  auto ratio = out_rate_ / in_rate_;
  auto cap = static_cast<std::size_t>(static_cast<double>(in.size()) * ratio) + 64;
  auto base = out.size();
  out.resize(base + cap);
  std::size_t idone = 0;
  std::size_t odone = 0;
  soxr_process(impl_->handle, in.data(), in.size(), &idone, out.data() + base, cap, &odone);
  out.resize(base + odone);
}

void resampler::flush(pcm16_buffer& out) {
  for (;;) {
    constexpr std::size_t chunk = 1024;
    auto base = out.size();
    out.resize(base + chunk);
    std::size_t odone = 0;
    soxr_process(impl_->handle, nullptr, 0, nullptr, out.data() + base, chunk, &odone);
    out.resize(base + odone);
    if (odone < chunk) break;
  }
  soxr_clear(impl_->handle);
}

pcm16_buffer resample(std::span<const std::int16_t> in, double in_rate, double out_rate,
                      resampler::quality q) {
  resampler r{in_rate, out_rate, q};
  pcm16_buffer out;
  r.process(in, out);
  r.flush(out);
  return out;
}

} // namespace ce::audio
