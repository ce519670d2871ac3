//! Every command × every role: allowed or refused, checked by running the command the
//! way the window does (below Tauri), on a real database file, against the `Who` column of
//! the commands' table (src-tauri/commands.rs). A command without a sample call here
//! fails the test.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::Days;
use chrono::NaiveDate;
use saathi_core::admission_basis::Admission;
use saathi_core::aftercare::{
    self, AftercareSettings, AttemptInput, CloseReason, ContactMethod, ContactResult, ContactRule, NextStep, RiskRule,
    TemplateInput, Unit, WorklistRange, risk::Acknowledge,
};
use saathi_core::audit::AuditQuery;
use saathi_core::auth::SetupInput;
use saathi_core::case_record::{CaseField, CaseRecord};
use saathi_core::consents::{self, ConsentHow, ConsentInput, ConsentKind};
use saathi_core::groups::attendance::{DropIn, Mark};
use saathi_core::groups::conflicts::SaveOptions;
use saathi_core::groups::membership::{self, FamilyMemberInput, JoinOutcome, LeaveReason, Person};
use saathi_core::groups::recurrence::{Freq, Rule};
use saathi_core::groups::series::{self, Held, OccurrenceChange, SeriesInput};
use saathi_core::groups::{self, Audience, GenderRule, GroupInput, GroupKind, GroupStatus};
use saathi_core::intake::Intake;
use saathi_core::mentorship::{EndReason, ExclusionKind, MentorshipSettings, PeerProfile};
use saathi_core::patients::{DischargeType, Gender, NewPatient, PatientDetails, PatientQuery, Phase};
// ---- issue 17: registers and sign-in sheets
use saathi_core::registers::{RegisterKind, RegisterRequest};
use saathi_core::rights::breaches::{BreachInput, Notice};
use saathi_core::rights::{CorrectedField, Refusal, RequestInput, RequestKind, RightsSettings};
use saathi_core::settings::Language;
use saathi_core::staff::StaffInput;
use saathi_core::{Actor, Ctx, Role, Store, auth, patients, staff};

use crate::commands::handlers as h;
use crate::state::AppState;
use crate::{COMMANDS, Who};

const ALL: &[Role] = &[Role::Admin, Role::Counsellor, Role::FrontDesk];

/// The roles a `Who` of the commands' table lets in (`None`: no role needed at all).
fn roles(who: Who) -> Option<&'static [Role]> {
    match who {
        Who::Public | Who::SignedIn => None,
        Who::AnyRole => Some(ALL),
        Who::Clinical => Some(&[Role::Admin, Role::Counsellor]),
        Who::Admin => Some(&[Role::Admin]),
    }
}

/// Ids in the template database.
struct Template {
    dir: tempfile::TempDir,
    /// The template is encrypted (as every centre is); each copy opens with this key.
    key: saathi_core::keyslots::DbKey,
    staff: [(Role, i64); 3],
    inpatient: i64,
    discharged: i64,
    group: i64,
    series: i64,
    membership: i64,
    today: NaiveDate,
    /// An aftercare plan of `discharged`, and its first open follow-up.
    plan: i64,
    followup: i64,
}

fn group_input(name: &str) -> GroupInput {
    GroupInput {
        name: name.into(),
        kind: GroupKind::SharingCircle,
        topic: String::new(),
        audience: Audience::Mixed,
        gender_rule: GenderRule::Any,
        closed: false,
        mandatory: false,
        capacity: None,
        default_room_id: None,
        facilitators: vec![],
        guest_facilitators: String::new(),
        status: GroupStatus::Active,
        notes: String::new(),
    }
}

fn daily_from(start: NaiveDate) -> SeriesInput {
    SeriesInput {
        rule: Rule {
            freq: Freq::Daily,
            interval: 1,
            weekdays: vec![],
            month_week: None,
            start,
            until: None,
            count: None,
        },
        start_time: "10:00".into(),
        duration_min: 60,
        room_id: None,
        facilitators: vec![],
    }
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
    }
}

