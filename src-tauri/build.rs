// The commands' one table (commands.rs) becomes Tauri's permissions and the window's
// capability here, so neither is a hand-kept list.
include!("commands.rs");

/// Plugin permissions of the main window, each as narrow as it goes: the save dialog
/// only (the PDF viewer is opened from Rust, so the window has no opener permission).
const PLUGIN_PERMISSIONS: &[&str] = &["dialog:allow-open", "dialog:allow-save"];

fn main() {
    let names: &'static [&'static str] = Vec::leak(COMMANDS.iter().map(|(name, _)| *name).collect());
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("capabilities");
    std::fs::create_dir_all(&dir).expect("create OUT_DIR/capabilities");
    let file = dir.join("main.json");
    std::fs::write(&file, capability(names)).expect("write the capability");
    println!("cargo:rerun-if-changed=commands.rs");
    let pattern: &'static str = String::leak(file.display().to_string());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(names))
            .capabilities_path_pattern(pattern),
    )
    .expect("tauri build step failed");
}

/// The main window's capability: every command of the table (`allow-<name>`, which
/// tauri-build generates for each) and the plugin permissions above; nothing else.
fn capability(names: &[&str]) -> String {
    let permissions: Vec<String> = names
        .iter()
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .chain(PLUGIN_PERMISSIONS.iter().map(|p| (*p).to_owned()))
        .map(|p| format!("    \"{p}\""))
        .collect();
    format!(
        "{{\n  \"identifier\": \"main\",\n  \"description\": \"The main window may call Saathi's own commands and \
         nothing else: no shell, no file system, no network.\",\n  \"windows\": [\"main\"],\n  \"local\": true,\n  \
         \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    )
}
