-- Issue 17: what a centre prints and reports besides the weekly roster. Individual and
-- family counselling sessions, the awareness/outreach log, a note for each participant of
-- a group session (signed, then only addenda), certificates with their prints, and whether
-- a follow-up call gave counselling. Figures (statistics, outcomes) are computed from the
-- records, never stored here.

-- One individual or family counselling session with a person (counsellors only).
CREATE TABLE counselling_sessions (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    on_date       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('individual', 'family')),
    duration_min  INTEGER CHECK (duration_min IS NULL OR duration_min BETWEEN 5 AND 480),
    -- Confidential (counsellors and administrators only).
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES staff(id)
);
CREATE INDEX counselling_sessions_by_date ON counselling_sessions (on_date, patient_id);
CREATE INDEX counselling_sessions_by_patient ON counselling_sessions (patient_id, on_date);
CREATE TRIGGER counselling_sessions_no_delete BEFORE DELETE ON counselling_sessions BEGIN
    SELECT RAISE(ABORT, 'counselling sessions are kept');
END;
CREATE TRIGGER counselling_sessions_no_update BEFORE UPDATE ON counselling_sessions
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
  OR NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id OR NEW.on_date IS NOT OLD.on_date
  OR NEW.kind IS NOT OLD.kind OR NEW.duration_min IS NOT OLD.duration_min
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN
    SELECT RAISE(ABORT, 'a counselling session is never changed; record a new one');
END;

-- Awareness and outreach activities (schools, colleges, villages, workplaces, camps).
-- No one on the register is named here.
CREATE TABLE outreach_activities (
    id              INTEGER PRIMARY KEY,
    on_date         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('school', 'college', 'community', 'workplace', 'camp',
                                                  'media', 'other')),
    place           TEXT NOT NULL DEFAULT '',
    -- Census 2011 district code (the shipped list), when known.
    district_code   INTEGER,
    people_reached  INTEGER NOT NULL DEFAULT 0 CHECK (people_reached BETWEEN 0 AND 1000000),
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES staff(id)
);
CREATE INDEX outreach_activities_by_date ON outreach_activities (on_date);
CREATE TRIGGER outreach_activities_no_delete BEFORE DELETE ON outreach_activities BEGIN
    SELECT RAISE(ABORT, 'the outreach log is kept');
END;

-- The statistics (issue 17 §2) read a month's follow-ups by due date, its contact attempts
-- by date and its stays by admission date: without these each month read the whole table.
CREATE INDEX aftercare_followups_by_due ON aftercare_followups (due_on, status, patient_id);
CREATE INDEX aftercare_attempts_by_date ON aftercare_attempts (on_date, result, patient_id, status);
CREATE INDEX stays_by_admission ON stays (admitted_on, patient_id);

-- A counsellor's note on one participant of one group session (confidential: never shown
-- to the front desk). A draft may be rewritten by its author; once signed it never
-- changes and only gains dated addenda.
CREATE TABLE participant_notes (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES group_sessions(id),
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    body        TEXT NOT NULL DEFAULT '',
    written_by  INTEGER REFERENCES staff(id),
    written_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    signed_at   TEXT,
    signed_by   INTEGER REFERENCES staff(id),
    CHECK ((signed_at IS NULL) = (signed_by IS NULL)),
    UNIQUE (session_id, patient_id)
);
CREATE INDEX participant_notes_by_patient ON participant_notes (patient_id, session_id);
CREATE TRIGGER participant_notes_no_delete BEFORE DELETE ON participant_notes BEGIN
    SELECT RAISE(ABORT, 'participant notes are kept');
END;
-- After signing nothing changes, except an erasure blanking the text.
CREATE TRIGGER participant_notes_signed_fixed BEFORE UPDATE ON participant_notes
WHEN OLD.signed_at IS NOT NULL
 AND (NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
  OR NEW.id IS NOT OLD.id OR NEW.session_id IS NOT OLD.session_id OR NEW.patient_id IS NOT OLD.patient_id
  OR NEW.written_by IS NOT OLD.written_by OR NEW.written_at IS NOT OLD.written_at
  OR NEW.updated_at IS NOT OLD.updated_at OR NEW.signed_at IS NOT OLD.signed_at
  OR NEW.signed_by IS NOT OLD.signed_by)
BEGIN
    SELECT RAISE(ABORT, 'a signed note never changes; add an addendum');
END;

CREATE TABLE participant_note_addenda (
    id          INTEGER PRIMARY KEY,
    note_id     INTEGER NOT NULL REFERENCES participant_notes(id),
    body        TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    written_by  INTEGER REFERENCES staff(id)
);
CREATE INDEX participant_note_addenda_by_note ON participant_note_addenda (note_id, id);
CREATE TRIGGER participant_note_addenda_no_delete BEFORE DELETE ON participant_note_addenda BEGIN
    SELECT RAISE(ABORT, 'addenda are kept');
