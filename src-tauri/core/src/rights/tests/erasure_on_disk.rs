//! Erasure on a real encrypted file: the person's texts are found nowhere in what the file
//! (and its WAL) holds, decrypted page by page, not even in the search index, the planner's
//! samples or free pages; the year's attendance totals are unchanged.
use super::*;
use crate::keyslots::DbKey;
use crate::raw_pages;

const NEEDLES: &[&str] = &[
    "Qazwsx Vbnmlk",
    "qazwsx vbnmlk",
    "Qazzy",
    "9123456780",
    "Zxcvbnfam Relative",
    "9988776655",
    "UNIQUE-NOTE-TEXT-123",
    "WITNESSNAME-XYZ",
    "UNIQUE-ABSENCE-REASON",
    "UNIQUE-ADDRESS-LINE",
    "Uniquetownpur",
    "UNIQUE-CLINIC-PLACE",
    "UNIQUE-DISCHARGE-SUMMARY",
    // ---- issue 17: participant notes
    "UNIQUE-GROUP-NOTE-456",
    "UNIQUE-NOTE-ADDENDUM-789",
];

fn found(path: &std::path::Path, key: &DbKey) -> Vec<&'static str> {
    let bytes = raw_pages::decrypted(path, key).unwrap();
    NEEDLES.iter().copied().filter(|n| raw_pages::contains(&bytes, n.as_bytes())).collect()
}

