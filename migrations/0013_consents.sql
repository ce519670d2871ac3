-- Issue 16: consent as dated records. What a person agreed to or refused, when
-- (decided_on), how it was recorded (a signed form, or aloud with a named witness), by
-- whom, and its withdrawal. The newest record of a kind decides (by decided_on, then id).
-- Records are kept: only a withdrawal may be added to one, once.
CREATE TABLE consents (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients(id),
    kind          TEXT NOT NULL CHECK (kind IN ('treatment', 'phone_followup', 'family_contact',
                                                'full_name_on_lists', 'sharing', 'photographs')),
    given         INTEGER NOT NULL CHECK (given IN (0, 1)),
    -- Which family member (family contact), which referral or court (sharing).
    detail        TEXT NOT NULL DEFAULT '',
    decided_on    TEXT NOT NULL,
    how           TEXT NOT NULL CHECK (how IN ('signed_form', 'verbal_witnessed', 'register')),
    witness       TEXT NOT NULL DEFAULT '',
    recorded_at   TEXT NOT NULL,
    recorded_by   INTEGER REFERENCES staff(id),
    withdrawn_on  TEXT,
    withdrawn_at  TEXT,
    withdrawn_by  INTEGER REFERENCES staff(id),
    CHECK (withdrawn_on IS NULL OR (given = 1 AND withdrawn_on >= decided_on))
);

CREATE INDEX consents_now ON consents (patient_id, kind, decided_on, id);

CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents BEGIN
    SELECT RAISE(ABORT, 'consent records are kept');
END;

CREATE TRIGGER consents_withdraw_once BEFORE UPDATE ON consents
WHEN OLD.withdrawn_on IS NOT NULL
  OR NEW.patient_id IS NOT OLD.patient_id OR NEW.kind IS NOT OLD.kind OR NEW.given IS NOT OLD.given
  OR NEW.detail IS NOT OLD.detail OR NEW.decided_on IS NOT OLD.decided_on OR NEW.how IS NOT OLD.how
  OR NEW.witness IS NOT OLD.witness OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.recorded_by IS NOT OLD.recorded_by
BEGIN
    SELECT RAISE(ABORT, 'a consent record only gains its withdrawal, once');
END;

-- The register's three yes/no flags become what each said, dated the day the person was
-- registered, recorded "from the register" by whoever registered them.
INSERT INTO consents (patient_id, kind, given, detail, decided_on, how, recorded_at, recorded_by)
SELECT id, 'phone_followup', consent_phone, '', substr(created_at, 1, 10), 'register', created_at, created_by
FROM patients;
INSERT INTO consents (patient_id, kind, given, detail, decided_on, how, recorded_at, recorded_by)
SELECT id, 'family_contact', consent_family,
       trim(family_name || CASE WHEN family_relation <> '' THEN ' (' || family_relation || ')' ELSE '' END),
       substr(created_at, 1, 10), 'register', created_at, created_by
FROM patients;
INSERT INTO consents (patient_id, kind, given, detail, decided_on, how, recorded_at, recorded_by)
SELECT id, 'full_name_on_lists', consent_roster_name, '', substr(created_at, 1, 10), 'register', created_at,
       created_by
FROM patients;

ALTER TABLE patients DROP COLUMN consent_phone;
ALTER TABLE patients DROP COLUMN consent_family;
ALTER TABLE patients DROP COLUMN consent_roster_name;
