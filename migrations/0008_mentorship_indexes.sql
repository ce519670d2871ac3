-- Saathi schema, version 8: indexes for the mentorship screen.

-- Aftercare patients discharged recently wait for a mentor. The screen reads them from
-- the discharge-date index; with the patient in the index it goes straight from the
-- discharge to the patient instead of reading each stay first. Same name, same rows
-- (discharged stays); every query that used the old index can use this one.
DROP INDEX stays_by_discharge;
CREATE INDEX stays_by_discharge ON stays (discharged_on, patient_id) WHERE discharged_on IS NOT NULL;
