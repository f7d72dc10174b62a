#!/usr/bin/env python3
"""Helpers of bench/load_bench.sh: the configurations it launches with, the delays the
mocks are configured to add to one turn, and the report (bench/RESULTS.md + an SVG plot)
written from load_gen's per-level JSON files. Standard library only.

  load_bench.py mock-config OUT --reply TEXT --ttft MS --tps X --tts-ttfb MS [--greeting TEXT]
                [--min-silence MS] [--final-delay MS] [--line TEXT]... [--rules JSON]
  load_bench.py engine-config CONFIG_JSON --port P --max-calls N --providers mocks|embedded
                [--endpointing MS] [--patch JSON]
  load_bench.py delays ENGINE_CONFIG MOCK_CONFIG          -> JSON on stdout
  load_bench.py tool-lines MOCK_CONFIG                    -> indices of the caller lines answered
                                                             with a tool call, one a line
  load_bench.py report META_JSON LEVEL_JSON... --md OUT.md --svg OUT.svg
  load_bench.py ab-report META_JSON RUN_JSON... --md OUT.md
  load_bench.py breaking LEVEL_JSON [--p95-ms MS] [--failed-share F]  -> why the level breaks the
                                                             sweep (nothing when it does not)
"""
import json
import os
import sys


def split_text_pieces(text):
    """The OpenAI mock's token pieces (bench/mocks/openai_script.cpp split_text_pieces):
    leading spaces + up to 6 alphanumerics, or one other character."""
    out, i = [], 0
    while i < len(text):
        piece = ""
        while i < len(text) and text[i] == " ":
            piece += text[i]
            i += 1
        if i >= len(text):
            if piece:
                out.append(piece)
            break
        c = text[i]
        if c.isalnum() or ord(c) >= 0x80:
            n = 0
            while i < len(text) and n < 6 and (text[i].isalnum() or ord(text[i]) >= 0x80):
                piece += text[i]
                i += 1
                n += 1
        else:
            piece += c
            i += 1
        out.append(piece)
    return out


def first_sentence_piece_index(text):
    """Index of the piece that ends the first sentence ('.', '?' or '!')."""
    for k, p in enumerate(split_text_pieces(text)):
        if p.strip() in (".", "?", "!"):
            return k
    return len(split_text_pieces(text)) - 1


def arg(argv, name, default=None, many=False):
    vals = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == name]
    if many:
        return vals
    return vals[-1] if vals else default


# load_gen's default caller lines (bench/load/load_gen.cpp default_lines), in the order a call
# speaks them: turns 1-4, then the closing words of a barge-in into the last reply.
DEFAULT_LINES = ["how much are new tires", "what are your hours on saturday",
                 "can I bring my car in tomorrow morning", "could you tell me what an oil change costs",
                 "okay thanks that is all I needed"]


def cmd_mock_config(argv):
    out = argv[0]
    lines = arg(argv, "--line", many=True) or DEFAULT_LINES
    rules = json.loads(arg(argv, "--rules", "[]"))
    greeting = arg(argv, "--greeting")
    if greeting:
        # the engine asks the model for its greeting with the system prompt alone
        rules = [{"when": {"last_role": "system"}, "say": greeting}] + rules
    cfg = {
        "seed": 1,
        "log_limit": 2000,
        "record_bodies": False,
        "deepgram": {
            "stt": {
                # a call's Nth utterance is transcribed as its Nth line: the lines in the order
                # load_gen's calls speak them (turn k: line k, the closing words: line `turns`)
                "script": lines * 50,
                "min_silence_ms": int(arg(argv, "--min-silence", 100)),
                "final_delay_ms": int(arg(argv, "--final-delay", 0)),
                "idle_timeout_ms": 30000,
            },
            "tts": {"ttfb_ms": int(arg(argv, "--tts-ttfb", 100)), "ms_per_char": 65, "speed": 3.0},
        },
        "openai": {
            "ttft_ms": int(arg(argv, "--ttft", 250)),
            "tokens_per_second": float(arg(argv, "--tps", 80)),
            "default_text": arg(argv, "--reply"),
            "rules": rules,
        },
    }
    with open(out, "w") as f:
        json.dump(cfg, f, indent=2)


