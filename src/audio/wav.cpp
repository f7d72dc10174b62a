#include "audio/wav.hpp"

#include "audio/mulaw.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

namespace ce::audio {
namespace {

constexpr std::uint16_t tag_pcm = 1;
constexpr std::uint16_t tag_mulaw = 7;
constexpr std::uint16_t tag_extensible = 0xFFFE;
constexpr std::uint32_t streamed_size = 0xFFFFFFFF;  // size placeholder of piped writers
constexpr std::size_t max_data_bytes = std::numeric_limits<std::uint32_t>::max() - 64;

// ---- writing -------------------------------------------------------------------------

class byte_writer {
public:
  void tag(const char (&four)[5]) { out_.insert(out_.end(), four, four + 4); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v & 0xFF));
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v & 0xFFFF));
    u16(static_cast<std::uint16_t>(v >> 16));
  }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  std::vector<std::uint8_t> take() { return std::move(out_); }

private:
  std::vector<std::uint8_t> out_;
};

struct fmt_fields {
  std::uint16_t tag;
  std::uint16_t channels;
  std::uint32_t rate;
  std::uint16_t bits;
};

void write_header(byte_writer& w, const fmt_fields& f, std::uint32_t data_bytes,
                  bool with_fact) {
  const std::uint16_t block_align = static_cast<std::uint16_t>(f.channels * f.bits / 8);
  const std::uint32_t fmt_size = f.tag == tag_pcm ? 16 : 18;  // non-PCM carries cbSize
  const std::uint32_t fact_size = with_fact ? 12 : 0;
  const std::uint32_t pad = data_bytes & 1U;
  w.tag("RIFF");
  w.u32(4 + (8 + fmt_size) + fact_size + 8 + data_bytes + pad);
  w.tag("WAVE");
  w.tag("fmt ");
  w.u32(fmt_size);
  w.u16(f.tag);
  w.u16(f.channels);
  w.u32(f.rate);
  w.u32(f.rate * block_align);
  w.u16(block_align);
  w.u16(f.bits);
  if (fmt_size == 18) w.u16(0);
  if (with_fact) {
    w.tag("fact");
    w.u32(4);
    w.u32(data_bytes / block_align);  // sample frames
  }
  w.tag("data");
  w.u32(data_bytes);
}

bool write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) return false;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return false;
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  return static_cast<bool>(f);
}

// ---- reading -------------------------------------------------------------------------

std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(get_u16(p)) |
         (static_cast<std::uint32_t>(get_u16(p + 2)) << 16);
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

struct chunk_view {
  std::string id;
  std::span<const std::uint8_t> body;
};

/// Splits the RIFF body (after "WAVE") into chunks. A data chunk whose size runs past the
/// end is accepted only with the streaming placeholder size.
bool split_chunks(std::span<const std::uint8_t> body, std::vector<chunk_view>& chunks,
                  std::string* error) {
  std::size_t pos = 0;
  while (pos + 8 <= body.size()) {
    chunk_view c{std::string(reinterpret_cast<const char*>(&body[pos]), 4), {}};
    const std::uint32_t size = get_u32(&body[pos + 4]);
    const std::size_t avail = body.size() - pos - 8;
    std::size_t take = size;
    if (size > avail) {
      if (c.id != "data" || size != streamed_size)
        return fail(error, "chunk '" + c.id + "' claims " + std::to_string(size) +
                               " bytes but only " + std::to_string(avail) + " remain");
      take = avail;
    }
    c.body = body.subspan(pos + 8, take);
    chunks.push_back(std::move(c));
    pos += 8 + take + (take & 1U);
  }
  return true;
}

struct wav_format {
  std::uint16_t tag = 0;
  int channels = 0;
  int rate = 0;
  int bits = 0;
};

