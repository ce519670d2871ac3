//! Acceptance tests of sign-in, roles, the audit trail and the idle lock, on a real
//! database file with an injected clock.
use chrono::{Duration, NaiveDate};
use rusqlite::Transaction;
use saathi_core::auth::{self, Gate, Session, SetupInput};
use saathi_core::staff::{self, StaffInput};
use saathi_core::{Actor, Ctx, Error, Role, audit, notes, patients};
use saathi_tests::{TempStore, new_patient};

fn at(ts: &str) -> Ctx {
    let now = chrono::DateTime::parse_from_rfc3339(ts).unwrap().to_utc();
    Ctx { actor: Actor::system(), now, today: now.date_naive() }
}

fn setup_input() -> SetupInput {
    SetupInput {
        centre_name: "Navjeevan Kendra".into(),
        centre_address: "Mohali".into(),
        centre_phone: "0172 2712345".into(),
        admin_name: "Anita Deshmukh".into(),
        username: "Anita".into(),
        password: "correct horse 1".into(),
    }
}

fn set_up(ts: &mut TempStore) -> String {
    ts.store.write(|tx| auth::set_up(tx, &at("2026-11-26T04:00:00Z"), &setup_input())).unwrap().recovery_code
}

fn sign_in(ts: &mut TempStore, when: &str, user: &str, pass: &str) -> Result<Session, Error> {
    ts.store.write(|tx| auth::sign_in(tx, &at(when), user, pass)).unwrap()
}

fn as_role(ts: &mut TempStore, role: Role, username: &str) -> Ctx {
    let admin = Ctx { actor: Actor { staff_id: Some(1), role: Role::Admin }, ..at("2026-11-26T04:10:00Z") };
    let id = ts
        .store
        .write(|tx| {
            staff::create(
                tx,
                &admin,
                &StaffInput { full_name: username.into(), role, username: Some(username.into()) },
                Some("temp-pass-1"),
            )
        })
        .unwrap();
    Ctx { actor: Actor { staff_id: Some(id), role }, ..at("2026-11-26T04:20:00Z") }
}

fn actions(ts: &TempStore) -> Vec<String> {
    let mut s = ts.store.conn().prepare("SELECT action FROM audit_log ORDER BY id").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn first_run_creates_the_centre_and_one_admin_and_only_once() {
    let mut ts = TempStore::new();
    assert!(auth::setup_status(ts.store.conn()).unwrap().needs_setup);
    let code = set_up(&mut ts);
    assert_eq!(code.len(), 23);
    assert_eq!(code.matches('-').count(), 3);
    let status = auth::setup_status(ts.store.conn()).unwrap();
    assert!(!status.needs_setup);
    assert_eq!(status.centre_name, "Navjeevan Kendra");
    let again = ts.store.write(|tx| auth::set_up(tx, &at("2026-11-26T05:00:00Z"), &setup_input()));
    assert_eq!(again.unwrap_err().code(), "already_set_up");
    // The password is stored only as an Argon2id hash with OWASP's parameters.
    let hash: String = ts.store.conn().query_row("SELECT password_hash FROM staff", [], |r| r.get(0)).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains("correct horse"));
    assert_eq!(actions(&ts), ["settings_changed", "setup"]);
}

#[test]
fn weak_set_up_input_is_refused_plainly() {
    let mut ts = TempStore::new();
    for (change, code) in [
        (
            Box::new(|s: &mut SetupInput| s.password = "short".into()) as Box<dyn Fn(&mut SetupInput)>,
            "password_too_short",
        ),
        (Box::new(|s: &mut SetupInput| s.password = "anita".into()), "password_too_short"),
        (Box::new(|s: &mut SetupInput| s.username = "a b".into()), "username_invalid"),
        (Box::new(|s: &mut SetupInput| s.centre_name = "  ".into()), "centre_name_empty"),
        (Box::new(|s: &mut SetupInput| s.admin_name = "".into()), "name_empty"),
    ] {
        let mut input = setup_input();
        change(&mut input);
        let err = ts.store.write(|tx| auth::set_up(tx, &at("2026-11-26T04:00:00Z"), &input)).unwrap_err();
        assert_eq!(err.code(), code);
    }
    assert!(auth::setup_status(ts.store.conn()).unwrap().needs_setup, "nothing half-created");
}

