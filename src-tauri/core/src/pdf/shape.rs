//! Shaped text: a string is split into script runs (Latin, Devanagari, Gurmukhi), each
//! run is shaped with rustybuzz in its own Noto font, and the glyph ids are placed one by
//! one. printpdf's plain text output does not shape Indic scripts (conjuncts, the ि matra
//! and reph come out wrong); placed glyph ids are exactly what the shaper decided.
use std::sync::OnceLock;

use printpdf::{Codepoint, DictItem, FontId, Op, ParsedFont, PdfDocument, PdfFontHandle, Pt, TextItem, TextMatrix};

static NOTO_SANS: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
static NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
static NOTO_DEVANAGARI: &[u8] = include_bytes!("../../fonts/NotoSansDevanagari-Regular.ttf");
static NOTO_DEVANAGARI_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansDevanagari-Bold.ttf");
static NOTO_GURMUKHI: &[u8] = include_bytes!("../../fonts/NotoSansGurmukhi-Regular.ttf");
static NOTO_GURMUKHI_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansGurmukhi-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Latin,
    LatinBold,
    Devanagari,
    DevanagariBold,
    Gurmukhi,
    GurmukhiBold,
}

impl Face {
    const ALL: [Face; 6] =
        [Face::Latin, Face::LatinBold, Face::Devanagari, Face::DevanagariBold, Face::Gurmukhi, Face::GurmukhiBold];

    fn index(self) -> usize {
        self as usize
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Latin => NOTO_SANS,
            Face::LatinBold => NOTO_SANS_BOLD,
            Face::Devanagari => NOTO_DEVANAGARI,
            Face::DevanagariBold => NOTO_DEVANAGARI_BOLD,
            Face::Gurmukhi => NOTO_GURMUKHI,
            Face::GurmukhiBold => NOTO_GURMUKHI_BOLD,
        }
    }

    /// The bold face of the same script.
    fn bold(self) -> Face {
        match self {
            Face::Latin | Face::LatinBold => Face::LatinBold,
            Face::Devanagari | Face::DevanagariBold => Face::DevanagariBold,
            Face::Gurmukhi | Face::GurmukhiBold => Face::GurmukhiBold,
        }
    }
}

struct Fonts {
    shapers: Vec<rustybuzz::Face<'static>>,
    /// One shaping plan per face (making a plan is most of the cost of shaping a name).
    plans: Vec<rustybuzz::ShapePlan>,
    parsed: Vec<ParsedFont>,
}

fn script_tag(face: Face) -> rustybuzz::Script {
    match face {
        Face::Latin | Face::LatinBold => rustybuzz::script::LATIN,
        Face::Devanagari | Face::DevanagariBold => rustybuzz::script::DEVANAGARI,
        Face::Gurmukhi | Face::GurmukhiBold => rustybuzz::script::GURMUKHI,
    }
}

fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut shapers = Vec::new();
            let mut plans = Vec::new();
            let mut parsed = Vec::new();
            for f in Face::ALL {
                let face = rustybuzz::Face::from_slice(f.bytes(), 0)?;
                plans.push(rustybuzz::ShapePlan::new(
                    &face,
                    rustybuzz::Direction::LeftToRight,
                    Some(script_tag(f)),
                    None,
                    &[],
                ));
                shapers.push(face);
                let mut warnings = Vec::new();
                parsed.push(ParsedFont::from_bytes(f.bytes(), 0, &mut warnings)?);
            }
            Some(Fonts { shapers, plans, parsed })
        })
        .as_ref()
}

/// The fonts of one document.
pub struct DocFonts {
    ids: Vec<FontId>,
}

impl DocFonts {
    pub fn add_to(doc: &mut PdfDocument) -> Option<DocFonts> {
        let f = fonts()?;
        Some(DocFonts { ids: f.parsed.iter().map(|p| doc.add_font(p)).collect() })
    }
}

