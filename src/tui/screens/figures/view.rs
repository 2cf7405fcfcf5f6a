//! Draws the figures: the headline counts, then the outcomes, the measures
//! and the diplomas as horizontal bar charts (all three on a large
//! terminal, one at a time with Tab on a small one).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph};
use ratatui::Frame;

use super::CHARTS;
use crate::figures::{Count, Figures};
use crate::tui::app::App;
use crate::tui::clean::clean;
use crate::tui::screens::fit;

/// Whether the terminal has room for the three charts at once.
pub fn shows_all_charts(size: (u16, u16)) -> bool {
    size.0 >= 120 && size.1 >= 36
}

fn median_text(f: &Figures) -> String {
    match f.median_days_to_avis {
        Some(m) => format!("{} j", format!("{m}").replace('.', ",")),
        None => "—".into(),
    }
}

fn headline(app: &App, f: &Figures, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let item = |label: &str, value: String| {
        vec![
            Span::raw(format!(" {label} ")),
            Span::styled(value, t.header),
            Span::raw("  "),
        ]
    };
    let mut first = Vec::new();
    first.extend(item("Reçues", f.received.to_string()));
    first.extend(item("Avis validés ou exportés", f.reviewed.to_string()));
    first.extend(item("Exportés", f.exported.to_string()));
    first.extend(item("Hors délai", f.late.to_string()));
    let overrides = if f.overrides.is_empty() {
        "aucun".to_string()
    } else {
        f.overrides
            .iter()
            .map(|c| format!("{} {}", clean(&c.label), c.count))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let second = item("Délai médian de la réception à l'avis :", median_text(f));
    let third = vec![
        Span::raw(" Contrôles bloquants levés : "),
        Span::styled(fit(&overrides, width.saturating_sub(30)), t.header),
    ];
    vec![Line::from(first), Line::from(second), Line::from(third)]
}

fn label_width(area: Rect) -> usize {
    (area.width as usize / 3).clamp(8, 28)
}

fn count_chart<'a>(app: &App, title: String, counts: &[Count], area: Rect) -> BarChart<'a> {
    let width = label_width(area);
    let bars: Vec<Bar> = counts
        .iter()
        .map(|c| {
            Bar::new(c.count)
                .label(Line::raw(fit(&clean(&c.label), width)))
                .text_value(c.count.to_string())
        })
        .collect();
    chart(app, title, bars)
}

fn chart<'a>(app: &App, title: String, bars: Vec<Bar<'a>>) -> BarChart<'a> {
    let t = &app.theme;
    BarChart::horizontal(Vec::<Bar>::new())
        .data(BarGroup::new(bars))
        .block(Block::bordered().title(title).border_style(t.border))
        .bar_width(1)
        .bar_gap(0)
        .bar_style(t.ok)
        .value_style(t.selected)
        .style(t.base)
}

fn measures_chart<'a>(app: &App, f: &Figures, scroll: u16, area: Rect) -> BarChart<'a> {
    let t = &app.theme;
    let width = label_width(area);
    let groups: Vec<BarGroup> = f
        .measures
        .iter()
        .skip(scroll as usize)
        .map(|m| {
            let mut rows = vec![
                (clean(&m.label), m.requested, "demandée(s)", t.header),
                ("  ↳ accordées".to_string(), m.granted, "accordée(s)", t.ok),
                (
                    "  ↳ modifiées".to_string(),
                    m.modified,
                    "modifiée(s)",
                    t.warn,
                ),
                ("  ↳ refusées".to_string(), m.refused, "refusée(s)", t.block),
            ];
            if m.added > 0 {
                rows.push((
                    "  ↳ ajoutées".to_string(),
                    m.added,
                    "ajoutée(s) sans demande",
                    t.dim,
                ));
            }
            let bars: Vec<Bar> = rows
                .into_iter()
                .map(|(label, n, what, style)| {
                    Bar::new(n)
                        .label(Line::raw(fit(&label, width)))
                        .text_value(format!("{n} {what}"))
                        .style(style)
                })
                .collect();
            BarGroup::new(bars)
        })
        .collect();
    let title = if scroll > 0 {
        format!(" Mesures (↑ {scroll} de plus, ↑↓ pour défiler) ")
    } else {
        " Mesures (↑↓ pour défiler) ".to_string()
    };
    let chart = BarChart::horizontal(Vec::<Bar>::new())
        .block(Block::bordered().title(title).border_style(t.border))
        .bar_width(1)
        .bar_gap(0)
        .group_gap(1)
        .value_style(t.selected)
        .style(t.base);
    groups.into_iter().fold(chart, BarChart::data)
}