fn consent(kind: ConsentKind, on: &str) -> ConsentInput {
    ConsentInput {
        kind,
        given: true,
        detail: String::new(),
        decided_on: day(on),
        how: ConsentHow::SignedForm,
        witness: String::new(),
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
                for p in [inpatient, discharged] {
                    consents::record(tx, &sys, p, &consent(ConsentKind::PhoneFollowup, "2025-01-01"))?;
                }
                let group = groups::create(tx, &sys, &group_input("Morning circle"))?;
                let series = series::add(tx, &sys, group, &daily_from(sys.today), &SaveOptions::default())?
                    .series_id
                    .expect("saved");
                let JoinOutcome::Joined { membership_id } =
                    membership::join(tx, &sys, group, Person::Patient(inpatient), sys.today)?
                else {
                    panic!("joined")
                };
                let default = aftercare::templates::default_template(tx)?.id;
                let plan = aftercare::plans::start(tx, &sys, discharged, default)?;
                let followup = tx.query_row(
                    "SELECT id FROM aftercare_followups WHERE plan_id = ?1 AND status = 'open' ORDER BY due_on LIMIT 1",
                    [plan],
                    |r| r.get(0),
                )?;
                Ok((ids, inpatient, discharged, (group, series, membership_id, sys.today), (plan, followup)))
            })
            .unwrap();
        drop(store);
        let key = saathi_core::vault::convert(dir.path()).unwrap();
        Template {
            dir,
            key,
            staff: t.0,
            inpatient: t.1,
            discharged: t.2,
            group: t.3.0,
            series: t.3.1,
            membership: t.3.2,
            today: t.3.3,
            plan: t.4.0,
            followup: t.4.1,
        }
    })
}

