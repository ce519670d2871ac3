//! Printed rosters and call lists: A4 portrait tables from plain data, with shaped text
//! (Latin, Devanagari, Gurmukhi), the header row repeated on every page, never a row
//! split across pages, and "page x of y" and "printed on … by …" in the footer.
//!
//! The renderer knows nothing about patients or groups: callers fill a [`RosterDoc`]
//! (already privacy-filtered) and get PDF bytes back.
use printpdf::{Color, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

pub mod case_labels;
pub mod chart;
pub mod consent_form;
pub mod group_sheet;
pub mod labels;
pub mod letter;
pub mod rights_labels;
pub mod shape;
// ---- issue 17: statistics
pub mod stats_labels;

use shape::{DocFonts, Face};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ColumnKind {
    Text,
    /// An empty square to tick.
    TickBox,
    /// Empty space to write or sign in.
    Blank,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Column {
    pub title: String,
    /// Share of the table width (the widths are scaled to fill it).
    pub width: f32,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Section {
    /// The first line is printed bold (e.g. the group's name); the others below it
    /// (day and date, time, room, facilitators).
    pub heading: Vec<String>,
    pub columns: Vec<Column>,
    /// One cell per column (cells of tick-box and blank columns are ignored).
    pub rows: Vec<Vec<String>>,
    /// Printed when there are no rows.
    pub empty_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RosterDoc {
    pub centre: String,
    /// e.g. "Aftercare roster, week 30-11-2026 to 06-12-2026".
    pub title: String,
    pub printed_on: String,
    pub printed_by: String,
    /// "Page {x} of {y}" with the two placeholders, in the reader's language.
    pub page_label: String,
    /// "Printed on {date} by {name}".
    pub printed_label: String,
    /// The audit chain's head when printed ("Audit seal 48213 · 7F3A-91C2"), an anchor
    /// of the chain on paper; empty when the chain has no entry yet.
    pub seal: String,
    /// A line under the title, e.g. "Privacy mode: surnames and phone numbers hidden".
    pub note: String,
    /// Appended to a section's heading repeated on a following page, e.g. "(continued)".
    pub continued: String,
    pub sections: Vec<Section>,
}

const PAGE_W: f32 = 595.28; // A4 in points
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 42.5; // 15 mm
const FOOTER_H: f32 = 28.0;
const ROW_H: f32 = 24.0;
const HEAD_ROW_H: f32 = 18.0;
const BODY_SIZE: f32 = 10.0;
const HEAD_SIZE: f32 = 8.5;
const PAD: f32 = 4.0;

fn grey(v: f32) -> Color {
    Color::Rgb(Rgb { r: v, g: v, b: v, icc_profile: None })
}

fn line(ops: &mut Vec<Op>, x1: f32, y1: f32, x2: f32, y2: f32) {
    ops.push(Op::DrawLine {
        line: Line {
            points: vec![
                LinePoint { p: Point { x: Pt(x1), y: Pt(y1) }, bezier: false },
                LinePoint { p: Point { x: Pt(x2), y: Pt(y2) }, bezier: false },
            ],
            is_closed: false,
        },
    });
}

fn rect(ops: &mut Vec<Op>, x: f32, y: f32, w: f32, h: f32, mode: PaintMode) {
    let mut r = Rect::from_xywh(Pt(x), Pt(y), Pt(w), Pt(h));
    r.mode = Some(mode);
    ops.push(Op::DrawRectangle { rectangle: r });
}

type ShapeKey = (String, u32, u32, u8);

struct Writer<'a> {
    fonts: &'a DocFonts,
    /// Shaped cells by (text, size, width, face): dates and headers repeat a lot.
    cache: std::collections::HashMap<ShapeKey, shape::Shaped>,
    pages: Vec<Vec<Op>>,
    /// Baseline cursor: distance from the bottom of the page (points).
    y: f32,
    /// Top of the table drawn on this page since its header row (its column lines are
    /// drawn once, down to the last row, by [`Writer::close_table`]).
    table_top: f32,
}

impl Writer<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }

    fn text(&mut self, s: &str, size: f32, face: Face, x: f32, y: f32, max_w: f32) {
        if s.is_empty() {
            return;
        }
        let key = (s.to_owned(), size.to_bits(), max_w.to_bits(), face as u8);
        let shaped = self.cache.entry(key).or_insert_with(|| shape::shape_fit(s, size, face, max_w)).clone();
        let fonts = self.fonts;
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        shape::draw(ops, fonts, &shaped, size, x, y);
        ops.push(Op::EndTextSection);
    }

    fn text_right(&mut self, s: &str, size: f32, right: f32, y: f32) {
        let shaped = shape::shape(s, size, Face::Latin);
        let fonts = self.fonts;
        let ops = self.ops();
        ops.push(Op::StartTextSection);
        shape::draw(ops, fonts, &shaped, size, right - shaped.width, y);
        ops.push(Op::EndTextSection);
    }

    fn new_page(&mut self, doc: &RosterDoc) {
        self.pages.push(vec![Op::SetOutlineThickness { pt: Pt(0.6) }, Op::SetOutlineColor { col: grey(0.35) }]);
        let top = PAGE_H - MARGIN;
        let width = PAGE_W - 2.0 * MARGIN;
        self.text(&doc.centre, 13.0, Face::LatinBold, MARGIN, top - 12.0, width);
        self.text(&doc.title, 10.5, Face::Latin, MARGIN, top - 27.0, width);
        let mut y = top - 27.0;
        if !doc.note.is_empty() {
            self.text(&doc.note, 8.5, Face::Latin, MARGIN, top - 40.0, width);
            y = top - 40.0;
        }
        self.y = y - 8.0;
    }

    fn space_left(&self) -> f32 {
        self.y - (MARGIN + FOOTER_H)
    }

    fn section_heading(&mut self, s: &Section, continued: &str) {
        let width = PAGE_W - 2.0 * MARGIN;
        for (i, h) in s.heading.iter().enumerate() {
            let (size, face, gap) = if i == 0 { (11.5, Face::LatinBold, 16.0) } else { (9.5, Face::Latin, 13.0) };
            self.y -= gap;
            let text = if i == 0 && !continued.is_empty() { format!("{h} {continued}") } else { h.clone() };
            self.text(&text, size, face, MARGIN, self.y, width);
        }
        self.y -= 6.0;
    }

    fn header_row(&mut self, cols: &[(f32, f32)], s: &Section) {
        let top = self.y;
        let width = PAGE_W - 2.0 * MARGIN;
        {
            let ops = self.ops();
            ops.push(Op::SetFillColor { col: grey(0.88) });
            rect(ops, MARGIN, top - HEAD_ROW_H, width, HEAD_ROW_H, PaintMode::FillStroke);
            ops.push(Op::SetFillColor { col: grey(0.0) });
        }
        for ((x, w), c) in cols.iter().zip(&s.columns) {
            self.text(&c.title, HEAD_SIZE, Face::LatinBold, x + PAD, top - HEAD_ROW_H + 6.0, w - 2.0 * PAD);
        }
        self.table_top = top;
        self.y = top - HEAD_ROW_H;
    }

    /// The lines between the columns, from the header row's top down to the last row
    /// drawn (one line per column rather than one per row and column).
    fn close_table(&mut self, cols: &[(f32, f32)]) {
        let (top, bottom) = (self.table_top, self.y);
        for (x, _) in cols.iter().skip(1) {
            line(self.ops(), *x, top, *x, bottom);
        }
    }

    fn row(&mut self, cols: &[(f32, f32)], s: &Section, cells: &[String]) {
        let top = self.y;
        let width = PAGE_W - 2.0 * MARGIN;
        rect(self.ops(), MARGIN, top - ROW_H, width, ROW_H, PaintMode::Stroke);
        for (i, ((x, w), c)) in cols.iter().zip(&s.columns).enumerate() {
            match c.kind {
                ColumnKind::Text => {
                    let cell = cells.get(i).map(String::as_str).unwrap_or("");
                    self.text(cell, BODY_SIZE, Face::Latin, x + PAD, top - ROW_H + 8.0, w - 2.0 * PAD);
                }
                ColumnKind::TickBox => {
                    let side = 11.0;
                    rect(self.ops(), x + (w - side) / 2.0, top - (ROW_H + side) / 2.0, side, side, PaintMode::Stroke);
                }
                ColumnKind::Blank => {}
            }
        }
        self.y = top - ROW_H;
    }
}

/// Column x positions and widths, scaled to the table width.
fn layout(s: &Section) -> Vec<(f32, f32)> {
    let width = PAGE_W - 2.0 * MARGIN;
    let total: f32 = s.columns.iter().map(|c| c.width.max(0.1)).sum();
    let mut x = MARGIN;
    s.columns
        .iter()
        .map(|c| {
            let w = c.width.max(0.1) / total * width;
            let out = (x, w);
            x += w;
            out
        })
        .collect()
}

fn heading_height(s: &Section) -> f32 {
    s.heading.iter().enumerate().map(|(i, _)| if i == 0 { 16.0 } else { 13.0 }).sum::<f32>() + 6.0
}

/// Renders the document to PDF bytes.
pub fn render(doc: &RosterDoc) -> Result<Vec<u8>> {
    let mut pdf = PdfDocument::new(&doc.title);
    let fonts = DocFonts::add_to(&mut pdf).ok_or_else(|| Error::Pdf("the bundled fonts could not be read".into()))?;
    let mut w = Writer { fonts: &fonts, cache: Default::default(), pages: Vec::new(), y: 0.0, table_top: 0.0 };
    w.new_page(doc);
    for (si, s) in doc.sections.iter().enumerate() {
        let cols = layout(s);
        // A section starts where its heading, header row and first row fit.
        let first = heading_height(s) + 12.0 + HEAD_ROW_H + ROW_H;
        if si > 0 {
            w.y -= 10.0;
        }
        if w.space_left() < first {
            w.new_page(doc);
        }
        w.section_heading(s, "");
        w.header_row(&cols, s);
        if s.rows.is_empty() {
            w.close_table(&cols);
            w.y -= 14.0;
            let y = w.y;
            w.text(&s.empty_text, 9.5, Face::Latin, MARGIN + PAD, y, PAGE_W - 2.0 * MARGIN);
            w.y -= 6.0;
        }
        for cells in &s.rows {
            if w.space_left() < ROW_H {
                w.close_table(&cols);
                w.new_page(doc);
                w.section_heading(s, &doc.continued);
                w.header_row(&cols, s);
            }
            w.row(&cols, s, cells);
        }
        if !s.rows.is_empty() {
            w.close_table(&cols);
        }
    }
    let total = w.pages.len();
    let footer_y = MARGIN;
    let printed = doc.printed_label.replace("{date}", &doc.printed_on).replace("{name}", &doc.printed_by);
    let mut pages = Vec::with_capacity(total);
    for i in 0..total {
        let label = doc.page_label.replace("{x}", &(i + 1).to_string()).replace("{y}", &total.to_string());
        let ops_index = i;
        // Footer: a rule, who printed it and when, and the page number.
        let mut footer =
            Writer { fonts: &fonts, cache: Default::default(), pages: vec![Vec::new()], y: 0.0, table_top: 0.0 };
        line(footer.ops(), MARGIN, footer_y + 12.0, PAGE_W - MARGIN, footer_y + 12.0);
        footer.text(&printed, 8.0, Face::Latin, MARGIN, footer_y, (PAGE_W - 2.0 * MARGIN) * 0.8);
        footer.text_right(&label, 8.0, PAGE_W - MARGIN, footer_y);
        if !doc.seal.is_empty() {
            footer.text(&doc.seal, 7.0, Face::Latin, MARGIN, footer_y - 10.0, (PAGE_W - 2.0 * MARGIN) * 0.8);
        }
        let mut ops = std::mem::take(&mut w.pages[ops_index]);
        ops.extend(footer.pages.pop().unwrap_or_default());
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    save(pdf, pages)
}

/// The document with its pages, fonts subset and streams deflated (see [`compress`]), as
/// the bytes of a PDF file.
pub(crate) fn save(mut pdf: PdfDocument, pages: Vec<PdfPage>) -> Result<Vec<u8>> {
    pdf.with_pages(pages);
    let mut warnings = Vec::new();
    let opts = PdfSaveOptions { subset_fonts: true, optimize: false, ..Default::default() };
    let mut out = printpdf::to_lopdf_doc(&pdf, &opts, &mut warnings);
    compress(&mut out);
    let mut bytes = Vec::new();
    out.save_to(&mut bytes).map_err(|e| Error::Pdf(e.to_string()))?;
    Ok(bytes)
}

/// Deflates every stream as printpdf's `optimize` does, but at the quickest level, not
/// zlib's slowest: on a 300-row roster "best" spent a third of the rendering time to save
/// 3% of the size; level 1 (miniz's fast path) takes 9% fewer instructions than level 3
/// for the busy week's roster, for 93 → 110 KB.
fn compress(doc: &mut lopdf::Document) {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(COMPRESSION_LEVEL));
        if z.write_all(&stream.content).is_err() {
            continue;
        }
        if let Ok(deflated) = z.finish()
            && deflated.len() + 19 < stream.content.len()
        {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(deflated);
        }
    }
}

const COMPRESSION_LEVEL: u32 = 1;