def cmd_engine_config(argv):
    path = argv[0]
    with open(path) as f:
        cfg = json.load(f)
    port = int(arg(argv, "--port"))
    cfg.setdefault("server", {})["port"] = port
    cfg["server"]["public_base_url"] = "http://127.0.0.1:%d" % port
    cfg.setdefault("calls", {})["max_concurrent_calls"] = int(arg(argv, "--max-calls"))
    endpointing = arg(argv, "--endpointing")
    if endpointing is not None and arg(argv, "--providers") == "mocks":
        cfg.setdefault("deepgram", {}).setdefault("stt", {})["endpointing_ms"] = int(endpointing)
    # The shipped threading (server.io_threads 0 = one per core, the provider clients on
    # those threads, CAF's sharing scheduler) is what is measured; ENGINE_CONFIG_PATCH
    # (--patch) tries others.
    if arg(argv, "--providers") == "mocks":
        cfg.setdefault("stt", {})["provider"] = "deepgram"
        cfg.setdefault("tts", {})["provider"] = "deepgram"
        cfg.setdefault("llm", {})["provider"] = "openai"
    else:
        for role in ("stt", "tts", "llm"):
            cfg.setdefault(role, {})["provider"] = "local"
    patch = arg(argv, "--patch")
    if patch:
        merge_patch(cfg, json.loads(patch))
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)


