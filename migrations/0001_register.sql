-- Saathi schema, version 1: the centre, staff, the patient register and its stays.
-- Dates are ISO-8601 text (YYYY-MM-DD); timestamps are UTC RFC 3339 text.
-- Migrations are append-only: never edit this file once it has shipped.

CREATE TABLE centre (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE staff (
    id          INTEGER PRIMARY KEY,
    full_name   TEXT NOT NULL CHECK (length(trim(full_name)) > 0),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'counsellor', 'front_desk')),
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE patients (
    id                    INTEGER PRIMARY KEY,
    full_name             TEXT NOT NULL CHECK (length(trim(full_name)) > 0),
    preferred_name        TEXT NOT NULL DEFAULT '',
    gender                TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other')),
    birth_date            TEXT,
    age_years             INTEGER CHECK (age_years IS NULL OR age_years BETWEEN 0 AND 120),
    age_recorded_on       TEXT,
    phone                 TEXT NOT NULL DEFAULT '',
    phone_digits          TEXT NOT NULL DEFAULT '',
    family_name           TEXT NOT NULL DEFAULT '',
    family_relation       TEXT NOT NULL DEFAULT '',
    family_phone          TEXT NOT NULL DEFAULT '',
    family_phone_digits   TEXT NOT NULL DEFAULT '',
    languages             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(languages)),
    substances            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(substances)),
    substance_other       TEXT NOT NULL DEFAULT '',
    phase                 TEXT NOT NULL CHECK (phase IN ('inpatient', 'aftercare', 'alumni', 'inactive')),
    consent_phone         INTEGER NOT NULL DEFAULT 0 CHECK (consent_phone IN (0, 1)),
    consent_family        INTEGER NOT NULL DEFAULT 0 CHECK (consent_family IN (0, 1)),
    consent_roster_name   INTEGER NOT NULL DEFAULT 0 CHECK (consent_roster_name IN (0, 1)),
    -- Lower-cased NFC form of the full and preferred names, for search and sorting.
    search_text           TEXT NOT NULL,
    archived_at           TEXT,
    created_at            TEXT NOT NULL,
    created_by            INTEGER REFERENCES staff(id),
    updated_at            TEXT NOT NULL,
    updated_by            INTEGER REFERENCES staff(id),
    CHECK (birth_date IS NULL OR age_years IS NULL)
);

CREATE INDEX patients_by_name ON patients (search_text, id) WHERE archived_at IS NULL;
CREATE INDEX patients_by_phase ON patients (phase, search_text) WHERE archived_at IS NULL;

-- One row per stay at the centre: admission and (once it ends) discharge.
CREATE TABLE stays (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients(id),
    admitted_on     TEXT NOT NULL,
    discharged_on   TEXT,
    discharge_type  TEXT CHECK (discharge_type IN ('completed', 'against_advice', 'referred')),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES staff(id),
    CHECK ((discharged_on IS NULL) = (discharge_type IS NULL)),
    CHECK (discharged_on IS NULL OR discharged_on >= admitted_on)
);

CREATE INDEX stays_by_patient ON stays (patient_id, admitted_on);
-- At most one open stay per patient.
CREATE UNIQUE INDEX stays_one_open ON stays (patient_id) WHERE discharged_on IS NULL;

-- Substring search in any script (trigram index over names and phone digits).
CREATE VIRTUAL TABLE patient_search USING fts5 (
    search_text, phone_digits, family_phone_digits,
    content = 'patients', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER patients_search_ai AFTER INSERT ON patients BEGIN
    INSERT INTO patient_search (rowid, search_text, phone_digits, family_phone_digits)
    VALUES (new.id, new.search_text, new.phone_digits, new.family_phone_digits);
END;

CREATE TRIGGER patients_search_au AFTER UPDATE OF search_text, phone_digits, family_phone_digits ON patients BEGIN
    INSERT INTO patient_search (patient_search, rowid, search_text, phone_digits, family_phone_digits)
    VALUES ('delete', old.id, old.search_text, old.phone_digits, old.family_phone_digits);
    INSERT INTO patient_search (rowid, search_text, phone_digits, family_phone_digits)
    VALUES (new.id, new.search_text, new.phone_digits, new.family_phone_digits);
END;

-- Patients are archived, never deleted.
CREATE TRIGGER patients_no_delete BEFORE DELETE ON patients BEGIN
    SELECT RAISE(ABORT, 'patients are archived, never deleted');
END;

CREATE TRIGGER stays_no_delete BEFORE DELETE ON stays BEGIN
    SELECT RAISE(ABORT, 'stays are history and are never deleted');
END;
