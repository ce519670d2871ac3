//! An empty Tauri window showing one line of text: nothing but what every Tauri app
//! pays for (process start, WebKitGTK, the webview's first paint).
fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("minimal window: {e}");
        std::process::exit(1);
    }
}
