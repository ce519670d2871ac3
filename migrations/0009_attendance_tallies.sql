-- Saathi schema, version 9: attendance tallies for the attendance report (issue 8).
-- The report over a year read every mark of every session (a hundred thousand rows on a
-- busy centre). These tables hold what the marks add up to, kept exactly right by
-- triggers, so the report reads one row per membership and month instead.

-- Per membership window and calendar month ('YYYY-MM'): the member's marks in the
-- window's group on sessions that took place (held, not cancelled) on a day inside the
-- window. The window's bounds are applied here, so only the report's own range bounds
-- (a month cut in two) need individual marks.
CREATE TABLE group_membership_tallies (
    membership_id  INTEGER NOT NULL REFERENCES group_memberships(id),
    -- The window's group (a window never changes group), so that a group's tallies for a
    -- range of months are read in one pass.
    group_id       INTEGER NOT NULL REFERENCES therapy_groups(id),
    month          TEXT NOT NULL,
    present        INTEGER NOT NULL DEFAULT 0,
    late           INTEGER NOT NULL DEFAULT 0,
    absent         INTEGER NOT NULL DEFAULT 0,
    excused        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (membership_id, month)
) WITHOUT ROWID;

CREATE INDEX group_membership_tallies_by_group ON group_membership_tallies
    (group_id, month, membership_id, present, late, absent, excused);

-- Per session: its marks "present" or "late", drop-ins included (mean attendance).
CREATE TABLE group_session_tallies (
    session_id  INTEGER PRIMARY KEY REFERENCES group_sessions(id),
    attended    INTEGER NOT NULL DEFAULT 0
);

-- A family member's marks by group, and their memberships (the triggers below find a
-- person's windows and marks; patients have these indexes already).
CREATE INDEX group_attendance_by_family ON group_attendance (family_member_id, group_id, session_id)
    WHERE family_member_id IS NOT NULL;
CREATE INDEX group_memberships_by_family ON group_memberships (family_member_id) WHERE family_member_id IS NOT NULL;

-- The windows of a group that reach into a range, whole from the index (the report reads
-- every one of them; group_memberships_by_group_left sent each to the table).
CREATE INDEX group_memberships_by_group_span ON group_memberships
    (group_id, left_on, joined_on, patient_id, family_member_id, leave_reason);

-- A group's sessions in a date range with whether they took place, whole from the index
-- (the report reads every session of the range; the narrower index sent each to the table).
DROP INDEX group_sessions_by_series_date;
CREATE INDEX group_sessions_by_series_date ON group_sessions (series_id, date, cancelled, held);

-- Existing data.
INSERT INTO group_session_tallies (session_id, attended)
    SELECT session_id, sum(status IN ('present', 'late')) FROM group_attendance GROUP BY session_id;
INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
    SELECT m.id, m.group_id, substr(s.date, 1, 7), sum(a.status = 'present'), sum(a.status = 'late'), sum(a.status = 'absent'),
           sum(a.status = 'excused')
    FROM group_memberships m
    JOIN group_attendance a ON a.group_id = m.group_id
      AND (a.patient_id = m.patient_id OR a.family_member_id = m.family_member_id)
    JOIN group_sessions s ON s.id = a.session_id
    WHERE s.cancelled = 0 AND s.held = 'held' AND s.date >= m.joined_on AND (m.left_on IS NULL OR s.date <= m.left_on)
    GROUP BY m.id, substr(s.date, 1, 7);

-- A new mark: its session's count, and the tallies of the windows of its person that
-- hold the session's day (when the session took place).
CREATE TRIGGER group_attendance_tally_insert AFTER INSERT ON group_attendance BEGIN
    INSERT INTO group_session_tallies (session_id, attended) VALUES (new.session_id, new.status IN ('present', 'late'))
        ON CONFLICT (session_id) DO UPDATE SET attended = attended + excluded.attended;
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT m.id, m.group_id, substr(s.date, 1, 7), new.status = 'present', new.status = 'late', new.status = 'absent',
               new.status = 'excused'
        FROM group_sessions s JOIN group_series x ON x.id = s.series_id
        JOIN (SELECT id, group_id, joined_on, left_on FROM group_memberships WHERE patient_id = new.patient_id
              UNION ALL
              SELECT id, group_id, joined_on, left_on FROM group_memberships WHERE family_member_id = new.family_member_id
        ) m ON +m.group_id = x.group_id
        WHERE s.id = new.session_id AND s.cancelled = 0 AND s.held = 'held'
          AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date)
        ON CONFLICT (membership_id, month) DO UPDATE SET present = present + excluded.present,
            late = late + excluded.late, absent = absent + excluded.absent, excused = excused + excluded.excused;
END;

-- A changed mark (its status; its person too, though nothing changes that): out as it
-- was, in as it is.
CREATE TRIGGER group_attendance_tally_update AFTER UPDATE OF status, patient_id, family_member_id ON group_attendance
WHEN new.status IS NOT old.status OR new.patient_id IS NOT old.patient_id
  OR new.family_member_id IS NOT old.family_member_id
