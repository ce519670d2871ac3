-- Saathi schema: what the screens need to stay quick after ten years of a busy centre
-- (a million attendance marks, hundreds of thousands of follow-ups), found by the
-- ten-year benchmark (issue 8).

-- A mark carries its session's group, so a person's marks in aftercare groups are found
-- without visiting every mark of their in-patient years. The trigger sets it from the
-- session; a mark never moves to another session, a session never to another series, and
-- a series never to another group (0004), so it never goes stale.
ALTER TABLE group_attendance ADD COLUMN group_id INTEGER REFERENCES therapy_groups(id);
UPDATE group_attendance SET group_id = (
    SELECT x.group_id FROM group_sessions s JOIN group_series x ON x.id = s.series_id
    WHERE s.id = group_attendance.session_id);
CREATE TRIGGER group_attendance_group AFTER INSERT ON group_attendance BEGIN
    UPDATE group_attendance SET group_id = (
        SELECT x.group_id FROM group_sessions s JOIN group_series x ON x.id = s.series_id WHERE s.id = new.session_id)
    WHERE id = new.id;
END;
CREATE TRIGGER group_attendance_same_session BEFORE UPDATE OF session_id, group_id ON group_attendance
WHEN new.session_id IS NOT old.session_id OR (old.group_id IS NOT NULL AND new.group_id IS NOT old.group_id)
BEGIN
    SELECT RAISE(ABORT, 'an attendance mark stays with its session');
END;
CREATE TRIGGER group_sessions_same_series BEFORE UPDATE OF series_id ON group_sessions
WHEN new.series_id IS NOT old.series_id
BEGIN
    SELECT RAISE(ABORT, 'a session stays with its schedule');
END;
-- A person's marks, by group.
DROP INDEX group_attendance_by_patient;
CREATE INDEX group_attendance_by_patient ON group_attendance (patient_id, group_id, session_id);

-- A session's marks without reading the marks themselves (counts, sheets, reports).
DROP INDEX group_attendance_by_session;
CREATE INDEX group_attendance_by_session ON group_attendance (session_id, status, patient_id, family_member_id);

-- Who was a member on a day (sheets, head counts, reports): the current members and those
-- who left after that day, not a group's whole history.
CREATE INDEX group_memberships_by_group_left ON group_memberships (group_id, left_on);

-- A group's sessions in a date range (reports, a person's sessions).
CREATE INDEX group_sessions_by_series_date ON group_sessions (series_id, date);

-- A person's open follow-ups, oldest first (the roster's "follow-up due"), and the open
-- follow-ups long overdue (at-risk list).
CREATE INDEX aftercare_followups_open_by_patient ON aftercare_followups (patient_id, due_on, id) WHERE status = 'open';
CREATE INDEX aftercare_followups_open_by_due ON aftercare_followups (due_on) WHERE status = 'open';

-- A person's last successful contact (worklist, call list).
CREATE INDEX aftercare_attempts_reached ON aftercare_attempts (patient_id, on_date)
    WHERE result IN ('reached', 'spoke_to_family');

-- The people on an active plan (at-risk list).
CREATE INDEX aftercare_plans_active ON aftercare_plans (patient_id) WHERE status = 'active';

-- The groups of one kind (a person's aftercare marks start from the aftercare groups).
CREATE INDEX therapy_groups_by_kind ON therapy_groups (kind);
