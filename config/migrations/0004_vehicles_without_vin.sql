-- A caller registering a car by phone rarely knows its VIN: allow vehicles known only by
-- make, model and year. VINs stay unique where present; one VIN-less vehicle per
-- customer and make/model/year, so repeating the request does not add it twice.
ALTER TABLE vehicles ALTER COLUMN vin DROP NOT NULL;
CREATE UNIQUE INDEX vehicles_no_vin_unique_idx ON vehicles (customer_id, lower(make), lower(model), year)
  WHERE vin IS NULL;