fn script_of(c: char) -> Option<Face> {
    match c as u32 {
        0x0900..=0x097F | 0xA8E0..=0xA8FF | 0x1CD0..=0x1CFF => Some(Face::Devanagari),
        0x0A00..=0x0A7F => Some(Face::Gurmukhi),
        // Spaces, digits, punctuation and joiners belong to the run they are in (the Noto
        // Devanagari and Gurmukhi fonts have them all except $ & @ `).
        0x24 | 0x26 | 0x40 | 0x60 => Some(Face::Latin),
        _ if c.is_whitespace() || c.is_ascii_punctuation() || c.is_ascii_digit() => None,
        0x200C | 0x200D => None,
        _ => Some(Face::Latin),
    }
}

/// Splits `text` into runs of one script. `latin` is the face for Latin runs; when it is
/// bold, the other scripts' runs are bold too.
pub fn runs(text: &str, latin: Face) -> Vec<(Face, &str)> {
    let bold = latin == Face::LatinBold;
    let mut out: Vec<(Face, &str)> = Vec::new();
    let mut start = 0;
    let mut current: Option<Face> = None;
    for (i, c) in text.char_indices() {
        let Some(s) = script_of(c).map(|s| match s {
            Face::Latin => latin,
            _ if bold => s.bold(),
            _ => s,
        }) else {
            continue;
        };
        match current {
            None => current = Some(s),
            Some(cur) if cur != s => {
                out.push((cur, &text[start..i]));
                start = i;
                current = Some(s);
            }
            _ => {}
        }
    }
    if start < text.len() {
        out.push((current.unwrap_or(latin), &text[start..]));
    }
    out
}

/// One placed glyph, in points relative to the start of the text.
#[derive(Debug, Clone)]
pub struct Glyph {
    pub face: Face,
    pub gid: u16,
    pub x: f32,
    pub y: f32,
    /// The text this glyph stands for (the first glyph of a cluster carries it), for
    /// copy-paste and text extraction.
    pub text: Option<String>,
    /// The advance a PDF viewer gives the glyph (the font's width, in thousandths of an
    /// em, as printpdf writes it into the font's `/W` array).
    pub pdf_width: f32,
}

/// The width printpdf writes for `gid` into the font's `/W` array (thousandths of an em).
fn pdf_width(f: &Fonts, face: Face, gid: u16) -> f32 {
    let font = &f.parsed[face.index()];
    let upem = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    font.get_or_decode_glyph(gid).map_or(0.0, |g| (f32::from(g.horz_advance) * 1000.0 / upem) as i64 as f32)
}

#[derive(Debug, Clone, Default)]
pub struct Shaped {
    /// The text the glyphs stand for, in logical order (what a reader copies or searches).
    pub text: String,
    pub glyphs: Vec<Glyph>,
    pub width: f32,
}

/// Shapes `text` at `size` points.
pub fn shape(text: &str, size: f32, latin: Face) -> Shaped {
    let Some(f) = fonts() else { return Shaped::default() };
    let mut out = Shaped { text: text.to_owned(), ..Shaped::default() };
    for (face, run) in runs(text, latin) {
        let shaper = &f.shapers[face.index()];
        let scale = size / shaper.units_per_em().max(1) as f32;
        let mut buf = rustybuzz::UnicodeBuffer::new();
        buf.push_str(run);
        buf.set_direction(rustybuzz::Direction::LeftToRight);
        buf.set_script(script_tag(face));
        let shaped = rustybuzz::shape_with_plan(shaper, &f.plans[face.index()], buf);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let mut seen_cluster: Option<u32> = None;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let cluster = info.cluster;
            let text = if seen_cluster == Some(cluster) {
                None
            } else {
                seen_cluster = Some(cluster);
                let end =
                    infos[i..].iter().map(|g| g.cluster).find(|c| *c != cluster).map_or(run.len(), |c| c as usize);
                let (a, b) = (cluster as usize, end);
                run.get(a.min(b)..a.max(b)).map(str::to_owned)
            };
            let gid = info.glyph_id as u16;
            out.glyphs.push(Glyph {
                face,
                gid,
                x: out.width + pos.x_offset as f32 * scale,
                y: pos.y_offset as f32 * scale,
                text,
                pdf_width: pdf_width(f, face, gid),
            });
            out.width += pos.x_advance as f32 * scale;
        }
    }
    out
}

