use super::*;
use crate::ctx::{Actor, Role};

fn ctx_at(s: &str) -> Ctx {
    let t = DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    Ctx { actor: Actor::system(), now: t, today: t.with_timezone(&Local).date_naive() }
}

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn names_parse_back() {
    let (slug, at, n) = parse_name("asha-kendra-20261126-101500.saathi").unwrap();
    assert_eq!((slug.as_str(), at, n), ("asha-kendra", t("2026-11-26 10:15"), 1));
    let (slug, _, n) = parse_name("asha-kendra-20261126-101500-3.saathi").unwrap();
    assert_eq!((slug.as_str(), n), ("asha-kendra", 3));
    assert!(parse_name("asha-20261126-101500.saathi.partial").is_none());
    assert!(parse_name("notes.txt").is_none());
    assert_eq!(slug_of("Asha Nasha Mukti Kendra, Mohali"), "asha-nasha-mukti-kendra-mohali");
    assert_eq!(slug_of("आशा केंद्र"), "saathi");
}

fn slug_of(s: &str) -> String {
    slug(s)
}

#[test]
fn rotation_keeps_ten_newest_and_one_per_month() {
    // One backup a day for 400 days.
    let start = t("2025-10-01 09:00");
    let times: Vec<NaiveDateTime> = (0..400).map(|d| start + chrono::Duration::days(d)).collect();
    let newest = *times.last().unwrap();
    let months = last_months(newest.date(), 12);
    use chrono::Datelike;
    let delete = rotation_plan(&times, newest, 10, |d| (d.year(), d.month()), &months);
    let kept: Vec<NaiveDateTime> = (0..times.len()).filter(|i| !delete.contains(i)).map(|i| times[i]).collect();
    // The 10 newest.
    for x in &times[times.len() - 10..] {
        assert!(kept.contains(x));
    }
    // The newest of each of the last 12 months.
    for m in &months {
        let newest_in_month = times.iter().filter(|x| (x.year(), x.month()) == *m).max().unwrap();
        assert!(kept.contains(newest_in_month), "{m:?}");
    }
    assert!(kept.len() <= 22, "{}", kept.len());
    // Nothing older than 12 months survives.
    assert!(kept.iter().all(|x| months.contains(&(x.year(), x.month()))));
}

#[test]
fn rotation_never_deletes_what_is_not_older_than_the_verified_one() {
    let times: Vec<NaiveDateTime> = (0..30).map(|d| t("2026-01-01 09:00") + chrono::Duration::hours(d)).collect();
    // The verified one is the 5th: nothing newer or equal may go, whatever the rules say.
    use chrono::Datelike;
    let delete = rotation_plan(&times, times[4], 2, |d| (d.year(), d.month()), &[]);
    assert!(delete.iter().all(|&i| times[i] < times[4]));
    assert_eq!(delete, vec![0, 1, 2, 3]);
}

proptest::proptest! {
    #[test]
    fn rotation_properties(offsets in proptest::collection::vec(0i64..2000, 1..80), v in 0usize..80) {
        use chrono::Datelike;
        let mut times: Vec<NaiveDateTime> = offsets.iter().map(|o| t("2025-01-01 00:00") + chrono::Duration::hours(o * 7)).collect();
        times.sort();
        times.dedup();
        let verified = times[v % times.len()];
        let today = times.last().unwrap().date();
        let months = last_months(today, 12);
        let delete = rotation_plan(&times, verified, 10, |d| (d.year(), d.month()), &months);
        for &i in &delete {
            proptest::prop_assert!(times[i] < verified);
        }
        let kept = times.len() - delete.len();
        proptest::prop_assert!(kept >= times.len().min(10));
        // The newest always survives.
        proptest::prop_assert!(!delete.contains(&(times.len() - 1)));
    }
}