fn fresh_copy(t: &Template) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for file in ["saathi.db", saathi_core::keyslots::KEYS_FILE] {
        std::fs::copy(t.dir.path().join(file), dir.path().join(file)).unwrap();
    }
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
            let intake = Intake {
                patient: NewPatient { details: details("New One"), admitted_on: day("2026-02-01") },
                consents: vec![consent(ConsentKind::Treatment, "2026-02-01")],
                case_record: CaseRecord::default(),
                admission: Admission::default(),
            };
            h::create_patient(state, intake).map(drop)
        }
        "update_patient" => {
            h::update_patient(state, t.inpatient, details("In Patient Renamed"), CaseRecord::default()).map(drop)
        }
        "get_case_record" => h::get_case_record(state, t.inpatient).map(drop),
        "search_districts" => h::search_districts(state, "amri".into()).map(drop),
        "list_states" => h::list_states(state).map(drop),
        "set_case_required" => h::set_case_required(state, vec![CaseField::District]).map(drop),
        "set_admission" => h::set_admission(state, t.inpatient, Admission::default()).map(drop),
        // Stay 2 is the discharged person's (the fixture registers the in-patient first).
        "set_discharge_summary" => h::set_discharge_summary(state, 2, "Completed the programme.".into()).map(drop),
        "field_history" => h::field_history(state, t.inpatient).map(drop),
        "reviews_due" => h::reviews_due(state).map(drop),
        "discharge_patient" => {
            h::discharge_patient(state, t.inpatient, day("2026-02-01"), DischargeType::Completed).map(drop)
        }
        "readmit_patient" => h::readmit_patient(state, t.discharged, day("2026-02-01")).map(drop),
        "set_patient_phase" => h::set_patient_phase(state, t.discharged, Phase::Alumni).map(drop),
        "set_patient_archived" => h::set_patient_archived(state, t.discharged, true).map(drop),
        "list_patient_notes" => h::list_patient_notes(state, t.inpatient).map(drop),
        "add_patient_note" => h::add_patient_note(state, t.inpatient, "Slept well.".into()).map(drop),
        "list_consents" => h::list_consents(state, t.inpatient).map(drop),
        "record_consent" => {
            h::record_consent(state, t.inpatient, consent(ConsentKind::Photographs, "2026-01-02")).map(drop)
        }
        "withdraw_consent" => h::withdraw_consent(state, 1, day("2026-01-02")).map(drop),
        "print_consent_form" => h::print_consent_form(state, t.inpatient).map(drop),
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
        "set_staff_active" => h::set_staff_active(state, f, false, None).map(drop),
        "reset_staff_password" => h::reset_staff_password(state, f, "temp-pass-3".into()).map(drop),
        "list_groups" => h::list_groups(state).map(drop),
        "get_group" => h::get_group(state, t.group).map(drop),
        "create_group" => h::create_group(state, group_input("New group")).map(drop),
        "update_group" => h::update_group(state, t.group, group_input("Renamed group")).map(drop),
        "list_rooms" => h::list_rooms(state).map(drop),
        "save_room" => h::save_room(state, None, "Room X".into(), true).map(drop),
        "add_group_series" => {
            h::add_group_series(state, t.group, daily_from(t.today), SaveOptions::default()).map(drop)
        }
        "edit_group_series" => {
            h::edit_group_series(state, t.series, t.today, daily_from(t.today), SaveOptions::default()).map(drop)
        }
        "stop_group_series" => h::stop_group_series(state, t.series, t.today + Days::new(1)).map(drop),
        "group_schedule" => h::group_schedule(state, t.today, t.today + Days::new(6), None).map(drop),
        "move_group_session" => h::move_group_session(
            state,
            t.series,
            t.today + Days::new(1),
            OccurrenceChange {
                date: t.today + Days::new(1),
                start_time: "15:00".into(),
                duration_min: 45,
                room_id: None,
                facilitators: vec![],
            },
            SaveOptions::default(),
        )
        .map(drop),
        "cancel_group_session" => {
            h::cancel_group_session(state, t.series, t.today + Days::new(2), "Holiday".into()).map(drop)
        }
        "restore_group_session" => h::restore_group_session(state, t.series, t.today + Days::new(2)).map(drop),
        "group_members" => h::group_members(state, t.group).map(drop),
        "join_group" => h::join_group(state, t.group, Person::Patient(t.discharged), t.today).map(drop),
        "leave_group" => h::leave_group(state, t.membership, t.today, LeaveReason::Discharged).map(drop),
        "withdraw_from_waitlist" => h::withdraw_from_waitlist(state, 999).map(drop),
        "group_suggestions" => h::group_suggestions(state, t.group).map(drop),
        "add_family_member" => h::add_family_member(
            state,
            FamilyMemberInput {
                name: "Mother".into(),
                relation: "Mother".into(),
                patient_id: t.inpatient,
                phone: String::new(),
            },
        )
        .map(drop),
        "list_family_members" => h::list_family_members(state, t.inpatient).map(drop),
        "attendance_sheet" => h::attendance_sheet(state, t.series, t.today).map(drop),
        "mark_attendance" => {
            h::mark_attendance(state, t.series, t.today, Person::Patient(t.inpatient), Mark::Present, String::new())
                .map(drop)
        }
        "mark_dropin" => h::mark_dropin(state, t.series, t.today, 999, Mark::Late, String::new()).map(drop),
        "add_dropin" => {
            h::add_dropin(state, t.series, t.today, DropIn { patient_id: None, name: "Visitor".into() }, Mark::Present)
                .map(drop)
        }
        "record_group_session" => {
            h::record_group_session(state, t.series, t.today, Held::Held, String::new(), "Cravings".into()).map(drop)
        }
        "set_group_session_note" => h::set_group_session_note(state, t.series, t.today, "Calm".into()).map(drop),
        "todays_group_sessions" => h::todays_group_sessions(state).map(drop),
        "attendance_missing" => h::attendance_missing(state).map(drop),
        "attendance_report" => h::attendance_report(state, t.today - Days::new(30), t.today, None).map(drop),
        "suggest_report_path" => h::suggest_report_path(state, t.today - Days::new(30), t.today).map(drop),
        "export_attendance_csv" => {
            let path = state.data_dir.join("report.csv").display().to_string();
            h::export_attendance_csv(state, t.today - Days::new(30), t.today, None, path).map(drop)
        }
        "patient_groups" => h::patient_groups(state, t.inpatient).map(drop),
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
                counselling: None,
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
                rules: vec![ContactRule { unit: Unit::Month, every: 1, from: 1, to: 6 }],
                is_default: false,
                retired: false,
            },
        )
        .map(drop),
        "discharge_with_plan" => {
            h::discharge_with_plan(state, t.inpatient, day("2026-02-01"), DischargeType::Completed, Some(1), None)
                .map(drop)
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
        "roster_preview" => h::roster_preview(state, day("2026-11-30"), None, None).map(drop),
        "print_roster" => {
            let out = state.data_dir.join("test-roster.pdf").display().to_string();
            h::print_roster(state, day("2026-11-30"), Some(true), None, Some(out)).map(drop)
        }
        "audit_log" => h::audit_log(state, AuditQuery { limit: 10, ..Default::default() }).map(drop),
        "verify_audit" => h::verify_audit(state).map(drop),
        "mentorship_overview" => h::mentorship_overview(state).map(drop),
        "suggest_mentors" => h::suggest_mentors(state).map(drop),
        "accept_mentor_pair" => h::accept_mentor_pair(state, t.discharged, t.inpatient).map(drop),
        "reject_mentor_pair" => h::reject_mentor_pair(state, t.discharged, t.inpatient).map(drop),
        "clear_mentor_rejections" => h::clear_mentor_rejections(state).map(drop),
        "check_mentor_pair" => h::check_mentor_pair(state, t.discharged, t.inpatient).map(drop),
        "pair_mentor_by_hand" => {
            h::pair_mentor_by_hand(state, t.discharged, t.inpatient, "agreed in the case meeting".into()).map(drop)
        }
        "end_mentor_pair" => {
            h::end_mentor_pair(state, 1, day("2026-02-01"), EndReason::Completed, false, String::new()).map(drop)
        }
        "add_mentor_exclusion" => {
            h::add_mentor_exclusion(state, t.discharged, t.inpatient, ExclusionKind::Relatives, "cousins".into())
                .map(drop)
        }
        "lift_mentor_exclusion" => h::lift_mentor_exclusion(state, 1, "entered by mistake".into()).map(drop),
        "patient_mentorship" => h::patient_mentorship(state, t.inpatient).map(drop),
        "save_peer_profile" => h::save_peer_profile(state, t.inpatient, PeerProfile::default()).map(drop),
        "save_mentorship_settings" => {
            let settings = MentorshipSettings {
                same_gender: false,
                min_recovery_days: 365,
                recent_discharge_days: 90,
                weights: vec![],
            };
            h::save_mentorship_settings(state, settings).map(drop)
        }
        "backup_status" => h::backup_status(state).map(drop),
        "list_drives" => h::list_drives(state).map(drop),
        "list_backups" => h::list_backups(state, "/nonexistent-saathi-stick".into()).map(drop),
        "start_backup" => h::start_backup(state, "/nonexistent-saathi-stick".into()).map(drop),
        "backup_progress" => h::backup_progress(state).map(drop),
        "set_up_backup_key" => h::set_up_backup_key(state, "correct horse battery".into(), false).map(drop),
        "backup_recovery_sheet" => h::backup_recovery_sheet(state).map(drop),
        "prepare_restore" => {
            h::prepare_restore(state, "/nonexistent-saathi-stick/x.saathi".into(), "p".into()).map(drop)
        }
        "confirm_restore" => h::confirm_restore(state).map(drop),
        "cancel_restore" => h::cancel_restore(state).map(drop),
        "local_snapshots" => h::local_snapshots(state).map(drop),
        "set_backup_on_close" => h::set_backup_on_close(state, true).map(drop),
        "safety_copies" => h::safety_copies(state).map(drop),
        "remove_safety_copy" => {
            h::remove_safety_copy(state, "saathi-before-restore-20261126-101500.db".into()).map(drop)
        }
        "unattended_backup_status" => h::unattended_backup_status(state).map(drop),
        "set_unattended_backup" => h::set_unattended_backup(state, true).map(drop),
        "rights_requests" => h::rights_requests(state).map(drop),
        "open_rights_request" => h::open_rights_request(
            state,
            RequestInput {
                kind: RequestKind::Erasure,
                patient_id: Some(t.discharged),
                requester: String::new(),
                summary: "asked by letter".into(),
                received_on: t.today,
            },
        )
        .map(drop),
        "close_rights_request" => {
            h::close_rights_request(state, 1, false, "not identified".into(), Some(Refusal::NotIdentified)).map(drop)
        }
        "record_correction" => {
            h::record_correction(state, 1, CorrectedField::Phone, t.today, "new number".into()).map(drop)
        }
        "answer_access_request" => h::answer_access_request(state, 1, Language::Hi, vec![]).map(drop),
        "erase_for_request" => h::erase_for_request(state, 1, String::new(), None).map(drop),
        "print_reply_letter" => h::print_reply_letter(state, 1, Some(Language::En)).map(drop),
        "rights_settings" => h::rights_settings(state).map(drop),
        "save_rights_settings" => h::save_rights_settings(state, RightsSettings::default()).map(drop),
        "list_breaches" => h::list_breaches(state).map(drop),
        "record_breach" => h::record_breach(
            state,
            BreachInput {
                what: "A laptop was stolen".into(),
                happened_on: None,
                found_at: t.today.and_hms_opt(8, 0, 0).unwrap(),
                whose: String::new(),
                affected: 3,
                patient_ids: vec![],
            },
        )
        .map(drop),
        "breach_notified" => {
            h::breach_notified(state, 1, Notice::Board, t.today.and_hms_opt(9, 0, 0).unwrap()).map(drop)
        }
        "breach_countdown" => h::breach_countdown(state).map(drop),
        // ---- issue 17: participant notes
        "session_participant_notes" => h::session_participant_notes(state, t.series, t.today).map(drop),
        "write_participant_note" => {
            h::write_participant_note(state, t.series, t.today, t.inpatient, "Calm".into()).map(drop)
        }
        "sign_participant_note" => h::sign_participant_note(state, 1).map(drop),
        "add_participant_note_addendum" => h::add_participant_note_addendum(state, 1, "Later".into()).map(drop),
        "patient_participant_notes" => h::patient_participant_notes(state, t.inpatient).map(drop),
        // ---- issue 17: registers and sign-in sheets
        "print_register" => {
            let out = state.data_dir.join("test-register.pdf").display().to_string();
            let request = RegisterRequest { kind: RegisterKind::Admissions, from: day("2025-01-01"), to: t.today };
            h::print_register(state, request, Some(true), None, Some(out)).map(drop)
        }
        "export_register_csv" => {
            let out = state.data_dir.join("test-register.csv").display().to_string();
            let request = RegisterRequest { kind: RegisterKind::Sessions, from: day("2025-01-01"), to: t.today };
            h::export_register_csv(state, request, None, out).map(drop)
        }
        "print_sign_in_sheet" => {
            let out = state.data_dir.join("test-sign-in.pdf").display().to_string();
            h::print_sign_in_sheet(state, t.group, t.today, None, Some(Language::Hi), Some(out)).map(drop)
        }
        // ---- issue 17: statistics
        "list_counselling_sessions" => h::list_counselling_sessions(state, t.inpatient).map(drop),
        "record_counselling_session" => h::record_counselling_session(
            state,
            t.inpatient,
            saathi_core::counselling::CounsellingInput {
                on_date: t.today,
                kind: saathi_core::counselling::CounsellingKind::Family,
                duration_min: Some(45),
                note: "Talked with his mother.".into(),
            },
        )
        .map(drop),
        "list_outreach" => h::list_outreach(state, t.today, t.today).map(drop),
        "add_outreach" => h::add_outreach(
            state,
            saathi_core::outreach::OutreachInput {
                on_date: t.today,
                kind: saathi_core::outreach::OutreachKind::School,
                place: "Government school".into(),
                district_code: None,
                people_reached: 80,
                note: String::new(),
            },
        )
        .map(drop),
        "statistics" => h::statistics(state, t.today.format("%Y-%m").to_string()).map(drop),
        "statistics_people" => h::statistics_people(
            state,
            t.today.format("%Y-%m").to_string(),
            saathi_core::statistics::Figure::AdmissionsNew,
            "total".into(),
        )
        .map(drop),
        "print_statistics" => h::print_statistics(state, t.today.format("%Y-%m").to_string(), Language::Hi).map(drop),
        "export_statistics_csv" => h::export_statistics_csv(state, t.today.format("%Y-%m").to_string()).map(drop),
        // ---- issue 17: certificates and aftercare outcomes
        "patient_certificates" => h::patient_certificates(state, t.discharged).map(drop),
        "issue_certificate" => h::issue_certificate(
            state,
            saathi_core::certificates::CertificateInput {
                patient_id: t.discharged,
                kind: saathi_core::certificates::CertificateKind::Treatment,
                from: None,
                to: None,
                stay_id: None,
                purpose: "Court".into(),
                language: saathi_core::certificates::CertificateLanguage::Both,
                substance: String::new(),
                consent_how: None,
                consent_witness: String::new(),
            },
        )
        .map(drop),
        "print_certificate" => {
            let out = state.data_dir.join("test-certificate.pdf").display().to_string();
            h::print_certificate(state, 1, Some(out)).map(drop)
        }
        "aftercare_outcomes" => h::aftercare_outcomes(state, day("2025-01-01"), day("2025-12-31")).map(drop),
        "print_outcomes" => {
            h::print_outcomes(state, day("2025-01-01"), day("2025-12-31"), Some(Language::En)).map(drop)
        }
        "export_outcomes_csv" => {
            let out = state.data_dir.join("test-outcomes.csv").display().to_string();
            h::export_outcomes_csv(state, day("2025-01-01"), day("2025-12-31"), out).map(drop)
        }
        other => panic!("no sample call for command {other}: add it to role_matrix.rs"),
    })
}

