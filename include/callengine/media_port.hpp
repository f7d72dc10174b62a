// The contract between the two planes of a call.
//
// Data plane: the network edge (src/net) on the call's shard, one thread that owns every
// socket of the call (runtime/shards.hpp). Caller frames, provider audio and Twilio output
// run to completion there: a Twilio frame is parsed, voice-detected once and written into
// the call's recogniser connection, and synthesised audio goes from the synthesiser's
// connection through mark placement and pacing to the Twilio socket, without a message to
// an actor or a hand-over to another thread per frame.
//
// Control plane: the call's actors (actors/, CAF threads). They own the connections and
// decide everything (open, close, failover, barge-in, generations), and they exchange
// events with the edge at the rate of words and turns: the edge reports through a
// `call_inbox` implemented by the actor side; the actors command the edge through a
// `media_sink` implemented by the edge (every command posts to the shard and returns).
// The two `*_port` interfaces are the data plane's own: provider clients living on the
// same shard call them directly, on the shard's thread only.
#pragma once

#include "callengine/audio.hpp"
#include "callengine/call.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::runtime {
class shard;
}

namespace ce {

/// The edge's voice detector's verdict on the caller's speech. Detection runs once, at the
/// edge, on every frame; these events travel to the call's stt at the rate of speech.
struct caller_speech {
  enum class kind : std::uint8_t { started, stopped };
  kind what = kind::started;
  /// started: when the first voiced frame of the speech arrived; stopped: when the last
  /// voiced frame ended.
  time_point at;
  bool utterance = false;  ///< stopped: long enough to be speech (not a click or a cough)
  bool forced = false;     ///< stopped: cut at stt.max_utterance_ms (embedded recogniser)
};

/// What the edge's detector made of one caller frame.
enum class caller_voice : std::uint8_t {
  quiet,   ///< no speech under way
  voiced,  ///< a voiced frame (speech, or the frames of an onset being confirmed)
  pause,   ///< an unvoiced frame inside speech: a gap between words, or its end
};

/// Caller audio straight into a cloud recogniser's connection living on the call's shard.
/// Implemented by the provider client; called on the shard's thread only.
class caller_audio_port {
public:
  virtual ~caller_audio_port() = default;
  /// Queues one frame; `arrived`: when it arrived (maps the provider's stream time to the
  /// clock).
  virtual void write(std::span<const std::uint8_t> mulaw, caller_voice voice, time_point arrived) = 0;
};

/// Agent audio straight from a synthesiser's connection living on the call's shard.
/// Implemented by the edge; called on the shard's thread only.
class agent_audio_port {
public:
  virtual ~agent_audio_port() = default;
  /// Audio of the attempt `key` (announced by media_sink::begin_segment); dropped when
  /// the key is unknown or its generation was cleared.
  virtual void audio(std::uint64_t key, std::vector<std::uint8_t>&& mulaw) = 0;
  /// The attempt's audio is complete: its end mark.
  virtual void end(std::uint64_t key) = 0;
  /// Bytes of audio handed to playback so far, per live attempt (for a re-speak).
  virtual std::vector<std::pair<std::uint64_t, std::size_t>> progress() const = 0;
};

/// Characters of a segment's text heard after `bytes` of an attempt's audio that has no
/// word timings: the speaking-rate estimate from `char_base`, cut back to the start of a
/// word, never the whole text (the segment's end mark says that).
inline std::size_t estimated_heard_chars(std::string_view text, std::size_t char_base, std::size_t bytes,
                                         int ms_per_char) {
  const std::size_t per_char = static_cast<std::size_t>(ms_per_char > 0 ? ms_per_char : 1);
  std::size_t chars = char_base + (bytes / 8) / per_char;
  if (chars + 1 >= text.size()) chars = text.empty() ? 0 : text.size() - 1;
  while (chars > char_base && text[chars - 1] != ' ') --chars;
  return chars > char_base ? chars : char_base;
}

/// One attempt at speaking one segment (a sentence) of an agent turn.
struct speech_segment {
  std::uint64_t key = 0;         ///< unique per attempt within the call
  std::uint64_t generation = 0;
  std::uint32_t segment = 0;
  std::string text;              ///< the segment's whole text
  std::size_t char_base = 0;     ///< characters of `text` heard before this attempt
  /// > 0: the audio has no word timings (cloud voice); a mark's position in the text is
  /// estimated at this many ms of audio per character. 0: word starts come with the audio.
  int ms_per_char = 0;
};

/// A word start inside a piece of synthesised audio (embedded synthesiser).
struct word_start {
  std::size_t audio_offset = 0;  ///< bytes into the piece
  std::size_t text_offset = 0;   ///< characters into the attempt's text
};

/// The edge's side of one call, commanded by the actors. Every method may be called from
/// any thread and returns at once: it posts to the call's shard.
class media_sink {
public:
  virtual ~media_sink() = default;
  /// The shard that owns this call's sockets: the call's provider clients go there too.
  virtual runtime::shard& shard() = 0;

