//! Thin Tauri commands: take the state, call the core, map the error to `{code, message}`.
use chrono::NaiveDate;
use saathi_core::patients::{
    self, DischargeType, NewPatient, Patient, PatientDetails, PatientPage, PatientQuery, Phase,
    RegisterCounts,
};
use saathi_core::settings::{self, AppInfo, Language, Settings};
use saathi_core::staff::{self, StaffInput, StaffMember};
use saathi_core::{Ctx, ErrorPayload};
use tauri::State;

use crate::state::AppState;

type Res<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    let demo = match state.startup_error() {
        Some(_) => false,
        None => state
            .read(|conn, _| settings::is_demo(conn))
            .unwrap_or(false),
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
        demo,
        schema_version: saathi_core::db::schema_version(),
        startup_error: state.startup_error(),
    })
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Res<Settings> {
    state.read(|conn, _| settings::get(conn))
}

#[tauri::command]
pub fn set_language(state: State<'_, AppState>, language: Language) -> Res<Settings> {
    state.write(|tx, ctx| settings::set_language(tx, ctx, language))?;
    get_settings(state)
}

#[tauri::command]
pub fn register_counts(state: State<'_, AppState>) -> Res<RegisterCounts> {
    state.read(|conn, _| patients::counts(conn))
}

#[tauri::command]
pub fn search_patients(state: State<'_, AppState>, query: PatientQuery) -> Res<PatientPage> {
    state.read(|conn, _| patients::search(conn, &query))
}

#[tauri::command]
pub fn get_patient(state: State<'_, AppState>, id: i64) -> Res<Patient> {
    state.read(|conn, ctx| patients::get(conn, ctx, id))
}

fn then_get(state: &State<'_, AppState>, id: i64) -> Res<Patient> {
    state.read(|conn, ctx: &Ctx| patients::get(conn, ctx, id))
}

#[tauri::command]
pub fn create_patient(state: State<'_, AppState>, patient: NewPatient) -> Res<Patient> {
    let id = state.write(|tx, ctx| patients::create(tx, ctx, &patient))?;
    then_get(&state, id)
}

#[tauri::command]
pub fn update_patient(
    state: State<'_, AppState>,
    id: i64,
    details: PatientDetails,
) -> Res<Patient> {
    state.write(|tx, ctx| patients::update(tx, ctx, id, &details))?;
    then_get(&state, id)
}

#[tauri::command]
pub fn discharge_patient(
    state: State<'_, AppState>,
    id: i64,
    on: NaiveDate,
    kind: DischargeType,
) -> Res<Patient> {
    state.write(|tx, ctx| patients::discharge(tx, ctx, id, on, kind))?;
    then_get(&state, id)
}

#[tauri::command]
pub fn readmit_patient(state: State<'_, AppState>, id: i64, on: NaiveDate) -> Res<Patient> {
    state.write(|tx, ctx| patients::readmit(tx, ctx, id, on))?;
    then_get(&state, id)
}

#[tauri::command]
pub fn set_patient_phase(state: State<'_, AppState>, id: i64, phase: Phase) -> Res<Patient> {
    state.write(|tx, ctx| patients::set_phase(tx, ctx, id, phase))?;
    then_get(&state, id)
}

#[tauri::command]
pub fn set_patient_archived(state: State<'_, AppState>, id: i64, archived: bool) -> Res<Patient> {
    state.write(|tx, ctx| patients::set_archived(tx, ctx, id, archived))?;
    then_get(&state, id)
}

#[tauri::command]
pub fn list_staff(state: State<'_, AppState>) -> Res<Vec<StaffMember>> {
    state.read(|conn, _| staff::list(conn))
}

#[tauri::command]
pub fn create_staff(state: State<'_, AppState>, input: StaffInput) -> Res<StaffMember> {
    let id = state.write(|tx, ctx| staff::create(tx, ctx, &input))?;
    state.read(|conn, _| staff::get(conn, id))
}

#[tauri::command]
pub fn update_staff(state: State<'_, AppState>, id: i64, input: StaffInput) -> Res<StaffMember> {
    state.write(|tx, ctx| staff::update(tx, ctx, id, &input))?;
    state.read(|conn, _| staff::get(conn, id))
}

#[tauri::command]
pub fn set_staff_active(state: State<'_, AppState>, id: i64, active: bool) -> Res<StaffMember> {
    state.write(|tx, ctx| staff::set_active(tx, ctx, id, active))?;
    state.read(|conn, _| staff::get(conn, id))
}
