//! Synthèse: candidate, exam and session, school, procedure, supports, the
//! candidate's comments (#7) and the checks.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{field, finding_lines, section};
use crate::tui::app::{App, RequestView};
use crate::tui::clean::clean_lines;

/// A code-like value (`terminale_generale`) made readable, with its
/// accents ("Terminale générale"); free text is left as it is.
fn humanize(s: &str) -> String {
    crate::domain::catalogue::code_label(s)
}

/// Draws the Synthèse tab.
pub fn render(app: &App, req: &RequestView, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let r = &req.record.request;
    let c = &r.candidate;
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(review) = super::revoir::review_of(app, &r.id) {
        lines.extend(super::revoir::lines(t, review));
    }
    lines.push(section(t, "Candidat"));
    lines.push(field(t, "Nom", &c.display_name()));
    lines.push(field(
        t,
        "Né(e) le",
        &c.birth_date.format("%d/%m/%Y").to_string(),
    ));
    if let Some(e) = &c.email {
        lines.push(field(t, "Courriel", e));
    }
    if let Some(l) = &c.legal_representative {
        lines.push(field(t, "Représentant légal", l));
    }
    lines.push(section(t, "Examen et session"));
    let mut exam = r.exam.diploma.label().to_string();
    if !r.exam.label.is_empty() && r.exam.label != r.exam.diploma.label() {
        exam.push_str(" — ");
        exam.push_str(&r.exam.label);
    }
    lines.push(field(t, "Diplôme", &exam));
    if let Some(l) = &r.exam.level {
        lines.push(field(t, "Niveau", &humanize(l)));
    }
    if let Some(tr) = &r.exam.track {
        lines.push(field(t, "Série, spécialité", tr));
    }
    lines.push(field(t, "Session", &r.exam.session));
    if let Some(a) = &r.exam.anticipated_session {
        lines.push(field(t, "Session anticipée", a));
    }
    lines.push(section(t, "Scolarité"));
    let mut school = humanize(&r.schooling.kind);
    if !r.schooling.academy.is_empty() {
        school.push_str(&format!(", académie de {}", r.schooling.academy));
    }
    lines.push(field(t, "Situation", &school));
    if let Some(e) = &r.schooling.establishment {
        lines.push(field(
            t,
            "Établissement",
            &format!("{} — {} (UAI {})", e.name, e.city, e.uai),
        ));
    }
    lines.push(section(t, "Procédure"));
    lines.push(field(t, "Procédure", r.procedure.label()));
    lines.push(field(
        t,
        "Reçue le",
        &format!(
            "{}{}",
            r.received_at.format("%d/%m/%Y"),
            if r.late { " — HORS DÉLAIS" } else { "" }
        ),
    ));
    let supports = if r.supports.is_empty() {
        "aucun".to_string()
    } else {
        r.supports.join(", ")
    };
    lines.push(field(t, "Accompagnements (PAP, PPS, PAI, AESH)", &supports));
    lines.push(section(t, "Commentaires du candidat"));
    match r.comments.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            for l in clean_lines(text) {
                lines.push(Line::raw(format!("  {l}")));
            }
        }
        None => lines.push(Line::styled("  (aucun)", t.dim)),
    }
    lines.push(section(t, "Contrôles réglementaires"));
    lines.extend(finding_lines(&req.findings, t));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((req.scroll, 0)),
        area,
    );
}
