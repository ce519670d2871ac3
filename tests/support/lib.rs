//! Helpers shared by the acceptance tests (`tests/*.rs`) and the end-to-end tests of the
//! real app.
pub mod e2e;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use saathi_core::consents::{ConsentHow, ConsentInput, ConsentKind};
use saathi_core::patients::{Gender, NewPatient, PatientDetails};
use saathi_core::{Actor, Ctx, Store};

/// A fixed "today" for tests, so dates do not drift.
pub fn today() -> NaiveDate {
    date("2026-11-26")
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad test date {s}: {e}"))
}

pub fn ctx() -> Ctx {
    Ctx::at(Actor::system(), today())
}

/// A store in a real file inside a temporary folder (removed when the folder drops).
pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl TempStore {
    pub fn new() -> TempStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join(saathi_core::db::DB_FILE)).expect("open store");
        TempStore { dir, store }
    }

    /// A store encrypted with `key` (SQLCipher), in a real file in a temporary folder.
    pub fn encrypted(key: &saathi_core::keyslots::DbKey) -> TempStore {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_with(&dir.path().join(saathi_core::db::DB_FILE), Some(key)).expect("open store");
        TempStore { dir, store }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(saathi_core::db::DB_FILE)
    }

    /// Closes and reopens the file, as a restart of the app would.
    pub fn reopen(self) -> TempStore {
        let TempStore { dir, store } = self;
        drop(store);
        let store = Store::open(&dir.path().join(saathi_core::db::DB_FILE)).expect("reopen store");
        TempStore { dir, store }
    }
}

impl Default for TempStore {
    fn default() -> Self {
        Self::new()
    }
}

pub fn details(name: &str) -> PatientDetails {
    PatientDetails {
        full_name: name.into(),
        preferred_name: String::new(),
        gender: Gender::Male,
        birth_date: None,
        age_years: Some(34),
        phone: String::new(),
        family_name: String::new(),
        family_relation: String::new(),
        family_phone: String::new(),
        languages: vec!["Hindi".into()],
        substances: vec![],
        substance_other: String::new(),
    }
}

/// A consent (`given`) or refusal of `kind` on `on`, on a signed form.
pub fn consent(kind: ConsentKind, given: bool, on: &str) -> ConsentInput {
    ConsentInput {
        kind,
        given,
        detail: String::new(),
        decided_on: date(on),
        how: ConsentHow::SignedForm,
        witness: String::new(),
    }
}

pub fn new_patient(name: &str, admitted_on: &str) -> NewPatient {
    NewPatient { details: details(name), admitted_on: date(admitted_on) }
}

/// The workspace root (where `target/` lives unless CARGO_TARGET_DIR says otherwise).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built `saathi` binary (`cargo build` first); SAATHI_BIN overrides.
pub fn saathi_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SAATHI_BIN") {
        return PathBuf::from(p);
    }
    built_bin("saathi")
}

/// Cargo's target folder: CARGO_TARGET_DIR (CI keeps it outside the clone), else `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

/// A binary of the workspace's debug build, by name.
pub fn built_bin(name: &str) -> PathBuf {
    let bin = target_dir().join("debug").join(if cfg!(windows) { format!("{name}.exe") } else { name.to_owned() });
    assert!(bin.exists(), "{} is missing: run `cargo build --workspace --all-targets` first", bin.display());
    bin
}

