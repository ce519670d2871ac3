//! A flowing A4 document: the centre's letterhead, a title, then headings, paragraphs,
//! labelled facts and small tables, page after page; every page carries a confidential
//! band at the top and a footer (who printed it and when, the page number, the audit
//! seal). The rights desk prints its access copies and reply letters with it.
//!
//! Plain data in, bytes out: the caller fills a [`FlowDoc`] with texts already in the
//! reader's language (or both).
use printpdf::{Mm, Op, PaintMode, PdfDocument, PdfPage};

use super::shape::{self, DocFonts, Face};
use super::{FOOTER_H, MARGIN, PAGE_H, PAGE_W, Writer, grey, line, rect, save};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowDoc {
    pub centre_name: String,
    pub centre_address: String,
    pub centre_phone: String,
    /// On the first page, under the letterhead.
    pub title: String,
    /// The band across the top of every page ("Confidential …").
    pub band: String,
    pub blocks: Vec<Block>,
    /// The footer's first line ("Printed on … by …. Confidential.").
    pub printed: String,
    /// "Page {x} of {y}".
    pub page_label: String,
    /// "Audit seal …"; "" when none.
    pub seal: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Para(String),
    /// A label and its value on one line (the value wraps under itself).
    Fact(String, String),
    /// Column titles and rows; cells wrap within their column.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Vertical space, in points.
    Gap(f32),
    // ---- issue 17: certificates and outcomes
    /// A grouped bar chart (aftercare outcomes).
    Chart(super::chart::BarChart),
}

const W: f32 = PAGE_W - 2.0 * MARGIN;
const SIZE: f32 = 9.5;
const LEAD: f32 = 13.5;
const BAND_H: f32 = 18.0;
const FACT_LABEL_W: f32 = 150.0;
const CELL_PAD: f32 = 3.0;

fn width_of(s: &str, size: f32, face: Face) -> f32 {
    shape::shape(s, size, face).width
}

/// Splits `text` into lines no wider than `width` (at spaces; a single word wider than a
/// line is shortened when drawn). Line breaks in the text are kept.
fn wrap(text: &str, size: f32, face: Face, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split_whitespace() {
            if current.is_empty() {
                current = word.to_owned();
                continue;
            }
            let candidate = format!("{current} {word}");
            if width_of(&candidate, size, face) <= width {
                current = candidate;
            } else {
                lines.push(std::mem::replace(&mut current, word.to_owned()));
            }
        }
        lines.push(current);
    }
    // A very long text is cut rather than running for hundreds of pages.
    lines.truncate(400);
    lines
}

struct Flow<'a, 'f> {
    w: Writer<'f>,
    doc: &'a FlowDoc,
}

impl Flow<'_, '_> {
    fn start_page(&mut self) {
        self.w.pages.push(vec![
            Op::SetOutlineThickness { pt: printpdf::Pt(0.6) },
            Op::SetOutlineColor { col: grey(0.35) },
            Op::SetFillColor { col: grey(0.0) },
        ]);
        let top = PAGE_H - MARGIN;
        self.w.ops().push(Op::SetFillColor { col: grey(0.86) });
        rect(self.w.ops(), MARGIN, top - BAND_H, W, BAND_H, PaintMode::FillStroke);
        self.w.ops().push(Op::SetFillColor { col: grey(0.0) });
        let band = self.doc.band.clone();
        let bw = width_of(&band, 9.5, Face::LatinBold).min(W);
        self.w.text(&band, 9.5, Face::LatinBold, MARGIN + (W - bw) / 2.0, top - 12.5, W);
        self.w.y = top - BAND_H - 8.0;
    }

    fn space_left(&self) -> f32 {
        self.w.y - (MARGIN + FOOTER_H)
    }

