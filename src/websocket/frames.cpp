#include "websocket/frames.hpp"

#include "common/base64.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ce::ws {
namespace {

bool known(std::uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

std::uint64_t random_u64() {
  std::uint64_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1)
    throw std::runtime_error("cannot draw random bytes for WebSocket masks");
  return v;
}

} // namespace

frame_header make_header(opcode op, std::size_t payload_size, const std::uint8_t* mask_key) {
  frame_header h;
  auto& b = h.bytes;
  b[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
  const std::uint8_t mask_bit = mask_key ? 0x80 : 0x00;
  std::size_t n = 2;
  if (payload_size < 126) {
    b[1] = static_cast<std::uint8_t>(mask_bit | payload_size);
  } else if (payload_size <= 0xFFFF) {
    b[1] = static_cast<std::uint8_t>(mask_bit | 126);
    b[2] = static_cast<std::uint8_t>(payload_size >> 8);
    b[3] = static_cast<std::uint8_t>(payload_size);
    n = 4;
  } else {
    b[1] = static_cast<std::uint8_t>(mask_bit | 127);
    for (int i = 0; i < 8; ++i) b[2 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(payload_size) >> (56 - 8 * i));
    n = 10;
  }
  if (mask_key) {
    std::memcpy(b.data() + n, mask_key, 4);
    n += 4;
  }
  h.size = n;
  return h;
}

void mask_payload(std::span<std::uint8_t> payload, const std::array<std::uint8_t, 4>& key, std::size_t offset) {
  std::size_t i = 0;
  // eight bytes at a time with the key repeated (rotated to where the payload starts)
  std::uint8_t k8[8];
  for (int j = 0; j < 8; ++j) k8[j] = key[(offset + static_cast<std::size_t>(j)) % 4];
  std::uint64_t k;
  std::memcpy(&k, k8, 8);
  for (; i + 8 <= payload.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, payload.data() + i, 8);
    w ^= k;
    std::memcpy(payload.data() + i, &w, 8);
  }
  for (; i < payload.size(); ++i) payload[i] ^= key[(offset + i) % 4];
}

void append_frame(std::string& out, opcode op, std::string_view payload, const std::uint8_t* mask_key) {
  auto h = make_header(op, payload.size(), mask_key);
  const std::size_t start = out.size();
  out.reserve(start + h.size + payload.size());
  out.append(reinterpret_cast<const char*>(h.bytes.data()), h.size);
  out.append(payload);
  if (mask_key) {
    std::array<std::uint8_t, 4> key{mask_key[0], mask_key[1], mask_key[2], mask_key[3]};
    mask_payload({reinterpret_cast<std::uint8_t*>(out.data()) + start + h.size, payload.size()}, key);
  }
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason.substr(0, 123));
  return p;
}

std::uint16_t message::close_code() const {
  if (data.size() < 2) return 1005;
  return static_cast<std::uint16_t>((data[0] << 8) | data[1]);
}

frame_reader::frame_reader(bool server, std::size_t max_message) : server_(server), max_message_(max_message) {}

std::span<std::uint8_t> frame_reader::prepare(std::size_t min) {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < min) buf_.resize(end_ + min);
  return {buf_.data() + end_, buf_.size() - end_};
}

void frame_reader::commit(std::size_t n) { end_ = std::min(buf_.size(), end_ + n); }

void frame_reader::append(std::span<const std::uint8_t> bytes) {
  auto room = prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), room.begin());
  commit(bytes.size());
}

bool frame_reader::fail(std::uint16_t code, std::string why) {
  error_code_ = code;
  error_ = std::move(why);
  return false;
}

std::optional<message> frame_reader::next() {
  if (error_) return std::nullopt;
  for (;;) {
    const std::size_t avail = end_ - begin_;
    if (avail < 2) return std::nullopt;
    const std::uint8_t* p = buf_.data() + begin_;
    const bool fin = (p[0] & 0x80) != 0;
    const std::uint8_t op = p[0] & 0x0F;
    const bool masked = (p[1] & 0x80) != 0;
    std::uint64_t len = p[1] & 0x7F;
    if ((p[0] & 0x70) != 0) return fail(close_protocol_error, "reserved bits set"), std::nullopt;
    if (!known(op)) return fail(close_protocol_error, "unknown opcode " + std::to_string(op)), std::nullopt;
    const bool control = op >= 8;
    if (control && (!fin || len > 125))
      return fail(close_protocol_error, "fragmented or oversized control frame"), std::nullopt;
    if (masked != server_)
      return fail(close_protocol_error, server_ ? "unmasked frame from a client" : "masked frame from a server"),
             std::nullopt;
    std::size_t header = 2;
    if (len == 126) {
      if (avail < 4) return std::nullopt;
      len = static_cast<std::uint64_t>((p[2] << 8) | p[3]);
      header = 4;
    } else if (len == 127) {
      if (avail < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      if (len >> 63) return fail(close_protocol_error, "invalid frame length"), std::nullopt;
      header = 10;
    }
    const std::size_t key_at = header;
    if (masked) header += 4;
    const std::size_t assembled = (op == 0) ? fragments_.size() : 0;
    if (len > max_message_ || assembled + len > max_message_)
      return fail(close_too_big, "message larger than " + std::to_string(max_message_) + " bytes"), std::nullopt;
    if (avail < header + len) return std::nullopt;  // prepare() makes room for the rest
    auto* payload = buf_.data() + begin_ + header;
    const auto n = static_cast<std::size_t>(len);
    if (masked) {
      std::array<std::uint8_t, 4> key{p[key_at], p[key_at + 1], p[key_at + 2], p[key_at + 3]};
      mask_payload({payload, n}, key);
    }
    begin_ += header + n;
    std::span<const std::uint8_t> data{payload, n};
    if (control) return message{static_cast<opcode>(op), data};
    if (op == 0) {
      if (!fragment_op_) return fail(close_protocol_error, "continuation without a message"), std::nullopt;
      fragments_.insert(fragments_.end(), data.begin(), data.end());
      if (!fin) continue;
      auto whole = *fragment_op_;
      fragment_op_.reset();
      return message{whole, {fragments_.data(), fragments_.size()}};
    }
    if (fragment_op_) return fail(close_protocol_error, "a new message inside a fragmented one"), std::nullopt;
    if (fin) return message{static_cast<opcode>(op), data};
    fragment_op_ = static_cast<opcode>(op);
    fragments_.assign(data.begin(), data.end());
  }
}

std::string accept_key(std::string_view client_key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string in{client_key};
  in += guid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(in.data(), in.size(), digest, &len, EVP_sha1(), nullptr) != 1)
    throw std::runtime_error("SHA-1 unavailable for the WebSocket handshake");
  return base64_encode({digest, len});
}

std::string random_key() {
  std::array<std::uint8_t, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("cannot draw random bytes for a WebSocket key");
  return base64_encode(bytes);
}

mask_source::mask_source() : state_(random_u64() | 1) {}

std::array<std::uint8_t, 4> mask_source::next() {
  // xorshift64*
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  const std::uint64_t v = state_ * 0x2545F4914F6CDD1DULL;
  return {static_cast<std::uint8_t>(v >> 56), static_cast<std::uint8_t>(v >> 48), static_cast<std::uint8_t>(v >> 40),
          static_cast<std::uint8_t>(v >> 32)};
}

} // namespace ce::ws