/// Shapes `text`, shortening it with "…" until it fits `max_width` points.
pub fn shape_fit(text: &str, size: f32, latin: Face, max_width: f32) -> Shaped {
    let s = shape(text, size, latin);
    if s.width <= max_width {
        return s;
    }
    let chars: Vec<char> = text.chars().collect();
    // Cut only between letters: never before a sign (matra, virama, nukta) or after a
    // virama, so a shortened Indic name never shows a broken cluster.
    let cuts: Vec<usize> = (1..chars.len())
        .filter(|&i| !is_indic_sign(chars[i]) && !matches!(chars[i - 1], '\u{094D}' | '\u{0A4D}'))
        .collect();
    let (mut lo, mut hi) = (0usize, cuts.len());
    let mut best = shape("…", size, latin);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..cuts[mid - 1]].iter().collect::<String>().trim_end().to_owned() + "…";
        let c = shape(&candidate, size, latin);
        if c.width <= max_width {
            best = c;
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    best
}

fn is_indic_sign(c: char) -> bool {
    matches!(c as u32,
        0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963 |
        0x0A01..=0x0A03 | 0x0A3C..=0x0A51 | 0x0A70..=0x0A71 | 0x0A75)
}

/// The ops that draw shaped text with its baseline starting at (`x`, `y`) points.
/// Must be called between `StartTextSection` and `EndTextSection`.
///
/// Glyphs on one baseline in one font go out as one run: one text matrix, then the glyph
/// ids with, between two glyphs, the shift (whole thousandths of an em) that puts the next
/// glyph where the shaper placed it rather than where the font's own width would. Each
/// glyph is placed against its absolute position, so rounding never adds up along a name;
/// marks the shaper raised or lowered start a run of their own.
///
/// Text that is not plain ASCII is wrapped in a marked-content span whose `/ActualText` is
/// the text itself: a font's ToUnicode map gives one text per glyph, which cannot say
/// that a conjunct stands for three letters or that the ि drawn first is read after its
/// consonant. Text extraction, search, copy-paste and screen readers read the span's
/// text instead of the glyphs (poppler, PDFium, Acrobat).
pub fn draw(ops: &mut Vec<Op>, fonts: &DocFonts, shaped: &Shaped, size: f32, x: f32, y: f32) {
    let actual = !shaped.text.is_ascii();
    if actual {
        ops.push(actual_text(&shaped.text));
    }
    draw_glyphs(ops, fonts, shaped, size, x, y);
    if actual {
        ops.push(Op::EndMarkedContentWithProperties);
    }
}

/// `/Span <</ActualText <FEFF…>>> BDC`: the text in UTF-16BE with its byte order mark.
fn actual_text(text: &str) -> Op {
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let map = [("ActualText".to_owned(), DictItem::String { data, literal: false })].into();
    Op::BeginMarkedContentWithProperties { tag: "Span".into(), properties: DictItem::Dict { map } }
}

