-- Outbound calls: reminder and follow-up jobs, every attempt of a job, and do-not-call.
--
-- A job is created once per (kind, appointment): a reminder for a booked appointment, a
-- follow-up for a completed one. Nodes claim due jobs with FOR UPDATE SKIP LOCKED; each
-- attempt is its own row, keyed by the job and the attempt number, so a job can never be
-- dialled twice for one attempt.

ALTER TABLE customers
  ADD COLUMN do_not_call     boolean NOT NULL DEFAULT false,
  ADD COLUMN do_not_call_at  timestamptz,
  ADD COLUMN do_not_call_via text;  -- the call SID, or 'keypad:<sid>', that opted out

ALTER TABLE reminder_jobs DROP CONSTRAINT reminder_jobs_state_check;
ALTER TABLE reminder_jobs DROP CONSTRAINT reminder_jobs_appointment_id_due_at_key;
ALTER TABLE reminder_jobs
  ADD COLUMN kind             text NOT NULL DEFAULT 'reminder' CHECK (kind IN ('reminder', 'followup')),
  ADD COLUMN customer_id      bigint REFERENCES customers (id) ON DELETE CASCADE,
  -- a reminder is pointless once its appointment has begun; a follow-up has a day or so
  ADD COLUMN not_after        timestamptz,
  ADD COLUMN last_status      text,  -- the last attempt's Twilio call status
  ADD COLUMN rating           integer CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
  ADD COLUMN feedback         text,
  ADD COLUMN callback_wanted  boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT reminder_jobs_state_check
    CHECK (state IN ('pending', 'claimed', 'calling', 'done', 'failed', 'cancelled')),
  ADD CONSTRAINT reminder_jobs_once UNIQUE (kind, appointment_id);

CREATE TABLE reminder_attempts (
  job_id       bigint NOT NULL REFERENCES reminder_jobs (id) ON DELETE CASCADE,
  attempt      integer NOT NULL CHECK (attempt >= 1),
  node         text NOT NULL,
  dialled      text NOT NULL,         -- the number actually called (the test number in test mode)
  call_sid     text UNIQUE,           -- Twilio's, once the REST call answered
  status       text NOT NULL DEFAULT 'placing',
  answered_by  text,                  -- asynchronous AMD: human, machine_end_beep, fax, unknown ...
  outcome      text,
  error        text,
  placed_at    timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz,
  PRIMARY KEY (job_id, attempt)
);

-- the scheduler's own bookkeeping: the day it last created jobs for, per kind
CREATE TABLE scheduler_runs (
  kind       text NOT NULL,
  shop_day   date NOT NULL,
  node       text NOT NULL,
  created    integer NOT NULL DEFAULT 0,
  ran_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, shop_day)
);
