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

/// Splits `text` into lines of at most `width` characters, at spaces when
/// possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: String = word.to_string();
        loop {
            let used = line.chars().count();
            let need = word.chars().count() + usize::from(used > 0);
            if used + need <= width {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than the line: cut it.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draws the Mesures tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = &req.record.request;
    let opinions = req.draft.as_ref().map(|d| &d.opinion.measures);
    let mut pairs: Vec<(String, String)> = r
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
            (asked, advised)
        })
        .collect();
    if let Some(ms) = opinions {
        for o in ms.iter().filter(|o| o.decision == Decision::Ajoute) {
            pairs.push((
                format!("(non demandée) {}", clean(o.code.label())),
                decision_text(o),
            ));
        }
    }
    if pairs.is_empty() {
        pairs.push(("Aucune mesure demandée.".into(), String::new()));
    }
    let col = (area.width.saturating_sub(2) / 2) as usize;
    let skip = (req.scroll as usize).min(pairs.len().saturating_sub(1));
    let rows: Vec<Row> = pairs
        .into_iter()
        .skip(skip)
        .map(|(asked, advised)| {
            let a = wrap(&asked, col);
            let b = wrap(&advised, col);
            let height = a.len().max(b.len()) as u16;
            Row::new(vec![Cell::from(a.join("\n")), Cell::from(b.join("\n"))])
                .height(height)
                .bottom_margin(1)
        })
        .collect();
    let table = Table::new(
        rows,
        [Constraint::Percentage(50), Constraint::Percentage(50)],
    )
    .header(
        Row::new(vec!["Demandé", "Avis proposé"])
            .style(t.header)
            .bottom_margin(1),
    )
    .column_spacing(2);
    frame.render_widget(table, area);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap("Temps majoré d'un tiers", 10),
            vec!["Temps", "majoré", "d'un tiers"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), vec![""]);
    }
}
