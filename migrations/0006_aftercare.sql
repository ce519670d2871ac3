-- Saathi schema: aftercare follow-up (plan templates, plans, dated follow-ups, attempts,
-- acknowledged at-risk alerts). History is append-only: attempts, plan events and alert
-- acknowledgements are never changed or deleted.

-- A named list of contact rules relative to the discharge date, editable by the centre.
-- rules: JSON list of {"unit": "day"|"week"|"month", "every": n, "from": a, "to": b}.
CREATE TABLE aftercare_templates (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description  TEXT NOT NULL DEFAULT '',
    rules        TEXT NOT NULL CHECK (json_valid(rules)),
    is_default   INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    retired      INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    updated_at   TEXT NOT NULL,
    updated_by   INTEGER REFERENCES staff(id)
);
CREATE UNIQUE INDEX aftercare_templates_name ON aftercare_templates (name COLLATE NOCASE);
CREATE UNIQUE INDEX aftercare_templates_one_default ON aftercare_templates (is_default) WHERE is_default = 1;
CREATE TRIGGER aftercare_templates_no_delete BEFORE DELETE ON aftercare_templates BEGIN
    SELECT RAISE(ABORT, 'plan templates are retired, never deleted');
END;

INSERT INTO aftercare_templates (name, description, rules, is_default, updated_at) VALUES
 ('Standard (2 years)',
  'A call within 2 days, weekly in weeks 1-12, every two weeks in months 4-12, monthly in months 13-24.',
  '[{"unit":"day","every":1,"from":2,"to":2},{"unit":"week","every":1,"from":1,"to":12},{"unit":"week","every":2,"from":14,"to":52},{"unit":"month","every":1,"from":13,"to":24}]',
  1, '2026-01-01T00:00:00Z'),
 ('Short (6 weeks)',
  'Day 1, then weekly for 6 weeks.',
  '[{"unit":"day","every":1,"from":1,"to":1},{"unit":"week","every":1,"from":1,"to":6}]',
  0, '2026-01-01T00:00:00Z'),
 ('Quarterly check-ups (2 years)',
  'A check-up every 3 months for 2 years (Recovery Management Checkups).',
  '[{"unit":"month","every":3,"from":3,"to":24}]',
  0, '2026-01-01T00:00:00Z');

-- One plan per discharge. The template's name and rules are copied in, so a later change
-- to the template never rewrites an existing plan.
CREATE TABLE aftercare_plans (
    id             INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patients(id),
    stay_id        INTEGER REFERENCES stays(id),
    template_id    INTEGER REFERENCES aftercare_templates(id),
    template_name  TEXT NOT NULL,
    rules          TEXT NOT NULL CHECK (json_valid(rules)),
    started_on     TEXT NOT NULL,
    -- -1 stepped down (every other contact), 0 as planned, 1 and 2 stepped up.
    level          INTEGER NOT NULL DEFAULT 0 CHECK (level BETWEEN -1 AND 2),
    status         TEXT NOT NULL CHECK (status IN ('active', 'paused', 'closed')),
    paused_on      TEXT,
    closed_on      TEXT,
    close_reason   TEXT CHECK (close_reason IN ('completed', 'moved_away', 'died', 'declined', 'readmitted', 'other')),
    created_at     TEXT NOT NULL,
    created_by     INTEGER REFERENCES staff(id),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
    CHECK ((status = 'closed') = (close_reason IS NOT NULL))
);
CREATE INDEX aftercare_plans_by_patient ON aftercare_plans (patient_id, started_on);
CREATE UNIQUE INDEX aftercare_plans_one_open ON aftercare_plans (patient_id) WHERE status <> 'closed';
CREATE TRIGGER aftercare_plans_no_delete BEFORE DELETE ON aftercare_plans BEGIN
    SELECT RAISE(ABORT, 'aftercare plans are closed, never deleted');
END;