pub(crate) fn demo_store(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join(crate::db::DB_FILE)).unwrap();
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    store
        .write(|tx| {
            crate::settings::set_centre(tx, &ctx, "Asha Kendra", "", "")?;
            key::set_up_with_work_factor(tx, &ctx, "correct horse battery", false, 10)?;
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn backup_writes_a_verified_encrypted_file_and_records_it() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let mut store = demo_store(data.path());
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    let mut phases = Vec::new();
    let done = back_up(&mut store, data.path(), stick.path(), &ctx, &mut |p| phases.push(p)).unwrap();
    assert!(done.file_name.starts_with("asha-kendra-2026112"), "{}", done.file_name);
    let bytes = std::fs::read(&done.path).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"), "encrypted");
    assert!(stick.path().join(FOLDER).join(key::KEY_FILE).exists());
    assert!(data.path().join(key::KEY_FILE).exists());
    // Progress went through every phase, forward only, and ended at 1.
    let order: Vec<BackupPhase> = phases.iter().map(|p| p.phase).collect();
    for ph in [BackupPhase::Snapshot, BackupPhase::Encrypt, BackupPhase::Verify, BackupPhase::Done] {
        assert!(order.contains(&ph), "{ph:?}");
    }
    assert!(phases.windows(2).all(|w| w[0].fraction <= w[1].fraction));
    assert_eq!(phases.last().unwrap().fraction, 1.0);
    // Listed as verified; status knows it.
    let listed = list(store.conn(), &ctx, stick.path()).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].verified);
    let st = status(store.conn(), &ctx).unwrap();
    assert_eq!(st.days_since_last, Some(0));
    assert!(st.key_set_up);
    // Audited.
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'backup_made'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    // No leftovers.
    let names: Vec<String> = std::fs::read_dir(stick.path().join(FOLDER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
}

/// A live database with a damaged page (the copy itself goes through) is never written
/// to the stick as a backup: the snapshot's check, run beside the encryption, stops it.
#[test]
fn a_damaged_live_database_is_not_backed_up() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let path = data.path().join(crate::db::DB_FILE);
    {
        let store = demo_store(data.path());
        store
            .conn()
            .execute_batch(
                "CREATE TABLE filler (x TEXT); CREATE INDEX filler_x ON filler (x);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
                 INSERT INTO filler SELECT hex(randomblob(60)) FROM n;
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .unwrap();
    }
    let recipient = {
        let store = Store::open(&path).unwrap();
        (key::recipient(store.conn()).unwrap().unwrap(), key::key_file_text(store.conn()).unwrap().unwrap())
    };
    // Scribble over the last pages (the filler's index), as a failing disk would.
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    bytes[len - 4096 * 3..len - 100].fill(0x5A);
    std::fs::write(&path, &bytes).unwrap();
    let conn = Connection::open(&path).unwrap();
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    let snap = snapshot(&conn, None, data.path(), &ctx).unwrap();
    let e = write_verified(&snap, stick.path(), &recipient.0, &recipient.1, &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "database_damaged", "{e}");
    let left: Vec<String> = std::fs::read_dir(stick.path().join(FOLDER))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".saathi"))
        .collect();
    assert!(left.is_empty(), "nothing is left on the stick: {left:?}");
}

#[test]
fn front_desk_may_back_up_but_not_restore_or_set_up_the_key() {
    let ctx = Ctx { actor: Actor { staff_id: None, role: Role::FrontDesk }, ..ctx_at("2026-11-26T10:00:00Z") };
    assert!(ctx.require(Action::MakeBackup).is_ok());
    let data = tempfile::tempdir().unwrap();
    let mut store = Store::open(&data.path().join("saathi.db")).unwrap();
    let err = store.write(|tx| key::set_up(tx, &ctx, "correct horse battery", false)).unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let err = prepare(&ctx, &data.path().join("x.saathi"), "p", data.path(), None, None).unwrap_err();
    assert_eq!(err.code(), "forbidden");
}