#[test]
fn sign_in_checks_the_password_and_backs_off_after_repeated_failures() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let s = sign_in(&mut ts, "2026-11-26T05:00:00Z", "ANITA", "correct horse 1").unwrap();
    assert_eq!((s.info().role, s.info().username.as_str()), (Role::Admin, "anita"));
    for (i, when) in ["05:01:00", "05:01:01", "05:01:02"].iter().enumerate() {
        let e = sign_in(&mut ts, &format!("2026-11-26T{when}Z"), "anita", "wrong").unwrap_err();
        assert_eq!(e.code(), "sign_in_failed", "attempt {i}");
    }
    // Third failure in a row: the next attempt must wait 5 s, even with the right password.
    let e = sign_in(&mut ts, "2026-11-26T05:01:04Z", "anita", "correct horse 1").unwrap_err();
    assert_eq!(e.code(), "sign_in_wait");
    assert!(e.to_string().contains("wait 3 seconds"), "{e}");
    let e = sign_in(&mut ts, "2026-11-26T05:01:08Z", "anita", "wrong").unwrap_err();
    assert_eq!(e.code(), "sign_in_failed");
    // Fourth failure: 10 s.
    assert_eq!(
        sign_in(&mut ts, "2026-11-26T05:01:17Z", "anita", "correct horse 1").unwrap_err().code(),
        "sign_in_wait"
    );
    sign_in(&mut ts, "2026-11-26T05:01:18Z", "anita", "correct horse 1").unwrap();
    // Success resets the count.
    assert_eq!(sign_in(&mut ts, "2026-11-26T05:01:19Z", "anita", "wrong").unwrap_err().code(), "sign_in_failed");
    // Unknown users fail the same way, and are backed off the same way.
    for s in 0..3 {
        assert_eq!(
            sign_in(&mut ts, &format!("2026-11-26T06:00:0{s}Z"), "ghost", "x").unwrap_err().code(),
            "sign_in_failed"
        );
    }
    assert_eq!(sign_in(&mut ts, "2026-11-26T06:00:03Z", "ghost", "x").unwrap_err().code(), "sign_in_wait");
    let a = actions(&ts);
    assert_eq!(a.iter().filter(|x| *x == "sign_in_failed").count(), 8);
    assert_eq!(a.iter().filter(|x| *x == "sign_in").count(), 2);
    assert_eq!(auth::backoff_seconds(50), Some(300), "capped at five minutes");
}

#[test]
fn an_idle_session_locks_and_unlocks_with_password_or_pin() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let mut s = sign_in(&mut ts, "2026-11-26T05:00:00Z", "anita", "correct horse 1").unwrap();
    let t0 = at("2026-11-26T05:00:00Z").now;
    assert!(matches!(s.gate(t0 + Duration::minutes(9), false), Gate::Open(_)));
    // Activity at 9 minutes moves the deadline on.
    assert!(matches!(s.gate(t0 + Duration::minutes(18), false), Gate::Open(_)));
    assert_eq!(s.gate(t0 + Duration::minutes(28), false), Gate::LockedNow);
    assert_eq!(s.gate(t0 + Duration::minutes(28), false), Gate::Locked);
    let when = at("2026-11-26T05:30:00Z");
    let r = ts.store.write(|tx| s.unlock(tx, &when, "wrong", false)).unwrap();
    assert_eq!(r.unwrap_err().code(), "sign_in_failed");
    ts.store.write(|tx| s.unlock(tx, &when, "correct horse 1", false)).unwrap().unwrap();
    assert!(matches!(s.gate(when.now, false), Gate::Open(_)));

    // A PIN of at least six digits, set by the staff member, unlocks too.
    let me = Ctx { actor: s.actor_unchecked(), ..when };
    for (pin, code) in [
        ("12345", "pin_invalid"),
        ("111111", "pin_too_simple"),
        ("123456", "pin_too_simple"),
        ("12ab56", "pin_invalid"),
    ] {
        assert_eq!(
            ts.store.write(|tx| auth::set_pin(tx, &me, "correct horse 1", pin)).unwrap_err().code(),
            code,
            "{pin}"
        );
    }
    // A wrong password is refused, counted and audited (the refusal is committed).
    assert_eq!(
        ts.store.write(|tx| auth::set_pin(tx, &me, "wrong password", "482915")).unwrap().unwrap_err().code(),
        "password_wrong"
    );
    assert!(actions(&ts).contains(&"pin_set_failed".to_owned()));
    ts.store.write(|tx| auth::set_pin(tx, &me, "correct horse 1", "482915")).unwrap().unwrap();
    s.lock();
    for _ in 0..auth::MAX_PIN_FAILURES {
        assert_eq!(ts.store.write(|tx| s.unlock(tx, &when, "000000", true)).unwrap().unwrap_err().code(), "pin_wrong");
    }
    // After five wrong PINs only the password works.
    assert_eq!(ts.store.write(|tx| s.unlock(tx, &when, "482915", true)).unwrap().unwrap_err().code(), "pin_blocked");
    ts.store.write(|tx| s.unlock(tx, &when, "correct horse 1", false)).unwrap().unwrap();
    s.lock();
    ts.store.write(|tx| s.unlock(tx, &when, "482915", true)).unwrap().unwrap();
    let a = actions(&ts);
    for x in ["unlock_failed", "unlock", "pin_set"] {
        assert!(a.contains(&x.to_owned()), "{x} audited");
    }
}