def merge_patch(target, patch):
    """RFC 7386 merge of `patch` into `target` (null deletes a key)."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_patch(target[key], value)
        else:
            target[key] = value


def delays(engine_cfg, mock_cfg):
    dg = engine_cfg.get("deepgram", {}).get("stt", {})
    endpointing = int(dg.get("endpointing_ms", 300))
    stt = mock_cfg["deepgram"]["stt"]
    tts = mock_cfg["deepgram"]["tts"]
    oa = mock_cfg["openai"]
    stt_ms = max(endpointing, stt.get("min_silence_ms", 100)) + stt.get("final_delay_ms", 0)
    # The mock sends the first piece at ttft, then one piece per 1/tps: the piece that ends
    # the first sentence (index k, so k + 1 pieces) arrives k / tps after the first one.
    k = first_sentence_piece_index(oa["default_text"])
    first_sentence_ms = k * 1000.0 / oa["tokens_per_second"]
    full_reply_ms = (len(split_text_pieces(oa["default_text"])) - 1) * 1000.0 / oa["tokens_per_second"]
    return {
        "stt_endpointing_ms": stt_ms,
        "llm_ttft_ms": oa["ttft_ms"],
        "llm_first_sentence_pieces": k + 1,
        "llm_tokens_per_second": oa["tokens_per_second"],
        "llm_first_sentence_stream_ms": round(first_sentence_ms, 1),
        "tts_ttfb_ms": tts["ttfb_ms"],
        "llm_full_reply_stream_ms": round(full_reply_ms, 1),
        "total_ms": round(stt_ms + oa["ttft_ms"] + first_sentence_ms + tts["ttfb_ms"], 1),
        # barge-in: the engine's own VAD declares speech after onset_ms of voiced audio; the
        # frame completing it leaves (onset_ms - 20) ms after the first voiced frame
        "barge_detect_ms": int(engine_cfg.get("stt", {}).get("vad", {}).get("onset_ms", 80)) - 20,
    }


def tool_lines(mock_cfg, lines):
    """Indices of the caller lines whose reply the OpenAI mock would start with a tool call
    (bench/mocks/openai_script.cpp rule_matches, for a user's line: last_role user or any,
    `contains` any of its parts, case-insensitively); load_gen leaves those turns out of the
    latency figure, since a tool call adds a second model request by design."""
    out = []
    for i, text in enumerate(lines):
        for r in mock_cfg.get("openai", {}).get("rules", []):
            when = r.get("when", {})
            if not r.get("tool_calls") or when.get("last_role", "user") != "user":
                continue
            if when.get("tool_result_for") or when.get("min_messages", 0) > 2:
                continue
            parts = when.get("contains", [])
            if parts and not any(p.lower() in text.lower() for p in parts):
                continue
            out.append(i)
            break
    return out


def cmd_tool_lines(argv):
    with open(argv[0]) as f:
        m = json.load(f)
    script = m.get("deepgram", {}).get("stt", {}).get("script", [])
    seen, lines = set(), []
    for line in script:  # the lines once, in order (the script repeats them)
        text = line if isinstance(line, str) else line.get("text", "")
        if text in seen:
            break
        seen.add(text)
        lines.append(text)
    for i in tool_lines(m, lines):
        print(i)


def cmd_delays(argv):
    with open(argv[0]) as f:
        e = json.load(f)
    with open(argv[1]) as f:
        m = json.load(f)
    print(json.dumps(delays(e, m)))


# ------------------------------------------------------------------------------ report

def num(v, prec=0):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    return ("%." + str(prec) + "f") % v


def g(d, *path, default=None):
    for p in path:
        if not isinstance(d, dict) or p not in d or d[p] is None:
            return default
        d = d[p]
    return d


def svg_plot(levels, meta):
    """Two panels: turn latency p50/p95 (and engine-added p95) and engine CPU-s per
    call-minute, against concurrent calls."""
    W, H = 900, 420
    pw, ph = 360, 280
    panels = [(70, 60), (520, 60)]
    xs = [lv["calls"] for lv in levels]
    xmax = max(xs) * 1.08 if xs else 1
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">' % (W, H, W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="16" text-anchor="middle">%s</text>' % (W // 2, esc(meta.get("title", "Load benchmark")))]

    def axes(ox, oy, ymax, ylabel, title):
        out.append('<text x="%d" y="%d" font-size="13" text-anchor="middle">%s</text>' % (ox + pw // 2, oy - 12, esc(title)))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (ox, oy, pw, ph))
        for i in range(6):
            y = oy + ph - ph * i / 5
            val = ymax * i / 5
            out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (ox, y, ox + pw, y))
            out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (ox - 6, y + 4, fmt_tick(val)))
        for x in xs:
            px = ox + pw * x / xmax
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>' % (px, oy, px, oy + ph))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (px, oy + ph + 16, x))
        out.append('<text x="%d" y="%d" text-anchor="middle">concurrent calls</text>' % (ox + pw // 2, oy + ph + 34))
        out.append('<text x="%d" y="%d" text-anchor="middle" transform="rotate(-90 %d %d)">%s</text>'
                   % (ox - 48, oy + ph // 2, ox - 48, oy + ph // 2, esc(ylabel)))

    def series(ox, oy, ymax, pts, color, label, li, dash=""):
        pts = [(x, y) for x, y in pts if y is not None and y >= 0]
        if not pts:
            return
        coords = ["%.1f,%.1f" % (ox + pw * x / xmax, oy + ph - ph * min(y, ymax) / ymax) for x, y in pts]
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>'
                   % (" ".join(coords), color, ' stroke-dasharray="%s"' % dash if dash else ""))
        for c in coords:
            cx, cy = c.split(",")
            out.append('<circle cx="%s" cy="%s" r="3" fill="%s"/>' % (cx, cy, color))
        ly = oy + 14 + li * 16
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (ox + 8, ly - 4, ox + 28, ly - 4, color, ' stroke-dasharray="%s"' % dash if dash else ""))
        out.append('<text x="%d" y="%d">%s</text>' % (ox + 32, ly, esc(label)))

    lat50 = [(lv["calls"], g(lv, "turn_ms", "p50")) for lv in levels]
    lat95 = [(lv["calls"], g(lv, "turn_ms", "p95")) for lv in levels]
    add95 = [(lv["calls"], g(lv, "engine_added_ms", "p95")) for lv in levels]
    lmax = max([y for _, y in lat50 + lat95 + add95 if y is not None] + [1]) * 1.15
    ox, oy = panels[0]
    axes(ox, oy, nice(lmax), "milliseconds", "Turn latency (caller side)")
    series(ox, oy, nice(lmax), lat50, "#1f77b4", "p50", 0)
    series(ox, oy, nice(lmax), lat95, "#d62728", "p95", 1)
    if meta.get("mock_delay_ms", 0) > 0:
        series(ox, oy, nice(lmax), add95, "#2ca02c", "p95 engine-added", 2, "5,3")

    cpu = [(lv["calls"], g(lv, "steady", "engine_cpu_s_per_call_minute")) for lv in levels]
    cmax = max([y for _, y in cpu if y is not None] + [0.001]) * 1.15
    ox, oy = panels[1]
    axes(ox, oy, nice(cmax), "CPU-seconds per call-minute", "Engine CPU per call-minute")
    series(ox, oy, nice(cmax), cpu, "#9467bd", "engine", 0)
    goal = 0.03
    if goal <= nice(cmax):
        gy = oy + ph - ph * goal / nice(cmax)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ff7f0e" stroke-dasharray="6,4"/>' % (ox, gy, ox + pw, gy))
        out.append('<text x="%d" y="%.1f" text-anchor="end" fill="#ff7f0e">goal 0.03</text>' % (ox + pw - 4, gy - 4))
    out.append('<text x="%d" y="%d" font-size="11" fill="#555">%s</text>' % (70, H - 12, esc(meta.get("footnote", ""))))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def nice(v):
    import math
    if v <= 0:
        return 1
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if v <= m * e:
            return m * e
    return 10 * e


def fmt_tick(v):
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return "%d" % round(v)
    if abs(v) >= 1:
        return ("%.1f" % v).rstrip("0").rstrip(".")
    return ("%.4f" % v).rstrip("0").rstrip(".")


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def level_at(levels, calls):
    for lv in levels:
        if lv["calls"] == calls:
            return lv
    return None


def breaking_reasons(lv, p95_limit_ms, failed_share=0.0):
    """Why a level breaks the sweep (empty when it does not): failed calls, turns without a
    reply, missed barge-ins, engine-added p95 (turn p95 when no floor is known) over the limit."""
    out = []
    calls_placed = max(1, lv.get("calls_placed", lv["calls"]))
    if lv["failed"] > 0 and lv["failed"] / calls_placed > failed_share:
        out.append("%d failed calls" % lv["failed"])
    if lv.get("turns_no_reply", 0) > 0:
        out.append("%d turns without a reply" % lv["turns_no_reply"])
    if lv.get("barge_missed", 0) > 0:
        out.append("%d missed barge-ins" % lv["barge_missed"])
    floor = g(lv, "config", "mock_delay_ms", default=0) or 0
    p95 = g(lv, "engine_added_ms", "p95") if floor > 0 else g(lv, "turn_ms", "p95")
    if p95 is not None and p95 > p95_limit_ms:
        out.append("%s p95 %.0f ms (limit %.0f ms)" % ("engine-added" if floor > 0 else "turn latency", p95, p95_limit_ms))
    return out


def cmd_breaking(argv):
    with open(argv[0]) as f:
        lv = json.load(f)
    r = breaking_reasons(lv, float(arg(argv, "--p95-ms", 1000)), float(arg(argv, "--failed-share", 0)))
    if r:
        print("; ".join(r))


def clean(lv, meta):
    """A level that meets the issue's latency and correctness goals."""
    return (lv["failed"] == 0 and lv.get("turns_no_reply", 0) == 0 and lv.get("barge_missed", 0) == 0
            and g(lv, "engine_added_ms", "p95") is not None and g(lv, "engine_added_ms", "p95") < 20
            and (g(lv, "barge_clear_ms", "p95") is None or g(lv, "barge_clear_ms", "p95") < 100))