    /// A new page unless `height` fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.space_left() < height {
            self.start_page();
        }
    }

    fn lines(&mut self, lines: &[String], size: f32, face: Face, x: f32, width: f32, lead: f32) {
        for l in lines {
            self.ensure(lead);
            self.w.y -= lead;
            let y = self.w.y + lead * 0.26;
            self.w.text(l, size, face, x, y, width);
        }
    }

    fn letterhead(&mut self) {
        let d = self.doc;
        for (text, size, face) in [
            (d.centre_name.as_str(), 14.0, Face::LatinBold),
            (d.centre_address.as_str(), 9.0, Face::Latin),
            (d.centre_phone.as_str(), 9.0, Face::Latin),
        ] {
            if text.trim().is_empty() {
                continue;
            }
            let lines = wrap(text, size, face, W);
            self.lines(&lines, size, face, MARGIN, W, size * 1.45);
        }
        self.w.y -= 5.0;
        let y = self.w.y;
        line(self.w.ops(), MARGIN, y, MARGIN + W, y);
        self.w.y -= 6.0;
        let title = wrap(&d.title, 13.0, Face::LatinBold, W);
        self.lines(&title, 13.0, Face::LatinBold, MARGIN, W, 19.0);
        self.w.y -= 4.0;
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading(h) => {
                self.ensure(22.0 + 2.0 * LEAD);
                self.w.y -= 8.0;
                let lines = wrap(h, 11.0, Face::LatinBold, W);
                self.lines(&lines, 11.0, Face::LatinBold, MARGIN, W, 15.5);
                let y = self.w.y - 2.0;
                line(self.w.ops(), MARGIN, y, MARGIN + W, y);
                self.w.y -= 4.0;
            }
            Block::Para(p) => {
                let lines = wrap(p, SIZE, Face::Latin, W);
                self.lines(&lines, SIZE, Face::Latin, MARGIN, W, LEAD);
                self.w.y -= 3.0;
            }
            Block::Fact(label, value) => {
                let label_w = FACT_LABEL_W.min(W / 2.0);
                let labels = wrap(label, SIZE, Face::LatinBold, label_w - 6.0);
                let values = wrap(value, SIZE, Face::Latin, W - label_w);
                let rows = labels.len().max(values.len()).max(1);
                self.ensure(rows as f32 * LEAD);
                let top = self.w.y;
                for (i, l) in labels.iter().enumerate() {
                    let y = top - (i as f32 + 1.0) * LEAD + LEAD * 0.26;
                    self.w.text(l, SIZE, Face::LatinBold, MARGIN, y, label_w - 6.0);
                }
                for (i, v) in values.iter().enumerate() {
                    let y = top - (i as f32 + 1.0) * LEAD + LEAD * 0.26;
                    self.w.text(v, SIZE, Face::Latin, MARGIN + label_w, y, W - label_w);
                }
                self.w.y = top - rows as f32 * LEAD;
            }
            Block::Table(columns, rows) => self.table(columns, rows),
            Block::Gap(g) => self.w.y -= g.max(0.0),
            Block::Chart(chart) => {
                self.ensure(super::chart::HEIGHT);
                let top = self.w.y;
                super::chart::draw(&mut self.w, chart, MARGIN, top, W);
                self.w.y = top - super::chart::HEIGHT;
            }
        }
    }

    fn table(&mut self, columns: &[String], rows: &[Vec<String>]) {
        let n = columns.len().max(1);
        let cw = W / n as f32;
        let cell_lines = |cells: &[String], face: Face| -> Vec<Vec<String>> {
            (0..n).map(|i| wrap(cells.get(i).map_or("", String::as_str), 8.5, face, cw - 2.0 * CELL_PAD)).collect()
        };
        let head = cell_lines(columns, Face::LatinBold);
        let head_rows = head.iter().map(Vec::len).max().unwrap_or(1);
        self.ensure((head_rows + 1) as f32 * 12.0 + 6.0);
        let draw_row = |f: &mut Self, cells: &[Vec<String>], face: Face, shaded: bool| {
            let height = cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * 12.0 + 4.0;
            f.ensure(height);
            let top = f.w.y;
            if shaded {
                f.w.ops().push(Op::SetFillColor { col: grey(0.92) });
                rect(f.w.ops(), MARGIN, top - height, W, height, PaintMode::Fill);
                f.w.ops().push(Op::SetFillColor { col: grey(0.0) });
            }
            for (i, lines) in cells.iter().enumerate() {
                let x = MARGIN + i as f32 * cw + CELL_PAD;
                for (j, l) in lines.iter().enumerate() {
                    f.w.text(l, 8.5, face, x, top - (j as f32 + 1.0) * 12.0 + 1.5, cw - 2.0 * CELL_PAD);
                }
            }
            f.w.y = top - height;
            let y = f.w.y;
            line(f.w.ops(), MARGIN, y, MARGIN + W, y);
        };
        draw_row(self, &head, Face::LatinBold, true);
        for row in rows {
            let cells = cell_lines(row, Face::Latin);
            draw_row(self, &cells, Face::Latin, false);
        }
        self.w.y -= 4.0;
    }
}

