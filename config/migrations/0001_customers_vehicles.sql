-- Customers and their vehicles. Phones are stored in E.164 (+15555550123); the store
-- normalises every number before it reaches SQL.
CREATE TABLE customers (
  id                 bigserial PRIMARY KEY,
  first_name         text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
  last_name          text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
  phone              text CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
  email              text CHECK (email IS NULL OR position('@' IN email) > 1),
  date_of_birth      date CHECK (date_of_birth IS NULL OR date_of_birth > DATE '1900-01-01'),
  zip                text CHECK (zip IS NULL OR zip ~ '^[0-9]{5}(-[0-9]{4})?$'),
  address            text,
  preferred_contact  text NOT NULL DEFAULT 'phone'
                     CHECK (preferred_contact IN ('phone', 'sms', 'email')),
  consent_sms        boolean NOT NULL DEFAULT false,
  consent_calls      boolean NOT NULL DEFAULT false,
  consent_email      boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
-- One customer record per phone number: caller ID finds exactly one person.
CREATE UNIQUE INDEX customers_phone_key ON customers (phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_last_name_idx ON customers (lower(last_name));

CREATE TABLE vehicles (
  id                 bigserial PRIMARY KEY,
  customer_id        bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  vin                text NOT NULL UNIQUE CHECK (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
  make               text NOT NULL,
  model              text NOT NULL,
  year               integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  mileage            integer CHECK (mileage IS NULL OR mileage >= 0),
  last_service_date  date,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vehicles_customer_idx ON vehicles (customer_id);
-- "the last six of the VIN" is how callers verify themselves.
CREATE INDEX vehicles_vin_last6_idx ON vehicles (right(vin, 6));
