//! Mesures: what was requested and what the avis advises, side by side.

use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table};
use ratatui::Frame;

use crate::domain::Decision;
use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean;

/// Text of an avis on a measure ("Modifié → Temps majoré d'un sixième").
pub fn decision_text(m: &crate::domain::MeasureOpinion) -> String {
    let mut s = m.decision.label().to_string();
    if m.decision == Decision::Modifie {
        if let Some(g) = &m.granted {
            s.push_str(" → ");
            s.push_str(&clean(g.label()));
        }
    }
    if m.decision != Decision::Refuse {
        s.push_str(&format!(" ; {}", m.epreuves.label().to_lowercase()));
    }
    if let Some(d) = &m.detail {
        s.push_str(&format!(" ; {}", clean(d)));
    }
    if let Some(why) = &m.motivation {
        s.push_str(&format!(" ; motif : {}", clean(why)));
    }
    s
}

/// Draws the Mesures tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = &req.record.request;
    let opinions = req.draft.as_ref().map(|d| &d.opinion.measures);
    let mut rows: Vec<Row> = r
        .requested_measures
        .iter()
        .map(|m| {
            let mut asked = clean(m.code.label());
            if let Some(d) = &m.detail {
                asked.push_str(&format!(" [{}]", clean(d)));
            }
            let advised = opinions
                .and_then(|ms| {
                    ms.iter()
                        .find(|o| o.code == m.code && o.decision != Decision::Ajoute)
                })
                .map(decision_text)
                .unwrap_or_else(|| "— à décider".into());
            Row::new(vec![Cell::from(asked), Cell::from(advised)])
        })
        .collect();
    if let Some(ms) = opinions {
        for o in ms.iter().filter(|o| o.decision == Decision::Ajoute) {
            rows.push(Row::new(vec![
                Cell::from(format!("(non demandée) {}", clean(o.code.label()))),
                Cell::from(decision_text(o)),
            ]));
        }
    }
    if rows.is_empty() {
        rows.push(Row::new(vec![
            Cell::from("Aucune mesure demandée."),
            Cell::from(""),
        ]));
    }
    let skip = (req.scroll as usize).min(rows.len().saturating_sub(1));
    let rows: Vec<Row> = rows.into_iter().skip(skip).collect();
    let table = Table::new(
        rows,
        [Constraint::Percentage(50), Constraint::Percentage(50)],
    )
    .header(Row::new(vec!["Demandé (#6)", "Avis proposé"]).style(t.header))
    .column_spacing(2);
    frame.render_widget(table, area);
}
