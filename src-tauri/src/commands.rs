//! The app's Tauri commands. Each one is thin: take the state, call the core, map the
//! error to `{code, message, field}`. The `commands!` macro writes every command twice
//! from one definition: as a plain function in `handlers` (what tests call) and as the
//! `#[tauri::command]` the window invokes; it also lists their names (`DEFINED`, checked
//! against the commands' table, src-tauri/commands.rs) and builds the invoke handler.
//!
//! No command runs on the main (window) thread: Tauri runs a plain `fn` command there,
//! so a password check, a restore preview or the wait for the start-up check would
//! freeze the window. Each generated command is `async` and runs its handler on the
//! blocking pool (`spawn_blocking`), so commands also run at the same time: state.rs
//! says how its locks keep that correct.
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use saathi_core::access::Action;
use saathi_core::admission_basis::{self, Admission, ReviewDue};
use saathi_core::aftercare::attempts::AttemptOutcome;
use saathi_core::aftercare::risk::{self, Acknowledge, AtRiskEntry};
use saathi_core::aftercare::{
    self, AftercareSettings, AttemptInput, CloseReason, PatientAftercare, Plan, PlanTemplate, TemplateInput,
    WorklistRange, WorklistRow, attempts, plans, roster, templates, worklist,
};
use saathi_core::audit::{self, AuditCheck, AuditPage, AuditQuery};
use saathi_core::auth::{self, SessionInfo, SetupInput, SetupResult, SetupStatus};
use saathi_core::backup::{self, BackupFile, BackupJob, BackupStatus, Drive, RestorePreview, key};
use saathi_core::bulk_reads;
use saathi_core::case_record::{self, CaseField, CaseRecord, CaseRecordView};
use saathi_core::consents::{self, ConsentInput, ConsentRecord};
use saathi_core::consents_print;
use saathi_core::credentials::{self, Slots};
use saathi_core::districts::{self, District};
use saathi_core::field_history::{self, FieldChange};
use saathi_core::groups::attendance::{self, AttendanceSheet, DropIn, Mark};
use saathi_core::groups::conflicts::{SaveOptions, SaveOutcome};
use saathi_core::groups::membership::{
    self, FamilyMember, FamilyMemberInput, GroupMembers, JoinOutcome, LeaveReason, Offer, Person, Suggestion,
};
use saathi_core::groups::participant_notes::{self, ParticipantNote}; // issue 17: participant notes
use saathi_core::groups::reports::{self, AttendanceReport, PatientGroups};
use saathi_core::groups::series::{self, Held, Occurrence, OccurrenceChange, SeriesInput};
use saathi_core::groups::{self, Group, GroupInput, Room};
use saathi_core::intake::{self, Intake};
use saathi_core::keyslots::Face;
use saathi_core::mentorship::{
    self, EndReason, ExclusionKind, ExclusionRow, MentorSuggestions, MentorshipOverview, MentorshipSettings, PairCheck,
    PairRow, PatientMentorship, PeerProfile,
};
use saathi_core::notes::{self, PatientNote};
use saathi_core::patients::{
    self, DischargeType, Patient, PatientDetails, PatientPage, PatientQuery, Phase, RegisterCounts,
};
use saathi_core::pdf::RosterDoc;
// ---- issue 17: registers and sign-in sheets
use saathi_core::registers::{self, RegisterRequest};
use saathi_core::rights::breaches::{self, BoardDue, Breach, BreachInput, Notice};
use saathi_core::rights::{self, CorrectedField, Refusal, RequestInput, RightsRequest, RightsSettings, Withheld};
use saathi_core::settings::{self, AppInfo, Language, Settings};
use saathi_core::staff::{self, StaffInput, StaffMember};
use saathi_core::unattended::{self, UnattendedStatus};
use saathi_core::vault;
// ---- issue 17: statistics
// ---- issue 17: certificates and aftercare outcomes
use saathi_core::aftercare::outcomes::{self, Outcomes};
use saathi_core::aftercare::outcomes_print;
use saathi_core::certificates::{self, Certificate, CertificateInput};
use saathi_core::{Actor, Ctx, Error, ErrorPayload};
use saathi_core::{counselling, outreach, statistics};
use tauri::Manager;

use crate::state::{AppState, Door, Res};

macro_rules! commands {
    ($( $(#[$doc:meta])* fn $name:ident($state:ident $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty $body:block )*) => {
        pub mod handlers {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$doc])* pub fn $name($state: &AppState $(, $arg: $ty)*) -> Res<$ret> $body )*
        }

        $(
            #[tauri::command]
            pub async fn $name<R: tauri::Runtime>(app: tauri::AppHandle<R> $(, $arg: $ty)*) -> Res<$ret> {
                off_the_main_thread(app, stringify!($name), move |state| handlers::$name(state $(, $arg)*)).await
            }
        )*

        /// Every command defined here, by name.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const DEFINED: &[&str] = &[$(stringify!($name)),*];

        pub fn invoke_handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }
    };
}

/// Runs one command's handler on the blocking pool and waits for it without holding a
/// thread (the main thread and the async workers stay free). A handler that panicked
/// answers with the code `internal` (a transaction it had begun was rolled back).
async fn off_the_main_thread<R: tauri::Runtime, T: Send + 'static>(
    app: tauri::AppHandle<R>,
    name: &'static str,
    handler: impl FnOnce(&AppState) -> Res<T> + Send + 'static,
) -> Res<T> {
    let ran = tauri::async_runtime::spawn_blocking(move || {
        let began = std::time::Instant::now();
        let out = handler(&app.state::<AppState>());
        tracing::debug!(command = name, us = began.elapsed().as_micros() as u64, "command");
        out
    })
    .await;
    ran.unwrap_or_else(|_| {
        tracing::error!(command = name, "the command stopped (panicked)");
        Err(ErrorPayload {
            code: "internal".into(),
            message: "Something went wrong inside Saathi. Please try again.".into(),
            field: None,
            params: Default::default(),
        })
    })
}

fn system_now() -> Ctx {
    Ctx::now(Actor::system())
}

