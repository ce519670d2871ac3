-- Saathi schema, version 3: peer mentorship.

-- What the mentorship work needs to know about a person, mentor or mentee: where they
-- live, when they are free, and (for mentors) recovery, training, capacity. One row per
-- patient who has ever been looked at for mentorship; edited in place (the audit log
-- keeps who changed it and when).
CREATE TABLE peer_profiles (
    patient_id         INTEGER PRIMARY KEY REFERENCES patients(id),
    -- Days free, as JSON ["mon", "thu"]; times free in words ("evenings").
    days               TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(days)),
    times              TEXT NOT NULL DEFAULT '',
    locality           TEXT NOT NULL DEFAULT '',
    -- NULL: decided by phase (in-patients and recent aftercare patients wait for one);
    -- 1: staff marked "wants a mentor"; 0: does not want one.
    wants_mentor       INTEGER CHECK (wants_mentor IN (0, 1)),
    -- A mentor the mentee asked for.
    preferred_mentor   INTEGER REFERENCES patients(id),
    -- Peer mentor: marked, recovery since (start or last relapse), training, capacity.
    is_mentor          INTEGER NOT NULL DEFAULT 0 CHECK (is_mentor IN (0, 1)),
    recovery_since     TEXT,
    trained            INTEGER NOT NULL DEFAULT 0 CHECK (trained IN (0, 1)),
    trained_on         TEXT,
    capacity           INTEGER NOT NULL DEFAULT 2 CHECK (capacity BETWEEN 0 AND 10),
    mentor_active      INTEGER NOT NULL DEFAULT 1 CHECK (mentor_active IN (0, 1)),
    updated_at         TEXT NOT NULL,
    updated_by         INTEGER REFERENCES staff(id),
    CHECK (is_mentor = 0 OR recovery_since IS NOT NULL)
) WITHOUT ROWID;
CREATE INDEX peer_mentors ON peer_profiles (is_mentor) WHERE is_mentor = 1;
CREATE INDEX peer_wanting ON peer_profiles (wants_mentor) WHERE wants_mentor = 1;

-- Recently discharged people (aftercare patients wait for a mentor for a while).
CREATE INDEX stays_by_discharge ON stays (discharged_on) WHERE discharged_on IS NOT NULL;

-- Every pairing ever made. A pair is only ever ended (once), never changed or deleted.
CREATE TABLE mentor_pairs (
    id               INTEGER PRIMARY KEY,
    mentor_id        INTEGER NOT NULL REFERENCES patients(id),
    mentee_id        INTEGER NOT NULL REFERENCES patients(id),
    started_on       TEXT NOT NULL,
    -- 'suggested' (accepted from the matcher) or 'by_hand'.
    made             TEXT NOT NULL CHECK (made IN ('suggested', 'by_hand')),
    score            INTEGER,
    -- Why it was suggested (JSON list of the matcher's reasons) when it was made.
    reasons          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(reasons)),
    -- A hand pair that broke hard rules: which (JSON list) and the reason given.
    broken_rules     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(broken_rules)),
    override_reason  TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES staff(id),
    ended_on         TEXT,
    end_reason       TEXT CHECK (end_reason IN ('completed', 'relapse', 'conflict', 'moved_away', 'other')),
    ended_badly      INTEGER CHECK (ended_badly IN (0, 1)),
    end_note         TEXT,
    ended_at         TEXT,
    ended_by         INTEGER REFERENCES staff(id),
    CHECK (mentor_id <> mentee_id),
    CHECK ((ended_on IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX mentor_pairs_one_active ON mentor_pairs (mentee_id) WHERE ended_on IS NULL;
CREATE INDEX mentor_pairs_by_mentor ON mentor_pairs (mentor_id, ended_on);
CREATE INDEX mentor_pairs_by_mentee ON mentor_pairs (mentee_id, started_on);
CREATE TRIGGER mentor_pairs_no_delete BEFORE DELETE ON mentor_pairs BEGIN
    SELECT RAISE(ABORT, 'mentor pairs are kept for the history; end a pair instead');
END;
CREATE TRIGGER mentor_pairs_end_once BEFORE UPDATE ON mentor_pairs
WHEN OLD.ended_on IS NOT NULL
  OR NEW.mentor_id IS NOT OLD.mentor_id OR NEW.mentee_id IS NOT OLD.mentee_id
  OR NEW.started_on IS NOT OLD.started_on OR NEW.made IS NOT OLD.made OR NEW.score IS NOT OLD.score
  OR NEW.reasons IS NOT OLD.reasons OR NEW.broken_rules IS NOT OLD.broken_rules
  OR NEW.override_reason IS NOT OLD.override_reason OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'a mentor pair can only be ended, once');
END;

-- Pairs never to be suggested: relatives, a known conflict, a pairing that ended badly.
-- Lifting one keeps the row (lifted_*).
CREATE TABLE mentor_exclusions (
    id             INTEGER PRIMARY KEY,
    mentor_id      INTEGER NOT NULL REFERENCES patients(id),
    mentee_id      INTEGER NOT NULL REFERENCES patients(id),
    kind           TEXT NOT NULL CHECK (kind IN ('relatives', 'conflict', 'ended_badly', 'other')),
    note           TEXT NOT NULL DEFAULT '',
    pair_id        INTEGER REFERENCES mentor_pairs(id),
    created_at     TEXT NOT NULL,
    created_by     INTEGER REFERENCES staff(id),
    lifted_at      TEXT,
    lifted_by      INTEGER REFERENCES staff(id),
    lifted_reason  TEXT
);
CREATE INDEX mentor_exclusions_active ON mentor_exclusions (mentor_id, mentee_id) WHERE lifted_at IS NULL;
CREATE INDEX mentor_exclusions_by_mentee ON mentor_exclusions (mentee_id);
CREATE TRIGGER mentor_exclusions_no_delete BEFORE DELETE ON mentor_exclusions BEGIN
    SELECT RAISE(ABORT, 'exclusions are kept for the history; lift one instead');
END;

-- Suggestions staff turned down: left out of later suggestions until cleared.
CREATE TABLE mentor_rejections (
    id           INTEGER PRIMARY KEY,
    mentor_id    INTEGER NOT NULL REFERENCES patients(id),
    mentee_id    INTEGER NOT NULL REFERENCES patients(id),
    rejected_at  TEXT NOT NULL,
    rejected_by  INTEGER REFERENCES staff(id),
    cleared_at   TEXT
);
CREATE INDEX mentor_rejections_active ON mentor_rejections (mentor_id, mentee_id) WHERE cleared_at IS NULL;
