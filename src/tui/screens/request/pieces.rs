//! Pièces: each document's category, date and age; Enter shows it, `o`
//! opens it in the system viewer.

use chrono::NaiveDate;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Row, Table, TableState};
use ratatui::Frame;

use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean;

/// "2 ans 3 mois", "5 mois", "moins d'un mois" (or "date future").
pub fn age(date: NaiveDate, today: NaiveDate) -> String {
    if date > today {
        return "date future".into();
    }
    let months = (today.year_month() - date.year_month()) as i64
        - i64::from(chrono::Datelike::day(&today) < chrono::Datelike::day(&date));
    let (y, m) = (months / 12, months % 12);
    match (y, m) {
        (0, 0) => "moins d'un mois".into(),
        (0, m) => format!("{m} mois"),
        (1, 0) => "1 an".into(),
        (y, 0) => format!("{y} ans"),
        (1, m) => format!("1 an {m} mois"),
        (y, m) => format!("{y} ans {m} mois"),
    }
}

trait YearMonth {
    fn year_month(&self) -> i32;
}

impl YearMonth for NaiveDate {
    fn year_month(&self) -> i32 {
        use chrono::Datelike;
        self.year() * 12 + self.month0() as i32
    }
}

/// The document drawn at terminal row `row` (`n` documents), if any: the
/// table's header is on row 3, documents from row 4.
pub fn row_at(size: (u16, u16), n: usize, row: u16) -> Option<usize> {
    // Title, tabs, info line, table header; the hint and status lines below.
    let first = 4u16;
    let visible = size.1.saturating_sub(first + 2) as usize;
    let i = row.checked_sub(first)? as usize;
    (i < n && i < visible).then_some(i)
}

/// Draws the Pièces tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let docs = &req.record.request.documents;
    let [table_area, hint_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let rows: Vec<Row> = docs
        .iter()
        .map(|d| {
            Row::new(vec![
                clean(d.category.label()),
                d.date
                    .map(|x| x.format("%d/%m/%Y").to_string())
                    .unwrap_or_else(|| "sans date".into()),
                d.date
                    .map(|x| age(x, app.today))
                    .unwrap_or_else(|| "—".into()),
                d.pages.map(|p| format!("{p} p.")).unwrap_or_default(),
                clean(&d.filename),
            ])
        })
        .collect();
    let paper = req.draft.as_ref().map_or(0, |d| d.paper_documents.len());
    let hint = format!(
        " Entrée : afficher · o : visionneuse du système · P : pièce reçue sur papier{}",
        if paper > 0 {
            format!(" ({paper} reçue(s))")
        } else {
            String::new()
        }
    );
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("  Aucune pièce jointe à cette demande.").style(t.dim),
            table_area,
        );
        frame.render_widget(Paragraph::new(Line::styled(hint, t.dim)), hint_area);
        return;
    }
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Length(10),
            Constraint::Length(14),
            Constraint::Length(6),
            Constraint::Fill(2),
        ],
    )
    .header(Row::new(vec!["Catégorie", "Date", "Ancienneté", "Pages", "Fichier"]).style(t.header))
    .column_spacing(1)
    .row_highlight_style(t.selected)
    .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(Some(req.doc_selected));
    frame.render_stateful_widget(table, table_area, &mut state);
    frame.render_widget(Paragraph::new(Line::styled(hint, t.dim)), hint_area);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ages_are_in_words() {
        let today = d("2026-11-26");
        assert_eq!(age(d("2026-11-20"), today), "moins d'un mois");
        assert_eq!(age(d("2026-06-26"), today), "5 mois");
        assert_eq!(age(d("2024-08-27"), today), "2 ans 2 mois");
        assert_eq!(age(d("2025-11-26"), today), "1 an");
        assert_eq!(age(d("2027-01-01"), today), "date future");
    }
}