commands! {
    // ------------------------------------------------------------ before sign-in

    fn app_info(state) -> AppInfo {
        crate::log_first_call();
        let startup_error = state.startup_error();
        let face = match &*state.door() {
            Door::Locked(slots) => Some(slots.face.demo),
            Door::New => Some(false),
            Door::Open => None,
        };
        let demo = match face {
            Some(demo) => demo,
            None => startup_error.is_none() && state.read_without_waiting(settings::is_demo).unwrap_or(false),
        };
        Ok(AppInfo {
            checking: state.checking(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: state.data_dir.display().to_string(),
            demo,
            schema_version: saathi_core::db::schema_version(),
            startup_error,
        })
    }

    /// Before the database is open (a new or locked folder), what the sign-in screen
    /// shows: the centre's name and language from the key slots file.
    fn get_settings(state) -> Settings {
        let face = match &*state.door() {
            Door::Locked(slots) => Some(slots.face.clone()),
            Door::New => Some(Face::default()),
            Door::Open => None,
        };
        match face {
            Some(face) => Ok(Settings {
                language: face.language,
                centre_name: face.centre_name,
                centre_address: String::new(),
                centre_phone: String::new(),
                idle_minutes: settings::DEFAULT_IDLE_MINUTES,
            }),
            None => state.read_open(settings::get),
        }
    }

    fn setup_status(state) -> SetupStatus {
        let before_open = match &*state.door() {
            Door::Locked(slots) => Some(SetupStatus { needs_setup: false, centre_name: slots.face.centre_name.clone() }),
            Door::New => Some(SetupStatus { needs_setup: true, centre_name: String::new() }),
            Door::Open => None,
        };
        match before_open {
            Some(status) => Ok(status),
            None => state.read_open(auth::setup_status),
        }
    }

    /// First run: the centre and its first administrator, in a database encrypted from
    /// its first page. Returns the recovery code.
    fn set_up(state, input: SetupInput) -> SetupResult {
        if let Some(result) = state.set_up_new(&input)? {
            return Ok(result);
        }
        let dir = state.data_dir.clone();
        state.write_keyed_as(&system_now(), |tx, ctx, key| credentials::set_up(tx, ctx, Slots { dir: &dir, key }, &input))
    }

    /// Signs in. A locked folder is unlocked first: the password opens the staff member's
    /// key slot, then the database. Otherwise the register checks the password, and the
    /// staff member's slot is renewed if it is interim or out of date.
    fn sign_in(state, username: String, password: String) -> SessionInfo {
        let session = match state.unlock(&username, &password)? {
            Some(staff_id) => {
                let failures = state.take_locked_failures();
                state.write_as(&system_now(), |tx, ctx| {
                    auth::record_locked_failures(tx, ctx, &failures)?;
                    auth::sign_in_unlocked(tx, ctx, staff_id, &password)
                })?
            }
            None => {
                let dir = state.data_dir.clone();
                state.write_keyed_as(&system_now(), |tx, ctx, key| {
                    let attempt = auth::sign_in(tx, ctx, &username, &password)?;
                    if let (Ok(session), Some(key)) = (&attempt, key) {
                        let info = session.info();
                        // Only a better slot is at stake: a failure here never stops a sign-in.
                        if let Err(e) = vault::refresh_staff(&dir, key, info.staff_id, &info.username, &password) {
                            tracing::warn!(code = e.code(), "the key slot could not be renewed");
                        }
                    }
                    Ok(attempt)
                })?
            }
        };
        let mut session = session.map_err(|e| e.payload())?;
        if let Some(warning) = state.check_anchor_once() {
            session.warn_about_audit(warning);
        }
        let info = session.info().clone();
        *state.session() = Some(session);
        Ok(info)
    }

    /// Emergency access with the recovery code (which also unlocks a locked folder).
    /// Returns the new recovery code.
    fn recover(state, code: String, username: String, password: String) -> SetupResult {
        if let Err(e) = state.unlock_with_recovery(&code) {
            return Err(if e.code == "sign_in_failed" { auth::wrong_recovery_code().payload() } else { e });
        }
        let dir = state.data_dir.clone();
        state
            .write_keyed_as(&system_now(), |tx, ctx, key| {
                credentials::recover(tx, ctx, Slots { dir: &dir, key }, &code, &username, &password)
            })?
            .map_err(|e| e.payload())
    }

    // ------------------------------------------------------------ the session

    /// The signed-in staff member (locked or not), or null. Not counted as activity.
    fn session_info(state) -> Option<SessionInfo> {
        Ok(state.session().as_ref().map(|s| s.info().clone()))
    }

    /// Input was seen in the window: keeps the session from locking.
    fn touch(state) -> SessionInfo {
        state.touch()?;
        session_info(state)?.ok_or_else(|| Error::NotSignedIn.payload())
    }

    fn lock(state) -> () {
        let actor = match state.session().as_mut() {
            Some(s) => {
                s.lock();
                s.actor_unchecked()
            }
            None => return Err(Error::NotSignedIn.payload()),
        };
        let ctx = Ctx { actor, ..system_now() };
        state.write_as(&ctx, |tx, ctx| audit::record(tx, ctx, "lock", audit::entity::STAFF, actor.staff_id, "by hand"))?;
        state.write_anchor();
        crate::printouts::clear(&state.data_dir);
        Ok(())
    }

    fn unlock(state, secret: String, pin: bool) -> SessionInfo {
        let mut session = state.session().clone().ok_or_else(|| Error::NotSignedIn.payload())?;
        let result = state.write_as(&system_now(), |tx, ctx| session.unlock(tx, ctx, &secret, pin))?;
        let info = session.info().clone();
        if let Some(s) = state.session().as_mut()
            && s.info().staff_id == info.staff_id
        {
            *s = session;
        }
        result.map_err(|e| e.payload())?;
        Ok(info)
    }

    fn sign_out(state) -> () {
        let Some(session) = state.session().take() else { return Ok(()) };
        let actor = session.actor_unchecked();
        let ctx = Ctx { actor, ..system_now() };
        state.write_as(&ctx, |tx, ctx| audit::record(tx, ctx, "sign_out", audit::entity::STAFF, actor.staff_id, ""))?;
        state.write_anchor();
        crate::printouts::clear(&state.data_dir);
        Ok(())
    }

    /// The new password's key slot is saved before the change is committed.
    fn change_password(state, old_password: String, new_password: String) -> SessionInfo {
        let dir = state.data_dir.clone();
        state
            .write_keyed(true, |tx, ctx, key| {
                credentials::change_password(tx, ctx, Slots { dir: &dir, key }, &old_password, &new_password)
            })?
            .map_err(|e| e.payload())?;
        refresh_session(state)
    }

    fn set_pin(state, password: String, pin: String) -> SessionInfo {
        state.write(|tx, ctx| auth::set_pin(tx, ctx, &password, &pin))?.map_err(|e| e.payload())?;
        refresh_session(state)
    }

    // ------------------------------------------------------------ settings

    fn set_language(state, language: Language) -> Settings {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| {
            settings::set_language(tx, ctx, language)?;
            credentials::keep_face(tx, Slots { dir: &dir, key })
        })?;
        get_settings(state)
    }

    fn set_idle_minutes(state, minutes: u32) -> Settings {
        state.write(|tx, ctx| auth::set_idle_minutes(tx, ctx, minutes))?;
        if let Some(s) = state.session().as_mut() {
            s.set_idle_minutes(minutes);
        }
        get_settings(state)
    }

    fn update_centre(state, name: String, address: String, phone: String) -> Settings {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| {
            settings::set_centre(tx, ctx, &name, &address, &phone)?;
            credentials::keep_face(tx, Slots { dir: &dir, key })
        })?;
        get_settings(state)
    }

    // ------------------------------------------------------------ the register

    fn register_counts(state) -> RegisterCounts {
        state.read(patients::counts)
    }

    fn search_patients(state, query: PatientQuery) -> PatientPage {
        state.write(|tx, ctx| bulk_reads::search_patients(tx, ctx, &query))
    }

    fn get_patient(state, id: i64) -> Patient {
        state.write(|tx, ctx| patients::view(tx, ctx, id))
    }

    /// A new person with what they agreed to or refused at intake, their case record and
    /// the admission's basis (one transaction).
    fn create_patient(state, intake: Intake) -> Patient {
        state.write(|tx, ctx| {
            let id = intake::register(tx, ctx, &intake)?;
            patients::get(tx, ctx, id)
        })
    }

    /// Corrections to the register's details and the case record (kept in the history).
    fn update_patient(state, id: i64, details: PatientDetails, case_record: CaseRecord) -> Patient {
        state.write(|tx, ctx| {
            intake::correct(tx, ctx, id, &details, &case_record)?;
            patients::get(tx, ctx, id)
        })
    }

    fn get_case_record(state, patient: i64) -> CaseRecordView {
        state.read(|conn, ctx| case_record::view(conn, ctx, patient))
    }

    /// Districts whose name (English or Hindi) or state's name matches, for the pickers.
    fn search_districts(state, text: String) -> Vec<District> {
        state.read(|_, _| Ok(districts::search(&text, 20).into_iter().cloned().collect()))
    }

    fn list_states(state) -> Vec<districts::State> {
        state.read(|_, _| Ok(districts::states().to_vec()))
    }

    fn set_case_required(state, fields: Vec<CaseField>) -> Vec<CaseField> {
        state.write(|tx, ctx| {
            case_record::set_required(tx, ctx, &fields)?;
            case_record::required(tx)
        })
    }

    /// The basis of the open stay under the Mental Healthcare Act (a change is kept in
    /// the history).
    fn set_admission(state, patient: i64, admission: Admission) -> Patient {
        state.write(|tx, ctx| {
            admission_basis::set(tx, ctx, patient, &admission, true)?;
            patients::get(tx, ctx, patient)
        })
    }

    fn set_discharge_summary(state, stay: i64, summary: String) -> Patient {
        state.write(|tx, ctx| {
            let patient = patients::set_discharge_summary(tx, ctx, stay, &summary)?;
            patients::get(tx, ctx, patient)
        })
    }

    fn field_history(state, patient: i64) -> Vec<FieldChange> {
        state.read(|conn, ctx| field_history::list(conn, ctx, patient))
    }

    /// Supported admissions due for review within three days, or overdue (Today).
    fn reviews_due(state) -> Vec<ReviewDue> {
        state.read(admission_basis::reviews_due)
    }

    fn discharge_patient(state, id: i64, on: NaiveDate, kind: DischargeType) -> Patient {
        state.write(|tx, ctx| {
            patients::discharge(tx, ctx, id, on, kind)?;
            patients::get(tx, ctx, id)
        })
    }

    fn readmit_patient(state, id: i64, on: NaiveDate) -> Patient {
        state.write(|tx, ctx| {
            saathi_core::admissions::readmit(tx, ctx, id, on)?;
            patients::get(tx, ctx, id)
        })
    }

    fn set_patient_phase(state, id: i64, phase: Phase) -> Patient {
        state.write(|tx, ctx| {
            patients::set_phase(tx, ctx, id, phase)?;
            patients::get(tx, ctx, id)
        })
    }

    fn set_patient_archived(state, id: i64, archived: bool) -> Patient {
        state.write(|tx, ctx| {
            patients::set_archived(tx, ctx, id, archived)?;
            patients::get(tx, ctx, id)
        })
    }

    // ------------------------------------------------------------ consents

    fn list_consents(state, patient: i64) -> Vec<ConsentRecord> {
        state.read(|conn, ctx| consents::list(conn, ctx, patient))
    }

    fn record_consent(state, patient: i64, consent: ConsentInput) -> Vec<ConsentRecord> {
        state.write(|tx, ctx| {
            consents::record(tx, ctx, patient, &consent)?;
            consents::list(tx, ctx, patient)
        })
    }

    /// Takes effect at once (the call list, printed lists, family calls).
    fn withdraw_consent(state, id: i64, on: NaiveDate) -> Vec<ConsentRecord> {
        state.write(|tx, ctx| {
            let patient = consents::withdraw(tx, ctx, id, on)?;
            consents::list(tx, ctx, patient)
        })
    }

    /// The bilingual consent form to sign (centre's and patient's copies), written into
    /// the printouts folder and opened in the PDF viewer; returns where it was written.
    fn print_consent_form(state, patient: i64) -> String {
        let bytes = state.write(|tx, ctx| consents_print::form_pdf(tx, ctx, patient))?;
        save_printout(state, &format!("consent-form-{patient}.pdf"), &bytes, None)
    }

    fn list_patient_notes(state, id: i64) -> Vec<PatientNote> {
        state.write(|tx, ctx| notes::list(tx, ctx, id))
    }

    fn add_patient_note(state, id: i64, body: String) -> Vec<PatientNote> {
        state.write(|tx, ctx| {
            notes::add(tx, ctx, id, &body)?;
            notes::list(tx, ctx, id)
        })
    }

    // ------------------------------------------------------------ staff

    fn list_staff(state) -> Vec<StaffMember> {
        state.read(staff::list)
    }

    /// With a temporary password, the new staff member gets a key slot under it.
    fn create_staff(state, input: StaffInput, temporary_password: Option<String>) -> StaffMember {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| {
            let id =
                credentials::create_staff(tx, ctx, Slots { dir: &dir, key }, &input, temporary_password.as_deref())?;
            staff::get(tx, id)
        })
    }

    /// A changed username is changed in the key slots file too (found by it at sign-in).
    fn update_staff(state, id: i64, input: StaffInput) -> StaffMember {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| {
            credentials::update_staff(tx, ctx, Slots { dir: &dir, key }, id, &input)?;
            staff::get(tx, id)
        })
    }

    /// A deactivated staff member's key slot is removed before the change is committed:
    /// their password no longer opens the database. Reactivated, one who signs in needs a
    /// temporary password (it gets a fresh slot).
    fn set_staff_active(state, id: i64, active: bool, temporary_password: Option<String>) -> StaffMember {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| {
            let slots = Slots { dir: &dir, key };
            credentials::set_staff_active(tx, ctx, slots, id, active, temporary_password.as_deref())?;
            staff::get(tx, id)
        })
    }

    /// The temporary password gets the staff member's key slot (the old one is replaced).
    fn reset_staff_password(state, id: i64, temporary_password: String) -> StaffMember {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| {
            credentials::reset_password(tx, ctx, Slots { dir: &dir, key }, id, &temporary_password)?;
            staff::get(tx, id)
        })
    }

    // ------------------------------------------------------------ groups

    fn list_groups(state) -> Vec<Group> {
        state.read(groups::list)
    }

    fn get_group(state, id: i64) -> Group {
        state.read(|conn, ctx| groups::get(conn, ctx, id))
    }

    fn create_group(state, input: GroupInput) -> Group {
        state.write(|tx, ctx| {
            let id = groups::create(tx, ctx, &input)?;
            groups::get(tx, ctx, id)
        })
    }

    fn update_group(state, id: i64, input: GroupInput) -> Group {
        state.write(|tx, ctx| {
            groups::update(tx, ctx, id, &input)?;
            groups::get(tx, ctx, id)
        })
    }

    fn list_rooms(state) -> Vec<Room> {
        state.read(groups::rooms)
    }

    fn save_room(state, id: Option<i64>, name: String, active: bool) -> Vec<Room> {
        state.write(|tx, ctx| {
            groups::save_room(tx, ctx, id, &name, active)?;
            groups::rooms(tx, ctx)
        })
    }

    /// A new schedule for a group. Not saved when a room or facilitator clashes (see
    /// the outcome's conflicts) unless `options.override_reason` is given.
    fn add_group_series(state, group_id: i64, input: SeriesInput, options: SaveOptions) -> SaveOutcome {
        state.write(|tx, ctx| series::add(tx, ctx, group_id, &input, &options))
    }

    /// "This and following" from `from`; "all" is `from` = today.
    fn edit_group_series(state, series_id: i64, from: NaiveDate, input: SeriesInput, options: SaveOptions) -> SaveOutcome {
        state.write(|tx, ctx| series::edit(tx, ctx, series_id, from, &input, &options))
    }

    fn stop_group_series(state, series_id: i64, from: NaiveDate) -> () {
        state.write(|tx, ctx| series::stop(tx, ctx, series_id, from))
    }

    fn group_schedule(state, from: NaiveDate, to: NaiveDate, group_id: Option<i64>) -> Vec<Occurrence> {
        state.read(|conn, ctx| series::schedule(conn, ctx, from, to, group_id))
    }

    fn move_group_session(state, series_id: i64, original_date: NaiveDate, change: OccurrenceChange, options: SaveOptions) -> SaveOutcome {
        state.write(|tx, ctx| series::move_occurrence(tx, ctx, series_id, original_date, &change, &options))
    }

    fn cancel_group_session(state, series_id: i64, original_date: NaiveDate, reason: String) -> Occurrence {
        state.write(|tx, ctx| {
            series::cancel_occurrence(tx, ctx, series_id, original_date, &reason)?;
            series::occurrence(tx, series_id, original_date)
        })
    }

    fn restore_group_session(state, series_id: i64, original_date: NaiveDate) -> Occurrence {
        state.write(|tx, ctx| {
            series::restore_occurrence(tx, ctx, series_id, original_date)?;
            series::occurrence(tx, series_id, original_date)
        })
    }

    fn group_members(state, group_id: i64) -> GroupMembers {
        state.read(|conn, ctx| membership::members(conn, ctx, group_id, ctx.today))
    }

    fn join_group(state, group_id: i64, person: Person, joined_on: NaiveDate) -> JoinOutcome {
        state.write(|tx, ctx| membership::join(tx, ctx, group_id, person, joined_on))
    }

    fn leave_group(state, membership_id: i64, left_on: NaiveDate, reason: LeaveReason) -> Option<Offer> {
        state.write(|tx, ctx| membership::leave(tx, ctx, membership_id, left_on, reason))
    }

    fn withdraw_from_waitlist(state, waitlist_id: i64) -> Option<Offer> {
        state.write(|tx, ctx| membership::withdraw(tx, ctx, waitlist_id))
    }

    fn group_suggestions(state, group_id: i64) -> Vec<Suggestion> {
        state.read(|conn, ctx| membership::suggestions(conn, ctx, group_id))
    }

    fn add_family_member(state, input: FamilyMemberInput) -> Vec<FamilyMember> {
        state.write(|tx, ctx| {
            membership::add_family_member(tx, ctx, &input)?;
            membership::family_of(tx, ctx, input.patient_id)
        })
    }

    fn list_family_members(state, patient_id: i64) -> Vec<FamilyMember> {
        state.read(|conn, ctx| membership::family_of(conn, ctx, patient_id))
    }

    fn attendance_sheet(state, series_id: i64, original_date: NaiveDate) -> AttendanceSheet {
        state.write(|tx, ctx| attendance::open_sheet(tx, ctx, series_id, original_date))
    }

    fn mark_attendance(state, series_id: i64, original_date: NaiveDate, person: Person, mark: Mark, reason: String) -> AttendanceSheet {
        state.write(|tx, ctx| {
            attendance::mark(tx, ctx, series_id, original_date, person, mark, &reason)?;
            attendance::sheet(tx, ctx, series_id, original_date)
        })
    }

    fn mark_dropin(state, series_id: i64, original_date: NaiveDate, attendance_id: i64, mark: Mark, reason: String) -> AttendanceSheet {
        state.write(|tx, ctx| {
            attendance::mark_row(tx, ctx, attendance_id, mark, &reason)?;
            attendance::sheet(tx, ctx, series_id, original_date)
        })
    }

    fn add_dropin(state, series_id: i64, original_date: NaiveDate, dropin: DropIn, mark: Mark) -> AttendanceSheet {
        state.write(|tx, ctx| {
            attendance::add_dropin(tx, ctx, series_id, original_date, &dropin, mark)?;
            attendance::sheet(tx, ctx, series_id, original_date)
        })
    }

    fn record_group_session(state, series_id: i64, original_date: NaiveDate, held: Held, not_held_reason: String, topic: String) -> AttendanceSheet {
        state.write(|tx, ctx| {
            attendance::set_held(tx, ctx, series_id, original_date, held, &not_held_reason, &topic)?;
            attendance::sheet(tx, ctx, series_id, original_date)
        })
    }

    fn set_group_session_note(state, series_id: i64, original_date: NaiveDate, note: String) -> AttendanceSheet {
        state.write(|tx, ctx| {
            attendance::set_note(tx, ctx, series_id, original_date, &note)?;
            attendance::sheet(tx, ctx, series_id, original_date)
        })
    }

    fn todays_group_sessions(state) -> Vec<Occurrence> {
        state.read(attendance::today)
    }

    fn attendance_missing(state) -> Vec<Occurrence> {
        state.read(attendance::missing)
    }

    fn attendance_report(state, from: NaiveDate, to: NaiveDate, group_id: Option<i64>) -> AttendanceReport {
        state.write(|tx, ctx| bulk_reads::attendance_report(tx, ctx, from, to, group_id))
    }

    /// The file name the save dialog suggests for a CSV report (the folder is the user's
    /// choice in that dialog, never a default such as a synced Documents folder).
    fn suggest_report_path(state, from: NaiveDate, to: NaiveDate) -> String {
        state.read(|_, ctx| {
            ctx.require(saathi_core::access::Action::ViewGroups)?;
            Ok(reports::csv_file_name(from, to))
        })
    }

    /// Writes the report as CSV to `path` (a full path ending in .csv). Returns the path.
    fn export_attendance_csv(state, from: NaiveDate, to: NaiveDate, group_id: Option<i64>, path: String) -> String {
        state.write(|tx, ctx| {
            bulk_reads::export_attendance_csv(tx, ctx, from, to, group_id, std::path::Path::new(&path))?;
            Ok(path.clone())
        })
    }

    fn patient_groups(state, patient_id: i64) -> PatientGroups {
        state.read(|conn, ctx| reports::patient_groups(conn, ctx, patient_id))
    }

    // ------------------------------------------------------------ aftercare

    fn aftercare_worklist(state, range: WorklistRange) -> Vec<WorklistRow> {
        state.write(|tx, ctx| bulk_reads::worklist(tx, ctx, range))
    }

    fn record_attempt(state, input: AttemptInput) -> AttemptOutcome {
        state.write(|tx, ctx| attempts::record(tx, ctx, &input))
    }

    /// A person's plans and contact attempts (an audited view of their record).
    fn patient_aftercare(state, id: i64) -> PatientAftercare {
        state.write(|tx, ctx| aftercare::patient_aftercare(tx, ctx, id))
    }

    fn aftercare_templates(state) -> Vec<PlanTemplate> {
        state.read(templates::list)
    }

    /// Adds a template (`id` null) or changes one. Plans already started keep their copy.
    fn save_aftercare_template(state, id: Option<i64>, input: TemplateInput) -> Vec<PlanTemplate> {
        state.write(|tx, ctx| {
            match id {
                Some(id) => templates::update(tx, ctx, id, &input)?,
                None => drop(templates::create(tx, ctx, &input)?),
            }
            templates::list(tx, ctx)
        })
    }

    /// Discharges and, when a template is chosen, starts an aftercare plan.
    fn discharge_with_plan(state, id: i64, on: NaiveDate, kind: DischargeType, template_id: Option<i64>, group_id: Option<i64>) -> Patient {
        state.write(|tx, ctx| {
            saathi_core::admissions::discharge_with_plan(tx, ctx, id, on, kind, template_id, group_id)?;
            patients::get(tx, ctx, id)
        })
    }

    fn start_aftercare_plan(state, id: i64, template_id: i64) -> Vec<Plan> {
        state.write(|tx, ctx| {
            plans::start(tx, ctx, id, template_id)?;
            plans::for_patient(tx, ctx, id)
        })
    }

    fn step_aftercare_plan(state, plan_id: i64, up: bool) -> i32 {
        state.write(|tx, ctx| plans::step(tx, ctx, plan_id, up))
    }

    fn pause_aftercare_plan(state, plan_id: i64, paused: bool, reason: String) -> () {
        state.write(|tx, ctx| plans::set_paused(tx, ctx, plan_id, paused, &reason))
    }

    fn close_aftercare_plan(state, plan_id: i64, reason: CloseReason, note: String) -> () {
        state.write(|tx, ctx| plans::close(tx, ctx, plan_id, reason, &note))
    }

    fn at_risk_list(state) -> Vec<AtRiskEntry> {
        state.write(bulk_reads::at_risk)
    }

    fn acknowledge_alert(state, ack: Acknowledge) -> Vec<AtRiskEntry> {
        state.write(|tx, ctx| {
            risk::acknowledge(tx, ctx, &ack)?;
            risk::at_risk(tx, ctx)
        })
    }

    fn aftercare_settings(state) -> AftercareSettings {
        state.read(|conn, ctx| {
            ctx.require(saathi_core::access::Action::RecordFollowUp)?;
            aftercare::get_settings(conn)
        })
    }

    fn save_aftercare_settings(state, settings: AftercareSettings) -> AftercareSettings {
        state.write(|tx, ctx| {
            aftercare::save_settings(tx, ctx, &settings)?;
            aftercare::get_settings(tx)
        })
    }

    /// What the week's roster will hold (for the preview). `privacy` and `language` null:
    /// the settings.
    fn roster_preview(state, week: NaiveDate, privacy: Option<bool>, language: Option<Language>) -> RosterDoc {
        state.write(|tx, ctx| bulk_reads::roster_preview(tx, ctx, week, privacy, language))
    }

    /// Writes the week's roster PDF: to `path` (chosen in the save dialog, must end in
    /// .pdf), or into the data folder's `printouts` folder and opens it in the system's
    /// PDF viewer. Returns where it was written (a numbered name beside the usual one
    /// when the previous copy cannot be replaced, e.g. it is open in a viewer).
    fn print_roster(
        state,
        week: NaiveDate,
        privacy: Option<bool>,
        language: Option<Language>,
        path: Option<String>,
    ) -> String {
        let bytes = state.write(|tx, ctx| roster::roster_pdf(tx, ctx, week, privacy, language))?;
        save_printout(state, &format!("roster-{}.pdf", worklist::week_start(week)), &bytes, path)
    }

    // ------------------------------------------------------------ rights desk (administrators)

    fn rights_requests(state) -> Vec<RightsRequest> {
        state.read(rights::list)
    }

    fn open_rights_request(state, input: RequestInput) -> Vec<RightsRequest> {
        state.write(|tx, ctx| {
            rights::open(tx, ctx, &input)?;
            rights::list(tx, ctx)
        })
    }

    /// Closes a grievance (done or refused), or refuses another request with its reason.
    fn close_rights_request(state, id: i64, done: bool, outcome: String, refusal: Option<Refusal>) -> Vec<RightsRequest> {
        state.write(|tx, ctx| {
            rights::close(tx, ctx, id, done, &outcome, refusal)?;
            rights::list(tx, ctx)
        })
    }

    fn record_correction(state, id: i64, field: CorrectedField, on: NaiveDate, outcome: String) -> Vec<RightsRequest> {
        state.write(|tx, ctx| {
            rights::record_correction(tx, ctx, id, field, on, &outcome)?;
            rights::list(tx, ctx)
        })
    }

    /// Answers an access request: the copy (in the person's language, with the parts
    /// withheld named) is written into the printouts folder and opened; returns where.
    fn answer_access_request(state, id: i64, language: Language, withheld: Vec<Withheld>) -> String {
        let (bytes, patient) = state.write(|tx, ctx| {
            let patient = rights::get(tx, ctx, id)?.patient_id.unwrap_or_default();
            Ok((rights::access_copy::answer(tx, ctx, id, language, &withheld)?, patient))
        })?;
        let name = format!("access-copy-{patient}.pdf");
        save_printout(state, &name, &bytes, None)
    }

    /// Carries out an erasure request, or refuses it under the retention rule; the reply
    /// letter (made before the name is blanked) is written and opened; returns where. The
    /// WAL is emptied at once so no older copy of a page keeps the erased text.
    fn erase_for_request(state, id: i64, outcome: String, language: Option<Language>) -> String {
        let (done, bytes) = state.write(|tx, ctx| rights::letters::erase_with_letter(tx, ctx, id, &outcome, language))?;
        if done.is_ok() {
            let complete = state.read(|conn, _| rights::erasure::scrub_after(conn))?;
            if !complete {
                tracing::warn!("the checkpoint after an erasure was held back; it completes at the next one");
            }
        }
        save_printout(state, &format!("reply-letter-{id}.pdf"), &bytes, None)
    }

    /// The reply letter to a request (one language, or both when none is given).
    fn print_reply_letter(state, id: i64, language: Option<Language>) -> String {
        let bytes = state.write(|tx, ctx| rights::letters::pdf(tx, ctx, id, language))?;
        save_printout(state, &format!("reply-letter-{id}.pdf"), &bytes, None)
    }

    fn rights_settings(state) -> RightsSettings {
        state.read(|conn, ctx| {
            ctx.require(Action::ManageRights)?;
            rights::settings(conn)
        })
    }

    fn save_rights_settings(state, settings: RightsSettings) -> RightsSettings {
        state.write(|tx, ctx| {
            rights::save_settings(tx, ctx, &settings)?;
            rights::settings(tx)
        })
    }

    fn list_breaches(state) -> Vec<Breach> {
        state.read(breaches::list)
    }

    fn record_breach(state, input: BreachInput) -> Vec<Breach> {
        state.write(|tx, ctx| {
            breaches::record(tx, ctx, &input)?;
            breaches::list(tx, ctx)
        })
    }

    fn breach_notified(state, id: i64, notice: Notice, at: NaiveDateTime) -> Vec<Breach> {
        state.write(|tx, ctx| {
            breaches::notified(tx, ctx, id, notice, at)?;
            breaches::list(tx, ctx)
        })
    }

    /// Today: the Board notices not yet sent, with the hours left.
    fn breach_countdown(state) -> Vec<BoardDue> {
        state.read(breaches::board_due)
    }

    // ------------------------------------------------------------ audit

    fn audit_log(state, query: AuditQuery) -> AuditPage {
        state.write(|tx, ctx| audit::query(tx, ctx, &query))
    }

    /// The whole chain recomputed, and compared with its anchor outside the database.
    fn verify_audit(state) -> AuditCheck {
        let dir = state.data_dir.clone();
        let check = state.write(|tx, ctx| {
            let mut check = audit::verify_as(tx, ctx)?;
            check.anchor = Some(saathi_core::anchor::check(tx, &dir)?);
            Ok(check)
        })?;
        if check.ok && !check.anchor.as_ref().is_some_and(|a| a.is_warning()) {
            state.write_anchor();
        }
        Ok(check)
    }

    // ------------------------------------------------------------ peer mentorship

    fn mentorship_overview(state) -> MentorshipOverview {
        state.read(mentorship::overview)
    }

    /// The matcher's proposal for everyone waiting (changes nothing).
    fn suggest_mentors(state) -> MentorSuggestions {
        state.read(mentorship::suggest)
    }

    fn accept_mentor_pair(state, mentor: i64, mentee: i64) -> PairRow {
        state.write(|tx, ctx| mentorship::accept(tx, ctx, mentor, mentee))
    }

    /// Turns a suggestion down and returns the next best suggestions without it.
    fn reject_mentor_pair(state, mentor: i64, mentee: i64) -> MentorSuggestions {
        state.write(|tx, ctx| {
            mentorship::reject(tx, ctx, mentor, mentee)?;
            mentorship::suggest(tx, ctx)
        })
    }

    fn clear_mentor_rejections(state) -> u32 {
        state.write(mentorship::clear_rejections)
    }

    fn check_mentor_pair(state, mentor: i64, mentee: i64) -> PairCheck {
        state.read(|conn, ctx| mentorship::check_pair(conn, ctx, mentor, mentee))
    }

    fn pair_mentor_by_hand(state, mentor: i64, mentee: i64, reason: String) -> PairRow {
        state.write(|tx, ctx| mentorship::pair_by_hand(tx, ctx, mentor, mentee, &reason))
    }

    fn end_mentor_pair(state, pair: i64, on: NaiveDate, reason: EndReason, badly: bool, note: String) -> PairRow {
        state.write(|tx, ctx| mentorship::end_pair(tx, ctx, pair, on, reason, badly, &note))
    }

    fn add_mentor_exclusion(state, mentor: i64, mentee: i64, kind: ExclusionKind, note: String) -> ExclusionRow {
        state.write(|tx, ctx| mentorship::add_exclusion(tx, ctx, mentor, mentee, kind, &note))
    }

    fn lift_mentor_exclusion(state, id: i64, reason: String) -> () {
        state.write(|tx, ctx| mentorship::lift_exclusion(tx, ctx, id, &reason))
    }

    fn patient_mentorship(state, id: i64) -> PatientMentorship {
        state.read(|conn, ctx| mentorship::for_patient(conn, ctx, id))
    }

    fn save_peer_profile(state, id: i64, profile: PeerProfile) -> PatientMentorship {
        state.write(|tx, ctx| {
            mentorship::save_profile(tx, ctx, id, &profile)?;
            mentorship::for_patient(tx, ctx, id)
        })
    }

    fn save_mentorship_settings(state, settings: MentorshipSettings) -> MentorshipSettings {
        state.write(|tx, ctx| {
            mentorship::save_settings(tx, ctx, &settings)?;
            mentorship::get_settings(tx)
        })
    }
    // ------------------------------------------------------------ backup and restore

    fn backup_status(state) -> BackupStatus {
        state.read(backup::status)
    }

    /// Removable drives first, with free space.
    fn list_drives(state) -> Vec<Drive> {
        state.read(|_, ctx| {
            ctx.require(Action::MakeBackup)?;
            backup::drives()
        })
    }

    /// The backups in a drive's or folder's Saathi-Backups folder, newest first.
    fn list_backups(state, folder: String) -> Vec<BackupFile> {
        state.read(|conn, ctx| backup::list(conn, ctx, Path::new(&folder)))
    }

    /// Starts a backup in the background; poll `backup_progress`.
    fn start_backup(state, folder: String) -> BackupJob {
        let ctx = state.read(|_, ctx| {
            ctx.require(Action::MakeBackup)?;
            Ok(*ctx)
        })?;
        crate::backup_job::start(&state.backup, state.data_dir.clone(), PathBuf::from(folder), ctx, state.db_key())
            .map_err(|e| e.payload())?;
        Ok(crate::state::lock(&state.backup).backup.clone())
    }

    fn backup_progress(state) -> BackupJob {
        state.read(|_, ctx| ctx.require(Action::MakeBackup))?;
        Ok(crate::state::lock(&state.backup).backup.clone())
    }

    /// Admin: creates the centre's backup key, protected by the passphrase.
    /// The database key is sealed to the new backup key pair too, so that the passphrase
    /// opens it.
    fn set_up_backup_key(state, passphrase: String, replace: bool) -> BackupStatus {
        let dir = state.data_dir.clone();
        let status = state.write_keyed(false, |tx, ctx, db_key| {
            key::set_up(tx, ctx, &passphrase, replace)?;
            if let (Some(db_key), Some(recipient)) = (db_key, key::recipient(tx)?) {
                vault::put_backup(&dir, db_key, &recipient)?;
            }
            backup::status(tx, ctx)
        })?;
        if let Ok(Some(text)) = state.read_open(key::key_file_text) {
            let _ = key::write_key_file(&state.data_dir, &text);
        }
        Ok(status)
    }

    /// Admin: whether backups without a password (Task Scheduler) are on for this
    /// Windows account.
    fn unattended_backup_status(state) -> UnattendedStatus {
        let key = state.db_key();
        state.read(|_, ctx| unattended::status(ctx, &state.data_dir, key.as_ref()))
    }

    /// Admin: lets Windows keep the database key for backups that Task Scheduler runs
    /// without a password (on), or removes it (off). Audited.
    fn set_unattended_backup(state, on: bool) -> UnattendedStatus {
        let dir = state.data_dir.clone();
        state.write_keyed(false, |tx, ctx, key| unattended::set(tx, ctx, &dir, key, on))
    }

    /// Admin: back up to the last folder when the window is closed.
    fn set_backup_on_close(state, on: bool) -> BackupStatus {
        state.write(|tx, ctx| {
            backup::set_back_up_on_close(tx, ctx, on)?;
            backup::status(tx, ctx)
        })
    }

    /// Admin: what the printable recovery sheet names (the window writes it in the user's language).
    fn backup_recovery_sheet(state) -> key::RecoverySheet {
        state.read(key::recovery_sheet)
    }

    /// Admin: decrypts and checks a backup (or a local snapshot, `.db`) and returns what it
    /// holds. Nothing changes until `confirm_restore`. When the database could not be
    /// opened at start-up, this works without signing in (this centre's recovery code or
    /// backup passphrase is the proof).
    fn prepare_restore(state, file: String, passphrase: String) -> RestorePreview {
        let restorer = restore_ctx(state)?;
        if crate::state::lock(&state.backup).backup.running {
            return Err(Error::BackupRunning.payload());
        }
        let path = Path::new(&file);
        let dir = &state.data_dir;
        let mut prepared = match restorer {
            Restorer::Admin(ctx, stored) => {
                let live_key = state.db_key();
                if path.extension().is_some_and(|e| e == "db") {
                    backup::prepare_local(&ctx, path, dir, live_key.as_ref())
                } else {
                    backup::prepare(&ctx, path, &passphrase, dir, stored.as_deref(), live_key.as_ref())
                }
            }
            // Nobody is signed in: the recovery code or the backup passphrase is the proof.
            Restorer::Unsigned => backup::prepare_unsigned(path, &passphrase, dir),
        }
        .map_err(|e| e.payload())?;
        // The live trail against the head the backup recorded when it was made (an anchor
        // outside the live database), where the live database is open.
        if state.startup_error().is_none() {
            state.read_open(|conn| backup::audit_against(&mut prepared, conn))?;
        }
        let preview = prepared.preview.clone();
        crate::state::lock(&state.backup).restore = Some(prepared);
        Ok(preview)
    }

    /// Admin: replaces the live database with the prepared backup (a safety copy of the
    /// current one is kept), reopens it, and signs out.
    fn confirm_restore(state) -> () {
        // The start-up check and daily snapshot read the database file through handles
        // of their own; Windows cannot replace or delete a file that is still open.
        state.wait_for_snapshot();
        let ctx = restore_ctx(state)?.ctx();
        let prepared = {
            let mut jobs = crate::state::lock(&state.backup);
            if jobs.backup.running {
                return Err(Error::BackupRunning.payload());
            }
            jobs.restore.take()
        };
        let prepared = prepared.ok_or_else(|| {
            Error::Invalid {
                code: "restore_not_prepared",
                field: None,
                message: "Choose a backup and type the passphrase first.".into(),
            }
            .payload()
        })?;
        let data_dir = state.data_dir.clone();
        state.replace_store(|live| {
            // The restored database keeps the key the folder's slots open; with no open
            // database, the backup's own key (or, for a backup from before encryption, a
            // new one): it is never left plain.
            let target = match live.as_ref().and_then(|s| s.key().cloned()).or_else(|| prepared.key().cloned()) {
                Some(key) => key,
                None => saathi_core::keyslots::DbKey::generate()?,
            };
            let (mut store, _) = backup::apply(&ctx, prepared, &data_dir, live, Some(&target))?;
            // The restored register's staff and passwords are the ones that sign in now:
            // their slots are made from it (interim, renewed at each one's next sign-in).
            vault::slots_after_restore(&data_dir, &mut store, &ctx)?;
            Ok(store)
        })?;
        *state.session() = None;
        Ok(())
    }

    /// Admin (or anyone when the database could not be opened): the local daily
    /// snapshots in the data folder, newest first, to restore without a stick.
    fn local_snapshots(state) -> Vec<String> {
        restore_ctx(state)?;
        Ok(backup::local_snapshots(&state.data_dir).into_iter().map(|(_, p)| p.display().to_string()).collect())
    }

    /// Admin: the safety copies kept from before each restore, newest first.
    fn safety_copies(state) -> Vec<backup::safety::SafetyCopy> {
        let dir = state.data_dir.clone();
        state.read(|_, ctx| backup::safety::list(ctx, &dir))
    }

    /// Admin: removes one safety copy (audited); the rest are listed again.
    fn remove_safety_copy(state, file_name: String) -> Vec<backup::safety::SafetyCopy> {
        let dir = state.data_dir.clone();
        state.write(|tx, ctx| {
            backup::safety::remove(tx, ctx, &dir, &file_name)?;
            backup::safety::list(ctx, &dir)
        })
    }

    fn cancel_restore(state) -> () {
        restore_ctx(state)?;
        crate::state::lock(&state.backup).restore = None;
        Ok(())
    }

    // ---- issue 17: participant notes (a note for each participant of a group session)

    /// The participant notes of one session (counsellors and administrators; reading is audited).
    fn session_participant_notes(state, series_id: i64, original_date: NaiveDate) -> Vec<ParticipantNote> {
        state.write(|tx, ctx| participant_notes::open_of_session(tx, ctx, series_id, original_date))
    }

    /// Writes, or rewrites the author's draft of, one person's note on one session.
    fn write_participant_note(state, series_id: i64, original_date: NaiveDate, patient_id: i64, body: String) -> ParticipantNote {
        state.write(|tx, ctx| {
            let id = participant_notes::write(tx, ctx, series_id, original_date, patient_id, &body)?;
            participant_notes::get(tx, ctx, id)
        })
    }

    fn sign_participant_note(state, note_id: i64) -> ParticipantNote {
        state.write(|tx, ctx| {
            participant_notes::sign(tx, ctx, note_id)?;
            participant_notes::get(tx, ctx, note_id)
        })
    }

    fn add_participant_note_addendum(state, note_id: i64, body: String) -> ParticipantNote {
        state.write(|tx, ctx| {
            participant_notes::add_addendum(tx, ctx, note_id, &body)?;
            participant_notes::get(tx, ctx, note_id)
        })
    }

    /// A person's participant notes from all their sessions (the profile's group history).
    fn patient_participant_notes(state, patient_id: i64) -> Vec<ParticipantNote> {
        state.write(|tx, ctx| participant_notes::of_patient(tx, ctx, patient_id))
    }
    // ---- end issue 17: participant notes
    // ---- issue 17: registers and sign-in sheets

    /// Writes a register's PDF: to `path` (chosen in the save dialog, must end in .pdf), or
    /// into the printouts folder and opens it. `privacy` and `language` null: the settings.
    fn print_register(
        state,
        request: RegisterRequest,
        privacy: Option<bool>,
        language: Option<Language>,
        path: Option<String>,
    ) -> String {
        let bytes = state.write(|tx, ctx| registers::doc::register_pdf(tx, ctx, &request, privacy, language))?;
        save_printout(state, &registers::csv_out::file_name(&request, "pdf"), &bytes, path)
    }

    /// Writes a register as CSV to `path` (a full path ending in .csv, chosen in the save
    /// dialog). Returns where it was written.
    fn export_register_csv(state, request: RegisterRequest, privacy: Option<bool>, path: String) -> String {
        let target = PathBuf::from(&path);
        registers::csv_out::check_path(&target).map_err(|e| e.payload())?;
        let bytes = state.write(|tx, ctx| registers::csv_out::register_csv(tx, ctx, &request, privacy))?;
        let written = crate::printouts::write_whole(&target, &bytes).map_err(|e| Error::from(e).payload())?;
        Ok(written.display().to_string())
    }

    /// The sign-in sheet of `group_id`'s session on `date`: written and opened as
    /// `print_register` does. `privacy` null: privacy mode.
    fn print_sign_in_sheet(
        state,
        group_id: i64,
        date: NaiveDate,
        privacy: Option<bool>,
        language: Option<Language>,
        path: Option<String>,
    ) -> String {
        let bytes = state
            .write(|tx, ctx| registers::sign_in::sign_in_pdf(tx, ctx, group_id, date, privacy, language))?;
        save_printout(state, &format!("sign-in-{group_id}-{date}.pdf"), &bytes, path)
    }
    // ------------------------------------------------------------ issue 17: statistics

    /// A person's counselling sessions (counsellors and administrators; audited).
    fn list_counselling_sessions(state, id: i64) -> Vec<counselling::CounsellingSession> {
        state.write(|tx, ctx| counselling::list(tx, ctx, id))
    }

    fn record_counselling_session(
        state,
        id: i64,
        input: counselling::CounsellingInput,
    ) -> Vec<counselling::CounsellingSession> {
        state.write(|tx, ctx| {
            counselling::record(tx, ctx, id, &input)?;
            counselling::list(tx, ctx, id)
        })
    }

    /// The outreach log from `from` to `to`, newest first.
    fn list_outreach(state, from: NaiveDate, to: NaiveDate) -> Vec<outreach::OutreachActivity> {
        state.read(|conn, ctx| outreach::list(conn, ctx, from, to))
    }

    fn add_outreach(state, input: outreach::OutreachInput) -> i64 {
        state.write(|tx, ctx| outreach::add(tx, ctx, &input))
    }

    /// The figures of a month (`2026-11`) or a quarter (`2026-Q4`).
    fn statistics(state, period: String) -> statistics::Statistics {
        let period = statistics::Period::parse(&period).map_err(|e| e.payload())?;
        state.read(|conn, ctx| statistics::compute(conn, ctx, &period))
    }

    /// Administrators: who is counted in one figure and breakdown (names on screen only).
    fn statistics_people(
        state,
        period: String,
        figure: statistics::Figure,
        breakdown: String,
    ) -> Vec<statistics::CountedPerson> {
        let period = statistics::Period::parse(&period).map_err(|e| e.payload())?;
        state.write(|tx, ctx| statistics::people(tx, ctx, &period, figure, &breakdown))
    }

    /// The statistics as a PDF in the printouts folder (opened); returns where.
    fn print_statistics(state, period: String, language: Language) -> String {
        let period = statistics::Period::parse(&period).map_err(|e| e.payload())?;
        let (stats, bytes) = state.write(|tx, ctx| statistics::print::pdf(tx, ctx, &period, Some(language)))?;
        save_printout(state, &format!("statistics-{}.pdf", stats.period), &bytes, None)
    }

    /// The statistics as CSV in the printouts folder; returns where.
    fn export_statistics_csv(state, period: String) -> String {
        let period = statistics::Period::parse(&period).map_err(|e| e.payload())?;
        let text = state.write(|tx, ctx| statistics::print::csv_export(tx, ctx, &period))?;
        let target = crate::printouts::folder(&state.data_dir).join(format!("statistics-{}.csv", period.code()));
        let written = crate::printouts::write_whole(&target, text.as_bytes())
            .map_err(|e| Error::Io(e).payload())?;
        Ok(written.display().to_string())
    }
    // ---- issue 17: certificates and aftercare outcomes

    /// A person's certificates, newest first (administrators and counsellors).
    fn patient_certificates(state, patient: i64) -> Vec<Certificate> {
        state.read(|conn, ctx| certificates::for_patient(conn, ctx, patient))
    }

    /// Issues a certificate (entered in the register); returns it.
    fn issue_certificate(state, input: CertificateInput) -> Certificate {
        state.write(|tx, ctx| {
            let id = certificates::issue(tx, ctx, &input)?;
            certificates::get(tx, ctx, id)
        })
    }

    /// Prints a certificate: the first print is the original, any later one a duplicate.
    /// Written into the printouts folder and opened, or to `path`; returns where.
    fn print_certificate(state, id: i64, path: Option<String>) -> String {
        let (bytes, duplicate) = state.write(|tx, ctx| certificates::print::pdf(tx, ctx, id))?;
        save_printout(state, &certificates::print::file_name(id, duplicate), &bytes, path)
    }

    /// Aftercare outcomes of the people discharged between `from` and `to`.
    fn aftercare_outcomes(state, from: NaiveDate, to: NaiveDate) -> Outcomes {
        state.read(|conn, ctx| outcomes::outcomes(conn, ctx, from, to))
    }

    /// Prints the outcomes (the window's language unless one is given); returns where.
    fn print_outcomes(state, from: NaiveDate, to: NaiveDate, language: Option<Language>) -> String {
        let bytes = state.write(|tx, ctx| outcomes_print::pdf(tx, ctx, from, to, language))?;
        save_printout(state, &outcomes_print::file_name(from, to, false), &bytes, None)
    }

    /// Writes the outcomes as CSV to `path` (a full path ending in .csv); returns it.
    fn export_outcomes_csv(state, from: NaiveDate, to: NaiveDate, path: String) -> String {
        state.write(|tx, ctx| {
            outcomes_print::export_csv(tx, ctx, from, to, Path::new(&path))?;
            Ok(path.clone())
        })
    }
}

