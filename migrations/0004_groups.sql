-- Saathi schema: group therapy scheduling. Groups, rooms, recurring series, concrete
-- sessions (exceptions and sessions with attendance), membership over time, waiting
-- lists, family members, attendance.
-- Dates are ISO-8601 text (YYYY-MM-DD), times of day 'HH:MM' in the centre's local time.

CREATE TABLE rooms (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL CHECK (length(trim(name)) > 0),
    active  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE UNIQUE INDEX rooms_by_name ON rooms (name COLLATE NOCASE);

CREATE TABLE therapy_groups (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind                TEXT NOT NULL CHECK (kind IN ('sharing_circle', 'group_therapy', 'family_support',
                            'aftercare', 'hosted_meeting', 'other')),
    topic               TEXT NOT NULL DEFAULT '',
    audience            TEXT NOT NULL CHECK (audience IN ('inpatients', 'aftercare', 'families', 'mixed')),
    gender_rule         TEXT NOT NULL DEFAULT 'any' CHECK (gender_rule IN ('any', 'women_only', 'men_only')),
    closed              INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    mandatory           INTEGER NOT NULL DEFAULT 0 CHECK (mandatory IN (0, 1)),
    capacity            INTEGER CHECK (capacity IS NULL OR capacity > 0),
    default_room_id     INTEGER REFERENCES rooms(id),
    facilitators        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(facilitators)),
    guest_facilitators  TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'cancelled')),
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    created_by          INTEGER REFERENCES staff(id),
    updated_at          TEXT NOT NULL,
    updated_by          INTEGER REFERENCES staff(id)
);
CREATE TRIGGER therapy_groups_no_delete BEFORE DELETE ON therapy_groups BEGIN
    SELECT RAISE(ABORT, 'groups are finished or cancelled, never deleted');
END;

-- One recurrence rule valid over [valid_from, valid_to]. A series is never rewritten:
-- an edit ends it (valid_to = the day before) and starts a new one in the same lineage.
CREATE TABLE group_series (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES therapy_groups(id),
    lineage_id      INTEGER NOT NULL,
    freq            TEXT NOT NULL CHECK (freq IN ('once', 'daily', 'weekly', 'monthly')),
    interval        INTEGER NOT NULL DEFAULT 1 CHECK (interval BETWEEN 1 AND 52),
    weekdays        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(weekdays)),
    month_week      INTEGER CHECK (month_week IS NULL OR month_week IN (-1, 1, 2, 3, 4)),
    start_date      TEXT NOT NULL,
    until           TEXT,
    count           INTEGER CHECK (count IS NULL OR count > 0),
    start_time      TEXT NOT NULL,
    duration_min    INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 720),
    room_id         INTEGER REFERENCES rooms(id),
    facilitators    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(facilitators)),
    valid_from      TEXT NOT NULL,
    valid_to        TEXT,
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES staff(id),
    CHECK (valid_to IS NULL OR valid_to >= date(valid_from, '-1 day'))
);
CREATE INDEX group_series_by_group ON group_series (group_id, valid_from);
CREATE TRIGGER group_series_no_delete BEFORE DELETE ON group_series BEGIN
    SELECT RAISE(ABORT, 'schedules are ended, never deleted');
END;
-- Only the end of validity may change, and only to an earlier date.
CREATE TRIGGER group_series_only_end BEFORE UPDATE ON group_series
WHEN new.freq IS NOT old.freq OR new.interval IS NOT old.interval OR new.weekdays IS NOT old.weekdays
  OR new.month_week IS NOT old.month_week OR new.start_date IS NOT old.start_date OR new.until IS NOT old.until
  OR new.count IS NOT old.count OR new.start_time IS NOT old.start_time OR new.duration_min IS NOT old.duration_min
  OR new.room_id IS NOT old.room_id OR new.facilitators IS NOT old.facilitators OR new.valid_from IS NOT old.valid_from
  OR new.group_id IS NOT old.group_id OR (new.lineage_id IS NOT old.lineage_id AND old.lineage_id <> 0)
  OR (old.valid_to IS NOT NULL AND (new.valid_to IS NULL OR new.valid_to > old.valid_to))
BEGIN
    SELECT RAISE(ABORT, 'a schedule is never rewritten; end it and start a new one');
END;

-- A concrete session: one occurrence of a series, keyed by (series, original date),
-- stored once it is edited on its own (moved, cancelled) or once anything is recorded
-- about it. Series edits never touch these rows.
CREATE TABLE group_sessions (
    id                INTEGER PRIMARY KEY,
    series_id         INTEGER NOT NULL REFERENCES group_series(id),
    original_date     TEXT NOT NULL,
    date              TEXT NOT NULL,
    start_time        TEXT NOT NULL,
    duration_min      INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 720),
    room_id           INTEGER REFERENCES rooms(id),
    facilitators      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(facilitators)),
    cancelled         INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    cancel_reason     TEXT NOT NULL DEFAULT '',
    held              TEXT NOT NULL DEFAULT 'not_recorded' CHECK (held IN ('not_recorded', 'held', 'not_held')),
    not_held_reason   TEXT NOT NULL DEFAULT '',
    topic             TEXT NOT NULL DEFAULT '',
    -- Confidential (counsellors and administrators only).
    note              TEXT NOT NULL DEFAULT '',
    updated_at        TEXT NOT NULL,
    updated_by        INTEGER REFERENCES staff(id),
    UNIQUE (series_id, original_date)
);
CREATE INDEX group_sessions_by_date ON group_sessions (date, start_time);
CREATE TRIGGER group_sessions_no_delete BEFORE DELETE ON group_sessions BEGIN
    SELECT RAISE(ABORT, 'sessions are cancelled, never deleted');