def goals_text(levels, meta):
    """What issue 11's goals say about these numbers."""
    if not levels:
        return []
    out = []
    if meta.get("stopped_at"):
        out.append("- The sweep stopped after %s calls (%s); levels planned: %s."
                   % (meta["stopped_at"], meta.get("stop_reason") or "a breaking level", meta.get("levels_planned")))
    if meta.get("mock_delay_ms", 0) > 0:
        ok = [lv for lv in levels if clean(lv, meta)]
        out.append("- Highest level with engine-added p95 < 20 ms, barge-in p95 < 100 ms, no failed call, no turn "
                   "without a reply and no missed barge-in: %s (goal: at least 600; %s)."
                   % ("**%d calls**" % ok[-1]["calls"] if ok else "none",
                      "met" if ok and ok[-1]["calls"] >= 600 else "missed"))
        for lv in levels:
            if not clean(lv, meta):
                why = breaking_reasons(lv, 20)
                b95 = g(lv, "barge_clear_ms", "p95")
                if b95 is not None and b95 >= 100:
                    why.append("barge-in p95 %.0f ms" % b95)
                out.append("- First level that misses it: %d calls (%s)." % (lv["calls"], "; ".join(why) or "?"))
                break
    for calls in (300, 600):
        lv = level_at(levels, calls)
        cpu = g(lv, "steady", "engine_cpu_s_per_call_minute") if lv else None
        if cpu is None:
            out.append("- Engine CPU at %d calls: not measured in this run (goal ≤ 0.03 CPU-s per call-minute)." % calls)
        else:
            out.append("- Engine CPU at %d calls: %.4f CPU-s per call-minute (goal ≤ 0.03; %s)."
                       % (calls, cpu, "met" if cpu <= 0.03 else "missed: %.1f× the goal" % (cpu / 0.03)))
    lv = level_at(levels, 600)
    rss = g(lv, "steady", "engine_rss_kb_per_call") if lv else None
    if rss is None:
        out.append("- RSS per call at 600 calls: not measured in this run (goal ≤ 100 KB).")
    else:
        out.append("- RSS per call at 600 calls: %.0f KB (goal ≤ 100 KB; %s)."
                   % (rss, "met" if rss <= 100 else "missed by %.0f KB" % (rss - 100)))
    lv = level_at(levels, 50)
    p50 = g(lv, "engine_added_ms", "p50") if lv else None
    if meta.get("mock_delay_ms", 0) > 0:
        if p50 is None:
            out.append("- Engine-added p50 at 50 calls: not measured in this run (goal < 10 ms).")
        else:
            out.append("- Engine-added p50 at 50 calls: %.0f ms (goal < 10 ms; %s)."
                       % (p50, "met" if p50 < 10 else "missed by %.0f ms" % (p50 - 10)))
    d = meta.get("delays") or {}
    low = g(levels[0], "engine_added_ms", "p50")
    if d.get("llm_full_reply_stream_ms") and low is not None:
        rest = d["llm_full_reply_stream_ms"] - d["llm_first_sentence_stream_ms"]
        out.append("- First sentence to TTS as soon as it is complete: at %d calls the engine-added p50 is %.0f ms, "
                   "while the rest of the reply takes %.0f ms more to stream from the LLM mock; %s."
                   % (levels[0]["calls"], low, rest,
                      "so speech starts before the reply is complete" if low < rest
                      else "speech may wait for the whole reply"))
    pts = [(lv["calls"], g(lv, "steady", "engine_cpu_share")) for lv in levels
           if lv["failed"] == 0 and g(lv, "steady", "engine_cpu_share") is not None]
    if len(pts) >= 2:
        n = len(pts)
        mx = sum(x for x, _ in pts) / n
        my = sum(y for _, y in pts) / n
        sxx = sum((x - mx) ** 2 for x, _ in pts)
        if sxx > 0:
            slope = sum((x - mx) * (y - my) for x, y in pts) / sxx
            out.append("- Marginal engine CPU (least-squares slope of engine cores against calls over the levels "
                       "without failed calls): %.4f CPU-s per call-minute, intercept %.2f cores."
                       % (slope * 60, my - slope * mx))
    for lv in levels:
        late = g(lv, "generator", "tick_late_ms", "p99")
        cores = g(lv, "generator", "cpu_share_window", default=g(lv, "generator", "cpu_share_total"))
        busy = g(lv, "steady", "machine_busy")
        if late is None or cores is None:
            continue
        verdict = "on time" if late < 5 else "LATE: the generator or the machine was saturated"
        out.append("- Load generator at %d calls: %.2f cores, tick lateness p99 %.2f ms (%s)%s." % (
            lv["calls"], cores, late, verdict,
            "" if busy is None else "; machine %.0f%% busy over the window" % (busy * 100)))
    return out


