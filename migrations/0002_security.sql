-- Saathi schema, version 2: staff sign-in, the append-only audit trail, clinical notes.

ALTER TABLE staff ADD COLUMN username TEXT;
ALTER TABLE staff ADD COLUMN password_hash TEXT;
ALTER TABLE staff ADD COLUMN pin_hash TEXT;
ALTER TABLE staff ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
CREATE UNIQUE INDEX staff_by_username ON staff (username COLLATE NOCASE) WHERE username IS NOT NULL;

-- Consecutive failed sign-ins per typed user name (known or not), for the back-off.
CREATE TABLE sign_in_failures (
    username         TEXT PRIMARY KEY COLLATE NOCASE,
    failures         INTEGER NOT NULL,
    last_failure_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Who did what to which record, and when. Ids only, never contents. Each entry carries
-- the hash of the one before, so a changed or removed entry breaks the chain.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    staff_id   INTEGER REFERENCES staff(id),
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL DEFAULT '',
    entity_id  INTEGER,
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_by_at ON audit_log (at, id);
CREATE INDEX audit_by_staff ON audit_log (staff_id, id);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_by_action ON audit_log (action, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Confidential clinical notes on a patient (counsellors and administrators only).
-- Notes are never edited or deleted: a correction is a new note.
CREATE TABLE patient_notes (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    author_id   INTEGER REFERENCES staff(id),
    written_at  TEXT NOT NULL,
    body        TEXT NOT NULL CHECK (length(trim(body)) > 0)
);
CREATE INDEX patient_notes_by_patient ON patient_notes (patient_id, written_at);
CREATE TRIGGER patient_notes_no_update BEFORE UPDATE ON patient_notes BEGIN
    SELECT RAISE(ABORT, 'clinical notes are never changed; add a new note');
END;
CREATE TRIGGER patient_notes_no_delete BEFORE DELETE ON patient_notes BEGIN
    SELECT RAISE(ABORT, 'clinical notes are never deleted');
END;
