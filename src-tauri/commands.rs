// The app's own Tauri commands. Shared by build.rs (which declares them to the
// permission system, so each one needs an explicit `allow-…` in a capability) and by
// the app (whose tests check the capability file against this list).
pub const COMMANDS: &[&str] = &[
    "app_info",
    "get_settings",
    "set_language",
    "register_counts",
    "search_patients",
    "get_patient",
    "create_patient",
    "update_patient",
    "discharge_patient",
    "readmit_patient",
    "set_patient_phase",
    "set_patient_archived",
    "list_staff",
    "create_staff",
    "update_staff",
    "set_staff_active",
];
