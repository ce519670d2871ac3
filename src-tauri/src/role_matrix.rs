//! Every command × every role: allowed or refused, checked by running the command the
//! way the window does (below Tauri), on a real database file. A command missing from
//! the matrix, or without a sample call, fails the test.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use saathi_core::aftercare::{
    self, AftercareSettings, AttemptInput, CloseReason, ContactMethod, ContactResult, NextStep, RiskRule, Rule,
    TemplateInput, Unit, WorklistRange, risk::Acknowledge,
};
use saathi_core::audit::AuditQuery;
use saathi_core::auth::SetupInput;
use saathi_core::patients::{DischargeType, Gender, NewPatient, PatientDetails, PatientQuery, Phase};
use saathi_core::settings::Language;
use saathi_core::staff::StaffInput;
use saathi_core::{Actor, Ctx, Role, Store, auth, patients, staff};

use crate::COMMANDS;
use crate::commands::handlers as h;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
enum Who {
    /// Before sign-in (set-up, sign-in, app info).
    Public,
    /// Any signed-in staff member (their own session, password and PIN).
    SignedIn,
    Roles(&'static [Role]),
}

const ALL: &[Role] = &[Role::Admin, Role::Counsellor, Role::FrontDesk];
const CLINICAL: &[Role] = &[Role::Admin, Role::Counsellor];
const ADMIN: &[Role] = &[Role::Admin];

const MATRIX: &[(&str, Who)] = &[
    ("app_info", Who::Public),
    ("get_settings", Who::Public),
    ("setup_status", Who::Public),
    ("set_up", Who::Public),
    ("sign_in", Who::Public),
    ("recover", Who::Public),
    ("session_info", Who::Public),
    ("touch", Who::SignedIn),
    ("lock", Who::SignedIn),
    ("unlock", Who::SignedIn),
    ("sign_out", Who::Public),
    ("change_password", Who::SignedIn),
    ("set_pin", Who::SignedIn),
    ("set_language", Who::Roles(ALL)),
    ("set_idle_minutes", Who::Roles(ADMIN)),
    ("update_centre", Who::Roles(ADMIN)),
    ("register_counts", Who::Roles(ALL)),
    ("search_patients", Who::Roles(ALL)),
    ("get_patient", Who::Roles(ALL)),
    ("create_patient", Who::Roles(ALL)),
    ("update_patient", Who::Roles(ALL)),
    ("discharge_patient", Who::Roles(ALL)),
    ("readmit_patient", Who::Roles(ALL)),
    ("set_patient_phase", Who::Roles(ALL)),
    ("set_patient_archived", Who::Roles(ALL)),
    ("list_patient_notes", Who::Roles(CLINICAL)),
    ("add_patient_note", Who::Roles(CLINICAL)),
    ("list_staff", Who::Roles(ALL)),
    ("create_staff", Who::Roles(ADMIN)),
    ("update_staff", Who::Roles(ADMIN)),
    ("set_staff_active", Who::Roles(ADMIN)),
    ("reset_staff_password", Who::Roles(ADMIN)),
    ("aftercare_worklist", Who::Roles(ALL)),
    ("record_attempt", Who::Roles(ALL)),
    ("patient_aftercare", Who::Roles(ALL)),
    ("aftercare_templates", Who::Roles(ALL)),
    ("save_aftercare_template", Who::Roles(CLINICAL)),
    ("discharge_with_plan", Who::Roles(ALL)),
    ("start_aftercare_plan", Who::Roles(ALL)),
    ("step_aftercare_plan", Who::Roles(CLINICAL)),
    ("pause_aftercare_plan", Who::Roles(CLINICAL)),
    ("close_aftercare_plan", Who::Roles(CLINICAL)),
    ("at_risk_list", Who::Roles(CLINICAL)),
    ("acknowledge_alert", Who::Roles(CLINICAL)),
    ("aftercare_settings", Who::Roles(ALL)),
    ("save_aftercare_settings", Who::Roles(CLINICAL)),
    ("roster_preview", Who::Roles(ALL)),
    ("print_roster", Who::Roles(ALL)),
    ("audit_log", Who::Roles(ADMIN)),
    ("verify_audit", Who::Roles(ADMIN)),
];

/// Ids in the template database.
struct Template {
    dir: tempfile::TempDir,
    staff: [(Role, i64); 3],
    inpatient: i64,
    discharged: i64,
    /// The discharged patient's aftercare plan and its first open follow-up.
    plan: i64,
    followup: i64,
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn details(name: &str) -> PatientDetails {
    PatientDetails {
        full_name: name.into(),
        preferred_name: String::new(),
        gender: Gender::Female,
        birth_date: None,
        age_years: Some(40),
        phone: String::new(),
        family_name: String::new(),
        family_relation: String::new(),
        family_phone: String::new(),
        languages: vec![],
        substances: vec![],
        substance_other: String::new(),
        consent_phone: true,
        consent_family: false,
        consent_roster_name: false,
    }
}

fn template() -> &'static Template {
    static T: OnceLock<Template> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("saathi.db")).unwrap();
        let sys = Ctx::now(Actor::system());
        let t = store
            .write(|tx| {
                let setup = SetupInput {
                    centre_name: "Test Centre".into(),
                    centre_address: String::new(),
                    centre_phone: String::new(),
                    admin_name: "Admin".into(),
                    username: "admin".into(),
                    password: "admin-pass-1".into(),
                };
                auth::set_up(tx, &sys, &setup)?;
                let admin = staff::list(tx, &sys)?[0].id;
                let mut ids = [(Role::Admin, admin), (Role::Counsellor, 0), (Role::FrontDesk, 0)];
                for (i, role) in [Role::Counsellor, Role::FrontDesk].into_iter().enumerate() {
                    let input = StaffInput { full_name: format!("{role:?}"), role, username: Some(format!("user{i}")) };
                    ids[i + 1].1 = staff::create(tx, &sys, &input, Some("temp-pass-1"))?;
                }
                let inpatient = patients::create(
                    tx,
                    &sys,
                    &NewPatient { details: details("In Patient"), admitted_on: day("2026-01-01") },
                )?;
                let discharged = patients::create(
                    tx,
                    &sys,
                    &NewPatient { details: details("Gone Home"), admitted_on: day("2025-01-01") },
                )?;
                patients::discharge(tx, &sys, discharged, day("2025-03-01"), DischargeType::Completed)?;
                let default = aftercare::templates::default_template(tx)?.id;
                let plan = aftercare::plans::start(tx, &sys, discharged, default)?;
                let followup = tx.query_row(
                    "SELECT id FROM aftercare_followups WHERE plan_id = ?1 AND status = 'open' ORDER BY due_on LIMIT 1",
                    [plan],
                    |r| r.get(0),
                )?;
                Ok((ids, inpatient, discharged, plan, followup))
            })
            .unwrap();
        drop(store);
        Template { dir, staff: t.0, inpatient: t.1, discharged: t.2, plan: t.3, followup: t.4 }
    })
}

