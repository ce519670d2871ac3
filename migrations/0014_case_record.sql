-- Issue 16 §1: the case record an inspection reads. Every field is optional unless the
-- centre marks it required (setting `case.required`); codes, never words, so reports group
-- them and the window shows them in the user's language.
CREATE TABLE case_records (
    patient_id          INTEGER PRIMARY KEY REFERENCES patients(id),
    address_line        TEXT NOT NULL DEFAULT '',
    town                TEXT NOT NULL DEFAULT '',
    -- Census 2011 codes from the shipped list (core data/districts.tsv).
    state_code          INTEGER,
    district_code       INTEGER,
    pin_code            TEXT NOT NULL DEFAULT ''
                        CHECK (pin_code = '' OR (length(pin_code) = 6 AND pin_code GLOB '[1-9][0-9][0-9][0-9][0-9][0-9]')),
    referral_source     TEXT CHECK (referral_source IN ('self_referred', 'family', 'hospital', 'court_police', 'other_centre',
                                                        'outreach_camp', 'former_patient', 'other')),
    occupation          TEXT CHECK (occupation IN ('unemployed', 'student', 'farmer', 'daily_wage', 'driver',
                                                   'skilled_worker', 'business', 'salaried', 'homemaker',
                                                   'retired', 'other')),
    education           TEXT CHECK (education IN ('none', 'primary', 'middle', 'secondary', 'higher_secondary',
                                                  'graduate', 'postgraduate')),
    marital_status      TEXT CHECK (marital_status IN ('never_married', 'married', 'separated', 'divorced',
                                                       'widowed')),
    living_with         TEXT CHECK (living_with IN ('family', 'spouse', 'parents', 'alone', 'friends',
                                                    'homeless', 'other')),
    -- Monthly family income, rupees.
    income_band         TEXT CHECK (income_band IN ('under5k', 'upto10k', 'upto25k', 'upto50k',
                                                    'over50k')),
    injecting_last_year INTEGER CHECK (injecting_last_year IN (0, 1)),
    legal_pending       INTEGER CHECK (legal_pending IN (0, 1)),
    updated_at          TEXT NOT NULL,
    updated_by          INTEGER REFERENCES staff(id),
    CHECK (district_code IS NULL OR state_code IS NOT NULL)
);

CREATE INDEX case_records_by_district ON case_records (district_code) WHERE district_code IS NOT NULL;

-- Each substance a person has used: when they began, for how long, how, how often.
CREATE TABLE substance_history (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients(id),
    position       INTEGER NOT NULL,
    substance      TEXT NOT NULL CHECK (substance IN ('alcohol', 'opioids', 'cannabis', 'prescription', 'tobacco',
                                                      'other')),
    age_first_use  INTEGER CHECK (age_first_use BETWEEN 1 AND 100),
    years_of_use   INTEGER CHECK (years_of_use BETWEEN 0 AND 100),
    route          TEXT CHECK (route IN ('oral', 'smoking', 'sniffing', 'injecting')),
    frequency      TEXT CHECK (frequency IN ('daily', 'weekly', 'occasional')),
    UNIQUE (patient_id, position)
);

-- Treatment tried before coming here: where, and the year.
CREATE TABLE previous_treatments (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    position    INTEGER NOT NULL,
    place       TEXT NOT NULL CHECK (length(trim(place)) > 0),
    year        INTEGER CHECK (year BETWEEN 1950 AND 2100),
    UNIQUE (patient_id, position)
);

-- Who changed which field of a person's record, when, and what it said before. Values
-- are as stored (codes for choices). Kept: rows are never changed.
CREATE TABLE field_history (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    field       TEXT NOT NULL,
    old_value   TEXT NOT NULL,
    new_value   TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    changed_by  INTEGER REFERENCES staff(id)
);

CREATE INDEX field_history_by_patient ON field_history (patient_id, id);

CREATE TRIGGER field_history_no_update BEFORE UPDATE ON field_history BEGIN
    SELECT RAISE(ABORT, 'field history is kept as written');
END;

-- Stays gain the admission's basis under the Mental Healthcare Act 2017 (independent,
-- s.85-86; supported, s.89, with the nominated representative of s.14; a minor, s.87,
-- with the guardian), who assessed capacity, when a supported admission is due for
-- review, and two more discharge types with a short summary. A CHECK cannot be changed
-- in place, so the table is rebuilt (migrations run with foreign keys checked at the end:
-- db.rs), keeping its rows, ids, indexes and the no-delete rule.
CREATE TABLE stays_new (
    id                       INTEGER PRIMARY KEY,
    patient_id               INTEGER NOT NULL REFERENCES patients(id),
    admitted_on              TEXT NOT NULL,
    discharged_on            TEXT,
    discharge_type           TEXT CHECK (discharge_type IN ('completed', 'against_advice', 'referred', 'absconded',
                                                            'administrative')),
    created_at               TEXT NOT NULL,
    created_by               INTEGER REFERENCES staff(id),
    admission_basis          TEXT NOT NULL DEFAULT 'independent'
                             CHECK (admission_basis IN ('independent', 'supported', 'minor')),
    -- The nominated representative (supported) or the guardian (minor).
    representative_name      TEXT NOT NULL DEFAULT '',
    representative_relation  TEXT NOT NULL DEFAULT '',
    capacity_assessed_by     INTEGER REFERENCES staff(id),
    review_due_on            TEXT,
    discharge_summary        TEXT NOT NULL DEFAULT '',
    CHECK ((discharged_on IS NULL) = (discharge_type IS NULL)),
    CHECK (discharged_on IS NULL OR discharged_on >= admitted_on),
    CHECK (admission_basis = 'independent' OR length(trim(representative_name)) > 0),
    CHECK (review_due_on IS NULL OR admission_basis = 'supported')
);

INSERT INTO stays_new (id, patient_id, admitted_on, discharged_on, discharge_type, created_at, created_by)
SELECT id, patient_id, admitted_on, discharged_on, discharge_type, created_at, created_by FROM stays;

DROP TABLE stays;
ALTER TABLE stays_new RENAME TO stays;

CREATE INDEX stays_by_patient ON stays (patient_id, admitted_on);
CREATE UNIQUE INDEX stays_one_open ON stays (patient_id) WHERE discharged_on IS NULL;
CREATE INDEX stays_by_discharge ON stays (discharged_on, patient_id) WHERE discharged_on IS NOT NULL;
-- Supported admissions still open, by review date (the Today screen).
CREATE INDEX stays_review_due ON stays (review_due_on) WHERE discharged_on IS NULL AND review_due_on IS NOT NULL;

CREATE TRIGGER stays_no_delete BEFORE DELETE ON stays BEGIN
    SELECT RAISE(ABORT, 'stays are history and are never deleted');
END;