/// SHA-free fingerprint of a file's bytes, for "unchanged" checks.
pub fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// Runs the `saathi` command line without a display or a data folder from the
/// environment; returns the exit code, stdout and stderr.
pub fn run_saathi(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(saathi_bin())
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("SAATHI_DATA_DIR")
        .output()
        .expect("run saathi");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The database of a data folder that Saathi encrypted (the demo centre, or one it
/// converted or set up), opened with a staff member's password: it unlocks their key slot,
/// as at the sign-in screen. A folder still plain is opened as it is.
pub fn open_centre_as(dir: &Path, username: &str, password: &str) -> Store {
    use saathi_core::vault::{self, Folder};
    let db = saathi_core::paths::db_path(dir);
    match vault::look(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        Folder::Locked(slots) => {
            let (key, _) = vault::unlock(&slots, username, password).unwrap_or_else(|e| panic!("unlock: {e}"));
            Store::open_with(&db, Some(&key)).unwrap_or_else(|e| panic!("open {}: {e}", db.display()))
        }
        Folder::Plain => Store::open(&db).unwrap_or_else(|e| panic!("open {}: {e}", db.display())),
        Folder::New => panic!("{} holds no database", dir.display()),
    }
}

/// [`open_centre_as`] the demo centre's administrator.
pub fn open_demo_centre(dir: &Path) -> Store {
    open_centre_as(dir, "admin", "demo-admin-1")
}

/// The key of a data folder's encrypted database, opened with a staff member's password
/// (to read the copies Saathi makes of it: safety copies, snapshots).
pub fn centre_key(dir: &Path, username: &str, password: &str) -> saathi_core::keyslots::DbKey {
    let slots = saathi_core::keyslots::KeySlots::load(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .unwrap_or_else(|| panic!("{} has no key slots", dir.display()));
    saathi_core::vault::unlock(&slots, username, password).unwrap_or_else(|e| panic!("unlock: {e}")).0
}

/// The command-line arguments that act as the demo centre's administrator
/// (`--user admin --password-file F`; the file, in the temporary folder, holds the demo's
/// published password).
pub fn demo_admin() -> Vec<String> {
    // Written once per test process (tests run in parallel: a file rewritten while another
    // command reads it would be read empty), under a name of this process's own.
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let file = FILE.get_or_init(|| {
        let file = std::env::temp_dir().join(format!("saathi-tests-demo-admin-{}.txt", std::process::id()));
        std::fs::write(&file, "demo-admin-1\n").expect("write the demo password file");
        file
    });
    vec!["--user".into(), "admin".into(), "--password-file".into(), file.display().to_string()]
}

/// The demo administrator's password in a file, and the command-line arguments that act
/// as them (`--user admin --password-file F`): keep the file while the command runs.
pub fn demo_admin_args() -> (tempfile::NamedTempFile, Vec<String>) {
    let mut file = tempfile::NamedTempFile::new().expect("password file");
    std::io::Write::write_all(&mut file, b"demo-admin-1\n").expect("write password file");
    let args = vec!["--user".into(), "admin".into(), "--password-file".into(), file.path().display().to_string()];
    (file, args)
}

/// A generated centre of `size`, copied into `dir` as its data (database and key slots):
/// the benchmark's cached copy (same generator, same seed) in the target folder's bench/,
/// generated there first when missing, then encrypted once as Saathi's first start would
/// (its staff's passwords open it, e.g. `scale::SIGN_IN`), so that the e2e tests, the
/// bench and later runs share one.
pub fn generated_centre(dir: &Path, size: &saathi_core::scale::Scale) -> PathBuf {
    use saathi_core::keyslots::KEYS_FILE;
    let db = dir.join(saathi_core::db::DB_FILE);
    let (cached, generated) = saathi_core::scale::cached(&target_dir().join("bench"), size, today()).unwrap();
    if let Some(s) = generated {
        eprintln!("generated the {} centre in {:.0} s", size.name, s.seconds);
    }
    let encrypted = cached.with_extension("encrypted-folder");
    if !encrypted.join(KEYS_FILE).exists() {
        let partial = cached.with_extension("encrypted-partial");
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial).unwrap();
        std::fs::copy(&cached, partial.join(saathi_core::db::DB_FILE)).unwrap();
        let began = std::time::Instant::now();
        saathi_core::vault::convert(&partial).unwrap();
        eprintln!("encrypted the {} centre in {:.0} s", size.name, began.elapsed().as_secs_f64());
        let _ = std::fs::remove_dir_all(&encrypted);
        std::fs::rename(&partial, &encrypted).unwrap();
    }
    std::fs::copy(encrypted.join(saathi_core::db::DB_FILE), &db).unwrap();
    std::fs::copy(encrypted.join(KEYS_FILE), dir.join(KEYS_FILE)).unwrap();
    db
}

/// A small deterministic random source (the seed is printed, so a failure can be replayed).
pub struct Rng(u64);
impl Rng {
    pub fn from_env_or_clock() -> Rng {
        let seed = std::env::var("SAATHI_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        eprintln!("fault seed: SAATHI_FAULT_SEED={seed}");
        Rng(seed | 1)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Every patient's and family member's name (full and preferred) and phone number in the
/// centre, as stored: what must never be readable in a file Saathi writes. Texts shorter
/// than 6 bytes are left out (any such string turns up by chance in megabytes of
/// ciphertext).
pub fn secrets_of(store: &Store) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for sql in [
        "SELECT full_name FROM patients UNION SELECT preferred_name FROM patients UNION SELECT phone FROM patients",
        "SELECT name FROM family_members UNION SELECT phone FROM family_members",
    ] {
        let mut stmt = store.conn().prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.extend(rows.map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}"))).filter(|s| s.len() >= 6));
    }
    out.sort();
    out.dedup();
    out
}

/// Every file under `dirs` (recursively) that shows one of `secrets` or a plain SQLite
/// header, with the first thing it shows.
pub fn readable_files(dirs: &[&Path], secrets: &[String]) -> Vec<(PathBuf, String)> {
    let mut needles: Vec<&str> = secrets.iter().map(String::as_str).collect();
    needles.push("SQLite format 3");
    let finder = aho_corasick::AhoCorasick::new(&needles).unwrap_or_else(|e| panic!("needles: {e}"));
    let mut found = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(m) = finder.find(&file_bytes(&path)[..]) {
                found.push((path, needles[m.pattern().as_usize()].to_owned()));
            }
        }
    }
    found
}
