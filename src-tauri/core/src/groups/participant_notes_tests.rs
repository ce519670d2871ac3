//! A note for each participant: drafts rewritten by their author only, signing, no change
//! after signing (the core refuses; the trigger too), addenda, the front desk refused,
//! reading audited.
use super::membership::{self, Person};
use super::participant_notes as pn;
use super::recurrence::Day;
use super::tests::{d, group_input, weekly, world};
use super::*;
use crate::ctx::{Actor, Ctx, Role};

/// A group meeting on Mondays since 2 November 2026, with `member`; its series id.
fn group_with(w: &mut super::tests::World, name: &str, member: i64) -> i64 {
    let c = &w.ctx(Role::Counsellor, "2026-11-02");
    w.store
        .write(|tx| {
            let g = create(tx, c, &group_input(name, None))?;
            let out = series::add(
                tx,
                c,
                g,
                &weekly("2026-11-02", &[Day::Mo], "10:00", None, vec![]),
                &conflicts::SaveOptions::default(),
            )?;
            membership::join(tx, c, g, Person::Patient(member), d("2026-11-02"))?;
            out.series_id.ok_or(crate::Error::NotFound { what: "series" })
        })
        .unwrap()
}

#[test]
fn a_note_is_rewritten_by_its_author_signed_then_only_receives_addenda() {
    let mut w = world();
    let c = Ctx::at(Actor { staff_id: Some(w.counsellor), role: Role::Counsellor }, d("2026-11-26"));
    let other = Ctx::at(Actor { staff_id: Some(w.counsellor2), role: Role::Counsellor }, d("2026-11-26"));
    let fd = w.ctx(Role::FrontDesk, "2026-11-26");
    let (p, stranger) = (w.men[0], w.men[1]);
    let s = group_with(&mut w, "Anger", p);
    let on = d("2026-11-23");
    // Nothing yet; the session is not even stored.
    assert!(pn::of_session(w.store.conn(), &c, s, on).unwrap().is_empty());
    let id = w.store.write(|tx| pn::write(tx, &c, s, on, p, "  Spoke about his father.  ")).unwrap();
    let again = w.store.write(|tx| pn::write(tx, &c, s, on, p, "Spoke about his father; calmer.")).unwrap();
    assert_eq!(id, again, "the author rewrites the one draft");
    let n = pn::get(w.store.conn(), &c, id).unwrap();
    assert_eq!(n.body, "Spoke about his father; calmer.");
    assert!(n.mine && n.signed_at.is_none());
    assert_eq!(n.author_name.as_deref(), Some("Meera Iyer"));

    // Another counsellor reads the draft but can neither rewrite nor sign it.
    assert!(!pn::get(w.store.conn(), &other, id).unwrap().mine);
    let err = w.store.write(|tx| pn::write(tx, &other, s, on, p, "Mine now")).unwrap_err();
    assert_eq!(err.code(), "participant_note_not_author");
    let err = w.store.write(|tx| pn::sign(tx, &other, id)).unwrap_err();
    assert_eq!(err.code(), "participant_note_not_author");
    // An addendum needs a signed note.
    let err = w.store.write(|tx| pn::add_addendum(tx, &c, id, "Later")).unwrap_err();
    assert_eq!(err.code(), "participant_note_draft");
    // Someone not on the list, an empty note, a session not yet held.
    let err = w.store.write(|tx| pn::write(tx, &c, s, on, stranger, "x")).unwrap_err();
    assert_eq!(err.code(), "participant_note_not_on_sheet");
    let err = w.store.write(|tx| pn::write(tx, &c, s, on, p, "   ")).unwrap_err();
    assert_eq!(err.code(), "participant_note_empty");
    let err = w.store.write(|tx| pn::write(tx, &c, s, on, p, &"x".repeat(pn::MAX_NOTE + 1))).unwrap_err();
    assert_eq!(err.code(), "participant_note_too_long");
    let err = w.store.write(|tx| pn::write(tx, &c, s, d("2026-11-30"), p, "x")).unwrap_err();
    assert_eq!(err.code(), "session_in_future");

    // Signed: name and time; then no change, by anyone.
    w.store.write(|tx| pn::sign(tx, &c, id)).unwrap();
    let n = pn::get(w.store.conn(), &c, id).unwrap();
    assert_eq!(n.signed_by_name.as_deref(), Some("Meera Iyer"));
    assert_eq!(n.signed_at.as_deref(), Some("2026-11-26T10:00:00Z"));
    assert!(!n.mine);
    let err = w.store.write(|tx| pn::write(tx, &c, s, on, p, "Changed")).unwrap_err();
    assert_eq!(err.code(), "participant_note_signed");
    let err = w.store.write(|tx| pn::sign(tx, &c, id)).unwrap_err();
    assert_eq!(err.code(), "participant_note_signed");
    // The table refuses too, even a write that skips the core.
    let raw = w.store.write(|tx| Ok(tx.execute("UPDATE participant_notes SET body = 'x' WHERE id = ?1", [id])?));
    assert!(raw.is_err(), "the trigger keeps a signed note");
    let raw = w.store.write(|tx| Ok(tx.execute("DELETE FROM participant_notes WHERE id = ?1", [id])?));
    assert!(raw.is_err(), "notes are kept");

    // Addenda, by any counsellor, dated, oldest first.
    let later = Ctx::at(Actor { staff_id: Some(w.counsellor2), role: Role::Counsellor }, d("2026-11-28"));
    w.store.write(|tx| pn::add_addendum(tx, &later, id, "He called his father on Friday.")).unwrap();
    w.store.write(|tx| pn::add_addendum(tx, &c, id, "Second thought.")).unwrap();
    let n = pn::get(w.store.conn(), &c, id).unwrap();
    assert_eq!(n.body, "Spoke about his father; calmer.");
    let a: Vec<(&str, Option<&str>, &str)> =
        n.addenda.iter().map(|a| (a.body.as_str(), a.author_name.as_deref(), &a.written_at[..10])).collect();
    assert_eq!(
        a,
        vec![
            ("He called his father on Friday.", Some("Mohd. Salim"), "2026-11-28"),
            ("Second thought.", Some("Meera Iyer"), "2026-11-26")
        ]
    );
    let raw = w.store.write(|tx| Ok(tx.execute("UPDATE participant_note_addenda SET body = 'x'", [])?));
    assert!(raw.is_err(), "an addendum never changes");

    // The person's notes (the profile) and the session's (the sheet); reading is audited.
    let mine = w.store.write(|tx| pn::of_patient(tx, &c, p)).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].group_name.as_str(), mine[0].date), ("Anger", on));
    let sheet = w.store.write(|tx| pn::open_of_session(tx, &c, s, on)).unwrap();
    assert_eq!(sheet.len(), 1);
    let reads: i64 = w
        .store
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'participant_notes_read'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(reads, 2);

    // The front desk: refused everything, reading included.
    for err in [
        w.store.write(|tx| pn::of_patient(tx, &fd, p).map(drop)).unwrap_err(),
        w.store.write(|tx| pn::open_of_session(tx, &fd, s, on).map(drop)).unwrap_err(),
        pn::get(w.store.conn(), &fd, id).map(drop).unwrap_err(),
        w.store.write(|tx| pn::write(tx, &fd, s, on, p, "x").map(drop)).unwrap_err(),
        w.store.write(|tx| pn::sign(tx, &fd, id)).unwrap_err(),
        w.store.write(|tx| pn::add_addendum(tx, &fd, id, "x").map(drop)).unwrap_err(),
    ] {
        assert_eq!(err.code(), "forbidden");
    }
}