fn empty(app: &App, frame: &mut Frame, area: Rect, title: &str, text: &str) {
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {text}"), app.theme.dim)).block(
            Block::bordered()
                .title(format!(" {title} "))
                .border_style(app.theme.border),
        ),
        area,
    );
}

fn draw_chart(app: &App, frame: &mut Frame, area: Rect, f: &Figures, which: usize, tabs: bool) {
    let st = &app.figures;
    let title = |name: &str| {
        if tabs {
            format!(" {name} ({}/{}, Tab : suivant) ", which + 1, CHARTS.len())
        } else {
            format!(" {name} ")
        }
    };
    match which {
        0 if f.outcomes.is_empty() => empty(
            app,
            frame,
            area,
            CHARTS[0],
            "aucun avis validé ou exporté dans cette période",
        ),
        0 => frame.render_widget(count_chart(app, title(CHARTS[0]), &f.outcomes, area), area),
        1 if f.measures.is_empty() => empty(
            app,
            frame,
            area,
            CHARTS[1],
            "aucune mesure demandée dans cette période",
        ),
        1 => {
            let mut c = measures_chart(app, f, st.scroll, area);
            if tabs {
                c = c.block(
                    Block::bordered()
                        .title(title("Mesures (↑↓ pour défiler)"))
                        .border_style(app.theme.border),
                );
            }
            frame.render_widget(c, area)
        }
        _ if f.diplomas.is_empty() => empty(
            app,
            frame,
            area,
            CHARTS[2],
            "aucune demande dans cette période",
        ),
        _ => frame.render_widget(count_chart(app, title(CHARTS[2]), &f.diplomas, area), area),
    }
}

/// Draws the figures screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let st = &app.figures;
    let period = st
        .period
        .as_ref()
        .map(|p| clean(&p.label()))
        .unwrap_or_else(|| "…".into());
    let mut top = vec![Line::from(vec![
        Span::raw(" Période : "),
        Span::styled(period, t.title),
        Span::styled(if st.busy { "  calcul en cours…" } else { "" }, t.dim),
    ])];
    if let Some(text) = &st.range_input {
        top.push(Line::from(vec![
            Span::raw(" Reçues (du JJ/MM/AAAA au JJ/MM/AAAA) : "),
            Span::styled(format!("{}▏", clean(text)), t.selected),
        ]));
    }
    let Some(f) = st.figures.as_ref() else {
        top.push(Line::styled(" Calcul des chiffres…", t.dim));
        frame.render_widget(Paragraph::new(top), area);
        return;
    };
    top.extend(headline(app, f, area.width as usize));
    top.push(Line::styled(
        " Des nombres seulement : aucun nom, aucun identifiant, rien de médical.",
        t.dim,
    ));
    let top_height = top.len() as u16;
    let [head, charts] =
        Layout::vertical([Constraint::Length(top_height), Constraint::Min(3)]).areas(area);
    frame.render_widget(Paragraph::new(top), head);
    if shows_all_charts(app.size) {
        let small =
            (f.outcomes.len().max(f.diplomas.len()).max(1) as u16 + 2).min(charts.height / 2);
        let [upper, lower] =
            Layout::vertical([Constraint::Length(small), Constraint::Min(3)]).areas(charts);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(upper);
        draw_chart(app, frame, left, f, 0, false);
        draw_chart(app, frame, right, f, 2, false);
        draw_chart(app, frame, lower, f, 1, false);
    } else {
        draw_chart(app, frame, charts, f, st.chart, true);
    }
}