#[test]
fn a_short_passphrase_is_refused_and_the_key_is_not_replaced_silently() {
    let data = tempfile::tempdir().unwrap();
    let mut store = demo_store(data.path());
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    // Fewer than 16 characters and fewer than 4 words (spaces around do not count).
    for short in ["short", "fifteen-chars-x", "  two words here  ", "नशा मुक्ति"] {
        let e = store.write(|tx| key::set_up_with_work_factor(tx, &ctx, short, true, 10)).unwrap_err();
        assert_eq!(e.code(), "passphrase_too_short", "{short:?}");
    }
    // Sixteen characters, or four short words, will do.
    for long_enough in ["sixteen-chars-xx", "ab cd ef gh", "नशा मुक्ति केंद्र मोहाली"]
    {
        let mut s = demo_store(tempfile::tempdir().unwrap().path());
        s.write(|tx| key::set_up_with_work_factor(tx, &ctx, long_enough, true, 10)).unwrap();
    }
    let e = store.write(|tx| key::set_up_with_work_factor(tx, &ctx, "another long passphrase", false, 10)).unwrap_err();
    assert_eq!(e.code(), "backup_key_exists");
    let key = key::key_file_text(store.conn()).unwrap().unwrap();
    assert!(key::unlock(key.as_bytes(), "correct horse battery").is_ok());
    assert_eq!(key::unlock(key.as_bytes(), "wrong horse battery").err().unwrap().code(), "wrong_passphrase");
}

#[test]
fn backup_needs_the_key() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let mut store = Store::open(&data.path().join("saathi.db")).unwrap();
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    let e = back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap_err();
    assert_eq!(e.code(), "backup_not_set_up");
}

#[test]
fn rotation_on_the_stick_after_many_backups() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let mut store = demo_store(data.path());
    // 14 backups, one every 3 days.
    let mut made = Vec::new();
    for i in 0..14 {
        let at = DateTime::parse_from_rfc3339("2026-09-01T10:00:00Z").unwrap().with_timezone(&Utc)
            + chrono::Duration::days(3 * i);
        let ctx = Ctx { actor: Actor::system(), now: at, today: at.with_timezone(&Local).date_naive() };
        made.push(back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap().file_name);
    }
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    let listed: Vec<String> =
        list(store.conn(), &ctx, stick.path()).unwrap().into_iter().map(|b| b.file_name).collect();
    // The 10 newest, plus the newest of September (the 10 newest start in October).
    let sept_newest = made.iter().rfind(|n| n.contains("202609")).unwrap().clone();
    let mut expected: Vec<String> = made[made.len() - 10..].to_vec();
    if !expected.contains(&sept_newest) {
        expected.push(sept_newest);
    }
    expected.sort();
    expected.reverse();
    assert_eq!(listed, expected);
}

