-- Saathi schema, version 10: each membership window's tallies summed (issue 8).
-- A year's attendance report read every monthly tally of every window in the range (about
-- 21,000 rows on a busy centre). Most windows lie wholly inside the months the report
-- counts; for those the sum of all their tallies is the answer. Those sums live on the
-- window itself, in the index the report already reads the windows from, kept exactly by
-- triggers on the tallies, so the report reads the monthly tallies only of the few windows
-- that cross the range's ends.

-- The only change a window allows is being ended (0004); its sums are kept by triggers and
-- may change at any time, so the guard names the columns it protects. The recount when a
-- window ends (0009) is re-made to fire on that change only (not on the sums' changes).
DROP TRIGGER group_memberships_leave_once;
DROP TRIGGER group_memberships_tally_update;

ALTER TABLE group_memberships ADD COLUMN tally_present INTEGER NOT NULL DEFAULT 0;
ALTER TABLE group_memberships ADD COLUMN tally_late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE group_memberships ADD COLUMN tally_absent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE group_memberships ADD COLUMN tally_excused INTEGER NOT NULL DEFAULT 0;

-- Existing data.
UPDATE group_memberships SET (tally_present, tally_late, tally_absent, tally_excused) = (
    SELECT coalesce(sum(t.present), 0), coalesce(sum(t.late), 0), coalesce(sum(t.absent), 0), coalesce(sum(t.excused), 0)
    FROM group_membership_tallies t WHERE t.membership_id = group_memberships.id
);

CREATE TRIGGER group_memberships_leave_once
BEFORE UPDATE OF group_id, patient_id, family_member_id, joined_on, left_on, leave_reason, created_at, created_by
ON group_memberships
WHEN (old.left_on IS NOT NULL AND (new.left_on IS NOT old.left_on OR new.leave_reason IS NOT old.leave_reason
                                   OR new.created_at IS NOT old.created_at OR new.created_by IS NOT old.created_by))
  OR new.joined_on IS NOT old.joined_on OR new.group_id IS NOT old.group_id
  OR new.patient_id IS NOT old.patient_id OR new.family_member_id IS NOT old.family_member_id
BEGIN
    SELECT RAISE(ABORT, 'a membership only changes by ending it');
END;

-- A window ended: counted again (the body is 0009's).
CREATE TRIGGER group_memberships_tally_update AFTER UPDATE OF left_on ON group_memberships
WHEN new.left_on IS NOT old.left_on
BEGIN
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

-- The sums follow every change of a monthly tally (the upserts of 0009's triggers fire
-- the update trigger).
CREATE TRIGGER group_membership_tallies_sum_insert AFTER INSERT ON group_membership_tallies BEGIN
    UPDATE group_memberships SET tally_present = tally_present + new.present, tally_late = tally_late + new.late,
        tally_absent = tally_absent + new.absent, tally_excused = tally_excused + new.excused
    WHERE id = new.membership_id;
END;

CREATE TRIGGER group_membership_tallies_sum_update AFTER UPDATE ON group_membership_tallies BEGIN
    UPDATE group_memberships SET tally_present = tally_present + new.present - old.present,
        tally_late = tally_late + new.late - old.late, tally_absent = tally_absent + new.absent - old.absent,
        tally_excused = tally_excused + new.excused - old.excused
    WHERE id = new.membership_id;
END;

-- A tally stays with its window and month (only its counts change).
CREATE TRIGGER group_membership_tallies_stay BEFORE UPDATE OF membership_id, group_id, month ON group_membership_tallies
WHEN new.membership_id IS NOT old.membership_id OR new.group_id IS NOT old.group_id OR new.month IS NOT old.month
BEGIN
    SELECT RAISE(ABORT, 'a tally stays with its window and month');
END;

CREATE TRIGGER group_membership_tallies_sum_delete AFTER DELETE ON group_membership_tallies BEGIN
    UPDATE group_memberships SET tally_present = tally_present - old.present,
        tally_late = tally_late - old.late, tally_absent = tally_absent - old.absent,
        tally_excused = tally_excused - old.excused
    WHERE id = old.membership_id;
END;

-- The report's windows of a group, with their sums, whole from the index.
DROP INDEX group_memberships_by_group_span;
CREATE INDEX group_memberships_by_group_span ON group_memberships
    (group_id, left_on, joined_on, patient_id, family_member_id, leave_reason,
     tally_present, tally_late, tally_absent, tally_excused);
