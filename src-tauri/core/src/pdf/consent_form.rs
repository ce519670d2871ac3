//! The printed consent form (issue 16): an A4 sheet in English and Hindi together, with
//! the person's details prefilled, one block per consent asked (a plain explanation and
//! two tick boxes), the person's rights (withdrawal as easy as consent, no effect on
//! treatment, seeing and correcting their data), and signature lines. The whole form is
//! printed twice in one PDF: the centre's copy, then the patient's copy, each with its own
//! page numbers; a block is never split across pages.
//!
//! Plain data in, bytes out: the caller fills a [`ConsentFormDoc`].
use printpdf::{Mm, Op, PaintMode, PdfDocument, PdfPage};
use serde::{Deserialize, Serialize};

use super::labels::{self as l, Label};
use super::shape::{self, DocFonts, Face};
use super::{FOOTER_H, MARGIN, PAGE_H, PAGE_W, Writer, grey, line, rect, save};
use crate::consents::ConsentKind;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentFormDoc {
    pub centre_name: String,
    pub centre_address: String,
    pub centre_phone: String,
    /// May be Devanagari, Gurmukhi or Latin.
    pub person_name: String,
    /// e.g. "R-2026-0042".
    pub record_number: String,
    /// "" when unknown.
    pub age: String,
    /// DD-MM-YYYY, "" when unknown.
    pub admitted_on: String,
    /// One entry per consent asked, in this order.
    pub items: Vec<ConsentFormItem>,
    /// DD-MM-YYYY.
    pub printed_on: String,
    /// The staff member's name.
    pub printed_by: String,
    /// e.g. "48213 · 7F3A-91C2"; "" when none.
    pub seal: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentFormItem {
    pub kind: ConsentKind,
    /// Which family member (family_contact) or which named referral/court (sharing); "" otherwise.
    pub detail: String,
}

/// The width between the margins.
const W: f32 = PAGE_W - 2.0 * MARGIN;
/// English and Hindi body text: sizes and line heights (Devanagari needs more room for
/// its marks above and below the line).
const EN: f32 = 9.0;
const EN_LEAD: f32 = 11.0;
const HI: f32 = 9.5;
const HI_LEAD: f32 = 13.0;
/// The tick-box column on the right of an item block.
const TICK_W: f32 = 108.0;
/// Inner padding of a box.
const PADX: f32 = 7.0;
/// Space between blocks.
const GAP: f32 = 6.0;
/// Height of a write-in row in the signature boxes.
const SIGN_ROW: f32 = 22.0;

/// "English / हिंदी".
fn both(label: Label) -> String {
    format!("{} / {}", label.en, label.hi)
}

/// The baseline of a line whose box starts at `top`.
fn baseline(top: f32, lead: f32) -> f32 {
    top - lead * 0.74
}

/// Splits `text` at spaces into lines no wider than `width`. At most `max_lines` lines:
/// the rest goes on the last line, which drawing shortens with "…" (as it does a single
/// word wider than a line).
fn wrap(text: &str, size: f32, face: Face, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if current.is_empty() {
            current = word.to_owned();
            continue;
        }
        let candidate = format!("{current} {word}");
        if shape::shape(&candidate, size, face).width <= width {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines
}

/// A wrapped paragraph.
struct Para {
    lines: Vec<String>,
    size: f32,
    face: Face,
    lead: f32,
    width: f32,
}

impl Para {
    fn new(text: &str, size: f32, face: Face, lead: f32, width: f32, max_lines: usize) -> Para {
        Para { lines: wrap(text, size, face, width, max_lines), size, face, lead, width }
    }

    fn en(text: &str, width: f32) -> Para {
        Para::new(text, EN, Face::Latin, EN_LEAD, width, 12)
    }

    fn hi(text: &str, width: f32) -> Para {
        Para::new(text, HI, Face::Latin, HI_LEAD, width, 12)
    }

    fn height(&self) -> f32 {
        self.lines.len() as f32 * self.lead
    }

    /// Draws the lines from `top` down; returns the top of what follows.
    fn draw(&self, w: &mut Writer, x: f32, top: f32) -> f32 {
        let mut top = top;
        for s in &self.lines {
            w.text(s, self.size, self.face, x, baseline(top, self.lead), self.width);
            top -= self.lead;
        }
        top
    }

    /// Draws each line centred between the margins.
    fn draw_centred(&self, w: &mut Writer, top: f32) -> f32 {
        let mut top = top;
        for s in &self.lines {
            centred(w, s, self.size, self.face, baseline(top, self.lead));
            top -= self.lead;
        }
        top
    }
}

fn centred(w: &mut Writer, s: &str, size: f32, face: Face, y: f32) {
    let width = shape::shape(s, size, face).width.min(W);
    w.text(s, size, face, MARGIN + (W - width) / 2.0, y, W);
}

fn width_of(s: &str, size: f32, face: Face) -> f32 {
    shape::shape(s, size, face).width
}

fn fill(w: &mut Writer, v: f32) {
    w.ops().push(Op::SetFillColor { col: grey(v) });
}

fn start_page(w: &mut Writer) {
    w.pages.push(vec![
        Op::SetOutlineThickness { pt: printpdf::Pt(0.6) },
        Op::SetOutlineColor { col: grey(0.35) },
        Op::SetFillColor { col: grey(0.0) },
    ]);
    w.y = PAGE_H - MARGIN;
}

/// The copy's marking: a grey band across the top of the page.
fn copy_band(w: &mut Writer, text: &str) {
    let (top, h) = (w.y, 24.0);
    fill(w, 0.84);
    rect(w.ops(), MARGIN, top - h, W, h, PaintMode::FillStroke);
    fill(w, 0.0);
    centred(w, text, 12.5, Face::LatinBold, top - 16.5);
    w.y = top - h - 10.0;
}

/// A labelled field: a small label above, the value (or nothing to write on) over a line.
fn field(w: &mut Writer, label: &str, value: &str, x: f32, top: f32, width: f32, max_lines: usize) -> f32 {
    fill(w, 0.3);
    w.text(label, 7.5, Face::Latin, x, top - 8.0, width);
    fill(w, 0.0);
    let value = Para::new(value, 11.0, Face::LatinBold, 15.0, width - 4.0, max_lines);
    let rows = value.lines.len().max(1);
    value.draw(w, x + 2.0, top - 10.0);
    let mut y = top - 10.0;
    for _ in 0..rows {
        y -= 15.0;
        line(w.ops(), x, y + 2.5, x + width, y + 2.5);
    }
    y
}

/// The first page of a copy: its marking, the centre's letterhead, the title, the
/// person's details and how to fill the form.
fn first_page(w: &mut Writer, doc: &ConsentFormDoc, copy: Label) {
    start_page(w);
    copy_band(w, &both(copy));
    let mut top = w.y;
    if !doc.centre_name.trim().is_empty() {
        top = Para::new(&doc.centre_name, 15.0, Face::LatinBold, 20.0, W, 2).draw_centred(w, top);
    }
    let mut contact = vec![doc.centre_address.trim().to_owned()];
    if !doc.centre_phone.trim().is_empty() {
        contact.push(format!("{}: {}", both(l::COL_PHONE), doc.centre_phone.trim()));
    }
    let contact = contact.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("  ·  ");
    top = Para::new(&contact, 9.0, Face::Latin, 12.5, W, 3).draw_centred(w, top);
    top -= 5.0;
    line(w.ops(), MARGIN, top, MARGIN + W, top);
    top -= 6.0;
    top = Para::new(&both(l::CF_TITLE), 14.0, Face::LatinBold, 20.0, W, 1).draw_centred(w, top);
    top = Para::new(l::CF_SUBTITLE.en, 8.0, Face::Latin, 10.5, W, 2).draw_centred(w, top);
    top = Para::new(l::CF_SUBTITLE.hi, 8.5, Face::Latin, 12.5, W, 2).draw_centred(w, top);
    top -= 8.0;
    top = field(w, &both(l::COL_NAME), &doc.person_name, MARGIN, top, W, 3) - 6.0;
    let third = (W - 20.0) / 3.0;
    let cells = [
        (both(l::CF_RECORD), &doc.record_number),
        (both(l::CF_AGE), &doc.age),
        (both(l::CF_ADMITTED), &doc.admitted_on),
    ];
    let mut bottom = top;
    for (i, (label, value)) in cells.iter().enumerate() {
        let x = MARGIN + i as f32 * (third + 10.0);
        bottom = bottom.min(field(w, label, value, x, top, third, 1));
    }
    top = bottom - 10.0;
    top = Para::en(l::CF_INTRO.en, W).draw(w, MARGIN, top);
    top = Para::hi(l::CF_INTRO.hi, W).draw(w, MARGIN, top - 2.0);
    w.y = top - 8.0;
}

/// A following page of a copy: its marking (continued) and whose form it is.
fn next_page(w: &mut Writer, doc: &ConsentFormDoc, copy: Label) {
    start_page(w);
    let band = format!("{} {} / {} {}", copy.en, l::CONTINUED.en, copy.hi, l::CONTINUED.hi);
    copy_band(w, &band);
    let whose = format!("{}: {}  {}", both(l::CF_TITLE), doc.record_number, doc.person_name);
    let top = w.y + 2.0;
    w.text(&whose, 9.0, Face::Latin, MARGIN, baseline(top, 13.0), W);
    w.y = top - 17.0;
}

/// Starts a new page unless `height` fits on this one (a block taller than a page goes
/// on a fresh page and runs into the footer's space rather than looping).
fn ensure(w: &mut Writer, doc: &ConsentFormDoc, copy: Label, height: f32) {
    let fresh_top = PAGE_H - MARGIN - 34.0 - 15.0;
    if w.y - height < MARGIN + FOOTER_H && w.y < fresh_top - 1.0 {
        next_page(w, doc, copy);
    }
}

/// One consent asked: heading, who (for family contact and sharing), the explanation in
/// English and Hindi, and the two tick boxes on the right.
struct ItemBlock {
    heading: String,
    who: Option<(String, Para)>,
    en: Para,
    hi: Para,
}

const ITEM_PAD: f32 = 6.0;
const ITEM_HEAD: f32 = 15.0;
const WHO_LEAD: f32 = 15.0;
/// The tick-box column's own height: two options of two lines each.
const TICKS_H: f32 = 66.0;

fn text_width() -> f32 {
    W - TICK_W - 2.0 * PADX
}

impl ItemBlock {
    fn new(n: usize, item: &ConsentFormItem) -> ItemBlock {
        let (title, text, who) = match item.kind {
            ConsentKind::Treatment => (l::CF_TREATMENT, l::CF_TREATMENT_TEXT, None),
            ConsentKind::PhoneFollowup => (l::CF_PHONE_FOLLOWUP, l::CF_PHONE_FOLLOWUP_TEXT, None),
            ConsentKind::FamilyContact => (l::CF_FAMILY, l::CF_FAMILY_TEXT, Some(l::CF_FAMILY_WHO)),
            ConsentKind::FullNameOnLists => (l::CF_FULL_NAME, l::CF_FULL_NAME_TEXT, None),
            ConsentKind::Sharing => (l::CF_SHARING, l::CF_SHARING_TEXT, Some(l::CF_SHARING_WHO)),
            ConsentKind::Photographs => (l::CF_PHOTOS, l::CF_PHOTOS_TEXT, None),
        };
        let tw = text_width();
        let who = who.map(|label| {
            let label = format!("{}:", both(label));
            let value_w = (tw - width_of(&label, 8.5, Face::Latin) - 8.0).max(tw / 2.0);
            let value = Para::new(&item.detail, 10.5, Face::LatinBold, WHO_LEAD, value_w, 3);
            (label, value)
        });
        ItemBlock {
            heading: format!("{n}. {}", both(title)),
            who,
            en: Para::en(text.en, tw),
            hi: Para::hi(text.hi, tw),
        }
    }

    fn who_height(&self) -> f32 {
        self.who.as_ref().map_or(0.0, |(_, v)| v.lines.len().max(1) as f32 * WHO_LEAD + 4.0)
    }

    fn height(&self) -> f32 {
        let text = ITEM_PAD + ITEM_HEAD + self.who_height() + self.en.height() + 3.0 + self.hi.height() + ITEM_PAD;
        text.max(TICKS_H)
    }

    fn draw(&self, w: &mut Writer) {
        let (top, h) = (w.y, self.height());
        let tick_x = MARGIN + W - TICK_W;
        rect(w.ops(), MARGIN, top - h, W, h, PaintMode::Stroke);
        line(w.ops(), tick_x, top, tick_x, top - h);
        let x = MARGIN + PADX;
        let mut y = top - ITEM_PAD;
        w.text(&self.heading, 10.0, Face::LatinBold, x, baseline(y, ITEM_HEAD) + 1.5, text_width());
        y -= ITEM_HEAD;
        if let Some((label, value)) = &self.who {
            w.text(label, 8.5, Face::Latin, x, baseline(y, WHO_LEAD), text_width());
            let vx = x + text_width() - value.width;
            value.draw(w, vx, y);
            for i in 0..value.lines.len().max(1) {
                let ly = y - (i + 1) as f32 * WHO_LEAD + 2.0;
                line(w.ops(), vx - 2.0, ly, x + text_width(), ly);
            }
            y -= self.who_height();
        }
        y = self.en.draw(w, x, y);
        self.hi.draw(w, x, y - 3.0);
        // The two tick boxes, each with its English and Hindi text.
        for (i, option) in [l::CF_AGREE, l::CF_DISAGREE].into_iter().enumerate() {
            let ot = top - 9.0 - i as f32 * 28.0;
            let side = 11.0;
            rect(w.ops(), tick_x + 10.0, ot - side - 1.0, side, side, PaintMode::Stroke);
            let tx = tick_x + 10.0 + side + 7.0;
            let tw = TICK_W - (tx - tick_x) - 4.0;
            w.text(option.en, 9.5, Face::Latin, tx, ot - 9.0, tw);
            w.text(option.hi, 9.5, Face::Latin, tx, ot - 22.0, tw);
        }
        w.y = top - h - GAP;
    }
}

/// The person's rights, on a light grey ground.
struct RightsBlock {
    points: Vec<(Para, Para)>,
}

const RIGHTS_HEAD: f32 = 17.0;
const BULLET: f32 = 10.0;

impl RightsBlock {
    fn new() -> RightsBlock {
        let tw = W - 2.0 * PADX - BULLET;
        let points = [l::CF_RIGHTS_WITHDRAW, l::CF_RIGHTS_CARE, l::CF_RIGHTS_DATA]
            .into_iter()
            .map(|p| (Para::en(p.en, tw), Para::hi(p.hi, tw)))
            .collect();
        RightsBlock { points }
    }

    fn height(&self) -> f32 {
        let points: f32 = self.points.iter().map(|(e, h)| e.height() + 1.0 + h.height() + 4.0).sum();
        ITEM_PAD + RIGHTS_HEAD + points + ITEM_PAD - 4.0
    }

    fn draw(&self, w: &mut Writer) {
        let (top, h) = (w.y, self.height());
        fill(w, 0.94);
        rect(w.ops(), MARGIN, top - h, W, h, PaintMode::FillStroke);
        fill(w, 0.0);
        let x = MARGIN + PADX;
        let mut y = top - ITEM_PAD;
        w.text(&both(l::CF_RIGHTS), 10.0, Face::LatinBold, x, baseline(y, RIGHTS_HEAD) + 1.5, W);
        y -= RIGHTS_HEAD;
        for (en, hi) in &self.points {
            w.text("•", EN, Face::Latin, x, baseline(y, EN_LEAD), BULLET);
            y = en.draw(w, x + BULLET, y);
            y = hi.draw(w, x + BULLET, y - 1.0) - 4.0;
        }
        w.y = top - h - GAP;
    }
}

/// One signature box: who signs, then rows to write in (some prefilled), and for the
/// person a square for the thumb impression.
struct SignBox {
    en: Para,
    hi: Para,
    rows: Vec<(String, String)>,
    thumb: bool,
}

const SIGN_GAP: f32 = 8.0;
const THUMB: f32 = 50.0;

fn sign_width() -> f32 {
    (W - SIGN_GAP) / 2.0
}

impl SignBox {
    fn new(who: Label, rows: &[(Label, &str)], thumb: bool) -> SignBox {
        let tw = sign_width() - 2.0 * PADX;
        SignBox {
            en: Para::new(who.en, 8.5, Face::LatinBold, 11.0, tw, 3),
            hi: Para::new(who.hi, 9.0, Face::LatinBold, 13.0, tw, 3),
            rows: rows.iter().map(|(label, value)| (format!("{}:", both(*label)), (*value).to_owned())).collect(),
            thumb,
        }
    }

    fn height(&self) -> f32 {
        ITEM_PAD + self.en.height() + self.hi.height() + self.rows.len() as f32 * SIGN_ROW + ITEM_PAD
    }

    fn draw(&self, w: &mut Writer, x: f32, top: f32, h: f32) {
        let bw = sign_width();
        rect(w.ops(), x, top - h, bw, h, PaintMode::Stroke);
        let ix = x + PADX;
        let mut y = self.en.draw(w, ix, top - ITEM_PAD);
        y = self.hi.draw(w, ix, y);
        // The rows sit at the bottom of the box (its pair may have a longer title).
        let rows_top = top - h + ITEM_PAD + self.rows.len() as f32 * SIGN_ROW;
        let rows_top = rows_top.min(y);
        let right = x + bw - PADX - if self.thumb { THUMB + 8.0 } else { 0.0 };
        for (i, (label, value)) in self.rows.iter().enumerate() {
            let by = rows_top - (i + 1) as f32 * SIGN_ROW + 5.0;
            fill(w, 0.3);
            w.text(label, 8.0, Face::Latin, ix, by, right - ix);
            fill(w, 0.0);
            let lx = (ix + width_of(label, 8.0, Face::Latin) + 4.0).min(right - 20.0);
            line(w.ops(), lx, by - 2.5, right, by - 2.5);
            w.text(value, 9.5, Face::Latin, lx + 2.0, by, right - lx - 2.0);
        }
        if self.thumb {
            let tx = x + bw - PADX - THUMB;
            let ty = top - h + ITEM_PAD + 10.0;
            rect(w.ops(), tx, ty, THUMB, THUMB, PaintMode::Stroke);
            fill(w, 0.3);
            let caption = both(l::CF_THUMB);
            let cw = width_of(&caption, 7.0, Face::Latin).min(THUMB + PADX);
            w.text(&caption, 7.0, Face::Latin, tx + (THUMB - cw) / 2.0, ty - 8.0, THUMB + PADX);
            fill(w, 0.0);
        }
    }
}

/// The declaration and the four signature boxes, kept together.
struct SignBlock {
    en: Para,
    hi: Para,
    boxes: [SignBox; 4],
}

impl SignBlock {
    fn new(doc: &ConsentFormDoc) -> SignBlock {
        let sign = (l::COL_SIGNATURE, "");
        let date = (l::CF_DATE, "");
        let name = (l::COL_NAME, "");
        SignBlock {
            en: Para::en(l::CF_DECLARATION.en, W),
            hi: Para::hi(l::CF_DECLARATION.hi, W),
            boxes: [
                SignBox::new(l::CF_SIGN_PERSON, &[(l::COL_NAME, doc.person_name.as_str()), sign, date], true),
                SignBox::new(l::CF_SIGN_WITNESS, &[name, sign, date], false),
                SignBox::new(l::CF_SIGN_STAFF, &[name, sign, date], false),
                SignBox::new(l::CF_SIGN_GUARDIAN, &[name, (l::CF_RELATIONSHIP, ""), sign, date], false),
            ],
        }
    }

    fn row_height(&self, row: usize) -> f32 {
        self.boxes[2 * row].height().max(self.boxes[2 * row + 1].height())
    }

    fn height(&self) -> f32 {
        self.en.height() + self.hi.height() + 6.0 + self.row_height(0) + SIGN_GAP + self.row_height(1)
    }

    fn draw(&self, w: &mut Writer) {
        let mut top = self.en.draw(w, MARGIN, w.y);
        top = self.hi.draw(w, MARGIN, top) - 6.0;
        for row in 0..2 {
            let h = self.row_height(row);
            for col in 0..2 {
                let x = MARGIN + col as f32 * (sign_width() + SIGN_GAP);
                self.boxes[2 * row + col].draw(w, x, top, h);
            }
            top -= h + SIGN_GAP;
        }
        w.y = top;
    }
}

/// One copy of the form, from a new page.
fn copy(w: &mut Writer, doc: &ConsentFormDoc, copy: Label) {
    first_page(w, doc, copy);
    for (i, item) in doc.items.iter().enumerate() {
        let block = ItemBlock::new(i + 1, item);
        ensure(w, doc, copy, block.height());
        block.draw(w);
    }
    let rights = RightsBlock::new();
    ensure(w, doc, copy, rights.height());
    rights.draw(w);
    let sign = SignBlock::new(doc);
    ensure(w, doc, copy, sign.height());
    sign.draw(w);
}

/// The footer: who printed it and when (English, then Hindi), the page within its copy,
/// and the audit seal.
fn footer(fonts: &DocFonts, doc: &ConsentFormDoc, page: usize, pages: usize) -> Vec<Op> {
    let mut f = Writer { fonts, cache: Default::default(), pages: vec![Vec::new()], y: 0.0, table_top: 0.0 };
    let y = MARGIN + 4.0;
    f.ops().extend([Op::SetOutlineThickness { pt: printpdf::Pt(0.6) }, Op::SetOutlineColor { col: grey(0.35) }]);
    line(f.ops(), MARGIN, y + 11.0, PAGE_W - MARGIN, y + 11.0);
    let values = [("date", doc.printed_on.as_str()), ("name", doc.printed_by.as_str())];
    let (x, y_s) = ((page + 1).to_string(), pages.to_string());
    let numbers = [("x", x.as_str()), ("y", y_s.as_str())];
    for (i, lang) in [crate::settings::Language::En, crate::settings::Language::Hi].into_iter().enumerate() {
        let ly = y - i as f32 * 10.5;
        f.text(&l::CF_PRINTED.fill(lang, &values), 7.5, Face::Latin, MARGIN, ly, W * 0.78);
        f.text_right(&l::PAGE.fill(lang, &numbers), 7.5, PAGE_W - MARGIN, ly);
    }
    if !doc.seal.is_empty() {
        f.text(&format!("{}: {}", both(l::CF_SEAL), doc.seal), 7.0, Face::Latin, MARGIN, y - 21.0, W * 0.78);
    }
    f.pages.pop().unwrap_or_default()
}

/// Renders the form, the centre's copy then the patient's copy, to PDF bytes.
pub fn render(doc: &ConsentFormDoc) -> Result<Vec<u8>> {
    let mut pdf = PdfDocument::new(&both(l::CF_TITLE));
    let fonts = DocFonts::add_to(&mut pdf).ok_or_else(|| Error::Pdf("the bundled fonts could not be read".into()))?;
    let mut w = Writer { fonts: &fonts, cache: Default::default(), pages: Vec::new(), y: 0.0, table_top: 0.0 };
    let mut copies = Vec::new();
    for label in [l::CF_CENTRE_COPY, l::CF_PATIENT_COPY] {
        let first = w.pages.len();
        copy(&mut w, doc, label);
        copies.push(first..w.pages.len());
    }
    let mut pages = Vec::with_capacity(w.pages.len());
    for range in copies {
        let n = range.len();
        for (i, p) in range.enumerate() {
            let mut ops = std::mem::take(&mut w.pages[p]);
            ops.extend(footer(&fonts, doc, i, n));
            pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
        }
    }
    save(pdf, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG_NAME: &str = "Venkata Satya Narayana Lakshmi Prasanna Kumar Subrahmanya Sastry Chowdary \
                             Bhimavarapu Ramachandra Murthy Garu Reddiar Sr";

    fn doc(name: &str, family: &str) -> ConsentFormDoc {
        let item = |kind, detail: &str| ConsentFormItem { kind, detail: detail.to_owned() };
        ConsentFormDoc {
            centre_name: "Navjeevan Nasha Mukti Kendra".into(),
            centre_address: "Plot 14, Ranjit Avenue, Amritsar, Punjab 143001".into(),
            centre_phone: "0183 250 4411".into(),
            person_name: name.into(),
            record_number: "R-2026-0042".into(),
            age: "34".into(),
            admitted_on: "01-10-2026".into(),
            items: vec![
                item(ConsentKind::Treatment, ""),
                item(ConsentKind::PhoneFollowup, ""),
                item(ConsentKind::FamilyContact, family),
                item(ConsentKind::FullNameOnLists, ""),
                item(ConsentKind::Sharing, "District Court, Amritsar"),
                item(ConsentKind::Photographs, ""),
            ],
            printed_on: "26-11-2026".into(),
            printed_by: "Sunil Rawat".into(),
            seal: "48213 · 7F3A-91C2".into(),
        }
    }

    #[test]
    fn the_long_name_is_long() {
        assert_eq!(LONG_NAME.chars().count(), 120);
    }

    #[test]
    fn odd_input_never_panics() {
        let huge = "क्षितिज ".repeat(400) + &"x".repeat(3000);
        let mut d = doc(&huge, &huge);
        d.centre_name = huge.clone();
        d.centre_address = huge.clone();
        d.record_number = huge.clone();
        d.items = (0..40).map(|i| ConsentFormItem { kind: ConsentKind::ALL[i % 6], detail: huge.clone() }).collect();
        assert!(render(&d).unwrap().starts_with(b"%PDF"));
        let empty = ConsentFormDoc {
            centre_name: String::new(),
            centre_address: String::new(),
            centre_phone: String::new(),
            person_name: String::new(),
            record_number: String::new(),
            age: String::new(),
            admitted_on: String::new(),
            items: Vec::new(),
            printed_on: String::new(),
            printed_by: String::new(),
            seal: String::new(),
        };
        assert!(render(&empty).unwrap().starts_with(b"%PDF"));
    }

    #[cfg(not(windows))]
    mod poppler {
        use std::path::{Path, PathBuf};
        use std::process::Command;

        use super::*;

        fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        }

        fn pdftotext(pdf: &Path) -> String {
            let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
            assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).expect("utf-8 text")
        }

        fn page_count(pdf: &Path) -> usize {
            let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo runs");
            assert!(out.status.success(), "pdfinfo: {}", String::from_utf8_lossy(&out.stderr));
            let info = String::from_utf8(out.stdout).expect("utf-8");
            let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).expect("a page count");
            pages.trim().parse().expect("a number")
        }

        /// The pages, drawn at 60 dpi into target/screenshots/ for people to look at.
        fn screenshots(pdf: &Path, prefix: &str) {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(pdf, dir.join(format!("{prefix}.pdf"))).unwrap();
            let out = Command::new("pdftoppm")
                .args(["-r", "60", "-png"])
                .arg(pdf)
                .arg(dir.join(prefix))
                .output()
                .expect("pdftoppm runs");
            assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
            assert!(out.stderr.is_empty(), "pdftoppm complained: {}", String::from_utf8_lossy(&out.stderr));
            let first = std::fs::read(dir.join(format!("{prefix}-1.png"))).expect("a page image");
            assert!(first.starts_with(b"\x89PNG"));
        }

        fn collapse(s: &str) -> String {
            s.split_whitespace().collect::<Vec<_>>().join(" ")
        }

        #[test]
        fn forms_in_three_scripts_read_back_with_both_copies() {
            let dir = tempfile::tempdir().unwrap();
            let forms = [
                ("क्षितिज त्रिपाठी", "सुनीता त्रिपाठी (पत्नी)", "consent-form"),
                ("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਢਿੱਲੋਂ", "Harjeet Kaur (mother)", "consent-form-gurmukhi"),
                (LONG_NAME, "Sunita Devi (wife)", "consent-form-long"),
            ];
            for (name, family, prefix) in forms {
                let bytes = render(&doc(name, family)).unwrap();
                assert!(bytes.starts_with(b"%PDF"));
                let path = write(dir.path(), &format!("{prefix}.pdf"), &bytes);
                screenshots(&path, prefix);
                assert_eq!(page_count(&path), 4, "{name}: two pages per copy");
                let text = pdftotext(&path);
                assert!(!text.contains('\u{FFFD}'), "a glyph without its text in\n{text}");
                let flat = collapse(&text);
                assert!(flat.contains(name), "{name} in\n{text}");
                assert!(text.contains("R-2026-0042") && text.contains(family), "{text}");
                assert!(text.contains("District Court, Amritsar") && text.contains("01-10-2026"));
                assert_eq!(text.matches("I agree").count(), 12, "six items in two copies");
                assert_eq!(text.matches("I do not agree").count(), 12);
                assert_eq!(text.matches("मैं सहमत हूँ").count(), 12, "{text}");
                assert_eq!(text.matches("मैं सहमत नहीं हूँ").count(), 12);
                let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
                assert_eq!(pages.len(), 4);
                // Each copy's marking is the first line of its pages.
                for (i, p) in pages.iter().enumerate() {
                    let first = p.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
                    let marking = if i < 2 { "Centre's copy" } else { "Patient's copy" };
                    let hindi = if i < 2 {
                        "केंद्र की प्रति"
                    } else {
                        "मरीज़ की प्रति"
                    };
                    assert!(first.contains(marking) && first.contains(hindi), "page {}: {first}", i + 1);
                    assert_eq!(first.contains("(continued)"), i % 2 == 1, "page {}: {first}", i + 1);
                    let n = format!("Page {} of 2", i % 2 + 1);
                    assert!(p.contains(&n) && p.contains(&format!("पृष्ठ {} / 2", i % 2 + 1)), "{n}:\n{p}");
                    assert!(p.contains("Printed on 26-11-2026 by Sunil Rawat. Confidential."));
                    assert!(p.contains("26-11-2026 को Sunil Rawat ने छापा। गोपनीय।"));
                    assert!(p.contains("Audit seal / ऑडिट मुहर: 48213 · 7F3A-91C2"));
                }
                for p in [pages[0], pages[2]] {
                    assert!(p.contains("Consent form / सहमति पत्र") && p.contains("Navjeevan Nasha Mukti Kendra"));
                }
                for p in [pages[1], pages[3]] {
                    assert!(p.contains("Your rights / आपके अधिकार") && p.contains("left thumb impression"));
                }
            }
        }

        /// Many items: each block (heading and both tick boxes) stays on one page, and the
        /// patient's copy starts on a page of its own.
        #[test]
        fn no_item_block_is_split_across_pages() {
            let dir = tempfile::tempdir().unwrap();
            let mut d = doc("Rahul Sharma", "Sunita Sharma (wife)");
            d.items = (0..14)
                .map(|i| ConsentFormItem { kind: ConsentKind::ALL[i % 6], detail: format!("Detail {i}") })
                .collect();
            d.seal = String::new();
            let path = write(dir.path(), "many.pdf", &render(&d).unwrap());
            let text = pdftotext(&path);
            let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
            assert_eq!(pages.len(), page_count(&path));
            assert!(pages.len() >= 6 && pages.len().is_multiple_of(2), "{} pages", pages.len());
            let mut headings = 0;
            for p in &pages {
                let n = p.lines().filter(|l| is_heading(l)).count();
                assert_eq!(p.matches("I agree").count(), n, "{p}");
                assert_eq!(p.matches("I do not agree").count(), n, "{p}");
                assert_eq!(p.matches("मैं सहमत हूँ").count(), n, "{p}");
                assert!(!p.contains("Audit seal"), "no seal, no seal line");
                headings += n;
            }
            assert_eq!(headings, 28);
            let patient = pages.iter().position(|p| p.contains("Patient's copy")).expect("a patient's copy");
            assert_eq!(patient * 2, pages.len(), "the copies have as many pages each");
            assert!(pages[patient].contains("1. Treatment") && !pages[patient - 1].contains("Patient's copy"));
        }

        fn is_heading(line: &str) -> bool {
            let t = line.trim_start();
            let digits = t.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && t[digits..].starts_with(". ") && t.contains(" / ")
        }
    }
}