#[test]
fn a_patient_dropin_can_have_a_note_too() {
    let mut w = world();
    let c = w.c();
    let (p, visitor) = (w.men[0], w.men[2]);
    let s = group_with(&mut w, "Open", p);
    let on = d("2026-11-23");
    w.store
        .write(|tx| {
            attendance::add_dropin(
                tx,
                &c,
                s,
                on,
                &attendance::DropIn { patient_id: Some(visitor), name: String::new() },
                attendance::Mark::Present,
            )
        })
        .unwrap();
    w.store.write(|tx| pn::write(tx, &c, s, on, visitor, "First visit.")).unwrap();
    w.store.write(|tx| pn::write(tx, &c, s, on, p, "Quiet.")).unwrap();
    let names: Vec<String> =
        pn::of_session(w.store.conn(), &c, s, on).unwrap().into_iter().map(|n| n.patient_name).collect();
    assert_eq!(names, vec!["Amit Verma".to_owned(), "Karan Gill".to_owned()]);
}

/// The access copy prints the person's notes (signed with the name, addenda dated) in the
/// clinical notes part, withheld with it; erasure blanks their text and keeps the rest.
#[test]
fn the_access_copy_shows_them_and_erasure_blanks_them() {
    use crate::rights::access_copy;
    use crate::rights::{AccessPart, Withheld, WithholdReason};
    use crate::settings::Language;
    let mut w = world();
    let p = w.men[0];
    let s = group_with(&mut w, "Anger", p);
    let c = w.c();
    let admin = Ctx::at(Actor { staff_id: Some(w.counsellor2), role: Role::Admin }, d("2026-11-27"));
    let note = w
        .store
        .write(|tx| {
            let n = pn::write(tx, &c, s, d("2026-11-16"), p, "ACCESS-SIGNED-BODY")?;
            pn::sign(tx, &c, n)?;
            pn::add_addendum(tx, &admin, n, "ACCESS-ADDENDUM-BODY")?;
            pn::write(tx, &c, s, d("2026-11-23"), p, "ACCESS-DRAFT-BODY")?;
            Ok(n)
        })
        .unwrap();
    let texts = |lang: Language, withheld: &[Withheld]| -> String {
        use crate::pdf::letter::Block;
        let doc = access_copy::doc(w.store.conn(), &admin, p, lang, withheld).unwrap();
        let mut out = Vec::new();
        for b in doc.blocks {
            match b {
                Block::Heading(x) | Block::Para(x) => out.push(x),
                Block::Fact(a, b) => out.extend([a, b]),
                Block::Table(h, rows) => out.extend(h.into_iter().chain(rows.into_iter().flatten())),
                Block::Gap(_) | Block::Chart(_) => {}
            }
        }
        out.join("\n")
    };
    let text = |withheld: &[Withheld]| texts(Language::En, withheld);
    let all = text(&[]);
    for part in [
        "Notes from group sessions",
        "16-11-2026",
        "Anger",
        "ACCESS-SIGNED-BODY Signed by Meera Iyer on 26-11-2026. Addendum of 27-11-2026 by Mohd. Salim: ACCESS-ADDENDUM-BODY",
        "ACCESS-DRAFT-BODY (draft, not signed)",
    ] {
        assert!(all.contains(part), "{part} in {all}");
    }
    let hi = texts(Language::Hi, &[]);
    assert!(hi.contains("समूह सत्रों के नोट") && hi.contains("ACCESS-ADDENDUM-BODY"));
    let withheld = text(&[Withheld { part: AccessPart::Notes, reason: WithholdReason::SeriousHarm }]);
    assert!(!withheld.contains("ACCESS-") && !withheld.contains("Notes from group sessions"));

    // Erasure's statements, as it runs them: the text goes, who and when stay.
    let conn = w.store.conn();
    conn.execute("INSERT INTO erasure_in_progress (patient_id) VALUES (?1)", [p]).unwrap();
    for (table, sql) in crate::rights::erasure::BLANKS.iter().filter(|(t, _)| t.starts_with("participant_note")) {
        let n = conn.execute(&sql.replace(":id", &p.to_string()), []).unwrap();
        assert!(n >= 1, "{table}");
    }
    // Even during an erasure, a signed note's signature stays.
    assert!(
        conn.execute("UPDATE participant_notes SET signed_at = NULL, signed_by = NULL WHERE id = ?1", [note]).is_err()
    );
    conn.execute("DELETE FROM erasure_in_progress", []).unwrap();
    let n = pn::get(conn, &c, note).unwrap();
    assert_eq!((n.body.as_str(), n.addenda[0].body.as_str()), ("-", "-"));
    assert_eq!(n.signed_by_name.as_deref(), Some("Meera Iyer"));
    let left: i64 =
        conn.query_row("SELECT count(*) FROM participant_notes WHERE body LIKE 'ACCESS-%'", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "the draft is blanked too");
}