fn fresh_copy(t: &Template) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(t.dir.path().join("saathi.db"), dir.path().join("saathi.db")).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// Runs one command with plausible arguments; returns the error code, if any.
fn call(state: &AppState, t: &Template, name: &str) -> Option<String> {
    let f = t.staff[2].1;
    let code = |r: Result<(), saathi_core::ErrorPayload>| r.err().map(|e| e.code);
    code(match name {
        "app_info" => h::app_info(state).map(drop),
        "get_settings" => h::get_settings(state).map(drop),
        "setup_status" => h::setup_status(state).map(drop),
        "set_up" => h::set_up(
            state,
            SetupInput {
                centre_name: "X".into(),
                centre_address: String::new(),
                centre_phone: String::new(),
                admin_name: "Y".into(),
                username: "yyy".into(),
                password: "long-enough-1".into(),
            },
        )
        .map(drop),
        "sign_in" => h::sign_in(state, "nobody".into(), "wrong-password".into()).map(drop),
        "recover" => {
            h::recover(state, "AAAAA-AAAAA-AAAAA-AAAAA".into(), "admin".into(), "new-pass-123".into()).map(drop)
        }
        "session_info" => h::session_info(state).map(drop),
        "touch" => h::touch(state).map(drop),
        "lock" => h::lock(state).map(drop),
        "unlock" => h::unlock(state, "wrong".into(), false).map(drop),
        "sign_out" => h::sign_out(state).map(drop),
        "change_password" => h::change_password(state, "wrong".into(), "new-pass-123".into()).map(drop),
        "set_pin" => h::set_pin(state, "wrong".into(), "482915".into()).map(drop),
        "set_language" => h::set_language(state, Language::Hi).map(drop),
        "set_idle_minutes" => h::set_idle_minutes(state, 15).map(drop),
        "update_centre" => h::update_centre(state, "Renamed".into(), String::new(), String::new()).map(drop),
        "register_counts" => h::register_counts(state).map(drop),
        "search_patients" => {
            h::search_patients(state, PatientQuery { text: "pat".into(), limit: 10, ..Default::default() }).map(drop)
        }
        "get_patient" => h::get_patient(state, t.inpatient).map(drop),
        "create_patient" => {
            h::create_patient(state, NewPatient { details: details("New One"), admitted_on: day("2026-02-01") })
                .map(drop)
        }
        "update_patient" => h::update_patient(state, t.inpatient, details("In Patient Renamed")).map(drop),
        "discharge_patient" => {
            h::discharge_patient(state, t.inpatient, day("2026-02-01"), DischargeType::Completed).map(drop)
        }
        "readmit_patient" => h::readmit_patient(state, t.discharged, day("2026-02-01")).map(drop),
        "set_patient_phase" => h::set_patient_phase(state, t.discharged, Phase::Alumni).map(drop),
        "set_patient_archived" => h::set_patient_archived(state, t.discharged, true).map(drop),
        "list_patient_notes" => h::list_patient_notes(state, t.inpatient).map(drop),
        "add_patient_note" => h::add_patient_note(state, t.inpatient, "Slept well.".into()).map(drop),
        "list_staff" => h::list_staff(state).map(drop),
        "create_staff" => h::create_staff(
            state,
            StaffInput { full_name: "Added".into(), role: Role::FrontDesk, username: Some("added".into()) },
            Some("temp-pass-2".into()),
        )
        .map(drop),
        "update_staff" => h::update_staff(
            state,
            f,
            StaffInput { full_name: "Front".into(), role: Role::Counsellor, username: Some("user1".into()) },
        )
        .map(drop),
        "set_staff_active" => h::set_staff_active(state, f, false).map(drop),
        "reset_staff_password" => h::reset_staff_password(state, f, "temp-pass-3".into()).map(drop),
        "aftercare_worklist" => h::aftercare_worklist(state, WorklistRange::Week).map(drop),
        "record_attempt" => h::record_attempt(
            state,
            AttemptInput {
                followup_id: t.followup,
                method: ContactMethod::Visit,
                result: ContactResult::Reached,
                status: None,
                attending: None,
                risk: None,
                note: String::new(),
                next_step: NextStep::None,
            },
        )
        .map(drop),
        "patient_aftercare" => h::patient_aftercare(state, t.discharged).map(drop),
        "aftercare_templates" => h::aftercare_templates(state).map(drop),
        "save_aftercare_template" => h::save_aftercare_template(
            state,
            None,
            TemplateInput {
                name: "Monthly".into(),
                description: String::new(),
                rules: vec![Rule { unit: Unit::Month, every: 1, from: 1, to: 6 }],
                is_default: false,
                retired: false,
            },
        )
        .map(drop),
        "discharge_with_plan" => {
            h::discharge_with_plan(state, t.inpatient, day("2026-02-01"), DischargeType::Completed, Some(1)).map(drop)
        }
        "start_aftercare_plan" => h::start_aftercare_plan(state, t.discharged, 1).map(drop),
        "step_aftercare_plan" => h::step_aftercare_plan(state, t.plan, true).map(drop),
        "pause_aftercare_plan" => h::pause_aftercare_plan(state, t.plan, true, "travelling".into()).map(drop),
        "close_aftercare_plan" => {
            h::close_aftercare_plan(state, t.plan, CloseReason::MovedAway, String::new()).map(drop)
        }
        "at_risk_list" => h::at_risk_list(state).map(drop),
        "acknowledge_alert" => h::acknowledge_alert(
            state,
            Acknowledge {
                patient_id: t.discharged,
                rule: RiskRule::Overdue,
                trigger_key: "f0".into(),
                action: "Called".into(),
            },
        )
        .map(drop),
        "aftercare_settings" => h::aftercare_settings(state).map(drop),
        "save_aftercare_settings" => h::save_aftercare_settings(state, AftercareSettings::default()).map(drop),
        "roster_preview" => h::roster_preview(state, day("2026-11-30"), None).map(drop),
        "print_roster" => {
            let out = state.data_dir.join("test-roster.pdf").display().to_string();
            h::print_roster(state, day("2026-11-30"), Some(true), Some(out)).map(drop)
        }
        "audit_log" => h::audit_log(state, AuditQuery { limit: 10, ..Default::default() }).map(drop),
        "verify_audit" => h::verify_audit(state).map(drop),
        other => panic!("no sample call for command {other}: add it to role_matrix.rs"),
    })
}