#[test]
fn local_snapshot_once_a_day_seven_daily_four_weekly() {
    let data = tempfile::tempdir().unwrap();
    let store = demo_store(data.path());
    let first = Ctx::at(Actor::system(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    assert!(local_snapshot_if_due(store.conn(), None, data.path(), &first).unwrap().is_some());
    assert!(local_snapshot_if_due(store.conn(), None, data.path(), &first).unwrap().is_none(), "once a day");
    let mut day = first.today;
    for _ in 0..40 {
        day = day.succ_opt().unwrap();
        let ctx = Ctx::at(Actor::system(), day);
        local_snapshot_if_due(store.conn(), None, data.path(), &ctx).unwrap();
    }
    let all = local_snapshots(data.path());
    assert!(all.len() <= 11 && all.len() >= 7, "{}", all.len());
    for (i, (d, _)) in all.iter().enumerate().take(7) {
        assert_eq!(*d, day - chrono::Days::new(i as u64));
    }
    // Each snapshot is a whole Saathi database.
    assert!(inspect_copy(&all.last().unwrap().1, None).is_ok());
}

/// A backup from the first schema (an older Saathi) is restored and brought up to date.
#[test]
fn an_older_schema_is_migrated_after_restore() {
    let data = tempfile::tempdir().unwrap();
    let store = demo_store(data.path());
    let recipient = key::recipient(store.conn()).unwrap().unwrap().to_string();
    let stored = key::key_file_text(store.conn()).unwrap();
    // A database as the first migration left it, with one patient.
    let old = data.path().join("old.db");
    {
        let c = Connection::open(&old).unwrap();
        c.execute_batch(crate::db::MIGRATIONS[0].2).unwrap();
        c.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 1;")).unwrap();
        c.execute(
            "INSERT INTO patients (full_name, gender, phase, search_text, created_at, updated_at)
             VALUES ('Old Timer', 'male', 'alumni', 'old timer', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    let sealed = data.path().join("old.saathi");
    seal_file(&old, &sealed, &recipient).unwrap();
    let admin = ctx_at("2026-11-26T10:00:00Z");
    let prepared = prepare(&admin, &sealed, "correct horse battery", data.path(), stored.as_deref(), None).unwrap();
    assert_eq!(prepared.preview.schema_version, 1);
    assert_eq!(prepared.preview.will_migrate, crate::db::schema_version() > 1);
    assert_eq!(prepared.preview.patients, 1);
    let (store, _) = apply(&admin, prepared, data.path(), Some(store), None).unwrap();
    let v: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, crate::db::schema_version());
    let name: String = store.conn().query_row("SELECT full_name FROM patients", [], |r| r.get(0)).unwrap();
    assert_eq!(name, "Old Timer");
    // The tables of later migrations exist now (this module's own list of backups, too).
    let n: i64 = store.conn().query_row("SELECT count(*) FROM backups", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "the restored backup is recorded as verified");
}

/// When the live database could not be opened, its files are copied as they are into the
/// safety folder (each synced through a handle that may write: Windows flushes no other)
/// before the restored file takes its place.
#[test]
fn a_restore_without_an_open_store_keeps_the_files_as_they_were() {
    let data = tempfile::tempdir().unwrap();
    let copy = tempfile::tempdir().unwrap();
    let store = demo_store(data.path());
    let source = copy.path().join("copy.db");
    copy_database(store.conn(), &source, &[], true, None).unwrap();
    drop(store);
    let db = crate::paths::db_path(data.path());
    let wal = with_suffix(&db, "-wal");
    std::fs::write(&wal, b"not a real wal").unwrap();
    let before = std::fs::read(&db).unwrap();
    let admin = ctx_at("2026-11-26T10:00:00Z");
    let prepared = prepare_local(&admin, &source, data.path(), None).unwrap();
    let (store, _) = apply(&admin, prepared, data.path(), None, None).unwrap();
    let safety: Vec<PathBuf> =
        std::fs::read_dir(data.path().join(SAFETY_DIR)).unwrap().map(|e| e.unwrap().path()).collect();
    let kept = safety.iter().find(|p| p.extension().is_some_and(|e| e == "db")).expect("safety copy");
    assert_eq!(std::fs::read(kept).unwrap(), before);
    assert_eq!(std::fs::read(with_suffix(kept, "-wal")).unwrap(), b"not a real wal");
    assert!(!wal.exists() || std::fs::read(&wal).unwrap() != b"not a real wal");
    let centre: String = store.conn().query_row("SELECT name FROM centre WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(centre, "Asha Kendra");
}

/// A stick that fills up at any byte of the backup file (header, body, last chunk):
/// every time a plain error, no finished-looking file, the older backup intact, the
/// live database's data unchanged.
#[test]
fn a_stick_that_fills_up_at_any_byte_gives_a_plain_error_and_leaves_nothing_finished() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let mut store = demo_store(data.path());
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    let older = back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap();
    let older_bytes = std::fs::read(&older.path).unwrap();
    let size = older_bytes.len() as u64;
    let patients = |s: &Store| -> (i64, i64) {
        s.conn()
            .query_row("SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM settings)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    let before = patients(&store);
    // The age header has a random "grease" stanza, so sizes vary by up to a few hundred
    // bytes between backups: the last cuts stay below that.
    let mut cuts: Vec<u64> =
        vec![0, 1, 30, 100, 200, 300, 1000, size / 4, size / 2, size - 700, size - 600, size - 500];
    cuts.extend((0..20).map(|i| i * size / 20));
    for cut in cuts {
        STICK_FULL_AFTER.with(|c| c.set(Some(cut)));
        let later = Ctx { now: ctx.now + chrono::Duration::seconds(cut as i64 + 1), ..ctx };
        let result = back_up(&mut store, data.path(), stick.path(), &later, &mut |_| {});
        let err = result.err().unwrap_or_else(|| panic!("cut at {cut} of {size}: the backup succeeded"));
        STICK_FULL_AFTER.with(|c| c.set(None));
        assert_eq!(err.code(), "backup_write_failed", "cut at {cut}: {err}");
        assert_eq!(err.params().get("detail").map(String::as_str), Some("no_space"), "{err}");
        assert!(err.to_string().contains("the disk or stick is full"), "{err}");
        let names: Vec<String> = std::fs::read_dir(stick.path().join(FOLDER))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".saathi") || n.ends_with(".partial"))
            .collect();
        assert_eq!(names, vec![older.file_name.clone()], "cut at {cut}");
        assert_eq!(std::fs::read(&older.path).unwrap(), older_bytes);
        assert_eq!(patients(&store), before);
    }
    // Each failure was audited; none was recorded as a backup.
    let failed: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'backup_failed'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(failed, 32);
    let listed = list(store.conn(), &ctx, stick.path()).unwrap();
    assert_eq!(listed.len(), 1);
    // With room again, the next backup works.
    let later = Ctx { now: ctx.now + chrono::Duration::hours(1), ..ctx };
    back_up(&mut store, data.path(), stick.path(), &later, &mut |_| {}).unwrap();
}

#[test]
fn back_up_on_close_targets_the_last_folder_only_when_on_and_present() {
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let mut store = demo_store(data.path());
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    assert_eq!(on_close_target(store.conn()).unwrap(), None, "off by default");
    store.write(|tx| set_back_up_on_close(tx, &ctx, true)).unwrap();
    assert_eq!(on_close_target(store.conn()).unwrap(), None, "no backup folder known yet");
    let done = back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap();
    assert_eq!(on_close_target(store.conn()).unwrap(), Some(PathBuf::from(&done.folder)));
    assert!(status(store.conn(), &ctx).unwrap().back_up_on_close);
    // The stick was pulled out: nothing to do.
    std::fs::remove_dir_all(&done.folder).unwrap();
    assert_eq!(on_close_target(store.conn()).unwrap(), None);
    let front = Ctx { actor: Actor { staff_id: None, role: Role::FrontDesk }, ..ctx };
    let e = store.write(|tx| set_back_up_on_close(tx, &front, false)).unwrap_err();
    assert_eq!(e.code(), "forbidden");
}

/// The preview counts groups and follow-ups from Saathi's own tables; a backup with a
/// table Saathi does not make is refused, not counted.
#[test]
fn the_preview_counts_groups_and_follow_ups_and_refuses_a_foreign_table() {
    let data = tempfile::tempdir().unwrap();
    let mut store = demo_store(data.path());
    store
        .write(|tx| {
            tx.execute_batch(
                "INSERT INTO therapy_groups (name, kind, audience, created_at, updated_at)
                 VALUES ('Sharing circle', 'sharing_circle', 'inpatients', 't', 't');",
            )?;
            Ok(())
        })
        .unwrap();
    let recipient = key::recipient(store.conn()).unwrap().unwrap().to_string();
    let admin = ctx_at("2026-11-26T10:00:00Z");
    let stored = key::key_file_text(store.conn()).unwrap();
    let plain = data.path().join("plain.db");
    copy_database(store.conn(), &plain, &[], true, None).unwrap();
    let sealed = data.path().join("plain.saathi");
    seal_file(&plain, &sealed, &recipient).unwrap();
    let p = prepare(&admin, &sealed, "correct horse battery", data.path(), stored.as_deref(), None).unwrap().preview;
    assert_eq!((p.groups, p.follow_ups), (Some(1), Some(0)));
    let c = Connection::open(&plain).unwrap();
    c.execute_batch("CREATE TABLE zz_groups (id INTEGER PRIMARY KEY); INSERT INTO zz_groups DEFAULT VALUES;").unwrap();
    drop(c);
    seal_file(&plain, &sealed, &recipient).unwrap();
    let e = prepare(&admin, &sealed, "correct horse battery", data.path(), stored.as_deref(), None).unwrap_err();
    assert_eq!(e.code(), "restore_schema_foreign");
    assert_eq!(e.payload().params.get("name").map(String::as_str), Some("zz_groups"), "{e}");
}

/// The read-back compares every byte with the snapshot: a file on the stick that differs
/// anywhere (a flipped byte, a lost tail, extra bytes) is never called verified.
#[test]
fn the_read_back_catches_any_difference_from_the_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let plain: Vec<u8> = (0..(3 * CHUNK + 12345)).map(|i| (i * 7 % 251) as u8).collect();
    let snapshot = dir.path().join("snapshot.db");
    std::fs::write(&snapshot, &plain).unwrap();
    let identity = age::x25519::Identity::generate();
    let seal = |content: &[u8], name: &str| -> PathBuf {
        let path = dir.path().join(name);
        let recipient = identity.to_public();
        let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
        let mut out = enc.wrap_output(File::create(&path).unwrap()).unwrap();
        out.write_all(content).unwrap();
        out.finish().unwrap();
        path
    };
    let verify = |sealed: &Path| {
        let mut seen = 0;
        verify_sealed(File::open(sealed).unwrap(), &snapshot, dir.path(), &identity, &mut |n| seen = n)
    };
    verify(&seal(&plain, "same")).unwrap();

    let mut flipped = plain.clone();
    flipped[2 * CHUNK + 99] ^= 1;
    let short = &plain[..plain.len() - 1];
    let mut long = plain.clone();
    long.push(0);
    for (content, name) in [(&flipped[..], "flipped"), (short, "short"), (&long[..], "long"), (&[][..], "empty")] {
        match verify(&seal(content, name)) {
            Err(Error::BackupNotVerified { detail, .. }) => assert!(detail.contains("differs"), "{name}: {detail}"),
            other => panic!("{name}: a differing file was not caught: {other:?}"),
        }
    }
    // A file that is not what was written (cut short on the stick) fails too.
    let sealed = seal(&plain, "cut");
    let bytes = std::fs::read(&sealed).unwrap();
    std::fs::write(&sealed, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(verify(&sealed), Err(Error::BackupNotVerified { .. })));
}

/// What only Windows does. Under Wine (CI) these run against Wine's imitation of the
/// Windows file APIs; where Wine is laxer than Windows, the test says so.
#[cfg(windows)]
mod windows {
    use super::*;

    /// Windows refuses FlushFileBuffers on a handle opened only for reading, which is why
    /// every sync of a finished copy (snapshot, safety copy, key file) opens the file for
    /// writing. Wine 8 flushes a read-only handle without complaint, so only the half
    /// that must work everywhere is asserted: a durable copy is made and synced.
    #[test]
    fn a_durable_copy_is_synced_through_a_write_handle() {
        let data = tempfile::tempdir().unwrap();
        let store = demo_store(data.path());
        let dest = data.path().join("copy.db");
        copy_database(store.conn(), &dest, &[], true, None).unwrap();
        assert!(!with_suffix(&dest, PARTIAL).exists());
        check_copy_quick(&dest, None).unwrap();
        File::options().write(true).open(&dest).unwrap().sync_all().unwrap();
    }

    /// A data folder deeper than the old 260-character limit (a long user name, nested
    /// folders): the database, its daily snapshot and a backup beside it all work, since
    /// std and SQLite both use the wide-character calls that take long paths.
    #[test]
    fn a_data_folder_past_260_characters() {
        let base = tempfile::tempdir().unwrap();
        let mut deep = base.path().to_path_buf();
        while deep.as_os_str().len() < 300 {
            deep.push("साथी-केंद्र-का-डेटा-फ़ोल्डर");
        }
        std::fs::create_dir_all(&deep).unwrap();
        let mut store = demo_store(&deep);
        let ctx = ctx_at("2026-11-26T10:00:00Z");
        let snap = local::local_snapshot_if_due(store.conn(), None, &deep, &ctx).unwrap().expect("a snapshot");
        assert!(snap.as_os_str().len() > 300 && snap.exists(), "{}", snap.display());
        let stick = deep.join("stick");
        std::fs::create_dir(&stick).unwrap();
        let done = back_up(&mut store, &deep, &stick, &ctx, &mut |_| {}).unwrap();
        assert!(std::path::Path::new(&done.path).exists());
        assert_eq!(list(store.conn(), &ctx, &stick).unwrap().len(), 1);
    }
}

/// A store encrypted with `key`, with the centre and the backup key set up (as
/// [`demo_store`]) and one patient whose name and phone must never be readable on disk.
fn keyed_store(dir: &Path, key: &crate::keyslots::DbKey) -> Store {
    let mut store = Store::open_with(&dir.join(crate::db::DB_FILE), Some(key)).unwrap();
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    store
        .write(|tx| {
            crate::settings::set_centre(tx, &ctx, "Asha Kendra", "", "")?;
            key::set_up_with_work_factor(tx, &ctx, "correct horse battery", false, 10)?;
            tx.execute(
                "INSERT INTO patients (full_name, phone, gender, phase, search_text, created_at, updated_at)
                 VALUES ('Kavita Secretname', '98140 76543', 'female', 'inpatient', 'kavita', 't', 't')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    store
}

fn readable(bytes: &[u8]) -> Option<&'static str> {
    ["SQLite format 3", "Kavita Secretname", "98140 76543"]
        .into_iter()
        .find(|needle| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

/// The copies made from an encrypted store are encrypted with its key: the backup API
/// copies between two connections keyed alike; a wrong key or no key is a plain refusal.
#[test]
fn copies_of_an_encrypted_store_are_encrypted_with_its_key() {
    use crate::keyslots::DbKey;
    let data = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let store = keyed_store(data.path(), &key);
    let dest = data.path().join("copy.db");
    copy_database(store.conn(), &dest, &[(META_MADE_AT, "now")], true, Some(&key)).unwrap();
    assert_eq!(readable(&std::fs::read(&dest).unwrap()), None);
    check_copy_quick(&dest, Some(&key)).unwrap();
    let facts = inspect_copy(&dest, Some(&key)).unwrap();
    assert_eq!(facts.counts["patients"], 1);
    for wrong in [None, Some(DbKey::generate().unwrap())] {
        assert_eq!(check_copy_quick(&dest, wrong.as_ref()).unwrap_err().code(), "not_a_backup", "{wrong:?}");
        assert_eq!(inspect_copy(&dest, wrong.as_ref()).unwrap_err().code(), "not_a_backup", "{wrong:?}");
    }
    // Plain → encrypted → another key → plain again, each with every row.
    let plain = data.path().join("plain.db");
    export_copy(&dest, Some(&key), &plain, None).unwrap();
    assert!(is_plain(&plain).unwrap());
    assert_eq!(inspect_copy(&plain, None).unwrap().counts, facts.counts);
    let other = DbKey::generate().unwrap();
    let rekeyed = data.path().join("rekeyed.db");
    export_copy(&plain, None, &rekeyed, Some(&other)).unwrap();
    assert_eq!(readable(&std::fs::read(&rekeyed).unwrap()), None);
    assert_eq!(inspect_copy(&rekeyed, Some(&other)).unwrap(), facts);
    // A wrong source key is a refusal, and leaves no file behind.
    let nothing = data.path().join("nothing.db");
    assert_eq!(export_copy(&rekeyed, Some(&key), &nothing, None).unwrap_err().code(), "not_a_backup");
    assert!(!nothing.exists());
    // The daily snapshot too.
    let snap =
        local_snapshot_if_due(store.conn(), Some(&key), data.path(), &ctx_at("2026-11-26T10:00:00Z")).unwrap().unwrap();
    assert_eq!(readable(&std::fs::read(&snap).unwrap()), None);
    check_copy_quick(&snap, Some(&key)).unwrap();
}

/// The backup of an encrypted store: its content (the age layer removed) is the
/// encrypted copy, and the database key lies beside it, sealed to the backup key, so
/// that the passphrase alone restores it into a data folder that has no key.
#[test]
fn an_encrypted_backup_carries_its_key_beside_it_and_restores_with_the_passphrase_alone() {
    use crate::keyslots::DbKey;
    let data = tempfile::tempdir().unwrap();
    let stick = tempfile::tempdir().unwrap();
    let key = DbKey::generate().unwrap();
    let mut store = keyed_store(data.path(), &key);
    let ctx = ctx_at("2026-11-26T10:00:00Z");
    let done = back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap();
    let folder = stick.path().join(FOLDER);
    let sealed_key = std::fs::read(folder.join(key::DB_KEY_FILE)).unwrap();
    assert!(sealed_key.starts_with(b"age-encryption.org/v1"));
    let identity =
        key::unlock(key::key_file_text(store.conn()).unwrap().unwrap().as_bytes(), "correct horse battery").unwrap();
    assert_eq!(crate::keyslots::open_sealed(&sealed_key, &identity).unwrap(), key);
    // The content of the backup is the encrypted database.
    let dec = age::Decryptor::new_buffered(BufReader::new(File::open(&done.path).unwrap())).unwrap();
    let mut inner = Vec::new();
    dec.decrypt(std::iter::once(&identity as &dyn age::Identity)).unwrap().read_to_end(&mut inner).unwrap();
    assert_eq!(readable(&inner), None);
    // A new PC: no live store, no key; the passphrase opens the key pair, the key pair the key.
    let fresh = tempfile::tempdir().unwrap();
    let p = prepare(&ctx, Path::new(&done.path), "correct horse battery", fresh.path(), None, None).unwrap();
    assert_eq!(p.key(), Some(&key));
    assert_eq!(p.preview.patients, 1);
    let adopted = p.key().cloned();
    let (restored, _) = apply(&ctx, p, fresh.path(), None, adopted.as_ref()).unwrap();
    assert_eq!(restored.key(), Some(&key));
    let db = crate::paths::db_path(fresh.path());
    drop(restored);
    assert_eq!(readable(&std::fs::read(&db).unwrap()), None);
    // Rotation never removes the key file.
    for _ in 0..3 {
        back_up(&mut store, data.path(), stick.path(), &ctx, &mut |_| {}).unwrap();
    }
    assert!(folder.join(key::DB_KEY_FILE).exists());
}

/// A copy larger than the disk's free space is refused, naming what it needs and has.
#[test]
fn a_copy_larger_than_the_free_space_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let e = ensure_room(dir.path(), u64::MAX / 4).unwrap_err();
    assert_eq!(e.code(), "disk_no_room");
    let params = e.payload().params;
    assert_eq!(params.get("folder").map(String::as_str), Some(dir.path().display().to_string().as_str()));
    assert!(params["need"].parse::<u64>().unwrap() > params["free"].parse::<u64>().unwrap(), "{params:?}");
    ensure_room(dir.path(), 0).unwrap();
}
