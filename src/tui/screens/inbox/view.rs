//! The inbox: counts per status, the filter line, and the table of
//! requests. Only the visible rows are built, so thousands of requests
//! cost nothing more than a screenful.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};
use ratatui::Frame;

use super::model::visible_offset;
use crate::domain::Status;
use crate::tui::app::App;

/// Lines above the first data row inside the body (counts, filter, table header).
const TABLE_TOP: u16 = 3;

/// Data rows visible for a terminal of `height` lines.
pub fn table_rows(height: u16) -> usize {
    // Title line, status bar, then the body's TABLE_TOP lines.
    height.saturating_sub(2 + TABLE_TOP).max(1) as usize
}

/// The index (into the view) of the row drawn at terminal row `row`, if any.
pub fn row_at(app: &App, _col: u16, row: u16) -> Option<usize> {
    let first = 1 + TABLE_TOP;
    if row < first {
        return None;
    }
    let height = table_rows(app.size.1);
    let rel = (row - first) as usize;
    if rel >= height {
        return None;
    }
    let offset = visible_offset(app.inbox.offset, app.inbox.selected, height);
    let i = offset + rel;
    (i < app.inbox.view.len()).then_some(i)
}

fn status_label(s: Status) -> &'static str {
    s.label()
}

/// Draws the inbox.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let inbox = &app.inbox;
    let [counts_area, filter_area, table_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);

    let c = inbox.counts();
    let sel = |s: Option<Status>| inbox.status_filter == s && !inbox.review_only;
    let mark = |on: bool| if on { t.selected } else { t.base };
    let mut counts = Line::from(vec![
        Span::styled(format!(" 0 Tous {} ", inbox.rows.len()), mark(sel(None))),
        Span::raw(" "),
        Span::styled(
            format!("1 À traiter {} ", c[0]),
            mark(sel(Some(Status::ATraiter))),
        ),
        Span::raw(" "),
        Span::styled(
            format!("2 Brouillon {} ", c[1]),
            mark(sel(Some(Status::Brouillon))),
        ),
        Span::raw(" "),
        Span::styled(
            format!("3 Validé {} ", c[2]),
            mark(sel(Some(Status::Valide))),
        ),
        Span::raw(" "),
        Span::styled(
            format!("4 Exporté {} ", c[3]),
            mark(sel(Some(Status::Exporte))),
        ),
    ]);
    let review = inbox.review_count();
    if review > 0 || inbox.review_only {
        counts.push_span(Span::raw(" "));
        counts.push_span(Span::styled(
            format!("5 À revoir {review} "),
            if inbox.review_only {
                t.selected
            } else {
                t.warn
            },
        ));
    }
    // The first load of a day shows the lines before the checks are rerun.
    if inbox.rows.iter().any(|r| r.summary.alerts_pending) {
        counts.push_span(Span::styled(" · alertes…", t.dim));
    }
    frame.render_widget(Paragraph::new(counts), counts_area);

    let arrow = if inbox.descending { "↓" } else { "↑" };
    let filter = if inbox.editing_filter {
        Line::from(vec![
            Span::styled(" Filtre : ", t.header),
            Span::raw(crate::tui::clean::clean(&inbox.query)),
            Span::styled("▏", t.key),
            Span::styled(
                format!("   {} / {} affichées", inbox.view.len(), inbox.rows.len()),
                t.dim,
            ),
        ])
    } else if !inbox.query.is_empty() {
        Line::from(vec![
            Span::styled(" Filtre : ", t.header),
            Span::raw(crate::tui::clean::clean(&inbox.query)),
            Span::styled(
                format!(
                    "   {} / {} affichées · tri : {} {arrow}",
                    inbox.view.len(),
                    inbox.rows.len(),
                    inbox.sort.label()
                ),
                t.dim,
            ),
        ])
    } else {
        Line::from(vec![Span::styled(
            format!(
                " Tri : {} {arrow} · {} demande(s) affichée(s) · / pour filtrer",
                inbox.sort.label(),
                inbox.view.len()
            ),
            t.dim,
        )])
    };
    frame.render_widget(Paragraph::new(filter), filter_area);

    if inbox.loaded && inbox.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(
                " Aucune demande dans le magasin : importez un lot avec « avis import FICHIER ».",
            )
            .style(t.dim),
            table_area,
        );
        return;
    }
    if !inbox.view.is_empty() || inbox.loaded {
        render_table(app, frame, table_area);
    }
}

fn render_table(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let inbox = &app.inbox;
    let wide = area.width >= 120;
    let height = area.height.saturating_sub(1).max(1) as usize;
    let offset = visible_offset(inbox.offset, inbox.selected, height);
    let end = (offset + height).min(inbox.view.len());
    let mut header = vec!["N°", "Candidat", "Diplôme, session"];
    let mut widths = vec![
        Constraint::Length(if wide { 18 } else { 15 }),
        Constraint::Fill(2),
        Constraint::Fill(3),
    ];
    if wide {
        header.push("Procédure");
        widths.push(Constraint::Length(11));
        header.push("Épreuves");
        widths.push(Constraint::Length(10));
    }
    if wide {
        header.extend(["Reçue le", "Hors délais", "Alertes", "Statut"]);
        widths.extend([
            Constraint::Length(10),
            Constraint::Length(11),
            Constraint::Length(7),
            Constraint::Length(9),
        ]);
    } else {
        header.extend(["Reçue le", "H.D.", "Al.", "Statut"]);
        widths.extend([
            Constraint::Length(10),
            Constraint::Length(4),
            Constraint::Length(3),
            Constraint::Length(9),
        ]);
    }
    // The columns' widths, as the table lays them out (the selection
    // symbol takes two columns).
    let cols: Vec<u16> = Layout::horizontal(widths.clone())
        .flex(ratatui::layout::Flex::Legacy)
        .spacing(1)
        .split(Rect::new(0, 0, area.width.saturating_sub(2), 1))
        .iter()
        .map(|r| r.width)
        .collect();
    let rows: Vec<Row> = inbox.view[offset.min(end)..end]
        .iter()
        .filter_map(|&i| inbox.rows.get(i))
        .map(|r| {
            let s = &r.summary;
            let mut cells = vec![
                r.id.clone(),
                r.candidate.clone(),
                format!(
                    "{} {}",
                    if wide { &r.diploma } else { &r.diploma_short },
                    r.session
                ),
            ];
            if wide {
                cells.push(
                    s.procedure
                        .label()
                        .trim_start_matches("Procédure ")
                        .to_string(),
                );
                cells.push(
                    r.first_exam
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_else(|| "—".into()),
                );
            }
            cells.push(s.received_at.format("%d/%m/%Y").to_string());
            cells.push(if s.late { "oui".into() } else { "non".into() });
            cells.push(if s.alerts_pending {
                "…".into()
            } else {
                s.alerts.to_string()
            });
            cells.push(status_label(s.status).to_string());
            // A cut text ends with "…".
            Row::new(
                cells
                    .into_iter()
                    .zip(&cols)
                    .map(|(text, w)| crate::tui::screens::fit(&text, *w as usize))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let table = Table::new(rows, widths)
        .flex(ratatui::layout::Flex::Legacy)
        .header(Row::new(header).style(t.header))
        .column_spacing(1)
        .row_highlight_style(t.selected)
        .highlight_symbol("▶ ");
    let mut state = TableState::default();
    if !inbox.view.is_empty() {
        state.select(Some(inbox.selected.saturating_sub(offset)));
    }
    frame.render_stateful_widget(table, area, &mut state);
}