#[test]
fn a_reset_password_must_be_changed_at_next_sign_in() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    as_role(&mut ts, Role::FrontDesk, "sunil");
    let mut s = sign_in(&mut ts, "2026-11-26T05:00:00Z", "sunil", "temp-pass-1").unwrap();
    assert!(s.info().must_change_password);
    let now = at("2026-11-26T05:00:05Z").now;
    assert_eq!(s.gate(now, false), Gate::MustChangePassword);
    let Gate::Open(actor) = s.gate(now, true) else { panic!("password change allowed") };
    let me = Ctx { actor, ..at("2026-11-26T05:00:05Z") };
    assert_eq!(
        ts.store.write(|tx| auth::change_password(tx, &me, "temp-pass-1", "temp-pass-1")).unwrap_err().code(),
        "password_unchanged"
    );
    // Wrong current passwords count towards the back-off like wrong sign-ins, and are audited.
    for _ in 0..3 {
        assert_eq!(
            ts.store.write(|tx| auth::change_password(tx, &me, "nope", "my-own-pass")).unwrap().unwrap_err().code(),
            "password_wrong"
        );
    }
    assert_eq!(
        ts.store.write(|tx| auth::change_password(tx, &me, "temp-pass-1", "my-own-pass")).unwrap().unwrap_err().code(),
        "sign_in_wait",
        "the fourth try right after three wrong ones waits"
    );
    let later = Ctx { now: at("2026-11-26T05:00:30Z").now, ..me };
    ts.store.write(|tx| auth::change_password(tx, &later, "temp-pass-1", "my-own-pass")).unwrap().unwrap();
    assert_eq!(actions(&ts).iter().filter(|a| *a == "password_change_failed").count(), 3);
    let s = sign_in(&mut ts, "2026-11-26T05:01:00Z", "sunil", "my-own-pass").unwrap();
    assert!(!s.info().must_change_password);
}

#[test]
fn the_last_active_admin_can_be_neither_deactivated_nor_demoted() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let admin = Ctx { actor: Actor { staff_id: Some(1), role: Role::Admin }, ..at("2026-11-26T05:00:00Z") };
    let demote =
        StaffInput { full_name: "Anita Deshmukh".into(), role: Role::Counsellor, username: Some("anita".into()) };
    assert_eq!(ts.store.write(|tx| staff::update(tx, &admin, 1, &demote)).unwrap_err().code(), "last_admin");
    assert_eq!(ts.store.write(|tx| staff::set_active(tx, &admin, 1, false)).unwrap_err().code(), "last_admin");
    // With a second admin who can sign in, it is allowed; history is kept.
    let second = as_role(&mut ts, Role::Admin, "rajesh");
    ts.store.write(|tx| staff::set_active(tx, &admin, 1, false)).unwrap();
    assert_eq!(
        ts.store.write(|tx| staff::set_active(tx, &second, second.actor.staff_id.unwrap(), false)).unwrap_err().code(),
        "last_admin"
    );
    let all = staff::list(ts.store.conn(), &second).unwrap();
    assert_eq!(all.len(), 2, "deactivated staff are kept");
    assert!(actions(&ts).contains(&"staff_deactivated".to_owned()));
}

