-- Appointments. Double-booking a bay is impossible at the database level: among active
-- appointments (booked, confirmed) no two on the same bay may overlap in time.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE appointments (
  id                   bigserial PRIMARY KEY,
  customer_id          bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  vehicle_id           bigint REFERENCES vehicles (id) ON DELETE SET NULL,
  service_type         text NOT NULL,
  starts_at            timestamptz NOT NULL,
  ends_at              timestamptz NOT NULL,
  bay                  integer NOT NULL CHECK (bay >= 1),
  status               text NOT NULL DEFAULT 'booked'
                       CHECK (status IN ('booked', 'confirmed', 'completed', 'cancelled', 'no_show')),
  confirmation_code    text NOT NULL UNIQUE,
  reminder_state       text NOT NULL DEFAULT 'pending'
                       CHECK (reminder_state IN ('pending', 'scheduled', 'called', 'confirmed', 'failed', 'skipped')),
  calendar_event_id    text,
  created_by_call_sid  text,
  updated_by_call_sid  text,
  idempotency_key      text UNIQUE,
  notes                text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
    bay WITH =,
    tstzrange(starts_at, ends_at) WITH &&
  ) WHERE (status IN ('booked', 'confirmed'))
);
CREATE INDEX appointments_customer_idx ON appointments (customer_id, starts_at);
CREATE INDEX appointments_starts_at_idx ON appointments (starts_at);
CREATE INDEX appointments_vehicle_idx ON appointments (vehicle_id);

CREATE TABLE service_history (
  id              bigserial PRIMARY KEY,
  vehicle_id      bigint NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
  appointment_id  bigint REFERENCES appointments (id) ON DELETE SET NULL,
  service_type    text NOT NULL,
  performed_on    date NOT NULL,
  mileage         integer CHECK (mileage IS NULL OR mileage >= 0),
  description     text NOT NULL DEFAULT '',
  cost_cents      integer CHECK (cost_cents IS NULL OR cost_cents >= 0),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_history_vehicle_idx ON service_history (vehicle_id, performed_on DESC);
