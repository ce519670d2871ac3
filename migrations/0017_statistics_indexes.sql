-- Issue 17: indexes the statistics read through (measured with `bench statistics`).
-- The statistics' "lost to follow-up" asks which aftercare plans were open at the end of
-- a period: those not closed (IS NULL) and those closed after it. Without this index it
-- read every plan of the years (8,131 on the ten-year centre, 1.5 ms of a month's 10).
CREATE INDEX aftercare_plans_by_closing ON aftercare_plans (closed_on);

-- The statistics count counselling sessions by date and kind: an index that holds the kind
-- too answers without reading each session's row (6,000 a quarter on the ten-year centre).
DROP INDEX counselling_sessions_by_date;
CREATE INDEX counselling_sessions_by_date ON counselling_sessions (on_date, kind, patient_id);