END;
CREATE TRIGGER participant_note_addenda_no_update BEFORE UPDATE ON participant_note_addenda
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e JOIN participant_notes n ON n.patient_id = e.patient_id
                 WHERE n.id = OLD.note_id)
  OR NEW.id IS NOT OLD.id OR NEW.note_id IS NOT OLD.note_id OR NEW.written_at IS NOT OLD.written_at
  OR NEW.written_by IS NOT OLD.written_by
BEGIN
    SELECT RAISE(ABORT, 'an addendum never changes; add another');
END;

-- One issued certificate; its id is its serial number in the certificate register. What
-- it certifies is kept as issued, so a reprint (a "Duplicate") says exactly the same.
CREATE TABLE certificates (
    id                   INTEGER PRIMARY KEY,
    patient_id           INTEGER NOT NULL REFERENCES patients(id),
    -- The name as printed on the certificate (a later correction of the register does
    -- not change what a duplicate says); blanked by an erasure.
    patient_name         TEXT NOT NULL DEFAULT '',
    kind                 TEXT NOT NULL CHECK (kind IN ('attendance', 'treatment')),
    -- Attendance: the period and the counts (groups attended, of those expected as a member).
    from_on              TEXT,
    to_on                TEXT,
    attended             INTEGER CHECK (attended IS NULL OR attended >= 0),
    expected             INTEGER CHECK (expected IS NULL OR expected >= 0),
    -- Treatment: the stay, and whether the programme was completed.
    stay_id              INTEGER REFERENCES stays(id),
    programme_completed  INTEGER CHECK (programme_completed IN (0, 1)),
    -- The substance named on the certificate, only with the person's consent to it, given
    -- for this certificate (how, and the witness of a spoken consent).
    substance            TEXT NOT NULL DEFAULT '',
    consent_how          TEXT CHECK (consent_how IN ('signed_form', 'verbal_witnessed')),
    consent_witness      TEXT NOT NULL DEFAULT '',
    -- Who asked for it (court, employer, the person), in the staff member's words.
    purpose              TEXT NOT NULL DEFAULT '',
    language             TEXT NOT NULL CHECK (language IN ('en', 'hi', 'both')),
    issued_on            TEXT NOT NULL,
    issued_at            TEXT NOT NULL,
    issued_by            INTEGER REFERENCES staff(id),
    CHECK (kind <> 'attendance' OR (from_on IS NOT NULL AND to_on IS NOT NULL AND to_on >= from_on
                                    AND attended IS NOT NULL AND expected IS NOT NULL)),
    CHECK (kind <> 'treatment' OR (stay_id IS NOT NULL AND programme_completed IS NOT NULL)),
    CHECK (substance = '' OR consent_how IS NOT NULL)
);
CREATE INDEX certificates_by_patient ON certificates (patient_id, id);
CREATE INDEX certificates_by_date ON certificates (issued_on, id);
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates BEGIN
    SELECT RAISE(ABORT, 'the certificate register is kept');
END;
CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
  OR NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id OR NEW.kind IS NOT OLD.kind
  OR NEW.from_on IS NOT OLD.from_on OR NEW.to_on IS NOT OLD.to_on OR NEW.attended IS NOT OLD.attended
  OR NEW.expected IS NOT OLD.expected OR NEW.stay_id IS NOT OLD.stay_id
  OR NEW.programme_completed IS NOT OLD.programme_completed OR NEW.consent_how IS NOT OLD.consent_how
  OR NEW.language IS NOT OLD.language OR NEW.issued_on IS NOT OLD.issued_on
  OR NEW.issued_at IS NOT OLD.issued_at OR NEW.issued_by IS NOT OLD.issued_by
BEGIN
    SELECT RAISE(ABORT, 'an issued certificate never changes');
END;

-- Every print of a certificate; the first is the original, any later one a duplicate.
CREATE TABLE certificate_prints (
    id              INTEGER PRIMARY KEY,
    certificate_id  INTEGER NOT NULL REFERENCES certificates(id),
    printed_at      TEXT NOT NULL,
    printed_by      INTEGER REFERENCES staff(id)
);
CREATE INDEX certificate_prints_by_certificate ON certificate_prints (certificate_id, id);
CREATE TRIGGER certificate_prints_no_change BEFORE UPDATE ON certificate_prints BEGIN
    SELECT RAISE(ABORT, 'prints are never changed');
END;
CREATE TRIGGER certificate_prints_no_delete BEFORE DELETE ON certificate_prints BEGIN
    SELECT RAISE(ABORT, 'prints are never deleted');
END;

-- Whether a follow-up call gave counselling (not only monitoring); NULL on calls recorded
-- before this was asked.
ALTER TABLE aftercare_attempts ADD COLUMN counselling INTEGER CHECK (counselling IN (0, 1));
