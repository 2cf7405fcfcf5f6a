//! Troubles: those declared in section #5, with their catalogue labels.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::section;
use crate::domain::{DocumentCategory, TroubleCode};
use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean;

fn is_medical(c: &DocumentCategory) -> bool {
    matches!(
        c,
        DocumentCategory::BilanOrthophonique
            | DocumentCategory::BilanNeuropsychologique
            | DocumentCategory::BilanPsychometrique
            | DocumentCategory::BilanErgotherapie
            | DocumentCategory::BilanPsychomoteur
            | DocumentCategory::CertificatMedical
            | DocumentCategory::CompteRenduSpecialiste
            | DocumentCategory::FicheRenseignementsMedicaux
    )
}

/// Draws the Troubles tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = &req.record.request;
    let mut lines = vec![section(t, "Troubles déclarés")];
    if r.troubles.is_empty() {
        lines.push(Line::styled("  Aucun trouble déclaré.", t.dim));
    }
    for tr in &r.troubles {
        let note = match tr {
            TroubleCode::DyslexieDysorthographie
            | TroubleCode::Dysphasie
            | TroubleCode::Dyscalculie => {
                " — trouble des apprentissages : bilan orthophonique récent attendu"
            }
            TroubleCode::Dyspraxie => {
                " — trouble des apprentissages : bilan d'ergothérapie, de psychomotricité ou neuropsychologique attendu"
            }
            TroubleCode::Other(_) => " (code inconnu du catalogue)",
            _ => "",
        };
        lines.push(Line::raw(format!("  • {}{note}", clean(tr.label()))));
    }
    let medical: Vec<_> = r
        .documents
        .iter()
        .filter(|d| is_medical(&d.category))
        .collect();
    lines.push(Line::raw(""));
    lines.push(section(t, "Pièces médicales jointes"));
    if medical.is_empty() {
        lines.push(Line::styled("  Aucune.", t.dim));
    }
    for d in medical {
        let date = d
            .date
            .map(|x| x.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| "sans date".into());
        lines.push(Line::raw(format!(
            "  • {} ({date})",
            clean(d.category.label())
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "  Rappel : la motivation exportée reste fonctionnelle ; ne pas y nommer de trouble.",
        t.dim,
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((req.scroll, 0)),
        area,
    );
}