/// A printout written to the path chosen in the save dialog, or (none) into the printouts
/// folder and opened in the system's viewer. Returns where it was written (another name
/// when the old copy is held open, as on Windows).
fn save_printout(state: &AppState, name: &str, bytes: &[u8], path: Option<String>) -> Res<String> {
    let (target, open) = match path {
        Some(p) => (PathBuf::from(p), false),
        None => (crate::printouts::folder(&state.data_dir).join(name), true),
    };
    let written = crate::printouts::write_pdf(&target, bytes).map_err(|e| e.payload())?;
    if open {
        crate::printouts::open(&written);
    }
    Ok(written.display().to_string())
}

/// Who restores.
enum Restorer {
    /// The signed-in administrator, and the backup key stored in the database, if any.
    Admin(Ctx, Option<String>),
    /// Nobody: this window holds the data folder but its database could not be opened.
    /// The recovery code or the backup passphrase must prove the right
    /// ([`backup::prepare_unsigned`]); the system acts.
    Unsigned,
}

impl Restorer {
    fn ctx(self) -> Ctx {
        match self {
            Restorer::Admin(ctx, _) => ctx,
            Restorer::Unsigned => system_now(),
        }
    }
}

fn restore_ctx(state: &AppState) -> Res<Restorer> {
    if let Some(e) = state.startup_error() {
        // Another window holds this data folder: never touch its files from here.
        if e.code == "already_open" {
            return Err(e);
        }
        return Ok(Restorer::Unsigned);
    }
    state.read(|conn, ctx| {
        ctx.require(Action::ManageBackups)?;
        Ok(Restorer::Admin(*ctx, key::key_file_text(conn)?))
    })
}

/// Reads the signed-in staff member's details again (after a change of password or PIN).
/// Works on a copy, so the session is never held while the store is used.
fn refresh_session(state: &AppState) -> Res<SessionInfo> {
    let mut fresh = state.session().clone().ok_or_else(|| Error::NotSignedIn.payload())?;
    state.read_open(|conn| fresh.refresh(conn))?;
    let mut guard = state.session();
    let current = guard
        .as_mut()
        .filter(|s| s.info().staff_id == fresh.info().staff_id)
        .ok_or_else(|| Error::NotSignedIn.payload())?;
    // Locked meanwhile (by hand or when idle): it stays locked.
    if current.info().locked {
        fresh.lock();
    }
    *current = fresh;
    Ok(current.info().clone())
}
