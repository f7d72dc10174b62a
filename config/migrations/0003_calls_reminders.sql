-- Call logs and per-turn transcripts (written when a call ends; upserts, so a retry after
-- an outage never duplicates), and the reminder jobs the scheduler claims.
CREATE TABLE call_logs (
  call_sid        text PRIMARY KEY,
  stream_sid      text,
  direction       text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  from_number     text,
  customer_id     bigint REFERENCES customers (id) ON DELETE SET NULL,
  started_at      timestamptz NOT NULL,
  duration_ms     bigint NOT NULL DEFAULT 0 CHECK (duration_ms >= 0),
  end_reason      text,
  barge_ins       integer NOT NULL DEFAULT 0,
  child_restarts  integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_logs_started_idx ON call_logs (started_at);
CREATE INDEX call_logs_customer_idx ON call_logs (customer_id);

CREATE TABLE call_turns (
  call_sid     text NOT NULL REFERENCES call_logs (call_sid) ON DELETE CASCADE,
  turn_index   integer NOT NULL CHECK (turn_index >= 0),
  speaker      text NOT NULL CHECK (speaker IN ('caller', 'agent')),
  text         text NOT NULL,
  heard        text NOT NULL DEFAULT '',
  interrupted  boolean NOT NULL DEFAULT false,
  latency_ms   bigint,
  at_ms        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (call_sid, turn_index)
);

CREATE TABLE reminder_jobs (
  id              bigserial PRIMARY KEY,
  appointment_id  bigint NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
  due_at          timestamptz NOT NULL,
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'claimed', 'done', 'failed', 'cancelled')),
  attempts        integer NOT NULL DEFAULT 0,
  claimed_by      text,
  claimed_at      timestamptz,
  outcome         text,
  call_sid        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (appointment_id, due_at)
);
CREATE INDEX reminder_jobs_due_idx ON reminder_jobs (due_at) WHERE state = 'pending';
