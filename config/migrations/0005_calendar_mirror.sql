-- Google Calendar mirror state: the `updated_at` of the appointment version last mirrored
-- to the shop calendar. An appointment whose change is newer than its mirror (or never
-- mirrored) is picked up again by the reconcile pass at start, so nothing is lost when
-- Google or the engine was down.
ALTER TABLE appointments ADD COLUMN calendar_synced_at timestamptz;
CREATE INDEX appointments_calendar_pending_idx ON appointments (starts_at)
  WHERE calendar_synced_at IS NULL OR calendar_synced_at < updated_at;
