//! The export screen: which avis will leave, to which rectorat, the file
//! to write, a confirmation, the progress and the files written.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use super::ExportPhase;
use crate::tui::app::App;
use crate::tui::clean::clean;

/// Draws the export screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let ex = &app.export;
    let [list_area, path_area, state_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(3),
        Constraint::Length(5),
    ])
    .areas(area);

    let mut lines: Vec<Line> = Vec::new();
    match &ex.items {
        None => lines.push(Line::styled(" Recherche des avis validés…", t.dim)),
        Some(items) if items.is_empty() => lines.push(Line::styled(
            " Aucun avis validé à exporter : validez des avis dans l'éditeur (v), puis revenez ici.",
            t.warn,
        )),
        Some(items) => {
            let mut issuers: Vec<&str> = items.iter().map(|i| i.issuer_name.as_str()).collect();
            issuers.sort_unstable();
            issuers.dedup();
            lines.push(Line::from(vec![
                Span::styled(format!(" {} avis validé(s)", items.len()), t.header),
                Span::raw(format!(
                    " seront signés et chiffrés pour : {}",
                    issuers.iter().map(|s| clean(s)).collect::<Vec<_>>().join(", ")
                )),
            ]));
            for i in items {
                lines.push(Line::raw(format!(
                    "  • {}  {}  → {}",
                    clean(&i.id),
                    clean(&i.candidate),
                    clean(&i.issuer_name)
                )));
            }
            lines.push(Line::styled(
                " Les notes privées ne sont jamais exportées. Un fichier par rectorat s'il y en a plusieurs.",
                t.dim,
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" Ce qui sera exporté ")
                    .border_style(t.border),
            )
            .wrap(Wrap { trim: false }),
        list_area,
    );

    let editing = ex.phase == ExportPhase::Editing;
    let path_line = Line::from(vec![
        Span::raw(format!(" {}", clean(&ex.path))),
        Span::styled(if editing { "▏" } else { "" }, t.key),
    ]);
    frame.render_widget(
        Paragraph::new(path_line).block(
            Block::bordered()
                .title(" Fichier à écrire ")
                .border_style(if editing { t.focus_border } else { t.border }),
        ),
        path_area,
    );

    let block = Block::bordered().title(" État ").border_style(t.border);
    match &ex.phase {
        ExportPhase::Editing => frame.render_widget(
            Paragraph::new(" Entrée : exporter (une confirmation sera demandée) · Tab : choisir le dossier · Échap : retour")
                .wrap(Wrap { trim: false })
                .block(block),
            state_area,
        ),
        ExportPhase::Confirm => frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!(" Confirmer l'export vers {} ?", clean(&ex.path)),
                    t.header,
                ),
                Line::raw(" o : oui, exporter · n : non"),
            ])
            .block(block),
            state_area,
        ),
        ExportPhase::Running => {
            let (label, ratio) = match &app.progress {
                Some(p) if p.total > 0 => (
                    crate::tui::screens::progress_text(p),
                    (p.done.min(p.total) as f64) / (p.total as f64),
                ),
                _ => ("Export en cours…".to_string(), 0.0),
            };
            frame.render_widget(
                Gauge::default()
                    .block(block)
                    .gauge_style(t.selected)
                    .ratio(ratio)
                    .label(label),
                state_area,
            );
        }
        ExportPhase::Done(files) => {
            let mut l = vec![Line::styled(" ✓ Export terminé :", t.ok)];
            for f in files {
                l.push(Line::raw(format!(
                    "  {} — {} avis pour {}",
                    clean(&f.path.display().to_string()),
                    f.opinions,
                    clean(&f.issuer_name)
                )));
            }
            l.push(Line::styled(" Entrée : retour à la liste", t.dim));
            frame.render_widget(
                Paragraph::new(l).block(block).wrap(Wrap { trim: false }),
                state_area,
            );
        }
        ExportPhase::Exists(p) => frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!(
                        " ⚠ {} existe déjà : rien n'a été écrit.",
                        clean(&p.display().to_string())
                    ),
                    t.warn,
                ),
                Line::raw(" a : écrire sous un autre nom · Maj+R : remplacer ce fichier · Échap : retour"),
            ])
            .block(block)
            .wrap(Wrap { trim: false }),
            state_area,
        ),
        ExportPhase::Failed(msg) => frame.render_widget(
            Paragraph::new(vec![
                Line::styled(format!(" ⚠ Échec de l'export : {msg}"), t.block),
                Line::styled(" Entrée : retour à la liste", t.dim),
            ])
            .block(block)
            .wrap(Wrap { trim: false }),
            state_area,
        ),
    }
}