def pct(v):
    return "-" if v is None else "%.0f%%" % (v * 100)


def level_rows(levels):
    """The per-level table, shared by the sweep's report and the A/B table."""
    rows = []
    for lv in levels:
        st = lv.get("steady") or {}
        rows.append([
            "%d / %d" % (lv.get("calls_placed", lv["calls"]), lv["failed"]),
            "%d / %d" % (lv.get("turns", g(lv, "turn_ms", "n", default=0)), lv.get("turns_no_reply", 0)),
            "%d / %d" % (lv.get("barge_ins", g(lv, "barge_clear_ms", "n", default=0)), lv.get("barge_missed", 0)),
            "%s / %s / %s" % (num(g(lv, "engine_added_ms", "p50")), num(g(lv, "engine_added_ms", "p95")),
                              num(g(lv, "engine_added_ms", "p99"))),
            "%s / %s" % (num(g(lv, "barge_clear_ms", "p50")), num(g(lv, "barge_clear_ms", "p95"))),
            num(st.get("engine_cpu_s_per_call_minute"), 4),
            num(st.get("engine_rss_kb_per_call"), 1),
            pct(st.get("machine_busy")),
            "%s / %s" % (num(g(lv, "generator", "cpu_share_window", default=g(lv, "generator", "cpu_share_total")), 2),
                         num(g(lv, "generator", "tick_late_ms", "p99"), 2)),
        ])
    return rows


LEVEL_HEADER = ("calls placed / failed | turns / without reply | barge-ins / missed | "
                "engine-added p50 / p95 / p99 ms | barge-in → clear p50 / p95 ms | engine CPU-s per call-min | "
                "RSS per call KB | machine busy | generator cores / tick late p99 ms")
LEVEL_ALIGN = "---|---|---|---|---|---:|---:|---:|---|"


def definitions(meta):
    return ("Calls: N phone lines call again and again (each call: greeting, %s caller turns, hang-up, the next "
            "call at once); placed = calls started in the level, failed = calls that failed (a webhook or stream "
            "error, the engine closing the stream, no greeting / reply / clear within %s s); calls still running "
            "at the level's end are hung up and not counted as failed. Turn latency: end of the caller's speech "
            "(last 20 ms frame above -40 dBFS, the mock STT's speech threshold, sent) → first agent media frame "
            "of the reply received; engine-added = turn latency − the mocks' floor above%s. A turn without reply: "
            "no agent audio within %s s of the end of the speech (its latency still counts if a reply comes "
            "before the answer timeout). Barge-in: first voiced frame (above -45 dBFS, the engine's VAD floor) of "
            "the interrupting speech sent → `clear` received; missed = no `clear` within %s s. CPU and RSS: "
            "/proc/<engine pid> over the steady window (%s s after the ramp and %s s of settling, every line "
            "calling); RSS per call = (RSS mid-window − RSS of the idle engine after a 2-call warm-up) / live "
            "calls (the mean of the streams up, sampled every 0.5 s). Machine busy: both cores, /proc/stat over "
            "the steady window. Generator: load_gen's own CPU over the window (cores) and how late its 5 ms "
            "ticks ran.\n"
            % (meta.get("turns", 4), meta.get("answer_timeout_s", 15), meta.get("tool_note", ""),
               meta.get("no_reply_s", 8), meta.get("barge_miss_s", 2), meta.get("window_s", 60),
               meta.get("settle_s", 3)))