fn year_totals(conn: &rusqlite::Connection) -> Vec<(String, i64)> {
    let mut stmt = conn
        .prepare(
            "SELECT a.status, count(*) FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
             WHERE s.date BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY a.status ORDER BY a.status",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

fn trigrams(conn: &rusqlite::Connection) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM temp.vocab WHERE term IN ('qaz', 'azw', 'zws', 'vbn', 'bnm', 'nml')",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn an_erased_person_is_found_nowhere_in_the_decrypted_file_and_totals_stay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saathi.db");
    let key = DbKey::generate().unwrap();
    let mut store = Store::open_with(&path, Some(&key)).unwrap();
    let today = day("2026-11-26");
    crate::demo::generate(&mut store, today, 7).unwrap();
    let c = Ctx::at(Actor { staff_id: Some(1), role: Role::Admin }, today);

    // The person: the eligible one with the most attendance marks.
    let candidates: Vec<i64> = store
        .conn()
        .prepare(
            "SELECT p.id FROM patients p WHERE p.archived_at IS NULL ORDER BY
             (SELECT count(*) FROM group_attendance a WHERE a.patient_id = p.id) DESC, p.id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let p = candidates.into_iter().find(|&p| erasure::check(store.conn(), &c, p).unwrap().is_none()).unwrap();

    // Distinctive texts everywhere the person has them.
    store
        .write(|tx| {
            let mut d = patients::get(tx, &c, p)?.details;
            d.full_name = "Qazwsx Vbnmlk".into();
            d.preferred_name = "Qazzy".into();
            d.phone = "9123456780".into();
            d.family_name = "Zxcvbnfam Relative".into();
            d.family_phone = "9988776655".into();
            patients::update(tx, &c, p, &d)?;
            crate::notes::add(tx, &c, p, "UNIQUE-NOTE-TEXT-123")?;
            let spoken = crate::consents::ConsentInput {
                kind: crate::consents::ConsentKind::Photographs,
                given: true,
                detail: String::new(),
                decided_on: today,
                how: crate::consents::ConsentHow::VerbalWitnessed,
                witness: "WITNESSNAME-XYZ".into(),
            };
            crate::consents::record(tx, &c, p, &spoken)?;
            // The case record's address and earlier treatment, and a discharge summary.
            let mut r = crate::case_record::get(tx, p)?;
            r.address_line = "UNIQUE-ADDRESS-LINE".into();
            r.town = "Uniquetownpur".into();
            r.previous_treatments =
                vec![crate::case_record::PreviousTreatment { place: "UNIQUE-CLINIC-PLACE".into(), year: Some(2020) }];
            crate::case_record::save(tx, &c, p, &r)?;
            let stay: i64 = tx.query_row(
                "SELECT id FROM stays WHERE patient_id = ?1 ORDER BY admitted_on DESC LIMIT 1",
                [p],
                |r| r.get(0),
            )?;
            crate::patients::set_discharge_summary(tx, &c, stay, "UNIQUE-DISCHARGE-SUMMARY")?;
            // Marks this year (as a former patient coming back to an open group), with a reason.
            tx.execute(
                "INSERT INTO group_attendance (session_id, patient_id, status, reason, recorded_at)
                 SELECT id, ?1, 'excused', 'UNIQUE-ABSENCE-REASON', '2026-11-01T10:00:00Z' FROM group_sessions
                 WHERE date BETWEEN '2026-01-01' AND '2026-11-25' AND cancelled = 0 ORDER BY date LIMIT 3",
                [p],
            )?;
            // issue 17: a signed note with an addendum on one of those sessions.
            let (series, on): (i64, chrono::NaiveDate) = tx.query_row(
                "SELECT s.series_id, s.original_date FROM group_attendance a JOIN group_sessions s ON s.id = a.session_id
                 WHERE a.patient_id = ?1 ORDER BY s.date LIMIT 1",
                [p],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let note = crate::groups::participant_notes::write(tx, &c, series, on, p, "UNIQUE-GROUP-NOTE-456")?;
            crate::groups::participant_notes::sign(tx, &c, note)?;
            crate::groups::participant_notes::add_addendum(tx, &c, note, "UNIQUE-NOTE-ADDENDUM-789")?;
            Ok(())
        })
        .unwrap();
    store
        .conn()
        .execute_batch("ANALYZE; CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, patient_search, row);")
        .unwrap();
    erasure::scrub_after(store.conn()).unwrap();
    let before = found(&path, &key);
    assert!(
        before.contains(&"Qazwsx Vbnmlk") && before.contains(&"UNIQUE-NOTE-TEXT-123"),
        "the scan reads the file: {before:?}"
    );
    assert!(before.contains(&"UNIQUE-ABSENCE-REASON"));
    assert!(before.contains(&"UNIQUE-GROUP-NOTE-456") && before.contains(&"UNIQUE-NOTE-ADDENDUM-789"), "{before:?}");
    assert!(before.contains(&"UNIQUE-CLINIC-PLACE") && before.contains(&"UNIQUE-DISCHARGE-SUMMARY"), "{before:?}");
    assert!(trigrams(store.conn()) > 0);
    let totals = year_totals(store.conn());
    let marks: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM group_attendance WHERE patient_id = ?1", [p], |r| r.get(0))
        .unwrap();
    assert_eq!(marks, 3);
    let counts = |s: &Store| -> (i64, i64, i64) {
        s.conn()
            .query_row(
                "SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM consents), (SELECT count(*) FROM stays)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    };
    let rows_before = counts(&store);
    let secure_before: i64 = store.conn().query_row("PRAGMA secure_delete", [], |r| r.get(0)).unwrap();

    let id = ask(&mut store, "2026-11-26", RequestKind::Erasure, Some(p)).unwrap();
    let done = erasure::erase_in(&mut store, &c, id).unwrap().unwrap();
    assert!(done.blanked.iter().any(|(t, n)| t == "patient_notes" && *n >= 1), "{done:?}");
    for table in ["participant_notes", "participant_note_addenda"] {
        assert!(done.blanked.iter().any(|(t, n)| t == table && *n == 1), "{table}: {done:?}");
    }

    assert_eq!(found(&path, &key), Vec::<&str>::new(), "nothing left in the file or the WAL");
    assert_eq!(trigrams(store.conn()), 0, "the search index holds none of the old trigrams");
    let hits: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM patient_search WHERE patient_search MATCH '\"qazwsx\"'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(hits, 0);
    assert_eq!(year_totals(store.conn()), totals, "the year's attendance totals are unchanged");
    let marks_after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM group_attendance WHERE patient_id = ?1", [p], |r| r.get(0))
        .unwrap();
    assert_eq!(marks_after, marks, "the person's marks are kept (without their reasons)");
    assert_eq!(counts(&store), rows_before, "rows are kept");
    let secure: i64 = store.conn().query_row("PRAGMA secure_delete", [], |r| r.get(0)).unwrap();
    assert_eq!(secure, secure_before, "secure_delete is put back");
    let (name, phase): (String, String) = store
        .conn()
        .query_row("SELECT full_name, phase FROM patients WHERE id = ?1", [p], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((name, phase.as_str()), (erasure::erased_name(p), "inactive"));
    let audit: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'patient_erased' AND entity_id = ?1", [p], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(audit, 1);
    crate::audit::verify(store.conn()).unwrap();
    drop(store);
    assert_eq!(found(&path, &key), Vec::<&str>::new(), "nor after closing");
}

#[test]
fn erasure_blanks_only_text_and_the_triggers_still_guard_the_rest() {
    let mut store = Store::open_in_memory().unwrap();
    let p = person(&mut store, "Asha Rani", "2020-01-01");
    store.write(|tx| crate::notes::add(tx, &admin("2020-01-02"), p, "a note")).unwrap();
    let family = crate::consents::ConsentInput {
        kind: crate::consents::ConsentKind::FamilyContact,
        given: true,
        detail: "Her brother".into(),
        decided_on: day("2020-01-02"),
        how: crate::consents::ConsentHow::SignedForm,
        witness: String::new(),
    };
    store.write(|tx| crate::consents::record(tx, &admin("2020-01-02"), p, &family)).unwrap();
    let c = store.conn();
    // Outside an erasure, nothing changes.
    assert!(c.execute("UPDATE patient_notes SET body = 'x'", []).is_err());
    assert!(c.execute("UPDATE consents SET detail = 'x'", []).is_err());
    // During one, only the text may change.
    c.execute("INSERT INTO erasure_in_progress (patient_id) VALUES (?1)", [p]).unwrap();
    c.execute("UPDATE patient_notes SET body = 'x'", []).unwrap();
    assert!(c.execute("UPDATE patient_notes SET written_at = 'x'", []).is_err());
    assert!(c.execute("UPDATE consents SET given = 1 - given", []).is_err());
    c.execute("UPDATE consents SET detail = ''", []).unwrap();
    c.execute("DELETE FROM erasure_in_progress", []).unwrap();
    // Every table erasure blanks exists, and every statement runs.
    for (table, _) in erasure::BLANKS {
        let n: i64 = c.query_row("SELECT count(*) FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "{table}");
    }
}