#[test]
fn the_recovery_code_restores_admin_access_once() {
    let mut ts = TempStore::new();
    let code = set_up(&mut ts);
    let admin = Ctx { actor: Actor { staff_id: Some(1), role: Role::Admin }, ..at("2026-11-26T05:00:00Z") };
    as_role(&mut ts, Role::Admin, "rajesh");
    ts.store.write(|tx| staff::set_active(tx, &admin, 1, false)).unwrap();
    let when = at("2026-11-27T05:00:00Z");
    let wrong =
        ts.store.write(|tx| auth::recover(tx, &when, "AAAAA-BBBBB-CCCCC-DDDDD", "anita", "new-admin-pass")).unwrap();
    assert_eq!(wrong.unwrap_err().code(), "recovery_code_wrong");
    // Typed in lower case without dashes still works.
    let typed = code.replace('-', "").to_lowercase();
    let next = ts.store.write(|tx| auth::recover(tx, &when, &typed, "anita", "new-admin-pass")).unwrap().unwrap();
    assert_ne!(next.recovery_code, code);
    let s = sign_in(&mut ts, "2026-11-27T05:01:00Z", "anita", "new-admin-pass").unwrap();
    assert_eq!(s.info().role, Role::Admin);
    // The old code is spent.
    let again =
        ts.store.write(|tx| auth::recover(tx, &at("2026-11-27T06:00:00Z"), &code, "anita", "other-pass-99")).unwrap();
    assert_eq!(again.unwrap_err().code(), "recovery_code_wrong");
    assert!(actions(&ts).contains(&"recovery_used".to_owned()));
}

#[test]
fn roles_are_enforced_in_the_core_and_refusals_are_plain() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let desk = as_role(&mut ts, Role::FrontDesk, "sunil");
    let counsellor = as_role(&mut ts, Role::Counsellor, "meera");
    let id = ts.store.write(|tx| patients::create(tx, &desk, &new_patient("Ravi Kumar", "2026-11-01"))).unwrap();
    ts.store.write(|tx| notes::add(tx, &counsellor, id, "Family visit went well.")).unwrap();
    let err = ts.store.write(|tx| notes::list(tx, &desk, id)).unwrap_err();
    assert_eq!(err.code(), "forbidden");
    assert_eq!(
        err.to_string(),
        "Your role (front desk) is not allowed to read clinical notes. Ask an administrator if you need this."
    );
    let q = audit::AuditQuery { limit: 10, ..Default::default() };
    assert_eq!(ts.store.write(|tx| audit::query(tx, &desk, &q)).unwrap_err().code(), "forbidden");
    assert_eq!(ts.store.write(|tx| audit::query(tx, &counsellor, &q)).unwrap_err().code(), "forbidden");
    let notes = ts.store.write(|tx| notes::list(tx, &counsellor, id)).unwrap();
    assert_eq!(notes.len(), 1);
    // Notes are never edited or deleted, even with raw SQL.
    assert!(ts.store.conn().execute("UPDATE patient_notes SET body = 'x'", []).is_err());
    assert!(ts.store.conn().execute("DELETE FROM patient_notes", []).is_err());
}

