//! Drives a backup can go to: removable ones first (sticks, cards), then other mounted
//! filesystems with room, since some USB hard drives report as fixed. The Backup screen
//! also takes any folder path typed or chosen by the user.
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Drive {
    pub name: String,
    pub mount_point: PathBuf,
    pub removable: bool,
    #[ts(type = "number")]
    pub available_bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

/// Removable drives, then the others (pseudo filesystems left out), by mount point.
pub fn drives() -> Result<Vec<Drive>> {
    let disks = sysinfo::Disks::new_with_refreshed_list()
        .map_err(|e| Error::Io(std::io::Error::other(format!("the list of drives could not be read: {e}"))))?;
    let mut out: Vec<Drive> = disks
        .iter()
        .filter(|d| d.total_space() > 0 && d.mount_point().is_dir())
        .filter(|d| {
            let m = d.mount_point().to_string_lossy();
            !(m.starts_with("/proc") || m.starts_with("/sys") || m.starts_with("/dev") || m.starts_with("/run/user"))
        })
        .map(|d| Drive {
            name: d.name().to_string_lossy().into_owned(),
            mount_point: d.mount_point().to_path_buf(),
            removable: d.is_removable(),
            available_bytes: d.available_space(),
            total_bytes: d.total_space(),
        })
        .collect();
    out.sort_by(|a, b| b.removable.cmp(&a.removable).then(a.mount_point.cmp(&b.mount_point)));
    out.dedup_by(|a, b| a.mount_point == b.mount_point);
    Ok(out)
}

#[cfg(all(test, windows))]
mod tests {
    /// Drives are listed by letter, the system drive as fixed. With a stick named in
    /// SAATHI_TEST_USB_DRIVE (e.g. `E:\`), it must come first and be marked removable:
    /// that is what the Backup screen offers.
    ///
    /// Wine cannot imitate this: sysinfo finds drives through their volume GUIDs, and
    /// Wine 8 lists none for its drive letters, so under Wine (CI) the list is empty and
    /// only the call itself is checked. Real Windows lists every mounted volume.
    #[test]
    fn drives_have_letters_and_a_stick_comes_first() {
        let list = super::drives().unwrap();
        if std::path::Path::new(r"C:\windows\system32\winecfg.exe").exists() {
            eprintln!("under Wine: {} drives listed (Wine has no volume GUIDs for its drives)", list.len());
            return;
        }
        let c = list
            .iter()
            .find(|d| d.mount_point.as_os_str().eq_ignore_ascii_case(r"C:\"))
            .unwrap_or_else(|| panic!("C:\\ is listed: {list:?}"));
        assert!(!c.removable, "{c:?}");
        assert!(list.iter().all(|d| d.mount_point.to_string_lossy().ends_with(":\\")), "{list:?}");
        if let Some(stick) = std::env::var_os("SAATHI_TEST_USB_DRIVE") {
            let first = &list[0];
            assert!(first.mount_point.as_os_str().eq_ignore_ascii_case(&stick) && first.removable, "{list:?}");
        }
    }
}
