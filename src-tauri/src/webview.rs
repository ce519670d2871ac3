//! The window draws its pages in the system's web view: WebKitGTK on Linux (a package the
//! install brings), WebView2 on Windows (part of Windows 11; on Windows 10 a runtime that
//! is installed once). Without WebView2, Tauri logs an error and then waits for ever with
//! no window, so a PC without it would show nothing at all. This check runs first and,
//! on Windows, says so in a message box that needs no web view.

/// The code logged (and returned) when the web view is missing.
pub const MISSING: &str = "webview2_missing";

/// Ok when the window can draw its pages; otherwise the user has been told, and the
/// error is [`MISSING`].
pub fn check() -> Result<(), String> {
    match tauri::webview_version() {
        Ok(version) => {
            tracing::info!(%version, "web view found");
            Ok(())
        }
        Err(e) => {
            tracing::error!(code = MISSING, error = %e, "the system's web view is missing: the window cannot open");
            tell_missing();
            Err(MISSING.to_owned())
        }
    }
}

/// Before any page can be shown there is no language setting to read and no catalogue to
/// render from, so this one message is written here, in both of the app's languages.
#[cfg(windows)]
fn tell_missing() {
    const TEXT: &str = "Saathi needs the Microsoft Edge WebView2 Runtime, and this PC does not have it.\n\
        Windows 11 includes it. On Windows 10, install Microsoft's \"WebView2 Evergreen Standalone \
        Installer\" once (bring it on a USB stick from a PC with internet), then start Saathi again.\n\
        Your data is safe; backups still work from saathi-cli.\n\n\
        साथी को Microsoft Edge WebView2 Runtime चाहिए, जो इस कंप्यूटर पर नहीं है।\n\
        Windows 11 में यह पहले से होता है। Windows 10 पर Microsoft का \"WebView2 Evergreen Standalone \
        Installer\" एक बार इंस्टॉल करें (इंटरनेट वाले किसी कंप्यूटर से USB स्टिक पर लाएँ), फिर साथी दोबारा खोलें।\n\
        आपका डेटा सुरक्षित है; बैकअप saathi-cli से अब भी हो सकता है।";
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title("Saathi / साथी")
        .set_description(TEXT)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
}

/// On Linux the web view is a dependency of the package itself; the log says what failed.
#[cfg(not(windows))]
fn tell_missing() {}