END;

-- Relatives who attend family support groups.
CREATE TABLE family_members (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    relation    TEXT NOT NULL DEFAULT '',
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    phone       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES staff(id)
);
CREATE INDEX family_members_by_patient ON family_members (patient_id);
CREATE TRIGGER family_members_no_delete BEFORE DELETE ON family_members BEGIN
    SELECT RAISE(ABORT, 'family members are kept for history');
END;

-- One row per membership window; any number per person. Exactly one of patient_id and
-- family_member_id is set.
CREATE TABLE group_memberships (
    id                INTEGER PRIMARY KEY,
    group_id          INTEGER NOT NULL REFERENCES therapy_groups(id),
    patient_id        INTEGER REFERENCES patients(id),
    family_member_id  INTEGER REFERENCES family_members(id),
    joined_on         TEXT NOT NULL,
    left_on           TEXT,
    leave_reason      TEXT CHECK (leave_reason IN ('discharged', 'moved_group', 'dropped_out', 'completed', 'other')),
    created_at        TEXT NOT NULL,
    created_by        INTEGER REFERENCES staff(id),
    CHECK ((patient_id IS NULL) <> (family_member_id IS NULL)),
    CHECK ((left_on IS NULL) = (leave_reason IS NULL)),
    CHECK (left_on IS NULL OR left_on >= joined_on)
);
CREATE INDEX group_memberships_by_group ON group_memberships (group_id, joined_on);
CREATE INDEX group_memberships_by_patient ON group_memberships (patient_id);
CREATE TRIGGER group_memberships_no_delete BEFORE DELETE ON group_memberships BEGIN
    SELECT RAISE(ABORT, 'membership history is never deleted');
END;
CREATE TRIGGER group_memberships_leave_once BEFORE UPDATE ON group_memberships
WHEN old.left_on IS NOT NULL OR new.joined_on IS NOT old.joined_on OR new.group_id IS NOT old.group_id
  OR new.patient_id IS NOT old.patient_id OR new.family_member_id IS NOT old.family_member_id
BEGIN
    SELECT RAISE(ABORT, 'a membership only changes by ending it');
END;

-- Waiting list, first come first served (by id).
CREATE TABLE group_waitlist (
    id                INTEGER PRIMARY KEY,
    group_id          INTEGER NOT NULL REFERENCES therapy_groups(id),
    patient_id        INTEGER REFERENCES patients(id),
    family_member_id  INTEGER REFERENCES family_members(id),
    added_on          TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'offered', 'joined', 'withdrawn')),
    offered_on        TEXT,
    created_by        INTEGER REFERENCES staff(id),
    CHECK ((patient_id IS NULL) <> (family_member_id IS NULL))
);
CREATE INDEX group_waitlist_by_group ON group_waitlist (group_id, status, id);
CREATE TRIGGER group_waitlist_no_delete BEFORE DELETE ON group_waitlist BEGIN
    SELECT RAISE(ABORT, 'the waiting list keeps its history');
END;

-- Per person per session. No row = not recorded. Drop-ins have a name instead of an id
-- (or a patient id with dropin = 1).
CREATE TABLE group_attendance (
    id                INTEGER PRIMARY KEY,
    session_id        INTEGER NOT NULL REFERENCES group_sessions(id),
    patient_id        INTEGER REFERENCES patients(id),
    family_member_id  INTEGER REFERENCES family_members(id),
    dropin_name       TEXT,
    dropin            INTEGER NOT NULL DEFAULT 0 CHECK (dropin IN (0, 1)),
    status            TEXT NOT NULL CHECK (status IN ('present', 'absent', 'late', 'excused')),
    reason            TEXT NOT NULL DEFAULT '',
    recorded_at       TEXT NOT NULL,
    recorded_by       INTEGER REFERENCES staff(id),
    CHECK ((patient_id IS NOT NULL) + (family_member_id IS NOT NULL) + (dropin_name IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX group_attendance_patient ON group_attendance (session_id, patient_id) WHERE patient_id IS NOT NULL;
CREATE UNIQUE INDEX group_attendance_family ON group_attendance (session_id, family_member_id)
    WHERE family_member_id IS NOT NULL;
CREATE INDEX group_attendance_by_patient ON group_attendance (patient_id);
-- The unique indexes above are partial; counting or listing a session's marks (drop-ins
-- included) needs this one.
CREATE INDEX group_attendance_by_session ON group_attendance (session_id);
CREATE TRIGGER group_attendance_no_delete BEFORE DELETE ON group_attendance BEGIN
    SELECT RAISE(ABORT, 'attendance is never deleted');
END;

-- A room or facilitator clash saved anyway: who decided, why, and what clashed.
CREATE TABLE group_conflict_overrides (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    staff_id    INTEGER REFERENCES staff(id),
    group_id    INTEGER NOT NULL REFERENCES therapy_groups(id),
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    conflicts   TEXT NOT NULL CHECK (json_valid(conflicts))
);
CREATE TRIGGER group_conflict_overrides_no_change BEFORE UPDATE ON group_conflict_overrides BEGIN
    SELECT RAISE(ABORT, 'override records are never changed');
END;
CREATE TRIGGER group_conflict_overrides_no_delete BEFORE DELETE ON group_conflict_overrides BEGIN
    SELECT RAISE(ABORT, 'override records are never deleted');
END;
