// Every Tauri command of the app, declared once: its name and who may call it. This
// table is the source of truth the other lists come from:
//
// - build.rs declares each name to Tauri's permission system (an `allow-…` permission per
//   command) and writes the window's capability from this table: the main window may call
//   exactly these commands (plus the one plugin permission named there). There is no
//   hand-kept capability file.
// - The app's tests check that the `commands!` macro in src/commands.rs defines exactly
//   these names (`DEFINED`), and run every command as every role against the `Who` column
//   here (src/role_matrix.rs; its only per-command part is a sample call).
//
// A new command: define it in src/commands.rs, add its row here, give it a sample call in
// src/role_matrix.rs, and call it from ui/src/lib/api.ts. The tests fail until all four
// agree. (The `Who` column is what the role tests expect; the rule itself is enforced
// by the core, `ctx.require(...)`, so a wrong row fails a test rather than opens a door.)

/// Who may call a command (what the role tests expect).
#[allow(dead_code)] // build.rs reads only the names
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// Before sign-in too (set-up, sign-in, app info).
    Public,
    /// Any signed-in staff member, even one who must still change their password or
    /// whose session is locked where that makes sense (their own session, password, PIN).
    SignedIn,
    /// Every role: administrator, counsellor, front desk.
    AnyRole,
    /// Administrator and counsellor.
    Clinical,
    /// Administrator only.
    Admin,
}

use Who::*;

pub const COMMANDS: &[(&str, Who)] = &[
    ("app_info",                 Public),
    ("get_settings",             Public),
    ("setup_status",             Public),
    ("set_up",                   Public),
    ("sign_in",                  Public),
    ("recover",                  Public),
    ("session_info",             Public),
    ("touch",                    SignedIn),
    ("lock",                     SignedIn),
    ("unlock",                   SignedIn),
    ("sign_out",                 Public),
    ("change_password",          SignedIn),
    ("set_pin",                  SignedIn),
    ("set_language",             AnyRole),
    ("set_idle_minutes",         Admin),
    ("update_centre",            Admin),
    ("register_counts",          AnyRole),
    ("search_patients",          AnyRole),
    ("get_patient",              AnyRole),
    ("create_patient",           AnyRole),
    ("update_patient",           AnyRole),
    ("discharge_patient",        AnyRole),
    ("readmit_patient",          AnyRole),
    ("set_patient_phase",        AnyRole),
    ("set_patient_archived",     AnyRole),
    ("list_patient_notes",       Clinical),
    ("add_patient_note",         Clinical),
    ("get_case_record",          AnyRole),
    ("search_districts",         AnyRole),
    ("list_states",              AnyRole),
    ("set_case_required",        Admin),
    ("set_admission",            AnyRole),
    ("set_discharge_summary",    Clinical),
    ("field_history",            AnyRole),
    ("reviews_due",              AnyRole),
    ("list_consents",            AnyRole),
    ("record_consent",           AnyRole),
    ("withdraw_consent",         AnyRole),
    ("print_consent_form",       AnyRole),
    ("list_staff",               AnyRole),
    ("create_staff",             Admin),
    ("update_staff",             Admin),
    ("set_staff_active",         Admin),
    ("reset_staff_password",     Admin),
    ("list_groups",              AnyRole),
    ("get_group",                AnyRole),
    ("create_group",             Clinical),
    ("update_group",             Clinical),
    ("list_rooms",               AnyRole),
    ("save_room",                Clinical),
    ("add_group_series",         Clinical),
    ("edit_group_series",        Clinical),
    ("stop_group_series",        Clinical),
    ("group_schedule",           AnyRole),
    ("move_group_session",       Clinical),
    ("cancel_group_session",     Clinical),
    ("restore_group_session",    Clinical),
    ("group_members",            AnyRole),
    ("join_group",               AnyRole),
    ("leave_group",              AnyRole),
    ("withdraw_from_waitlist",   AnyRole),
    ("group_suggestions",        AnyRole),
    ("add_family_member",        AnyRole),
    ("list_family_members",      AnyRole),
    ("attendance_sheet",         AnyRole),
    ("mark_attendance",          AnyRole),
    ("mark_dropin",              AnyRole),
    ("add_dropin",               AnyRole),
    ("record_group_session",     AnyRole),
    ("set_group_session_note",   Clinical),
    ("todays_group_sessions",    AnyRole),
    ("attendance_missing",       AnyRole),
    ("attendance_report",        AnyRole),
    ("suggest_report_path",      AnyRole),
    ("export_attendance_csv",    AnyRole),
    ("patient_groups",           AnyRole),
    ("aftercare_worklist",       AnyRole),
    ("record_attempt",           AnyRole),
    ("patient_aftercare",        AnyRole),
    ("aftercare_templates",      AnyRole),
    ("save_aftercare_template",  Clinical),
    ("discharge_with_plan",      AnyRole),
    ("start_aftercare_plan",     AnyRole),
    ("step_aftercare_plan",      Clinical),
    ("pause_aftercare_plan",     Clinical),
    ("close_aftercare_plan",     Clinical),
    ("at_risk_list",             Clinical),
    ("acknowledge_alert",        Clinical),
    ("aftercare_settings",       AnyRole),
    ("save_aftercare_settings",  Clinical),
    ("roster_preview",           AnyRole),
    ("print_roster",             AnyRole),
    ("audit_log",                Admin),
    ("verify_audit",             Admin),
    ("mentorship_overview",      AnyRole),
    ("suggest_mentors",          AnyRole),
    ("accept_mentor_pair",       AnyRole),
    ("reject_mentor_pair",       AnyRole),
    ("clear_mentor_rejections",  AnyRole),
    ("check_mentor_pair",        AnyRole),
    ("pair_mentor_by_hand",      AnyRole),
    ("end_mentor_pair",          AnyRole),
    ("add_mentor_exclusion",     Clinical),
    ("lift_mentor_exclusion",    Clinical),
    ("patient_mentorship",       AnyRole),
    ("save_peer_profile",        AnyRole),
    ("save_mentorship_settings", Admin),
    ("backup_status",            AnyRole),
    ("list_drives",              AnyRole),
    ("list_backups",             AnyRole),
    ("start_backup",             AnyRole),
    ("backup_progress",          AnyRole),
    ("set_up_backup_key",        Admin),
    ("backup_recovery_sheet",    Admin),
    ("prepare_restore",          Admin),
    ("confirm_restore",          Admin),
    ("cancel_restore",           Admin),
    ("local_snapshots",          Admin),
    ("set_backup_on_close",      Admin),
    ("safety_copies",            Admin),
    ("remove_safety_copy",       Admin),
    ("unattended_backup_status", Admin),
    ("set_unattended_backup",    Admin),
];