def cmd_report(argv):
    meta_path = argv[0]
    level_paths = [a for a in argv[1:] if not a.startswith("--")
                   and a not in (arg(argv, "--md"), arg(argv, "--svg"), arg(argv, "--notes"))]
    with open(meta_path) as f:
        meta = json.load(f)
    levels = []
    for p in level_paths:
        with open(p) as f:
            lv = json.load(f)
        levels.append(lv)
    levels.sort(key=lambda lv: lv["calls"])
    md = []
    md.append("# Load benchmark results\n")
    md.append("%s\n" % meta.get("note", ""))
    md.append("- Date: %s" % meta.get("date"))
    md.append("- Commit: `%s`%s" % (meta.get("commit"), " (work tree with uncommitted changes)" if meta.get("dirty") else ""))
    md.append("- Machine: %s, %s cores, %s GB RAM; the engine, the mocks and the load generator "
              "share it" % (meta.get("cpu_model"), meta.get("cores"), meta.get("ram_gb")))
    md.append("- Providers: %s" % meta.get("providers_text"))
    md.append("- Engine: %s" % meta.get("engine_text"))
    md.append("- Calls: %s" % meta.get("calls_text"))
    if meta.get("delays"):
        d = meta["delays"]
        md.append("- Mock floor per turn (subtracted for \"engine-added\"): STT endpointing %s ms + LLM time to "
                  "first token %s ms + first sentence streamed (%s pieces at %s tokens/s: %s ms) + TTS first byte "
                  "%s ms = **%s ms**; barge-in detection %s ms (the engine's VAD onset, 80 ms of speech, completes "
                  "with the frame sent 60 ms after the first voiced one)"
                  % (d["stt_endpointing_ms"], d["llm_ttft_ms"], d.get("llm_first_sentence_pieces", "?"),
                     num(d.get("llm_tokens_per_second")), d["llm_first_sentence_stream_ms"], d["tts_ttfb_ms"],
                     d["total_ms"], d["barge_detect_ms"]))
    if meta.get("tool_text"):
        md.append("- Tool calls: %s" % meta["tool_text"])
    md.append("- Command: `%s`\n" % meta.get("command"))

    md.append("## Per level\n")
    md.append("| calls | " + LEVEL_HEADER + " |")
    md.append("|---:|" + LEVEL_ALIGN)
    for lv, row in zip(levels, level_rows(levels)):
        md.append("| %d | %s |" % (lv["calls"], " | ".join(row)))
    md.append("")
    md.append(definitions(meta))
    breaking = [(lv["calls"], breaking_reasons(lv, meta.get("stop_p95_ms", 1000), meta.get("stop_failed_share", 0)))
                for lv in levels]
    breaking = [(c, r) for c, r in breaking if r]
    if breaking:
        md.append("Breaking levels (the sweep stops after the first): %s.\n"
                  % "; ".join("%d calls: %s" % (c, ", ".join(r)) for c, r in breaking))

    md.append("## More per level\n")
    md.append("| calls | live calls (mean) | turn p50 / p95 / p99 ms | greeting p50 ms | barge-in engine share p95 ms | "
              "calls with all turns / cut at the end | tool-call turns (left out) | engine cores | mocks cores |")
    md.append("|---:|---:|---|---:|---:|---|---:|---:|---:|")
    for lv in levels:
        st = lv.get("steady") or {}
        md.append("| %d | %s | %s / %s / %s | %s | %s | %s / %s | %s | %s | %s |" % (
            lv["calls"], num(st.get("live_calls_mean"), 1),
            num(g(lv, "turn_ms", "p50")), num(g(lv, "turn_ms", "p95")), num(g(lv, "turn_ms", "p99")),
            num(g(lv, "greeting_ms", "p50")), num(g(lv, "barge_engine_ms", "p95")),
            num(lv.get("calls_with_all_turns")), num(lv.get("cut_at_level_end")),
            g(lv, "tool_turn_ms", "n", default=0), num(st.get("engine_cpu_share"), 2),
            num(st.get("mocks_cpu_share", g(lv, "bench", "mocks_cpu_share")), 2)))
    md.append("")

    failures = [(lv["calls"], lv.get("failures", {})) for lv in levels if lv.get("failures")]
    if failures:
        md.append("## Failed calls\n")
        for calls, f in failures:
            md.append("- %d calls: %s" % (calls, "; ".join("%d × %s" % (v, k) for k, v in f.items())))
        md.append("")

    top = None
    for lv in levels:
        if g(lv, "steady", "engine_threads"):
            top = lv
    if top:
        md.append("## Engine threads at the highest level (%d calls, steady window)\n" % top["calls"])
        md.append("| thread (name) | threads | cores |")
        md.append("|---|---:|---:|")
        for t in top["steady"]["engine_threads"]:
            if t["cores"] >= 0.0005:
                md.append("| %s | %d | %.3f |" % (t["thread"], t["count"], t["cores"]))
        md.append("| **engine** | | **%s** |" % num(g(top, "steady", "engine_cpu_share"), 3))
        md.append("")
        md.append("Machine %s busy over the window; the load generator %s cores, the mocks %s cores.\n" % (
            pct(g(top, "steady", "machine_busy")),
            num(g(top, "generator", "cpu_share_window"), 2),
            num(g(top, "steady", "mocks_cpu_share", default=g(top, "bench", "mocks_cpu_share")), 2)))

    md.append("## Engine threads, every level (steady window)\n")
    md.append("Cores used by the engine's threads, by thread name (count × name: cores).\n")
    for lv in levels:
        th = g(lv, "steady", "engine_threads", default=[]) or []
        if th:
            md.append("- %d calls: %s" % (lv["calls"], ", ".join(
                "%d × %s: %.3f" % (t["count"], t["thread"], t["cores"]) for t in th if t["cores"] >= 0.001)))
    md.append("")

    md.append("## Where the engine's CPU goes (steady window)\n")
    md.append("Kernel share: system time (stime) of the engine over its CPU time, i.e. system calls (socket reads "
              "and writes to the Twilio connections and the providers, epoll, futex), the loopback network stack "
              "they run and scheduling; the rest is the engine's own code. Context switches: voluntary + "
              "involuntary, summed over the engine's threads (/proc/<pid>/task/*/status).\n")
    md.append("| calls | engine CPU-s per call-min | of which in the kernel | kernel share | context switches per call-second |")
    md.append("|---:|---:|---:|---:|---:|")
    for lv in levels:
        st = lv.get("steady") or {}
        md.append("| %d | %s | %s | %s | %s |" % (
            lv["calls"], num(st.get("engine_cpu_s_per_call_minute"), 4),
            num(st.get("engine_kernel_cpu_s_per_call_minute"), 4),
            "-" if st.get("engine_kernel_share") is None else "%.0f%%" % (st["engine_kernel_share"] * 100),
            num(st.get("engine_ctx_switches_per_call_s"), 1)))
    md.append("")

    md.append("## Actor mailbox depths (steady window)\n")
    md.append("Mean depth seen when a message is handled / p99 bucket bound / deepest since start, per actor role.\n")
    roles = sorted({r for lv in levels for r in (g(lv, "steady", "mailbox", default={}) or {}).keys()})
    if roles:
        md.append("| calls | " + " | ".join(roles) + " |")
        md.append("|---:|" + "---|" * len(roles))
        for lv in levels:
            mb = g(lv, "steady", "mailbox", default={}) or {}
            cells = []
            for r in roles:
                m = mb.get(r)
                cells.append("-" if not m else "%.2f / %s / %s" % (m["mean"], m["p99_le"], num(m["max_since_start"])))
            md.append("| %d | %s |" % (lv["calls"], " | ".join(cells)))
        md.append("")

    goals = goals_text(levels, meta)
    if goals:
        md.append("## Goals (issue 11) against the measurements\n")
        md.extend(goals)
        md.append("")

    prof = [lv for lv in levels if lv.get("profile")]
    if prof:
        top = prof[-1]
        md.append("## Engine profile at %d calls\n" % top["calls"])
        md.append("`perf record -F 499 -g -p <engine>` for 10 s in the steady window; flat, by DSO and symbol "
                  "(symbols at 0.7% or more):\n")
        md.append("```")
        md.append(top["profile"].rstrip())
        md.append("```\n")

    md.append("## The load generator\n")
    md.append("One io_context thread per `--threads`, one timer per thread ticking every %s ms; each phone line "
              "owns one of the phase slots and its call sends its 20 ms frame on that slot, from audio synthesised "
              "once and base64-encoded once per frame (shared by all calls); engine frames are scanned, not parsed "
              "into a tree. Its own CPU and how late its ticks ran are in the table: a p99 lateness of a few ms "
              "means frames went out on time.\n" % meta.get("slot_ms", 5))
    if meta.get("closing"):
        md.append("## Notes\n")
        md.append(meta["closing"] + "\n")
    md.append("![latency and CPU against concurrent calls](results.svg)\n")
    # the hand-written analysis (what changed, experiments, the kernel's floor) lives in its own
    # file so that a new sweep rewrites the figures and keeps the reasoning
    notes = arg(argv, "--notes")
    if notes and os.path.exists(notes):
        with open(notes) as f:
            md.append(f.read().rstrip() + "\n")
    with open(arg(argv, "--md"), "w") as f:
        f.write("\n".join(md))
    with open(arg(argv, "--svg"), "w") as f:
        f.write(svg_plot(levels, meta))