-- What happened to a plan: started, stepped up/down, paused, resumed, closed.
CREATE TABLE aftercare_plan_events (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES aftercare_plans(id),
    at        TEXT NOT NULL,
    on_date   TEXT NOT NULL,
    staff_id  INTEGER REFERENCES staff(id),
    kind      TEXT NOT NULL CHECK (kind IN ('started', 'stepped_up', 'stepped_down', 'paused', 'resumed', 'closed')),
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX aftercare_plan_events_by_plan ON aftercare_plan_events (plan_id, id);
CREATE TRIGGER aftercare_plan_events_no_update BEFORE UPDATE ON aftercare_plan_events BEGIN
    SELECT RAISE(ABORT, 'plan history is never changed');
END;
CREATE TRIGGER aftercare_plan_events_no_delete BEFORE DELETE ON aftercare_plan_events BEGIN
    SELECT RAISE(ABORT, 'plan history is never deleted');
END;

-- One dated contact point of a plan. `next_try_on` moves on after a failed attempt;
-- `for_counsellor` is set after too many failed attempts in a row (or when a counsellor
-- call was asked for). Rows are never deleted: superseded ones are 'cancelled'.
CREATE TABLE aftercare_followups (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER NOT NULL REFERENCES aftercare_plans(id),
    patient_id      INTEGER NOT NULL REFERENCES patients(id),
    due_on          TEXT NOT NULL,
    next_try_on     TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'planned' CHECK (kind IN ('planned', 'counsellor_call', 'restart')),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled', 'skipped')),
    for_counsellor  INTEGER NOT NULL DEFAULT 0 CHECK (for_counsellor IN (0, 1)),
    closed_on       TEXT,
    CHECK ((status = 'open') = (closed_on IS NULL))
);
CREATE INDEX aftercare_followups_open ON aftercare_followups (next_try_on, patient_id) WHERE status = 'open';
CREATE INDEX aftercare_followups_by_plan ON aftercare_followups (plan_id, due_on);
CREATE INDEX aftercare_followups_by_patient ON aftercare_followups (patient_id, due_on);
CREATE TRIGGER aftercare_followups_no_delete BEFORE DELETE ON aftercare_followups BEGIN
    SELECT RAISE(ABORT, 'follow-ups are kept; cancel them instead');
END;

-- Every contact attempt, as recorded. Never changed, never deleted.
CREATE TABLE aftercare_attempts (
    id                 INTEGER PRIMARY KEY,
    followup_id        INTEGER NOT NULL REFERENCES aftercare_followups(id),
    patient_id         INTEGER NOT NULL REFERENCES patients(id),
    at                 TEXT NOT NULL,
    on_date            TEXT NOT NULL,
    staff_id           INTEGER REFERENCES staff(id),
    method             TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'family', 'came_in')),
    result             TEXT NOT NULL CHECK (result IN ('reached', 'no_answer', 'switched_off', 'wrong_number', 'refused', 'spoke_to_family')),
    status             TEXT CHECK (status IN ('sober', 'lapse', 'relapse', 'unknown')),
    attending          INTEGER CHECK (attending IN (0, 1)),
    risk               TEXT CHECK (risk IN ('low', 'medium', 'high')),
    note               TEXT NOT NULL DEFAULT '',
    note_confidential  INTEGER NOT NULL DEFAULT 0 CHECK (note_confidential IN (0, 1)),
    next_step          TEXT NOT NULL DEFAULT 'none' CHECK (next_step IN ('none', 'counsellor_call', 'invite_to_group', 'readmission_talk', 'refer'))
);
CREATE INDEX aftercare_attempts_by_patient ON aftercare_attempts (patient_id, id);
CREATE INDEX aftercare_attempts_by_followup ON aftercare_attempts (followup_id, id);
CREATE TRIGGER aftercare_attempts_no_update BEFORE UPDATE ON aftercare_attempts BEGIN
    SELECT RAISE(ABORT, 'contact attempts are never changed; record a new one');
END;
CREATE TRIGGER aftercare_attempts_no_delete BEFORE DELETE ON aftercare_attempts BEGIN
    SELECT RAISE(ABORT, 'contact attempts are never deleted');
END;

-- A counsellor's acknowledgement of one at-risk alert. `trigger_key` names the fact that
-- raised it (an attempt, a follow-up), so a new fact raises a new alert.
CREATE TABLE aftercare_alert_acks (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    rule         TEXT NOT NULL,
    trigger_key  TEXT NOT NULL,
    at           TEXT NOT NULL,
    staff_id     INTEGER REFERENCES staff(id),
    action       TEXT NOT NULL CHECK (length(trim(action)) > 0)
);
CREATE UNIQUE INDEX aftercare_alert_acks_once ON aftercare_alert_acks (patient_id, rule, trigger_key);
CREATE TRIGGER aftercare_alert_acks_no_update BEFORE UPDATE ON aftercare_alert_acks BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are never changed');
END;
CREATE TRIGGER aftercare_alert_acks_no_delete BEFORE DELETE ON aftercare_alert_acks BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are never deleted');
END;