  // ---- agent speech ---------------------------------------------------------------------
  /// Announces an attempt before any of its audio. Marks are placed every tts.mark_every_ms
  /// of its audio (at a word start when words are known); Twilio echoes them as the caller
  /// hears them, which the edge reports per segment (call_inbox::segment_played) and, at a
  /// `clear`, as the position heard (call_inbox::speech_heard). Audio of a generation older
  /// than the last `clear` is dropped.
  virtual void begin_segment(speech_segment segment) = 0;
  /// Audio of an attempt from the embedded synthesiser, with its word starts; `last`: the
  /// attempt is complete after it.
  virtual void segment_audio(std::uint64_t key, mulaw_buffer audio, std::vector<word_start> words, bool last) = 0;
  /// The attempt is complete (its end mark), e.g. a re-spoken segment with nothing left.
  virtual void end_segment(std::uint64_t key) = 0;
  /// For a synthesiser client living on this call's shard: its audio goes here directly.
  virtual std::shared_ptr<agent_audio_port> agent_audio() = 0;
  /// Barge-in: drop queued audio and marks below `new_generation`, send Twilio `clear`, and
  /// report what the caller heard of the generation it ends (call_inbox::speech_heard).
  virtual void clear(std::uint64_t new_generation) = 0;
  /// End the stream: flush nothing more, close the WebSocket (Twilio then runs the
  /// <Connect action> URL, which asks the gateway how the call ended).
  virtual void close(end_reason why) = 0;

  // ---- caller audio ---------------------------------------------------------------------
  /// Where caller frames go: `port` (a recogniser client on this shard), or, when null,
  /// call_inbox::caller_audio in batches. `hand_over_speech`: first hand the audio of the
  /// speech in progress or just ended (from before its onset) to call_inbox::speech_audio
  /// (a failover to the embedded recogniser mid-sentence).
  virtual void route_caller_audio(std::shared_ptr<caller_audio_port> port, bool hand_over_speech) = 0;
};

/// The actors' side of one call, fed by the edge in wire order, from the shard's thread.
/// Every method returns at once (it sends a message).
class call_inbox {
public:
  virtual ~call_inbox() = default;
  // ---- caller audio, for the stt --------------------------------------------------------
  /// A batch of caller audio while it is routed to the actors (embedded recogniser).
  virtual void caller_audio(mulaw_buffer audio) = 0;
  /// The detector's events, after the audio they concern.
  virtual void caller_speech(caller_speech event) = 0;
  /// route_caller_audio's hand-over: the speech in progress (`in_progress`) or just ended.
  virtual void speech_audio(mulaw_buffer audio, bool in_progress) = 0;
  // ---- the Twilio stream, for the call_session ------------------------------------------
  virtual void dtmf(char digit) = 0;
  /// Twilio sent `stop`.
  virtual void stopped() = 0;
  /// The socket closed (after `stop`, on error, or after `media_sink::close`).
  virtual void closed() = 0;
  /// The first audio frame of `generation` left for Twilio at `at`.
  virtual void playback_started(std::uint64_t generation, time_point at) = 0;
  /// Twilio played the whole of the segment (its end mark came back). Marks stay at the
  /// edge: the actors hear of them per segment, not per mark.
  virtual void segment_played(std::uint64_t generation, std::uint32_t segment) = 0;
  /// The answer to a `clear` that ended `generation`: what the caller heard of it, up to
  /// `chars` characters of segment `segment` (`any` false: nothing).
  virtual void speech_heard(std::uint64_t generation, bool any, std::uint32_t segment, std::size_t chars) = 0;
};

/// Twilio's callback about an outbound call: call progress (`call_status`) or the
/// answering-machine verdict (`answered_by`).
struct outbound_call_event {
  std::string call_sid;
  std::string call_status;  ///< queued, initiated, ringing, in-progress, completed, busy, no-answer, failed, canceled; "" for AMD
  std::string answered_by;  ///< human, machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax, unknown
  std::optional<outbound_job_ref> job;  ///< from the callback URL the engine gave Twilio
};

/// Process-wide entry points of the actor side, used by the edge.
class call_gateway {
public:
  virtual ~call_gateway() = default;
  /// Webhook admission (reserves a slot until the stream starts). `reply` runs once,
  /// on some CAF thread.
  virtual void admit(admission_request req, std::function<void(admission_decision)> reply) = 0;
  /// A stream with a valid token started (called on the call's shard). Returns the call's
  /// inbox, or nullptr when the engine cannot take it (the edge then closes the socket).
  virtual std::shared_ptr<call_inbox> open(stream_start start, std::shared_ptr<media_sink> sink) = 0;
  /// Twilio asks, after the stream closed, what to do next (<Connect action>).
  virtual void after_stream(std::string call_sid,
                            std::function<void(std::optional<end_reason>)> reply) = 0;
  /// Live calls first, then recently ended ones (bounded history).
  virtual void list_calls(std::function<void(std::vector<call_record>)> reply) = 0;
  virtual void find_call(std::string call_sid,
                         std::function<void(std::optional<call_record>)> reply) = 0;
  /// Operator fault injection: kill the child `role` of a live call. Replies false
  /// when the call or role is unknown.
  virtual void kill_child(std::string call_sid, std::string role,
                          std::function<void(bool)> reply) = 0;
  /// A status or AMD callback of an outbound call: recorded on its job (any node may get
  /// it), and an AMD verdict goes to the live call.
  virtual void outbound_event(outbound_call_event event) = 0;
  /// Stop admitting, let live calls finish until `deadline_ms`, then end the rest.
  /// `done` runs once no call is live.
  virtual void drain(std::int64_t deadline_ms, std::function<void()> done) = 0;
};

} // namespace ce
