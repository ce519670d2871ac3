//! Fault tests of backup and restore (issue 7): a full stick at many sizes, a stick made
//! read-only mid-backup, kill -9 during backup, restore and ordinary writes, corrupted
//! files through the command line, and the README's recovery steps with the real `age`,
//! `xxd`, `sqlcipher` (when a SQLCipher 4 one is installed) and `sqlite3` tools.
//!
//! The stick tests mount small tmpfs filesystems and need root (CI runs as root). Where
//! mounting is impossible they fail loudly, unless SAATHI_SKIP_MOUNT_TESTS=1 says to skip
//! them. Needs the debug `saathi` binary with the test hooks (`crash-writer`, the switch
//! that skips the early free-space check): `cargo build --workspace --all-targets`, or
//! `cargo build -p saathi --features dev-tools`.
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use saathi_tests::{Rng, run_saathi, saathi_bin};

const DEMO_PASS: &str = "demo-backup-passphrase";

/// The `saathi` binary, once it is known to have the test hooks (without them the crash
/// test could not run and the full-stick test would only see the early refusal).
fn saathi_with_hooks() -> PathBuf {
    let out = Command::new(saathi_bin()).args(["crash-writer", "--help"]).output().unwrap();
    assert!(
        out.status.success(),
        "{} has no test hooks: build it with `cargo build -p saathi --features dev-tools`",
        saathi_bin().display()
    );
    saathi_bin()
}

