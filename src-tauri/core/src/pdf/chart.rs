//! A simple grouped bar chart for flowing documents ([`super::letter::Block::Chart`]):
//! categories along the bottom (e.g. "Day 30"), one bar per series in each (shades of
//! grey, named in a legend), the value printed above each bar, and a light scale.
use printpdf::{Op, PaintMode};

use super::shape::Face;
use super::{Writer, grey, line, rect};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    pub title: String,
    /// Along the bottom.
    pub categories: Vec<String>,
    /// Each series: its name and one value per category.
    pub series: Vec<(String, Vec<u32>)>,
}

/// The height the chart takes on the page, in points.
pub const HEIGHT: f32 = 210.0;

const SHADES: [f32; 5] = [0.15, 0.4, 0.6, 0.78, 0.9];

/// Draws `chart` with its top at `top`, between `x` and `x + width`.
pub(super) fn draw(w: &mut Writer<'_>, chart: &BarChart, x: f32, top: f32, width: f32) {
    let title_y = top - 12.0;
    w.text(&chart.title, 10.0, Face::LatinBold, x, title_y, width);
    // The legend, in one row under the title.
    let mut lx = x;
    let legend_y = top - 28.0;
    for (i, (name, _)) in chart.series.iter().enumerate() {
        let shade = SHADES[i % SHADES.len()];
        w.ops().push(Op::SetFillColor { col: grey(shade) });
        rect(w.ops(), lx, legend_y - 1.0, 9.0, 9.0, PaintMode::FillStroke);
        w.ops().push(Op::SetFillColor { col: grey(0.0) });
        let label_w = super::shape::shape(name, 8.5, Face::Latin).width.min(width / 2.0);
        w.text(name, 8.5, Face::Latin, lx + 12.0, legend_y, label_w + 1.0);
        lx += 12.0 + label_w + 14.0;
    }
    let plot_top = top - 44.0;
    let plot_bottom = top - HEIGHT + 22.0;
    let plot_h = plot_top - plot_bottom;
    let axis_x = x + 24.0;
    let plot_w = width - 24.0;
    let max = chart.series.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    // A light scale: 0, half and the largest value.
    w.ops().push(Op::SetOutlineColor { col: grey(0.8) });
    for (value, frac) in [(0, 0.0), (max / 2, 0.5), (max, 1.0)] {
        let y = plot_bottom + plot_h * frac;
        line(w.ops(), axis_x, y, axis_x + plot_w, y);
        w.text_right(&value.to_string(), 7.5, axis_x - 4.0, y - 2.5);
    }
    w.ops().push(Op::SetOutlineColor { col: grey(0.35) });
    line(w.ops(), axis_x, plot_bottom, axis_x, plot_top);
    let n_cat = chart.categories.len().max(1);
    let n_ser = chart.series.len().max(1);
    let slot = plot_w / n_cat as f32;
    let bar_w = ((slot - 16.0) / n_ser as f32).clamp(2.0, 36.0);
    for (c, category) in chart.categories.iter().enumerate() {
        let group_w = bar_w * n_ser as f32;
        let start = axis_x + slot * c as f32 + (slot - group_w) / 2.0;
        for (s, (_, values)) in chart.series.iter().enumerate() {
            let value = values.get(c).copied().unwrap_or(0);
            let h = plot_h * value as f32 / max as f32;
            let bx = start + bar_w * s as f32;
            w.ops().push(Op::SetFillColor { col: grey(SHADES[s % SHADES.len()]) });
            if h > 0.0 {
                rect(w.ops(), bx, plot_bottom, bar_w, h, PaintMode::FillStroke);
            }
            w.ops().push(Op::SetFillColor { col: grey(0.0) });
            let label = value.to_string();
            let lw = super::shape::shape(&label, 7.0, Face::Latin).width;
            w.text(&label, 7.0, Face::Latin, bx + (bar_w - lw) / 2.0, plot_bottom + h + 2.5, bar_w + 8.0);
        }
        let cw = super::shape::shape(category, 8.5, Face::Latin).width.min(slot);
        w.text(category, 8.5, Face::Latin, axis_x + slot * c as f32 + (slot - cw) / 2.0, plot_bottom - 13.0, slot);
    }
    line(w.ops(), axis_x, plot_bottom, axis_x + plot_w, plot_bottom);
}