fn draw_glyphs(ops: &mut Vec<Op>, fonts: &DocFonts, shaped: &Shaped, size: f32, x: f32, y: f32) {
    let mut face: Option<Face> = None;
    let mut run: Vec<Codepoint> = Vec::new();
    // The run's baseline and start, and where the viewer's pen is (thousandths of an em
    // from the start).
    let (mut run_y, mut run_x, mut pen) = (f32::NAN, 0.0f32, 0.0f32);
    let flush = |ops: &mut Vec<Op>, run: &mut Vec<Codepoint>| {
        if !run.is_empty() {
            ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(std::mem::take(run))] });
        }
    };
    for g in &shaped.glyphs {
        if face != Some(g.face) || g.y != run_y || run.is_empty() {
            flush(ops, &mut run);
            if face != Some(g.face) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(fonts.ids[g.face.index()].clone()),
                    size: Pt(size),
                });
                face = Some(g.face);
            }
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x + g.x), Pt(y + g.y)) });
            (run_y, run_x, pen) = (g.y, g.x, 0.0);
        } else {
            let shift = (pen - (g.x - run_x) * 1000.0 / size).round();
            if shift != 0.0
                && let Some(prev) = run.last_mut()
            {
                prev.offset = shift;
                pen -= shift;
            }
        }
        run.push(match &g.text {
            Some(t) => Codepoint::with_cid(g.gid, 0.0, t.clone()),
            None => Codepoint::new(g.gid, 0.0),
        });
        pen += g.pdf_width;
    }
    flush(ops, &mut run);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_by_script_and_keep_spaces_and_digits() {
        let r = runs("Rahul राहुल ਗੁਰਪ੍ਰੀਤ 12", Face::Latin);
        let faces: Vec<Face> = r.iter().map(|x| x.0).collect();
        assert_eq!(faces, [Face::Latin, Face::Devanagari, Face::Gurmukhi]);
        assert_eq!(r.iter().map(|x| x.1).collect::<String>(), "Rahul राहुल ਗੁਰਪ੍ਰੀਤ 12");
        let bold: Vec<Face> = runs("Rahul राहुल ਗੁਰਪ੍ਰੀਤ", Face::LatinBold).iter().map(|x| x.0).collect();
        assert_eq!(bold, [Face::LatinBold, Face::DevanagariBold, Face::GurmukhiBold]);
    }

    #[test]
    fn every_character_of_mixed_names_has_a_glyph() {
        for name in ["क्षितिज त्रि.", "ਗੁਰਪ੍ਰੀਤ (ਸਿੰਘ) 98140-55555", "राम & श्याम @ 1", "Rahul S. …"]
        {
            let s = shape(name, 10.0, Face::Latin);
            assert!(s.glyphs.iter().all(|g| g.gid != 0), "a missing glyph in {name:?}");
        }
    }

    #[test]
    fn conjuncts_shape_to_fewer_glyphs_than_letters() {
        // क्ष is three code points and one glyph; ि is placed before its consonant.
        let ksha = shape("क्ष", 10.0, Face::Latin);
        assert_eq!(ksha.glyphs.len(), 1);
        let ki = shape("कि", 10.0, Face::Latin);
        assert_eq!(ki.glyphs.len(), 2);
        assert!(ki.glyphs[0].x < ki.glyphs[1].x);
        assert_eq!(ki.glyphs[0].text.as_deref(), Some("कि"), "the matra glyph comes first and carries the cluster");
    }

    #[test]
    fn shortened_names_never_break_a_cluster() {
        let name = "क्षितिज त्रिपाठी द्विवेदी";
        let full = shape(name, 10.0, Face::Latin).width;
        for w in [full * 0.3, full * 0.5, full * 0.8] {
            let s = shape_fit(name, 10.0, Face::Latin, w);
            assert!(s.width <= w + 0.01);
            let text: String = s.glyphs.iter().filter_map(|g| g.text.clone()).collect();
            assert!(text.ends_with('…'), "{text}");
            let kept = text.trim_end_matches('…');
            assert!(name.starts_with(kept), "{kept} is a prefix");
            assert!(!kept.ends_with('\u{094D}'));
            let next = name[kept.len()..].chars().next();
            assert!(next.is_none_or(|c| !is_indic_sign(c)), "cut before a sign in {kept:?}");
        }
    }
}