fn demo_centre() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run_saathi(&["demo", "--data-dir", dir.path().to_str().unwrap(), "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("Demo backup passphrase: {DEMO_PASS}")), "{out}");
    dir
}

/// Runs `saathi`; the commands that read the (encrypted) records act as the demo's
/// administrator.
fn saathi(args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    if args.first().is_some_and(|c| ["backup", "restore", "check", "roster", "crash-writer"].contains(c)) {
        all.extend(saathi_tests::demo_admin());
    }
    run_saathi(&all.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The demo centre's database, opened with the administrator's password.
fn open_centre(data: &Path) -> saathi_core::Store {
    saathi_tests::open_demo_centre(data)
}

/// Integrity and every table's row count (but the audit log's and the list of verified
/// backups: recording attempts is the one change a backup makes).
fn db_state(data: &Path) -> (String, Vec<(String, i64)>) {
    let store = open_centre(data);
    let c = store.conn();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    let names: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('audit_log', 'backups') ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let counts = names
        .into_iter()
        .map(|n| {
            let k: i64 = c.query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0)).unwrap();
            (n, k)
        })
        .collect();
    (check, counts)
}

fn patients_and_phone(data: &Path) -> (i64, String) {
    open_centre(data)
        .conn()
        .query_row("SELECT (SELECT count(*) FROM patients), (SELECT phone FROM patients WHERE id = 1)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
}

fn set_phone(data: &Path, phone: &str) {
    open_centre(data).conn().execute("UPDATE patients SET phone = ?1 WHERE id = 1", [phone]).unwrap();
}

fn finished_backups(stick: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(stick.join("Saathi-Backups"))
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "saathi")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn can_mount() -> bool {
    if std::env::var_os("SAATHI_SKIP_MOUNT_TESTS").is_some_and(|v| v == "1") {
        eprintln!("SAATHI_SKIP_MOUNT_TESTS=1: skipping a test that mounts a small filesystem");
        return false;
    }
    true
}

/// A tmpfs of `size` bytes, unmounted on drop.
struct Mount(tempfile::TempDir);
impl Mount {
    fn tmpfs(size: u64) -> Mount {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", dir.path().to_str().unwrap()])
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "could not mount a tmpfs (these tests need root; set SAATHI_SKIP_MOUNT_TESTS=1 to skip them): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Mount(dir)
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn remount(&self, opt: &str) -> bool {
        Command::new("mount")
            .args(["-o", &format!("remount,{opt}"), self.path().to_str().unwrap()])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

/// Decrypts a backup with the demo key file beside it; returns the patient count.
fn decrypt_count(file: &Path) -> i64 {
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = saathi(&["demo", "--data-dir", data.path().to_str().unwrap(), "--date", "2026-11-20"]);
    assert_eq!(code, 0, "{err}");
    let pass = data.path().join("pass.txt");
    std::fs::write(&pass, DEMO_PASS).unwrap();
    let (code, out, err) = saathi(&[
        "restore",
        file.to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    patients_and_phone(data.path()).0
}

#[test]
fn a_full_stick_at_many_sizes_gives_a_plain_error_and_leaves_no_finished_file() {
    if !can_mount() {
        return;
    }
    let data = demo_centre();
    let dir = data.path().to_str().unwrap();
    // One good backup to a roomy folder: its size tells how big the stick must be.
    let roomy = tempfile::tempdir().unwrap();
    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", roomy.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let older = finished_backups(roomy.path()).pop().unwrap();
    let older_bytes = std::fs::read(&older).unwrap();
    let size = older_bytes.len() as u64;
    let before = db_state(data.path());
    let mut failures = 0;
    // From "only the older backup fits" up to "room for both", in 12 steps; the early
    // free-space check is switched off so the write itself runs out at many points.
    let with_hooks = saathi_with_hooks();
    for step in 0..12u64 {
        let stick_size = (size + 16 * 1024 + step * (size + 64 * 1024) / 11).div_ceil(4096) * 4096;
        let stick = Mount::tmpfs(stick_size);
        let folder = stick.path().join("Saathi-Backups");
        std::fs::create_dir_all(&folder).unwrap();
        let kept = folder.join(older.file_name().unwrap());
        std::fs::write(&kept, &older_bytes).unwrap();
        let out = Command::new(&with_hooks)
            .args(["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()])
            .args(saathi_tests::demo_admin())
            .env("SAATHI_TEST_NO_SPACE_CHECK", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let finished = finished_backups(stick.path());
        if out.status.success() {
            assert_eq!(finished.len(), 2, "size {stick_size}");
            assert_eq!(decrypt_count(finished.last().unwrap()), 160);
        } else {
            failures += 1;
            assert!(
                err.contains("could not be written") || err.contains("reading it back"),
                "size {stick_size}: {err}"
            );
            assert!(err.contains("full"), "says why: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(finished, vec![kept.clone()], "size {stick_size}: no finished-looking file");
        }
        assert_eq!(std::fs::read(&kept).unwrap(), older_bytes, "the older backup is intact");
        assert_eq!(db_state(data.path()), before, "the live database is untouched");
    }
    assert!(failures >= 6, "most sizes are too small ({failures} failures)");
    // And with the ordinary early check, a too-small stick is refused before writing.
    let stick = Mount::tmpfs(size / 2);
    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("does not fit on") && err.contains("MB free"), "{err}");
    assert!(finished_backups(stick.path()).is_empty());
}

#[test]
fn a_stick_made_read_only_during_a_backup_gives_a_plain_error() {
    if !can_mount() {
        return;
    }
    let data = demo_centre();
    let dir = data.path().to_str().unwrap();
    let mut rng = Rng::from_env_or_clock();
    let before = db_state(data.path());
    let mut outcomes = std::collections::BTreeMap::<&str, u32>::new();
    for _ in 0..16 {
        let stick = Mount::tmpfs(8 << 20);
        // An older backup already on the stick.
        let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let older = finished_backups(stick.path());
        let older_bytes = std::fs::read(&older[0]).unwrap();
        let mut child = Command::new(saathi_bin())
            .args(["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()])
            .args(saathi_tests::demo_admin())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the new backup is being written, then strike at a random moment.
        let t0 = Instant::now();
        let folder = stick.path().join("Saathi-Backups");
        while t0.elapsed() < Duration::from_secs(10)
            && child.try_wait().unwrap().is_none()
            && !std::fs::read_dir(&folder)
                .unwrap()
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        {
            std::thread::sleep(Duration::from_micros(100));
        }
        std::thread::sleep(Duration::from_micros(rng.below(8_000)));
        // Writable files block a read-only remount: keep trying until it takes.
        let t0 = Instant::now();
        while !stick.remount("ro") && t0.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_micros(200));
        }
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let finished = finished_backups(stick.path());
        if out.status.success() {
            *outcomes.entry("finished before").or_default() += 1;
            assert_eq!(finished.len(), 2);
        } else {
            *outcomes.entry("refused").or_default() += 1;
            assert!(err.contains("could not be written"), "{err}");
            assert!(err.contains("write-protected"), "{err}");
            assert_eq!(finished, older, "no finished-looking file");
        }
        assert_eq!(std::fs::read(&older[0]).unwrap(), older_bytes, "older backup intact");
        assert_eq!(db_state(data.path()), before, "live database untouched");
        stick.remount("rw");
    }
    eprintln!("outcomes: {outcomes:?}");
    assert!(outcomes.get("refused").copied().unwrap_or(0) > 0, "the read-only stick was hit at least once");
}

#[test]
fn kill_9_during_backups_and_restores_never_harms_the_live_database() {
    let data = demo_centre();
    let dir = data.path().to_str().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let to = stick.path().to_str().unwrap();
    set_phone(data.path(), "11111 11111");
    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", to]);
    assert_eq!(code, 0, "{err}");
    // Kept apart from the stick: the rounds below make more backups there, and rotation
    // may rightly delete this first one once ten newer ones are verified.
    let kept = tempfile::tempdir().unwrap();
    let good = {
        let made = finished_backups(stick.path()).pop().unwrap();
        let key = made.with_file_name("saathi-backup-key.age");
        std::fs::copy(&key, kept.path().join("saathi-backup-key.age")).unwrap();
        let copy = kept.path().join(made.file_name().unwrap());
        std::fs::copy(&made, &copy).unwrap();
        copy
    };
    let pass = kept.path().join("pass.txt");
    std::fs::write(&pass, DEMO_PASS).unwrap();
    set_phone(data.path(), "22222 22222");
    let mut rng = Rng::from_env_or_clock();
    let mut finished_restores = 0;
    for round in 0..30 {
        let before = patients_and_phone(data.path());
        let restoring = round % 2 == 1;
        let args: Vec<&str> = if restoring {
            vec![
                "restore",
                good.to_str().unwrap(),
                "--data-dir",
                dir,
                "--passphrase-file",
                pass.to_str().unwrap(),
                "--yes",
            ]
        } else {
            vec!["backup", "--data-dir", dir, "--to", to]
        };
        let mut child = Command::new(saathi_bin())
            .args(&args)
            .args(saathi_tests::demo_admin())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // A backup of the demo centre takes about 0.2 s here, a restore about 0.45 s:
        // the kill lands anywhere from start-up to the last step.
        std::thread::sleep(Duration::from_micros(rng.below(if restoring { 550_000 } else { 280_000 })));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let (check, _) = db_state(data.path());
        assert_eq!(check, "ok", "round {round}");
        let after = patients_and_phone(data.path());
        // Either the old data, or (a restore that finished) exactly the backup's.
        if restoring && after != before {
            assert_eq!(after, (160, "11111 11111".into()), "round {round}: no half-restored state");
            finished_restores += 1;
        } else {
            assert_eq!(after, before, "round {round} ({status:?})");
        }
        // The store still opens normally.
        let (code, _, err) = saathi(&["check", "--data-dir", dir]);
        assert_eq!(code, 0, "round {round}: {err}");
        // No finished-looking backup that does not decrypt (checked on the newest).
        if round % 6 == 0 {
            let newest = finished_backups(stick.path()).pop().unwrap();
            assert_eq!(decrypt_count(&newest), 160);
        }
        set_phone(data.path(), "22222 22222");
    }
    eprintln!("restores that finished before the kill: {finished_restores}");
    // After all that, a restore run to its end works.
    let (code, out, err) = saathi(&[
        "restore",
        good.to_str().unwrap(),
        "--data-dir",
        dir,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(patients_and_phone(data.path()), (160, "11111 11111".into()));
}

#[test]
fn kill_9_mid_transaction_200_times_loses_no_acknowledged_write() {
    let data = demo_centre();
    let dir = data.path().to_str().unwrap();
    let mut rng = Rng::from_env_or_clock();
    let mut acknowledged: Vec<i64> = Vec::new();
    let saathi = saathi_with_hooks();
    for cycle in 0..200 {
        let mut child = Command::new(&saathi)
            .args(["crash-writer", "--data-dir", dir])
            .args(saathi_tests::demo_admin())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(id) = line.trim().parse::<i64>() {
                    if ids.is_empty() {
                        let _ = first_tx.send(());
                    }
                    ids.push(id);
                }
            }
            ids
        });
        // Once the writer is running, kill it at a random point of its work.
        let _ = first_rx.recv_timeout(Duration::from_secs(10));
        std::thread::sleep(Duration::from_micros(rng.below(30_000)));
        let _ = child.kill();
        let _ = child.wait();
        let ids = reader.join().unwrap();
        acknowledged.extend(ids);
        let store = open_centre(data.path());
        let c = store.conn();
        let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "cycle {cycle}");
        if cycle % 20 == 19 || cycle == 199 {
            let mut stmt = c.prepare("SELECT 1 FROM patients WHERE id = ?1").unwrap();
            for id in &acknowledged {
                assert!(stmt.exists([id]).unwrap(), "cycle {cycle}: acknowledged id {id} is missing");
            }
        }
    }
    eprintln!("{} acknowledged transactions, all present", acknowledged.len());
    assert!(acknowledged.len() > 200, "the writer got work done ({})", acknowledged.len());
}

#[test]
fn the_command_line_refuses_bad_backups_and_leaves_the_live_database_alone() {
    let data = demo_centre();
    let dir = data.path().to_str().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let good = finished_backups(stick.path()).pop().unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let folder = stick.path().join("Saathi-Backups");
    let wrong = stick.path().join("wrong.txt");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    let right = stick.path().join("right.txt");
    std::fs::write(&right, format!("{DEMO_PASS}\n")).unwrap();
    let cut = folder.join("cut.saathi");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let mut flipped = bytes.clone();
    let n = flipped.len();
    flipped[n - 100] ^= 1;
    let flip = folder.join("flip.saathi");
    std::fs::write(&flip, &flipped).unwrap();
    let text = folder.join("text.saathi");
    std::fs::write(&text, "hello").unwrap();
    // The records (the command line's sign-ins as the administrator are audited).
    let before = db_state(data.path());
    for (file, pass, says) in [
        (&good, &wrong, "passphrase is not right"),
        (&cut, &right, "damaged or incomplete"),
        (&flip, &right, "damaged or incomplete"),
        (&text, &right, "not a Saathi backup"),
    ] {
        let (code, out, err) = saathi(&[
            "restore",
            file.to_str().unwrap(),
            "--data-dir",
            dir,
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--yes",
        ]);
        assert_eq!(code, 1, "{}: {out}", file.display());
        assert!(err.contains(says), "{}: {err}", file.display());
        assert!(err.contains("Nothing has been changed") || err.contains("nothing has been changed"), "{err}");
        assert_eq!(db_state(data.path()), before);
        assert!(
            !data.path().join("safety").exists()
                || std::fs::read_dir(data.path().join("safety")).unwrap().next().is_none()
        );
    }
    // Without --yes, anything but "yes" changes nothing.
    let mut child = Command::new(saathi_bin())
        .args(["restore", good.to_str().unwrap(), "--data-dir", dir, "--passphrase-file", right.to_str().unwrap()])
        .args(saathi_tests::demo_admin())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"no\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Patients: 160"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Nothing was changed"));
    assert_eq!(db_state(data.path()), before);
}

#[test]
fn command_line_round_trip_brings_the_old_value_back() {
    let data = demo_centre();
    let dir = data.path().to_str().unwrap();
    let stick = tempfile::tempdir().unwrap();
    set_phone(data.path(), "11111 11111");
    let (code, out, err) = saathi(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Backup verified"), "{out}");
    set_phone(data.path(), "22222 22222");
    let pass = stick.path().join("p");
    std::fs::write(&pass, DEMO_PASS).unwrap();
    let file = finished_backups(stick.path()).pop().unwrap();
    let (code, out, err) = saathi(&[
        "restore",
        file.to_str().unwrap(),
        "--data-dir",
        dir,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Patients: 160") && out.contains("Restored."), "{out}");
    // The preview names the backup's audit seal and holds the live trail against it.
    assert!(out.contains("Audit seal when it was made: "), "{out}");
    assert!(out.contains("The current audit trail still holds this backup's newest entry"), "{out}");
    assert_eq!(patients_and_phone(data.path()), (160, "11111 11111".into()));
    // The safety copy holds the value from before the restore.
    let safety: Vec<PathBuf> =
        std::fs::read_dir(data.path().join("safety")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(safety.len(), 1);
    // Encrypted with the centre's key, like the database.
    let key = saathi_tests::centre_key(data.path(), "admin", "demo-admin-1");
    let c = saathi_core::Store::open_with(&safety[0], Some(&key)).unwrap();
    let phone: String = c.conn().query_row("SELECT phone FROM patients WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(phone, "22222 22222");
}

/// `age -d saathi-backup-key.age > OUT` in `folder`, typing `passphrase` at the prompt:
/// `age` reads passphrases from a terminal only, so it runs under `script`.
fn age_decrypt_key(folder: &Path, out: &str, passphrase: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new("script")
        .args(["-qec", &format!("age -d saathi-backup-key.age > {out}"), "/dev/null"])
        .current_dir(folder)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    stdin.write_all(format!("{passphrase}\n").as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// Runs `sh -c script` in `dir`; panics with its error output unless it succeeds.
fn sh(dir: &Path, script: &str) -> String {
    let out = Command::new("sh").args(["-c", script]).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether the `sqlcipher` on the PATH is SQLCipher 4 or newer (Debian 12's 3.4 cannot
/// read SQLCipher 4 files; Debian 13 and Ubuntu 24.04 ship 4.x).
fn sqlcipher_4_on_path() -> bool {
    Command::new("sqlcipher")
        .args([":memory:", "PRAGMA cipher_version;"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().split('.').next().and_then(|m| m.parse::<u32>().ok()))
        .is_some_and(|major| major >= 4)
}

/// `sqlcipher FILE "SQL"` as the README writes it: the real tool when a SQLCipher 4 one is
/// installed, else the same statements, one by one, through the SQLCipher 4 this build
/// bundles (the library the tool is built from), printing rows as the tool does.
fn sqlcipher(dir: &Path, file: &str, sql: &str) -> String {
    if sqlcipher_4_on_path() {
        let out = Command::new("sqlcipher").args([file, sql]).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "sqlcipher {sql}: {}", String::from_utf8_lossy(&out.stderr));
        return String::from_utf8_lossy(&out.stdout).into_owned();
    }
    eprintln!("no SQLCipher 4 `sqlcipher` tool on the PATH: running its statements through the bundled SQLCipher");
    let c = rusqlite::Connection::open(dir.join(file)).unwrap();
    let mut out = String::new();
    // The tool runs in `dir`; this process does not, so an attached file is named in full.
    let sql = sql.replace("ATTACH '", &format!("ATTACH '{}/", dir.display()));
    for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let mut st = c.prepare(stmt).unwrap_or_else(|e| panic!("{stmt}: {e}"));
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap_or_else(|e| panic!("{stmt}: {e}")) {
            let cols: Vec<String> = (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => String::new(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Real(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(_) => "<blob>".into(),
                })
                .collect();
            out.push_str(&cols.join("|"));
            out.push('\n');
        }
    }
    out
}

/// The README's steps for a backup of an encrypted centre ("Restoring by hand"), with the
/// real `age` (passphrase typed on a terminal: `script` gives it one), `xxd`, `sqlcipher`
/// (see [`sqlcipher`]) and `sqlite3`.
#[test]
fn readme_steps_read_an_encrypted_backup_with_age_sqlcipher_and_sqlite3() {
    for tool in ["age", "sqlite3", "script", "xxd"] {
        assert!(
            Command::new("sh").args(["-c", &format!("command -v {tool} >/dev/null")]).status().unwrap().success(),
            "{tool} is missing: install the Debian packages age, sqlite3, xxd and util-linux"
        );
    }
    // An encrypted demo centre and its backup.
    let data = tempfile::tempdir().unwrap();
    let db_key = saathi_core::keyslots::DbKey::generate().unwrap();
    let mut store = saathi_core::Store::open_with(&data.path().join("saathi.db"), Some(&db_key)).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    saathi_core::demo::generate(&mut store, today, 7).unwrap();
    store.conn().execute("UPDATE patients SET phone = '98765 43210' WHERE id = 1", []).unwrap();
    let stick = tempfile::tempdir().unwrap();
    let ctx = saathi_core::Ctx::at(saathi_core::Actor::system(), today);
    let done = saathi_core::backup::back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap();
    drop(store);
    let folder = stick.path().join("Saathi-Backups");
    let backup = PathBuf::from(&done.path);
    let name = backup.file_name().unwrap().to_str().unwrap();

    // Step 1: age -d saathi-backup-key.age > key.txt (passphrase on the terminal).
    let out = age_decrypt_key(&folder, "key.txt", DEMO_PASS);
    assert!(out.status.success(), "age -d key: {}", String::from_utf8_lossy(&out.stderr));
    // Step 2: the database key, as 64 hex digits.
    sh(&folder, "age -d -i key.txt saathi-db-key.age | xxd -p -c 64 > db-key.hex");
    let hex = std::fs::read_to_string(folder.join("db-key.hex")).unwrap();
    assert_eq!(hex.trim().len(), 64, "{hex}");
    // Step 3: the backup, still encrypted with that key.
    sh(&folder, &format!("age -d -i key.txt '{name}' > backup.db"));
    assert!(!std::fs::read(folder.join("backup.db")).unwrap().starts_with(b"SQLite format 3"));
    // Step 4: read it with sqlcipher.
    let key = format!("PRAGMA key = \"x'{}'\";", hex.trim());
    let out = sqlcipher(
        &folder,
        "backup.db",
        &format!("{key} PRAGMA user_version; SELECT full_name, phone, phase FROM patients ORDER BY full_name;"),
    );
    let version = saathi_core::db::schema_version();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..2], ["ok".to_string(), version.to_string()], "{out}");
    assert_eq!(lines.len(), 2 + 160);
    assert!(lines.iter().any(|l| l.contains("|98765 43210|")), "{out}");
    // Step 5: a plain copy with Saathi's marks, for sqlite3 (or a data folder).
    sqlcipher(
        &folder,
        "backup.db",
        &format!(
            "{key} ATTACH 'saathi.db' AS plain KEY ''; SELECT sqlcipher_export('plain'); \
             PRAGMA plain.application_id = 1396790344; PRAGMA plain.user_version = {version}; DETACH plain;"
        ),
    );
    let out = Command::new("sqlite3")
        .args(["saathi.db", "PRAGMA integrity_check; SELECT full_name, phone, phase FROM patients ORDER BY full_name;"])
        .current_dir(&folder)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(shown.lines().next(), Some("ok"), "{shown}");
    assert_eq!(shown.lines().count(), 1 + 160);
    assert!(shown.lines().any(|l| l.contains("|98765 43210|")), "{shown}");
    // The plain copy is a Saathi database Saathi opens as it is.
    let plain = saathi_core::Store::open(&folder.join("saathi.db")).unwrap();
    let n: i64 = plain.conn().query_row("SELECT count(*) FROM patients", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 160);
    // A wrong passphrase gets nothing.
    age_decrypt_key(&folder, "key2.txt", "not the passphrase");
    assert!(!std::fs::read_to_string(folder.join("key2.txt")).unwrap_or_default().contains("AGE-SECRET-KEY"));
}

/// A data folder on a disk that is nearly full: the backup's snapshot, the daily copy and
/// a restore's work file are refused before a byte is written, with a plain message that
/// says how much room is needed; the live database, its folders and the stick are left
/// exactly as they were.
#[test]
fn a_nearly_full_data_disk_refuses_copies_plainly_and_changes_nothing() {
    if !can_mount() {
        return;
    }
    let disk = Mount::tmpfs(112 << 20);
    let data = disk.path().join("centre");
    let dir = data.to_str().unwrap();
    let (code, _, err) = saathi(&["demo", "--data-dir", dir, "--date", "2026-11-26"]);
    assert_eq!(code, 0, "{err}");
    let stick = tempfile::tempdir().unwrap();
    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
    assert_eq!(code, 0, "with room, the backup is made: {err}");
    let backup = finished_backups(stick.path()).pop().unwrap();
    // Fill the disk until 24 MB are left: less than a copy and the 64 MB margin.
    let free = saathi_core::backup::free_space(disk.path()).unwrap();
    let filler = disk.path().join("filler");
    std::fs::write(&filler, vec![0u8; (free - (24 << 20)) as usize]).unwrap();
    let live = db_state(&data);
    let listing = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = walk(d).iter().map(|p| p.strip_prefix(d).unwrap().display().to_string()).collect();
        v.sort();
        v
    };
    let (before_data, before_stick) = (listing(&data), listing(stick.path()));

    let (code, _, err) = saathi(&["backup", "--data-dir", dir, "--to", stick.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not enough free space") && err.contains("MB"), "{err}");
    let secrets = tempfile::tempdir().unwrap();
    let pass = secrets.path().join("p");
    std::fs::write(&pass, DEMO_PASS).unwrap();
    let (code, _, err) = saathi(&[
        "restore",
        backup.to_str().unwrap(),
        "--data-dir",
        dir,
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--yes",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("not enough free space") && err.contains("Nothing has been changed"), "{err}");
    // The daily copy (the window takes it after the first sign-in) is refused the same way.
    let store = open_centre(&data);
    let ctx = saathi_core::Ctx::now(saathi_core::Actor::system());
    let refused = saathi_core::backup::local_snapshot_if_due(store.conn(), store.key(), &data, &ctx).unwrap_err();
    assert_eq!(refused.code(), "disk_no_room");
    assert_eq!(refused.payload().params.get("free").map(String::as_str), Some("24"), "{refused}");
    drop(store);
    // The records are as they were (the commands' sign-ins are audited, nothing else).
    assert_eq!(db_state(&data), live, "the live database is as it was");
    assert_eq!(listing(&data), before_data, "no file was added to the data folder");
    assert_eq!(listing(stick.path()), before_stick);
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out
}