bool parse_fmt(std::span<const std::uint8_t> b, wav_format& f, std::string* error) {
  if (b.size() < 16)
    return fail(error, "fmt chunk too short (" + std::to_string(b.size()) + " bytes)");
  f.tag = get_u16(&b[0]);
  f.channels = get_u16(&b[2]);
  f.rate = static_cast<int>(get_u32(&b[4]) & 0x7FFFFFFF);
  f.bits = get_u16(&b[14]);
  if (f.tag == tag_extensible) {
    if (b.size() < 26) return fail(error, "WAVE_FORMAT_EXTENSIBLE fmt chunk too short");
    f.tag = get_u16(&b[24]);  // first two bytes of the sub-format GUID
  }
  if (f.channels < 1 || f.channels > 8)
    return fail(error, "unsupported channel count " + std::to_string(f.channels));
  if (f.rate < 1000 || f.rate > 384000)
    return fail(error, "implausible sample rate " + std::to_string(f.rate) + " Hz");
  if (f.tag == tag_pcm && f.bits != 16)
    return fail(error, "unsupported PCM bit depth " + std::to_string(f.bits) + " (only 16-bit)");
  if (f.tag == tag_mulaw && f.bits != 8)
    return fail(error, "mu-law with " + std::to_string(f.bits) + " bits per sample (expected 8)");
  if (f.tag != tag_pcm && f.tag != tag_mulaw)
    return fail(error, "unsupported format tag " + std::to_string(f.tag) +
                           " (only PCM 1 and mu-law 7)");
  return true;
}

pcm16_buffer decode_samples(const wav_format& f, std::span<const std::uint8_t> data) {
  pcm16_buffer out;
  if (f.tag == tag_mulaw) {
    decode_mulaw(data, out);
    return out;
  }
  out.resize(data.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int16_t>(get_u16(&data[2 * i]));
  return out;
}

} // namespace

std::vector<std::uint8_t> encode_wav_pcm16(const wav_data& data) {
  if (data.channels < 1 || data.channels > 2 || data.sample_rate <= 0) return {};
  if (data.samples.size() % static_cast<std::size_t>(data.channels) != 0) return {};
  if (data.samples.size() * 2 > max_data_bytes) return {};
  byte_writer w;
  const auto bytes = static_cast<std::uint32_t>(data.samples.size() * 2);
  write_header(w, {tag_pcm, static_cast<std::uint16_t>(data.channels),
                   static_cast<std::uint32_t>(data.sample_rate), 16},
               bytes, false);
  for (auto s : data.samples) w.u16(static_cast<std::uint16_t>(s));
  return w.take();
}

std::vector<std::uint8_t> encode_wav_mulaw(std::span<const std::uint8_t> audio) {
  if (audio.size() > max_data_bytes) return {};
  byte_writer w;
  const auto bytes = static_cast<std::uint32_t>(audio.size());
  write_header(w, {tag_mulaw, 1, static_cast<std::uint32_t>(telephony_rate_hz), 8}, bytes, true);
  w.bytes(audio);
  if (bytes & 1U) w.bytes(std::array<std::uint8_t, 1>{0});
  return w.take();
}

std::optional<wav_data> parse_wav(std::span<const std::uint8_t> bytes, std::string* error) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 ||
      std::memcmp(bytes.data() + 8, "WAVE", 4) != 0) {
    fail(error, "not a RIFF/WAVE file");
    return std::nullopt;
  }
  std::vector<chunk_view> chunks;
  if (!split_chunks(bytes.subspan(12), chunks, error)) return std::nullopt;
  const chunk_view* fmt = nullptr;
  const chunk_view* data = nullptr;
  for (const auto& c : chunks) {
    if (c.id == "fmt " && !fmt) fmt = &c;
    if (c.id == "data" && !data) data = &c;
  }
  if (!fmt || !data) {
    fail(error, !fmt ? "no fmt chunk" : "no data chunk");
    return std::nullopt;
  }
  wav_format f;
  if (!parse_fmt(fmt->body, f, error)) return std::nullopt;
  const std::size_t block = static_cast<std::size_t>(f.channels) * (f.bits / 8);
  auto body = data->body.first(data->body.size() - data->body.size() % block);
  return wav_data{f.rate, f.channels, decode_samples(f, body)};
}

bool write_wav_pcm16(const std::string& path, const wav_data& data) {
  return write_file(path, encode_wav_pcm16(data));
}

bool write_wav_mulaw(const std::string& path, const mulaw_buffer& audio) {
  return write_file(path, encode_wav_mulaw(audio));
}

std::optional<wav_data> read_wav(const std::string& path, std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    fail(error, "cannot open " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
  std::string why;
  auto result = parse_wav(bytes, &why);
  if (!result) fail(error, path + ": " + why);
  return result;
}

} // namespace ce::audio
