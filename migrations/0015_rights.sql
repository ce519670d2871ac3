-- Issue 16 §3: the people's rights desk. Requests under the DPDP Act 2023 (access,
-- correction, erasure, grievance) with their due dates and outcomes, the breach register,
-- and what lets an erasure blank the text of records that are otherwise never changed.

-- One request from a person (or, for a grievance, from someone not on the register).
-- Kept for good: a request is closed (done or refused), never deleted.
CREATE TABLE rights_requests (
    id                INTEGER PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('access', 'correction', 'erasure', 'grievance')),
    patient_id        INTEGER REFERENCES patients(id),
    -- Who the request is from when it names no one on the register (a grievance).
    requester         TEXT NOT NULL DEFAULT '',
    -- What was asked, in the staff member's words.
    summary           TEXT NOT NULL DEFAULT '',
    received_on       TEXT NOT NULL,
    due_on            TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'refused')),
    -- The reply in the staff member's words (free text).
    outcome           TEXT NOT NULL DEFAULT '',
    -- A refusal's legal reason (a code) and, for an erasure refused under the retention
    -- rule, the date until which the records must be kept.
    refusal           TEXT CHECK (refusal IN ('retention', 'still_admitted', 'still_in_care', 'not_identified', 'other')),
    keep_until        TEXT,
    -- Correction: which field was changed in the register (a code) and when.
    corrected_field   TEXT NOT NULL DEFAULT '',
    corrected_on      TEXT,
    -- Access: the language of the copy, and the parts withheld under MHCA s.25 (JSON list
    -- of {"part": code, "reason": code}).
    copy_language     TEXT CHECK (copy_language IN ('en', 'hi')),
    withheld          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(withheld)),
    closed_on         TEXT,
    closed_by         INTEGER REFERENCES staff(id),
    created_at        TEXT NOT NULL,
    created_by        INTEGER REFERENCES staff(id),
    CHECK (kind = 'grievance' OR patient_id IS NOT NULL),
    CHECK ((status = 'open') = (closed_on IS NULL)),
    CHECK (due_on >= received_on)
);
CREATE INDEX rights_requests_by_status ON rights_requests (status, due_on);
CREATE INDEX rights_requests_by_patient ON rights_requests (patient_id);
CREATE TRIGGER rights_requests_no_delete BEFORE DELETE ON rights_requests BEGIN
    SELECT RAISE(ABORT, 'rights requests are kept');
END;

-- The breach register (DPDP Act s.8(6); Rules 2025: the Board within 72 hours of the
-- breach being found, each affected person without delay). Times are the centre's local
-- time, 'YYYY-MM-DDTHH:MM'.
CREATE TABLE breaches (
    id                  INTEGER PRIMARY KEY,
    what                TEXT NOT NULL CHECK (length(trim(what)) > 0),
    happened_on         TEXT,
    found_at            TEXT NOT NULL,
    -- Whose data: a description and how many people.
    whose               TEXT NOT NULL DEFAULT '',
    affected            INTEGER NOT NULL DEFAULT 0 CHECK (affected >= 0),
    board_notified_at   TEXT,
    people_notified_at  TEXT,
    created_at          TEXT NOT NULL,
    created_by          INTEGER REFERENCES staff(id)
);
CREATE INDEX breaches_board_due ON breaches (found_at) WHERE board_notified_at IS NULL;
CREATE TRIGGER breaches_no_delete BEFORE DELETE ON breaches BEGIN
    SELECT RAISE(ABORT, 'the breach register is kept');
END;
-- The people on the register a breach is known to concern (ids only).
CREATE TABLE breach_patients (
    breach_id   INTEGER NOT NULL REFERENCES breaches(id),
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    PRIMARY KEY (breach_id, patient_id)
) WITHOUT ROWID;

-- The person being erased, for the length of the erasure's transaction only (it inserts
-- the row first and deletes it last, so it is never committed). While it is there, the
-- triggers below let the text of that person's records be blanked, and nothing else.
CREATE TABLE erasure_in_progress (
    patient_id  INTEGER PRIMARY KEY REFERENCES patients(id)
);

DROP TRIGGER patient_notes_no_update;
CREATE TRIGGER patient_notes_no_update BEFORE UPDATE ON patient_notes
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
  OR NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id OR NEW.author_id IS NOT OLD.author_id
  OR NEW.written_at IS NOT OLD.written_at
BEGIN
    SELECT RAISE(ABORT, 'clinical notes are never changed; add a new note');
END;

DROP TRIGGER consents_withdraw_once;
CREATE TRIGGER consents_withdraw_once BEFORE UPDATE ON consents
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
 AND (OLD.withdrawn_on IS NOT NULL
  OR NEW.patient_id IS NOT OLD.patient_id OR NEW.kind IS NOT OLD.kind OR NEW.given IS NOT OLD.given
  OR NEW.detail IS NOT OLD.detail OR NEW.decided_on IS NOT OLD.decided_on OR NEW.how IS NOT OLD.how
  OR NEW.witness IS NOT OLD.witness OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.recorded_by IS NOT OLD.recorded_by)
