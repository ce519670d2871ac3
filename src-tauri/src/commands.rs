//! The app's Tauri commands. Each one is thin: take the state, call the core, map the
//! error to `{code, message, field}`. The `commands!` macro writes every command twice
//! from one definition: as a plain function in `handlers` (what tests call) and as the
//! `#[tauri::command]` the window invokes; it also lists their names (`DEFINED`, checked
//! against the permission list) and builds the invoke handler.
use chrono::NaiveDate;
use saathi_core::aftercare::attempts::AttemptOutcome;
use saathi_core::aftercare::risk::{self, Acknowledge, AtRiskEntry};
use saathi_core::aftercare::{
    self, AftercareSettings, AttemptInput, CloseReason, PatientAftercare, Plan, PlanTemplate, TemplateInput,
    WorklistRange, WorklistRow, attempts, plans, roster, templates, worklist,
};
use saathi_core::audit::{self, AuditCheck, AuditPage, AuditQuery};
use saathi_core::auth::{self, SessionInfo, SetupInput, SetupResult, SetupStatus};
use saathi_core::notes::{self, PatientNote};
use saathi_core::patients::{
    self, DischargeType, NewPatient, Patient, PatientDetails, PatientPage, PatientQuery, Phase, RegisterCounts,
};
use saathi_core::pdf::RosterDoc;
use saathi_core::settings::{self, AppInfo, Language, Settings};
use saathi_core::staff::{self, StaffInput, StaffMember};
use saathi_core::{Actor, Ctx, Error};

use crate::state::{AppState, Res};