fn denied_entries(dir: &Path) -> i64 {
    let c = rusqlite::Connection::open(dir.join("saathi.db")).unwrap();
    c.query_row("SELECT count(*) FROM audit_log WHERE action = 'access_denied'", [], |r| r.get(0)).unwrap()
}

#[test]
fn the_matrix_covers_every_command_once() {
    let mut in_matrix: Vec<&str> = MATRIX.iter().map(|m| m.0).collect();
    let mut commands: Vec<&str> = COMMANDS.to_vec();
    in_matrix.sort_unstable();
    commands.sort_unstable();
    assert_eq!(in_matrix, commands, "every command needs one row in MATRIX");
}

#[test]
fn every_command_for_every_role() {
    let t = template();
    let mut checked = 0;
    for (name, who) in MATRIX {
        for &(role, staff_id) in &t.staff {
            let (_keep, dir) = fresh_copy(t);
            let state = AppState::open(dir.clone());
            state.sign_in_for_test(staff_id, role);
            let code = call(&state, t, name);
            let allowed = match who {
                Who::Public | Who::SignedIn => true,
                Who::Roles(roles) => roles.contains(&role),
            };
            if allowed {
                assert!(
                    !matches!(code.as_deref(), Some("forbidden" | "not_signed_in" | "locked")),
                    "{name} as {role:?} should be allowed, got {code:?}"
                );
            } else {
                assert_eq!(code.as_deref(), Some("forbidden"), "{name} as {role:?} should be refused");
                drop(state);
                assert_eq!(denied_entries(&dir), 1, "{name} refusal for {role:?} is audited");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, COMMANDS.len() * 3);
}

#[test]
fn without_a_session_only_public_commands_run() {
    let t = template();
    for (name, who) in MATRIX {
        let (_keep, dir) = fresh_copy(t);
        let state = AppState::open(dir);
        let code = call(&state, t, name);
        match who {
            Who::Public => assert_ne!(code.as_deref(), Some("not_signed_in"), "{name}"),
            _ => assert_eq!(code.as_deref(), Some("not_signed_in"), "{name} must need a session"),
        }
    }
}

#[test]
fn a_locked_session_runs_nothing_but_unlock_and_sign_out() {
    let t = template();
    let (_keep, dir) = fresh_copy(t);
    let state = AppState::open(dir);
    state.sign_in_for_test(t.staff[0].1, Role::Admin);
    h::lock(&state).unwrap();
    for name in ["register_counts", "get_patient", "audit_log", "touch", "set_pin"] {
        assert_eq!(call(&state, t, name).as_deref(), Some("locked"), "{name}");
    }
    assert_eq!(call(&state, t, "unlock").as_deref(), Some("sign_in_failed"));
}