BEGIN
    SELECT RAISE(ABORT, 'a consent record only gains its withdrawal, once');
END;
CREATE TRIGGER consents_erasure_blanks_text_only BEFORE UPDATE ON consents
WHEN EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
 AND (NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id OR NEW.kind IS NOT OLD.kind
  OR NEW.given IS NOT OLD.given OR NEW.decided_on IS NOT OLD.decided_on OR NEW.how IS NOT OLD.how
  OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.recorded_by IS NOT OLD.recorded_by
  OR NEW.withdrawn_on IS NOT OLD.withdrawn_on OR NEW.withdrawn_at IS NOT OLD.withdrawn_at
  OR NEW.withdrawn_by IS NOT OLD.withdrawn_by)
BEGIN
    SELECT RAISE(ABORT, 'an erasure only blanks the text of a consent record');
END;

DROP TRIGGER aftercare_attempts_no_update;
CREATE TRIGGER aftercare_attempts_no_update BEFORE UPDATE ON aftercare_attempts
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
  OR NEW.id IS NOT OLD.id OR NEW.followup_id IS NOT OLD.followup_id OR NEW.patient_id IS NOT OLD.patient_id
  OR NEW.at IS NOT OLD.at OR NEW.on_date IS NOT OLD.on_date OR NEW.staff_id IS NOT OLD.staff_id
  OR NEW.method IS NOT OLD.method OR NEW.result IS NOT OLD.result OR NEW.status IS NOT OLD.status
  OR NEW.attending IS NOT OLD.attending OR NEW.risk IS NOT OLD.risk
  OR NEW.note_confidential IS NOT OLD.note_confidential OR NEW.next_step IS NOT OLD.next_step
BEGIN
    SELECT RAISE(ABORT, 'contact attempts are never changed; record a new one');
END;

DROP TRIGGER aftercare_plan_events_no_update;
CREATE TRIGGER aftercare_plan_events_no_update BEFORE UPDATE ON aftercare_plan_events
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e JOIN aftercare_plans p ON p.patient_id = e.patient_id
                 WHERE p.id = OLD.plan_id)
  OR NEW.id IS NOT OLD.id OR NEW.plan_id IS NOT OLD.plan_id OR NEW.at IS NOT OLD.at
  OR NEW.on_date IS NOT OLD.on_date OR NEW.staff_id IS NOT OLD.staff_id OR NEW.kind IS NOT OLD.kind
BEGIN
    SELECT RAISE(ABORT, 'plan history is never changed');
END;

DROP TRIGGER aftercare_alert_acks_no_update;
CREATE TRIGGER aftercare_alert_acks_no_update BEFORE UPDATE ON aftercare_alert_acks
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id = OLD.patient_id)
  OR NEW.id IS NOT OLD.id OR NEW.patient_id IS NOT OLD.patient_id OR NEW.rule IS NOT OLD.rule
  OR NEW.trigger_key IS NOT OLD.trigger_key OR NEW.at IS NOT OLD.at OR NEW.staff_id IS NOT OLD.staff_id
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are never changed');
END;

DROP TRIGGER mentor_pairs_end_once;
CREATE TRIGGER mentor_pairs_end_once BEFORE UPDATE ON mentor_pairs
WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id IN (OLD.mentor_id, OLD.mentee_id))
 AND (OLD.ended_on IS NOT NULL
  OR NEW.mentor_id IS NOT OLD.mentor_id OR NEW.mentee_id IS NOT OLD.mentee_id
  OR NEW.started_on IS NOT OLD.started_on OR NEW.made IS NOT OLD.made OR NEW.score IS NOT OLD.score
  OR NEW.reasons IS NOT OLD.reasons OR NEW.broken_rules IS NOT OLD.broken_rules
  OR NEW.override_reason IS NOT OLD.override_reason OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by)
BEGIN
    SELECT RAISE(ABORT, 'a mentor pair can only be ended, once');
END;
CREATE TRIGGER mentor_pairs_erasure_blanks_text_only BEFORE UPDATE ON mentor_pairs
WHEN EXISTS (SELECT 1 FROM erasure_in_progress e WHERE e.patient_id IN (OLD.mentor_id, OLD.mentee_id))
 AND (NEW.id IS NOT OLD.id OR NEW.mentor_id IS NOT OLD.mentor_id OR NEW.mentee_id IS NOT OLD.mentee_id
  OR NEW.started_on IS NOT OLD.started_on OR NEW.made IS NOT OLD.made OR NEW.score IS NOT OLD.score
  OR NEW.reasons IS NOT OLD.reasons OR NEW.broken_rules IS NOT OLD.broken_rules
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
  OR NEW.ended_on IS NOT OLD.ended_on OR NEW.end_reason IS NOT OLD.end_reason
  OR NEW.ended_badly IS NOT OLD.ended_badly OR NEW.ended_at IS NOT OLD.ended_at OR NEW.ended_by IS NOT OLD.ended_by)
BEGIN
    SELECT RAISE(ABORT, 'an erasure only blanks the text of a mentor pair');
END;