BEGIN
    UPDATE group_session_tallies SET attended = attended - (old.status IN ('present', 'late'))
        + (new.status IN ('present', 'late')) WHERE session_id = new.session_id;
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT m.id, m.group_id, substr(s.date, 1, 7), -(old.status = 'present'), -(old.status = 'late'), -(old.status = 'absent'),
               -(old.status = 'excused')
        FROM group_sessions s JOIN group_series x ON x.id = s.series_id
        JOIN (SELECT id, group_id, joined_on, left_on FROM group_memberships WHERE patient_id = old.patient_id
              UNION ALL
              SELECT id, group_id, joined_on, left_on FROM group_memberships WHERE family_member_id = old.family_member_id
        ) m ON +m.group_id = x.group_id
        WHERE s.id = old.session_id AND s.cancelled = 0 AND s.held = 'held'
          AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date)
        ON CONFLICT (membership_id, month) DO UPDATE SET present = present + excluded.present,
            late = late + excluded.late, absent = absent + excluded.absent, excused = excused + excluded.excused;
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT m.id, m.group_id, substr(s.date, 1, 7), new.status = 'present', new.status = 'late', new.status = 'absent',
               new.status = 'excused'
        FROM group_sessions s JOIN group_series x ON x.id = s.series_id
        JOIN (SELECT id, group_id, joined_on, left_on FROM group_memberships WHERE patient_id = new.patient_id
              UNION ALL
              SELECT id, group_id, joined_on, left_on FROM group_memberships WHERE family_member_id = new.family_member_id
        ) m ON +m.group_id = x.group_id
        WHERE s.id = new.session_id AND s.cancelled = 0 AND s.held = 'held'
          AND m.joined_on <= s.date AND (m.left_on IS NULL OR m.left_on >= s.date)
        ON CONFLICT (membership_id, month) DO UPDATE SET present = present + excluded.present,
            late = late + excluded.late, absent = absent + excluded.absent, excused = excused + excluded.excused;
END;

-- A session cancelled or restored, recorded as held or not, or moved to another day:
-- its marks out as they counted before, in as they count now.
CREATE TRIGGER group_sessions_tally AFTER UPDATE OF cancelled, held, date ON group_sessions
WHEN (old.cancelled = 0 AND old.held = 'held') OR (new.cancelled = 0 AND new.held = 'held')
BEGIN
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT m.id, m.group_id, substr(old.date, 1, 7), -sum(a.status = 'present'), -sum(a.status = 'late'),
               -sum(a.status = 'absent'), -sum(a.status = 'excused')
        FROM group_attendance a JOIN group_series x ON x.id = old.series_id
        JOIN group_memberships m ON +m.group_id = x.group_id
          AND (m.patient_id = a.patient_id OR m.family_member_id = a.family_member_id)
        WHERE a.session_id = old.id AND old.cancelled = 0 AND old.held = 'held'
          AND m.joined_on <= old.date AND (m.left_on IS NULL OR m.left_on >= old.date)
        GROUP BY m.id
        ON CONFLICT (membership_id, month) DO UPDATE SET present = present + excluded.present,
            late = late + excluded.late, absent = absent + excluded.absent, excused = excused + excluded.excused;
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT m.id, m.group_id, substr(new.date, 1, 7), sum(a.status = 'present'), sum(a.status = 'late'),
               sum(a.status = 'absent'), sum(a.status = 'excused')
        FROM group_attendance a JOIN group_series x ON x.id = new.series_id
        JOIN group_memberships m ON +m.group_id = x.group_id
          AND (m.patient_id = a.patient_id OR m.family_member_id = a.family_member_id)
        WHERE a.session_id = new.id AND new.cancelled = 0 AND new.held = 'held'
          AND m.joined_on <= new.date AND (m.left_on IS NULL OR m.left_on >= new.date)
        GROUP BY m.id
        ON CONFLICT (membership_id, month) DO UPDATE SET present = present + excluded.present,
            late = late + excluded.late, absent = absent + excluded.absent, excused = excused + excluded.excused;
END;

-- A new window: its person's marks in the group within it.
CREATE TRIGGER group_memberships_tally_insert AFTER INSERT ON group_memberships BEGIN
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT new.id, new.group_id, substr(s.date, 1, 7), sum(a.status = 'present'), sum(a.status = 'late'),
               sum(a.status = 'absent'), sum(a.status = 'excused')
        FROM (SELECT session_id, status FROM group_attendance WHERE patient_id = new.patient_id AND group_id = new.group_id
              UNION ALL
              SELECT session_id, status FROM group_attendance
              WHERE family_member_id = new.family_member_id AND group_id = new.group_id
        ) a JOIN group_sessions s ON s.id = a.session_id
        WHERE s.cancelled = 0 AND s.held = 'held' AND s.date >= new.joined_on
          AND (new.left_on IS NULL OR s.date <= new.left_on)
        GROUP BY substr(s.date, 1, 7);
END;

-- A window ended (the only change 0004 allows): counted again.
CREATE TRIGGER group_memberships_tally_update AFTER UPDATE ON group_memberships BEGIN
    DELETE FROM group_membership_tallies WHERE membership_id = old.id;
    INSERT INTO group_membership_tallies (membership_id, group_id, month, present, late, absent, excused)
        SELECT new.id, new.group_id, substr(s.date, 1, 7), sum(a.status = 'present'), sum(a.status = 'late'),
               sum(a.status = 'absent'), sum(a.status = 'excused')
        FROM (SELECT session_id, status FROM group_attendance WHERE patient_id = new.patient_id AND group_id = new.group_id
              UNION ALL
              SELECT session_id, status FROM group_attendance
              WHERE family_member_id = new.family_member_id AND group_id = new.group_id
        ) a JOIN group_sessions s ON s.id = a.session_id
        WHERE s.cancelled = 0 AND s.held = 'held' AND s.date >= new.joined_on
          AND (new.left_on IS NULL OR s.date <= new.left_on)
        GROUP BY substr(s.date, 1, 7);
END;