def cmd_ab_report(argv):
    """One table of an A/B run: the two builds at the same levels, alternately, rows labelled
    with each build's commit."""
    meta_path = argv[0]
    paths = [a for a in argv[1:] if not a.startswith("--") and a != arg(argv, "--md")]
    with open(meta_path) as f:
        meta = json.load(f)
    runs = []
    for p in paths:
        with open(p) as f:
            runs.append(json.load(f))
    runs.sort(key=lambda r: (r["calls"], r.get("ab", {}).get("seq", 0)))
    md = ["# Same-day A/B: %s against %s\n" % (meta.get("label_new"), meta.get("label_old"))]
    md.append("%s\n" % meta.get("note", ""))
    md.append("- Date: %s" % meta.get("date"))
    md.append("- Builds: **%s** = `%s` (%s); **%s** = `%s` (%s). Each run starts that build's engine with its "
              "own source tree's `config/engine.json` (patched the same way), warms it up with 2 calls, runs "
              "one level and stops it; the runs alternate (%s)."
              % (meta.get("label_old"), meta.get("dir_old"), meta.get("src_old"), meta.get("label_new"),
                 meta.get("dir_new"), meta.get("src_new"), meta.get("order_text", "")))
    md.append("- Machine: %s, %s cores; the engine, the mocks and the load generator share it"
              % (meta.get("cpu_model"), meta.get("cores")))
    md.append("- Providers: %s" % meta.get("providers_text"))
    md.append("- Engine: %s" % meta.get("engine_text"))
    md.append("- Calls: %s" % meta.get("calls_text"))
    if meta.get("delays"):
        md.append("- Mock floor per turn (subtracted for \"engine-added\"): **%s ms**" % meta["delays"]["total_ms"])
    md.append("- Command: `%s`\n" % meta.get("command"))
    md.append("| calls | build | run | " + LEVEL_HEADER + " |")
    md.append("|---:|---|---:|" + LEVEL_ALIGN)
    for r, row in zip(runs, level_rows(runs)):
        ab = r.get("ab", {})
        md.append("| %d | %s | %s | %s |" % (r["calls"], ab.get("label", "?"), ab.get("seq", ""), " | ".join(row)))
    md.append("")
    # per level: the means of each build and the ratio new/old
    md.append("Means per level (%s / %s):\n" % (meta.get("label_new"), meta.get("label_old")))
    for calls in sorted({r["calls"] for r in runs}):
        def mean(role, *path):
            v = [g(r, *path) for r in runs if r["calls"] == calls and r.get("ab", {}).get("role") == role]
            v = [x for x in v if x is not None]
            return sum(v) / len(v) if v else None
        parts = []
        for name, path, prec in (("engine CPU-s per call-min", ("steady", "engine_cpu_s_per_call_minute"), 4),
                                 ("RSS per call KB", ("steady", "engine_rss_kb_per_call"), 1),
                                 ("engine-added p95 ms", ("engine_added_ms", "p95"), 0),
                                 ("barge-in p95 ms", ("barge_clear_ms", "p95"), 0)):
            o, n = mean("old", *path), mean("new", *path)
            if o is None or n is None:
                continue
            parts.append("%s %s / %s%s" % (name, num(n, prec), num(o, prec),
                                           " (%.2f×)" % (n / o) if o else ""))
        md.append("- %d calls: %s" % (calls, "; ".join(parts) or "-"))
    md.append("")
    md.append(definitions(meta))
    with open(arg(argv, "--md"), "w") as f:
        f.write("\n".join(md))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "mock-config":
        cmd_mock_config(argv)
    elif cmd == "engine-config":
        cmd_engine_config(argv)
    elif cmd == "delays":
        cmd_delays(argv)
    elif cmd == "breaking":
        cmd_breaking(argv)
    elif cmd == "tool-lines":
        cmd_tool_lines(argv)
    elif cmd == "ab-report":
        cmd_ab_report(argv)
    elif cmd == "report":
        cmd_report(argv)
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main())