fn denied_entries(dir: &Path, key: &saathi_core::keyslots::DbKey) -> i64 {
    let store = Store::open_with(&dir.join("saathi.db"), Some(key)).unwrap();
    store.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'access_denied'", [], |r| r.get(0)).unwrap()
}

#[test]
fn every_command_for_every_role() {
    let t = template();
    let mut checked = 0;
    for &(name, who) in COMMANDS {
        for &(role, staff_id) in &t.staff {
            let (_keep, dir) = fresh_copy(t);
            let state = AppState::open_unlocked_for_test(dir.clone(), &t.key);
            state.sign_in_for_test(staff_id, role);
            let code = call(&state, t, name);
            let allowed = roles(who).is_none_or(|roles| roles.contains(&role));
            if allowed {
                assert!(
                    !matches!(code.as_deref(), Some("forbidden" | "not_signed_in" | "locked")),
                    "{name} as {role:?} should be allowed, got {code:?}"
                );
            } else {
                assert_eq!(code.as_deref(), Some("forbidden"), "{name} as {role:?} should be refused");
                drop(state);
                assert_eq!(denied_entries(&dir, &t.key), 1, "{name} refusal for {role:?} is audited");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, COMMANDS.len() * 3);
}

#[test]
fn without_a_session_only_public_commands_run() {
    let t = template();
    for &(name, who) in COMMANDS {
        let (_keep, dir) = fresh_copy(t);
        let state = AppState::open_unlocked_for_test(dir, &t.key);
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
    let state = AppState::open_unlocked_for_test(dir, &t.key);
    state.sign_in_for_test(t.staff[0].1, Role::Admin);
    h::lock(&state).unwrap();
    for name in ["register_counts", "get_patient", "audit_log", "touch", "set_pin"] {
        assert_eq!(call(&state, t, name).as_deref(), Some("locked"), "{name}");
    }
    assert_eq!(call(&state, t, "unlock").as_deref(), Some("sign_in_failed"));
}

/// Not only refusals: what the core returns to the front desk holds no counsellor's words
/// (why two people must never be paired, why a pair ended or broke a rule, why a plan was
/// paused or closed) and no lapse, relapse or risk; a counsellor gets them all.
#[test]
fn the_front_desk_receives_no_clinical_fields() {
    use saathi_core::aftercare::WorklistRange;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("saathi.db");
    let (mentor, mentee, paused_patient, relapsed) = {
        let mut store = Store::open(&db).unwrap();
        saathi_core::demo::generate(&mut store, chrono::Local::now().date_naive(), 3).unwrap();
        let admin = Ctx::now(Actor { staff_id: Some(1), role: Role::Admin });
        store
            .write(|tx| {
                let one = |sql: &str| -> saathi_core::Result<i64> { Ok(tx.query_row(sql, [], |r| r.get(0))?) };
                let mentor =
                    one("SELECT patient_id FROM peer_profiles WHERE is_mentor = 1 ORDER BY patient_id LIMIT 1")?;
                let mentee = one(&format!(
                    "SELECT id FROM patients WHERE id <> {mentor} AND id NOT IN
                     (SELECT mentee_id FROM mentor_exclusions WHERE mentor_id = {mentor}) ORDER BY id LIMIT 1"
                ))?;
                saathi_core::mentorship::add_exclusion(
                    tx,
                    &admin,
                    mentor,
                    mentee,
                    ExclusionKind::Conflict,
                    "SECRET-EXCLUSION-NOTE",
                )?;
                let plan = one("SELECT id FROM aftercare_plans WHERE status = 'active' ORDER BY id LIMIT 1")?;
                saathi_core::aftercare::plans::set_paused(tx, &admin, plan, true, "SECRET-PAUSE-REASON")?;
                let paused_patient = one(&format!("SELECT patient_id FROM aftercare_plans WHERE id = {plan}"))?;
                let relapsed = one("SELECT patient_id FROM aftercare_attempts WHERE status = 'relapse' LIMIT 1")?;
                Ok((mentor, mentee, paused_patient, relapsed))
            })
            .unwrap()
    };
    let key = saathi_core::vault::convert(dir.path()).unwrap();
    let state = AppState::open_unlocked_for_test(dir.path().to_path_buf(), &key);
    let seen = |role: Role, staff_id: i64| -> String {
        state.sign_in_for_test(staff_id, role);
        let json = |v: serde_json::Result<String>| v.unwrap();
        [
            json(serde_json::to_string(&h::patient_mentorship(&state, mentor).unwrap())),
            json(serde_json::to_string(&h::patient_mentorship(&state, mentee).unwrap())),
            json(serde_json::to_string(&h::mentorship_overview(&state).unwrap())),
            json(serde_json::to_string(&h::patient_aftercare(&state, paused_patient).unwrap())),
            json(serde_json::to_string(&h::patient_aftercare(&state, relapsed).unwrap())),
            json(serde_json::to_string(&h::aftercare_worklist(&state, WorklistRange::Week).unwrap())),
        ]
        .join("\n")
    };
    let staff_of = |role: Role| -> i64 {
        state
            .read_open(|c| {
                Ok(c.query_row("SELECT id FROM staff WHERE role = ?1 LIMIT 1", [role.as_str()], |r| r.get(0))?)
            })
            .unwrap()
    };
    let counsellor = seen(Role::Counsellor, staff_of(Role::Counsellor));
    for secret in ["SECRET-EXCLUSION-NOTE", "SECRET-PAUSE-REASON", "\"relapse\""] {
        assert!(counsellor.contains(secret), "a counsellor sees {secret}");
    }
    let desk = seen(Role::FrontDesk, staff_of(Role::FrontDesk));
    for secret in ["SECRET-EXCLUSION-NOTE", "SECRET-PAUSE-REASON", "\"relapse\"", "\"lapse\"", "\"risk\":\"high\""] {
        assert!(!desk.contains(secret), "the front desk receives {secret}");
    }
    assert!(desk.contains("\"paused\""), "the front desk still sees that the plan is paused");
    state.wait_for_snapshot();
}