fn audited(
    ts: &mut TempStore,
    ctx: &Ctx,
    op: impl FnOnce(&Transaction<'_>) -> saathi_core::Result<()>,
) -> Vec<(String, String, Option<i64>)> {
    let before: i64 =
        ts.store.conn().query_row("SELECT coalesce(max(id), 0) FROM audit_log", [], |r| r.get(0)).unwrap();
    ts.store.write(op).unwrap();
    let mut s = ts
        .store
        .conn()
        .prepare("SELECT action, entity, entity_id, staff_id FROM audit_log WHERE id > ?1 ORDER BY id")
        .unwrap();
    s.query_map([before], |r| {
        let staff: Option<i64> = r.get(3)?;
        assert_eq!(staff, ctx.actor.staff_id, "entry names the acting staff member");
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn each_audited_action_leaves_one_entry_with_ids_not_contents() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let desk = as_role(&mut ts, Role::FrontDesk, "sunil");
    let e = |a: &str, ent: &str, id: Option<i64>| (a.to_owned(), ent.to_owned(), id);
    let mut created = 0;
    let got = audited(&mut ts, &desk, |tx| {
        created = patients::create(tx, &desk, &new_patient("क्षितिज त्रिपाठी", "2026-11-01"))?;
        Ok(())
    });
    assert_eq!(got, [e("patient_created", "patient", Some(created))]);
    let id = created;
    let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    assert_eq!(
        audited(&mut ts, &desk, |tx| patients::view(tx, &desk, id).map(drop)),
        [e("patient_viewed", "patient", Some(id))]
    );
    assert_eq!(
        audited(&mut ts, &desk, |tx| patients::update(tx, &desk, id, &saathi_tests::details("क्षितिज त्रिपाठी"))),
        [e("patient_changed", "patient", Some(id))]
    );
    assert_eq!(
        audited(&mut ts, &desk, |tx| patients::discharge(tx, &desk, id, d, patients::DischargeType::Completed)),
        [e("patient_discharged", "patient", Some(id))]
    );
    assert_eq!(
        audited(&mut ts, &desk, |tx| patients::set_archived(tx, &desk, id, true)),
        [e("patient_archived", "patient", Some(id))]
    );
    // No names in the log.
    let all: String = ts
        .store
        .conn()
        .query_row("SELECT group_concat(action || entity || detail, ' ') FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert!(!all.contains("क्षितिज"));
}

#[test]
fn the_audit_log_refuses_changes_and_detects_tampering() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let desk = as_role(&mut ts, Role::FrontDesk, "sunil");
    for i in 0..5 {
        ts.store.write(|tx| patients::create(tx, &desk, &new_patient(&format!("Person {i}"), "2026-11-01"))).unwrap();
    }
    let ok = audit::verify(ts.store.conn()).unwrap();
    assert!(ok.ok, "{ok:?}");
    let c = ts.store.conn();
    assert!(
        c.execute("UPDATE audit_log SET detail = 'x' WHERE id = 3", [])
            .unwrap_err()
            .to_string()
            .contains("append-only")
    );
    assert!(c.execute("DELETE FROM audit_log WHERE id = 3", []).unwrap_err().to_string().contains("append-only"));
    // Someone with raw access drops the guard and edits an entry: the chain breaks there.
    c.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit_log SET entity_id = entity_id + 1 WHERE id = 4;")
        .unwrap();
    let broken = audit::verify(c).unwrap();
    assert_eq!((broken.ok, broken.first_broken_id), (false, Some(4)));
    assert!(broken.message.contains("tampered"), "{}", broken.message);
}

#[test]
fn a_removed_audit_entry_is_detected() {
    let mut ts = TempStore::new();
    set_up(&mut ts);
    let desk = as_role(&mut ts, Role::FrontDesk, "sunil");
    for i in 0..4 {
        ts.store.write(|tx| patients::create(tx, &desk, &new_patient(&format!("Person {i}"), "2026-11-01"))).unwrap();
    }
    let c = ts.store.conn();
    c.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE id = 5;").unwrap();
    let broken = audit::verify(c).unwrap();
    assert_eq!((broken.ok, broken.first_broken_id), (false, Some(6)));
}

#[test]
fn a_version_one_database_is_upgraded_with_its_data() {
    // Build a database exactly as the first release wrote it, from its own migration file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saathi.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        let v1 = std::fs::read_to_string(saathi_tests::workspace_root().join("migrations/0001_register.sql")).unwrap();
        c.execute_batch(&v1).unwrap();
        c.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 1;",
            saathi_core::db::APPLICATION_ID
        ))
        .unwrap();
        c.execute_batch(
            "INSERT INTO staff (full_name, role, created_at, updated_at) VALUES ('Old Admin', 'admin', 'x', 'x');
             INSERT INTO patients (full_name, gender, phase, search_text, created_at, updated_at)
                 VALUES ('ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ', 'male', 'inpatient', 'ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ', 'x', 'x');
             INSERT INTO stays (patient_id, admitted_on, created_at) VALUES (1, '2025-05-01', 'x');",
        )
        .unwrap();
    }
    let store = saathi_core::Store::open(&path).unwrap();
    let v: i64 = store.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, saathi_core::db::schema_version());
    let ctx = saathi_tests::ctx();
    let p = patients::get(store.conn(), &ctx, 1).unwrap();
    assert_eq!(p.details.full_name, "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ");
    assert_eq!(p.stays.len(), 1);
    // The old admin has no password yet: the first-run screen asks for an administrator.
    assert!(auth::setup_status(store.conn()).unwrap().needs_setup);
}