macro_rules! commands {
    ($( $(#[$doc:meta])* fn $name:ident($state:ident $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty $body:block )*) => {
        pub mod handlers {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$doc])* pub fn $name($state: &AppState $(, $arg: $ty)*) -> Res<$ret> $body )*
        }

        $(
            #[tauri::command]
            pub fn $name(state: tauri::State<'_, AppState> $(, $arg: $ty)*) -> Res<$ret> {
                handlers::$name(&state $(, $arg)*)
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

fn system_now() -> Ctx {
    Ctx::now(Actor::system())
}

commands! {
    // ------------------------------------------------------------ before sign-in

    fn app_info(state) -> AppInfo {
        let startup_error = state.startup_error();
        let demo = startup_error.is_none() && state.read_open(settings::is_demo).unwrap_or(false);
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: state.data_dir.display().to_string(),
            demo,
            schema_version: saathi_core::db::schema_version(),
            startup_error,
        })
    }

    fn get_settings(state) -> Settings {
        state.read_open(settings::get)
    }

    fn setup_status(state) -> SetupStatus {
        state.read_open(auth::setup_status)
    }

    /// First run: the centre and its first administrator. Returns the recovery code.
    fn set_up(state, input: SetupInput) -> SetupResult {
        state.write_as(&system_now(), |tx, ctx| auth::set_up(tx, ctx, &input))
    }

    fn sign_in(state, username: String, password: String) -> SessionInfo {
        let session = state.write_as(&system_now(), |tx, ctx| auth::sign_in(tx, ctx, &username, &password))?;
        let session = session.map_err(|e| e.payload())?;
        let info = session.info().clone();
        *state.session() = Some(session);
        Ok(info)
    }

    /// Emergency access with the recovery code. Returns the new recovery code.
    fn recover(state, code: String, username: String, password: String) -> SetupResult {
        state.write_as(&system_now(), |tx, ctx| auth::recover(tx, ctx, &code, &username, &password))?.map_err(|e| e.payload())
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
        state.write_as(&ctx, |tx, ctx| audit::record(tx, ctx, "lock", audit::entity::STAFF, actor.staff_id, "by hand"))
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
        state.write_as(&ctx, |tx, ctx| audit::record(tx, ctx, "sign_out", audit::entity::STAFF, actor.staff_id, ""))
    }

    fn change_password(state, old_password: String, new_password: String) -> SessionInfo {
        state.write_changing_password(|tx, ctx| auth::change_password(tx, ctx, &old_password, &new_password))?;
        refresh_session(state)
    }

    fn set_pin(state, password: String, pin: String) -> SessionInfo {
        state.write(|tx, ctx| auth::set_pin(tx, ctx, &password, &pin))?;
        refresh_session(state)
    }

    // ------------------------------------------------------------ settings

    fn set_language(state, language: Language) -> Settings {
        state.write(|tx, ctx| settings::set_language(tx, ctx, language))?;
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
        state.write(|tx, ctx| settings::set_centre(tx, ctx, &name, &address, &phone))?;
        get_settings(state)
    }

    // ------------------------------------------------------------ the register

    fn register_counts(state) -> RegisterCounts {
        state.read(patients::counts)
    }

    fn search_patients(state, query: PatientQuery) -> PatientPage {
        state.read(|conn, ctx| patients::search(conn, ctx, &query))
    }

    fn get_patient(state, id: i64) -> Patient {
        state.write(|tx, ctx| patients::view(tx, ctx, id))
    }

    fn create_patient(state, patient: NewPatient) -> Patient {
        state.write(|tx, ctx| {
            let id = patients::create(tx, ctx, &patient)?;
            patients::get(tx, ctx, id)
        })
    }

    fn update_patient(state, id: i64, details: PatientDetails) -> Patient {
        state.write(|tx, ctx| {
            patients::update(tx, ctx, id, &details)?;
            patients::get(tx, ctx, id)
        })
    }

    fn discharge_patient(state, id: i64, on: NaiveDate, kind: DischargeType) -> Patient {
        state.write(|tx, ctx| {
            patients::discharge(tx, ctx, id, on, kind)?;
            patients::get(tx, ctx, id)
        })
    }

    fn readmit_patient(state, id: i64, on: NaiveDate) -> Patient {
        state.write(|tx, ctx| {
            patients::readmit(tx, ctx, id, on)?;
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

    fn create_staff(state, input: StaffInput, temporary_password: Option<String>) -> StaffMember {
        state.write(|tx, ctx| {
            let id = staff::create(tx, ctx, &input, temporary_password.as_deref())?;
            staff::get(tx, id)
        })
    }

    fn update_staff(state, id: i64, input: StaffInput) -> StaffMember {
        state.write(|tx, ctx| {
            staff::update(tx, ctx, id, &input)?;
            staff::get(tx, id)
        })
    }

    fn set_staff_active(state, id: i64, active: bool) -> StaffMember {
        state.write(|tx, ctx| {
            staff::set_active(tx, ctx, id, active)?;
            staff::get(tx, id)
        })
    }

    fn reset_staff_password(state, id: i64, temporary_password: String) -> StaffMember {
        state.write(|tx, ctx| {
            auth::reset_password(tx, ctx, id, &temporary_password)?;
            staff::get(tx, id)
        })
    }

    // ------------------------------------------------------------ aftercare

    fn aftercare_worklist(state, range: WorklistRange) -> Vec<WorklistRow> {
        state.read(|conn, ctx| worklist::worklist(conn, ctx, range))
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
    fn discharge_with_plan(state, id: i64, on: NaiveDate, kind: DischargeType, template_id: Option<i64>) -> Patient {
        state.write(|tx, ctx| {
            plans::discharge_with_plan(tx, ctx, id, on, kind, template_id)?;
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
        state.read(risk::at_risk)
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

    /// What the week's roster will hold (for the preview). `privacy` null: the setting.
    fn roster_preview(state, week: NaiveDate, privacy: Option<bool>) -> RosterDoc {
        state.read(|conn, ctx| roster::roster_doc(conn, ctx, week, privacy))
    }

    /// Writes the week's roster PDF: to `path` (chosen in the save dialog, must end in
    /// .pdf), or into the data folder's `printouts` folder and opens it in the system's
    /// PDF viewer. Returns where it was written.
    fn print_roster(state, week: NaiveDate, privacy: Option<bool>, path: Option<String>) -> String {
        let bytes = state.write(|tx, ctx| roster::roster_pdf(tx, ctx, week, privacy))?;
        let (target, open) = match path {
            Some(p) => (std::path::PathBuf::from(p), false),
            None => {
                let name = format!("roster-{}.pdf", worklist::week_start(week));
                (state.data_dir.join("printouts").join(name), true)
            }
        };
        crate::printouts::write_pdf(&target, &bytes).map_err(|e| e.payload())?;
        if open {
            crate::printouts::open(&target);
        }
        Ok(target.display().to_string())
    }

    // ------------------------------------------------------------ audit

    fn audit_log(state, query: AuditQuery) -> AuditPage {
        state.write(|tx, ctx| audit::query(tx, ctx, &query))
    }

    fn verify_audit(state) -> AuditCheck {
        state.write(audit::verify_as)
    }
}

fn refresh_session(state: &AppState) -> Res<SessionInfo> {
    let store_info = {
        let mut guard = state.session();
        let s = guard.as_mut().ok_or_else(|| Error::NotSignedIn.payload())?;
        state.read_open(|conn| s.refresh(conn))?;
        s.info().clone()
    };
    Ok(store_info)
}
