-- Saathi schema, version 8: indexes for the mentorship screen.

-- Aftercare patients discharged recently wait for a mentor. The screen reads them from
-- the discharge-date index; with the patient in the index it goes straight from the
-- discharge to the patient instead of reading each stay first. Same name, same rows
-- (discharged stays); every query that used the old index can use this one.
DROP INDEX stays_by_discharge;
CREATE INDEX stays_by_discharge ON stays (discharged_on, patient_id) WHERE discharged_on IS NOT NULL;

-- The current pairs (a few hundred among thousands over the years), read whole by the
-- screen and the suggestions: mentee and mentor from the index alone (the end date is
-- there, always empty, so that SQLite sees the index covers the query).
CREATE INDEX mentor_pairs_active ON mentor_pairs (mentee_id, mentor_id, ended_on) WHERE ended_on IS NULL;