fn footer(fonts: &DocFonts, doc: &FlowDoc, page: usize, pages: usize) -> Vec<Op> {
    let mut f = Writer { fonts, cache: Default::default(), pages: vec![Vec::new()], y: 0.0, table_top: 0.0 };
    let y = MARGIN;
    f.ops().extend([Op::SetOutlineThickness { pt: printpdf::Pt(0.6) }, Op::SetOutlineColor { col: grey(0.35) }]);
    line(f.ops(), MARGIN, y + 12.0, PAGE_W - MARGIN, y + 12.0);
    f.text(&doc.printed, 7.5, Face::Latin, MARGIN, y, W * 0.78);
    let label = doc.page_label.replace("{x}", &(page + 1).to_string()).replace("{y}", &pages.to_string());
    f.text_right(&label, 7.5, PAGE_W - MARGIN, y);
    if !doc.seal.is_empty() {
        f.text(&doc.seal, 7.0, Face::Latin, MARGIN, y - 10.0, W * 0.78);
    }
    f.pages.pop().unwrap_or_default()
}

/// Renders the document to PDF bytes.
pub fn render(doc: &FlowDoc) -> Result<Vec<u8>> {
    let mut pdf = PdfDocument::new(&doc.title);
    let fonts = DocFonts::add_to(&mut pdf).ok_or_else(|| Error::Pdf("the bundled fonts could not be read".into()))?;
    let w = Writer { fonts: &fonts, cache: Default::default(), pages: Vec::new(), y: 0.0, table_top: 0.0 };
    let mut flow = Flow { w, doc };
    flow.start_page();
    flow.letterhead();
    for b in &doc.blocks {
        flow.block(b);
    }
    let total = flow.w.pages.len();
    let mut pages = Vec::with_capacity(total);
    for i in 0..total {
        let mut ops = std::mem::take(&mut flow.w.pages[i]);
        ops.extend(footer(&fonts, doc, i, total));
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    save(pdf, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_odd_documents_render_on_many_pages_without_panicking() {
        let huge = "क्षितिज त्रिपाठी ".repeat(300) + &"x".repeat(2000);
        let mut blocks = vec![Block::Heading("Register".into()), Block::Fact("Name".into(), huge.clone())];
        for i in 0..120 {
            blocks.push(Block::Table(
                vec!["Date".into(), "What".into()],
                vec![vec![format!("{i}"), huge.chars().take(200).collect()]],
            ));
        }
        blocks.push(Block::Para(String::new()));
        blocks.push(Block::Gap(-5.0));
        let doc = FlowDoc {
            title: "Copy of the record".into(),
            band: "CONFIDENTIAL".into(),
            page_label: "Page {x} of {y}".into(),
            blocks,
            ..FlowDoc::default()
        };
        assert!(render(&doc).unwrap().starts_with(b"%PDF"));
        assert!(render(&FlowDoc::default()).unwrap().starts_with(b"%PDF"));
    }
}
