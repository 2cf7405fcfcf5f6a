//! Drawing the avis editor: the information lines, the measures list, the
//! checks or the missing pièces, the two text areas, the pop-ups.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::model::{
    epreuves_preview, Chooser, ChooserPurpose, Editor, EditorFocus, LinePurpose, MeasureRow,
    PickerPurpose, SaveState, EPREUVES, TEMPLATES,
};
use super::text::TextField;
use crate::domain::{Decision, DocumentCategory, Outcome, ValidityKind};
use crate::tui::app::App;
use crate::tui::clean::clean;
use crate::tui::theme::Theme;

use crate::tui::screens::request::finding_lines;
use crate::tui::screens::request::mesures::{decision_text, wrap};
use crate::tui::screens::{centered, popup};

fn border(t: &Theme, focused: bool) -> Style {
    if focused {
        t.focus_border
    } else {
        t.border
    }
}

fn save_text(ed: &Editor) -> (String, bool) {
    match &ed.save {
        SaveState::Saved => ("✓ Enregistré".into(), false),
        SaveState::Pending => ("… modifié".into(), false),
        SaveState::Saving => ("… enregistrement".into(), false),
        SaveState::Failed(_) => ("⚠ NON ENREGISTRÉ (nouvel essai automatique)".into(), true),
    }
}

/// Where the parts of the editor are drawn inside the body `area`.
pub struct EditorAreas {
    pub info: Rect,
    pub measures: Rect,
    pub right: Rect,
    pub motivation: Rect,
    pub notes: Rect,
}

/// The editor's layout (shared by drawing and mouse clicks).
pub fn areas(area: Rect) -> EditorAreas {
    let text_h = (area.height / 3).clamp(4, 10);
    let [info, middle, texts] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(text_h),
    ])
    .areas(area);
    let [measures, right] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(middle);
    let [motivation, notes] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(texts);
    EditorAreas {
        info,
        measures,
        right,
        motivation,
        notes,
    }
}

/// Lines a row of the measures list takes.
/// The text lines of one row of the measures list, wrapped to `width`
/// (the list's inner width): the measure, what was asked in detail, the
/// decision. The second element says which lines are secondary (dimmed).
fn measure_lines(ed: &Editor, row: MeasureRow, width: usize) -> Vec<(String, bool)> {
    let (label, requested_detail) = match row {
        MeasureRow::Requested(n) => ed
            .requested
            .get(n)
            .map(|(c, d)| (clean(c.label()), d.as_deref().map(clean)))
            .unwrap_or_default(),
        MeasureRow::Added(i) => ed
            .draft
            .opinion
            .measures
            .get(i)
            .map(|m| (format!("+ {}", clean(m.code.label())), None))
            .unwrap_or_default(),
    };
    let decision = ed
        .opinion(row)
        .map(decision_text)
        .unwrap_or_else(|| "— à décider (a/r/m)".into());
    let mark = match ed.opinion(row).map(|m| &m.decision) {
        Some(Decision::Accorde) | Some(Decision::Ajoute) => "[✓]",
        Some(Decision::Refuse) => "[✗]",
        Some(Decision::Modifie) => "[~]",
        _ => "[ ]",
    };
    let indent = "     ";
    let inner = width.saturating_sub(indent.len()).max(8);
    let mut lines: Vec<(String, bool)> = wrap(&format!("{mark} {label}"), width.max(8))
        .into_iter()
        .map(|l| (l, false))
        .collect();
    if let Some(d) = requested_detail {
        for l in wrap(&format!("demandé : {d}"), inner) {
            lines.push((format!("{indent}{l}"), true));
        }
    }
    for l in wrap(&format!("→ {decision}"), inner) {
        lines.push((format!("{indent}{l}"), true));
    }
    lines
}

/// Inner width of the measures list drawn in `area` (borders and the
/// selection symbol taken off).
fn measures_width(area: Rect) -> usize {
    area.width.saturating_sub(4) as usize
}

/// What a click at (col, row) of the terminal lands on in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorClick {
    /// A line of the measures list (index into the rows).
    Measure(usize),
    Focus(EditorFocus),
}

/// Maps a click to a part of the editor (`size`: the terminal's).
pub fn click_at(
    ed: &Editor,
    size: (u16, u16),
    message_lines: u16,
    col: u16,
    row: u16,
) -> Option<EditorClick> {
    let a = areas(crate::tui::screens::body_area(size, message_lines));
    let pos = ratatui::layout::Position::new(col, row);
    if a.motivation.contains(pos) {
        return Some(EditorClick::Focus(EditorFocus::Motivation));
    }
    if a.notes.contains(pos) {
        return Some(EditorClick::Focus(EditorFocus::Notes));
    }
    if a.right.contains(pos)
        && (ed.outcome() == Outcome::Incomplet || ed.focus == EditorFocus::Missing)
    {
        return Some(EditorClick::Focus(EditorFocus::Missing));
    }
    if !a.measures.contains(pos) || row <= a.measures.y {
        return None;
    }
    // Rows are drawn from the top of the list when the selection fits.
    let inner_top = a.measures.y + 1;
    let inner_h = a.measures.height.saturating_sub(2);
    let rows = ed.rows();
    let mut y = inner_top;
    for (i, r) in rows.iter().enumerate() {
        let h = measure_lines(ed, *r, measures_width(a.measures)).len() as u16;
        if y + h > inner_top + inner_h {
            break;
        }
        if row >= y && row < y + h {
            return Some(EditorClick::Measure(i));
        }
        y += h;
    }
    Some(EditorClick::Focus(EditorFocus::Measures))
}

/// Draws the editor.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(ed) = app.editor.as_ref() else {
        return;
    };
    let t = &app.theme;
    let EditorAreas {
        info: info_area,
        measures: left,
        right,
        motivation: mot,
        notes,
    } = areas(area);

    // Info: status, outcome, validity, saved indicator.
    let outcome = ed.outcome();
    let how = if ed.outcome_override.is_some() {
        "imposé"
    } else {
        "calculé"
    };
    // With measures still undecided and nothing imposed, the outcome
    // cannot be computed yet.
    let outcome_text = if ed.outcome_override.is_none()
        && ed.draft.opinion.missing_documents.is_empty()
        && ed.undecided() > 0
    {
        "à déterminer (mesures à décider)".to_string()
    } else {
        format!("{} ({how}, o)", outcome.label())
    };
    let validity = match ed.draft.opinion.validity.kind {
        ValidityKind::Cycle => format!(
            "cycle jusqu'à {}",
            clean(&ed.draft.opinion.validity.until_session)
        ),
        _ => format!(
            "session {}",
            clean(&ed.draft.opinion.validity.until_session)
        ),
    };
    let (saved, save_err) = save_text(ed);
    let blocking = app
        .request
        .as_ref()
        .map(|r| r.findings.iter().filter(|f| f.blocks()).count())
        .unwrap_or(0);
    let info = vec![
        Line::from(vec![
            Span::styled(" Statut : ", t.header),
            Span::raw(ed.status.label()),
            Span::styled("  À décider : ", t.header),
            Span::raw(ed.undecided().to_string()),
            Span::styled("  Bloquants : ", t.header),
            Span::raw(blocking.to_string()),
            Span::raw("  "),
            Span::styled(saved, if save_err { t.block } else { t.ok }),
        ]),
        Line::from(vec![
            Span::styled(" Résultat : ", t.header),
            Span::raw(outcome_text),
            Span::styled("  Validité : ", t.header),
            Span::raw(format!("{validity} (p)")),
        ]),
    ];
    frame.render_widget(Paragraph::new(info).wrap(Wrap { trim: true }), info_area);

    render_measures(app, ed, frame, left);
    if outcome == Outcome::Incomplet || ed.focus == EditorFocus::Missing {
        render_missing(app, ed, frame, right);
    } else {
        let findings = app
            .request
            .as_ref()
            .map(|r| finding_lines(&r.findings, t))
            .unwrap_or_default();
        let block = Block::bordered()
            .title(format!(
                " {} ",
                crate::tui::screens::fit(
                    "Contrôles (ce qui bloque la validation)",
                    right.width.saturating_sub(4) as usize
                )
            ))
            .border_style(t.border);
        frame.render_widget(
            Paragraph::new(findings)
                .block(block)
                .wrap(Wrap { trim: false }),
            right,
        );
    }

    render_text(
        app,
        frame,
        mot,
        &ed.motivation,
        " Motivation exportée (Tab) ",
        ed.focus == EditorFocus::Motivation,
        t.base,
    );
    render_text(
        app,
        frame,
        notes,
        &ed.notes,
        " Notes privées — JAMAIS exportées ",
        ed.focus == EditorFocus::Notes,
        t.private,
    );

    if let Some(picker) = &ed.picker {
        render_picker(app, picker, frame, area);
    }
    if let Some(chooser) = &ed.chooser {
        render_chooser(app, ed, chooser, frame, area);
    }
    if ed.confirm_reopen.is_some() {
        render_confirm_reopen(app, ed, frame, area);
    }
    if let Some(line) = &ed.line {
        let rect = centered(area, 74, 6);
        let (title, prompt) = match &line.purpose {
            LinePurpose::Detail(_) => (
                " Détail de la mesure ",
                " Précision (restriction, logiciels, épreuves nommées) :".to_string(),
            ),
            LinePurpose::MeasureMotivation(_) => (
                " Motif de la mesure ",
                " Motif fonctionnel, exporté (sans diagnostic) :".to_string(),
            ),
            LinePurpose::UntilSession => (
                " Validité de l'avis ",
                " Dernière session couverte par l'avis :".to_string(),
            ),
            LinePurpose::Override { rule, .. } => (
                " Lever un contrôle bloquant ",
                format!(
                    " Motif écrit pour lever le contrôle « {} » (journalisé) :",
                    crate::domain::checks::rule(rule)
                        .map(|r| r.title.to_string())
                        .unwrap_or_else(|| "bloquant".into())
                ),
            ),
        };
        let lines = vec![
            Line::raw(prompt),
            Line::from(vec![
                Span::raw(format!(" {}", clean(&line.text))),
                Span::styled("▏", t.key),
            ]),
            Line::styled(" Entrée : valider · Échap : annuler", t.dim),
        ];
        popup(app, frame, rect, title, lines);
    }
}

fn render_measures(app: &App, ed: &Editor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = ed.focus == EditorFocus::Measures;
    let width = measures_width(area);
    let items: Vec<ListItem> = ed
        .rows()
        .into_iter()
        .map(|row| {
            let lines: Vec<Line> = measure_lines(ed, row, width)
                .into_iter()
                .map(|(l, dim)| {
                    if dim {
                        Line::styled(l, t.dim)
                    } else {
                        Line::raw(l)
                    }
                })
                .collect();
            ListItem::new(lines)
        })
        .collect();
    let block = Block::bordered()
        .title(part_title(
            t,
            "Mesures : a accorder · r refuser · m modifier · + ajouter",
            focused,
            "LISTE",
            area.width,
        ))
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border(t, focused));
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new("Aucune mesure demandée : + pour en ajouter une.")
                .block(block)
                .style(t.dim),
            area,
        );
        return;
    }
    let list = List::new(items)
        .block(block)
        .highlight_style(if focused {
            t.selected
        } else {
            t.base.add_modifier(Modifier::BOLD)
        })
        .highlight_symbol("▶ ");
    let mut state = ListState::default().with_selected(Some(ed.selected));
    frame.render_stateful_widget(list, area, &mut state);
}

fn render_missing(app: &App, ed: &Editor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = ed.focus == EditorFocus::Missing;
    let items: Vec<ListItem> = DocumentCategory::KNOWN
        .iter()
        .map(|c| {
            let mark = if ed.is_missing(c) { "[x]" } else { "[ ]" };
            ListItem::new(format!("{mark} {}", c.label()))
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::bordered()
                .title(part_title(
                    t,
                    "Pièces manquantes (Espace coche)",
                    focused,
                    "LISTE",
                    area.width,
                ))
                .border_type(if focused {
                    BorderType::Thick
                } else {
                    BorderType::Plain
                })
                .border_style(border(t, focused)),
        )
        .highlight_style(if focused { t.selected } else { t.base })
        .highlight_symbol("▶ ");
    let mut state = ListState::default().with_selected(Some(ed.missing_selected));
    frame.render_stateful_widget(list, area, &mut state);
}

/// The title of a part: marked and inverted when it has the focus, so
/// that the focus shows without colour.
fn part_title(t: &Theme, title: &str, focused: bool, what: &str, width: u16) -> Line<'static> {
    let room = (width as usize).saturating_sub(4);
    if focused {
        // The marker stays whole; the title is cut (with "…") if needed.
        let marker = format!(" — {what} ◀");
        let head = crate::tui::screens::fit(
            title.trim(),
            room.saturating_sub(marker.chars().count() + 3),
        );
        Line::from(vec![Span::styled(
            format!(" ▶ {head}{marker} "),
            t.selected,
        )])
    } else {
        Line::raw(format!(
            " {} ",
            crate::tui::screens::fit(title.trim(), room)
        ))
    }
}

fn render_text(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    field: &TextField,
    title: &str,
    focused: bool,
    style: Style,
) {
    let t = &app.theme;
    let chars = field.chars();
    let title = if chars > 0 {
        format!("{} · {chars} caractères", title.trim())
    } else {
        title.to_string()
    };
    let block = Block::bordered()
        .title(part_title(t, &title, focused, "SAISIE", area.width))
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            t.focus_border
        } else {
            style.patch(t.border)
        })
        .title_style(style);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut ta = field.area.clone();
    ta.set_style(t.base);
    // A placeholder cut by the width ends with "…", as every cut text.
    ta.set_placeholder_text(crate::tui::screens::fit(
        field.placeholder(),
        inner.width.saturating_sub(1) as usize,
    ));
    if focused {
        ta.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        ta.set_selection_style(t.selected);
    } else {
        ta.set_cursor_style(t.base);
    }
    frame.render_widget(&ta, inner);
}

/// The list with a preview: templates or épreuves.
fn render_chooser(app: &App, ed: &Editor, chooser: &Chooser, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(6).min(100),
        area.height.saturating_sub(2).min(18),
    );
    frame.render_widget(ratatui::widgets::Clear, rect);
    let (title, items, preview): (&str, Vec<String>, String) = match chooser.purpose {
        ChooserPurpose::Template => (
            " Modèle de motivation (inséré au curseur) ",
            TEMPLATES
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let first: String = m.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
                    format!("Modèle {} : {first}…", i + 1)
                })
                .collect(),
            TEMPLATES
                .get(chooser.selected)
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        ChooserPurpose::Epreuves(row) => {
            let label = ed
                .rows()
                .get(row)
                .and_then(|r| match r {
                    MeasureRow::Requested(n) => ed.requested.get(*n).map(|(c, _)| clean(c.label())),
                    MeasureRow::Added(i) => ed
                        .draft
                        .opinion
                        .measures
                        .get(*i)
                        .map(|m| clean(m.code.label())),
                })
                .unwrap_or_default();
            (
                " Épreuves concernées ",
                EPREUVES.iter().map(|e| e.label().to_string()).collect(),
                format!(
                    "{} — {}",
                    label,
                    EPREUVES
                        .get(chooser.selected)
                        .map(epreuves_preview)
                        .unwrap_or("")
                ),
            )
        }
    };
    let block = Block::bordered()
        .title(title)
        .border_type(BorderType::Thick)
        .border_style(t.focus_border)
        .style(t.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [list_area, preview_area, hint] = Layout::vertical([
        Constraint::Length(items.len() as u16),
        Constraint::Min(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let list = List::new(items.into_iter().map(ListItem::new).collect::<Vec<_>>())
        .highlight_style(t.selected)
        .highlight_symbol("▶ ");
    let mut state = ListState::default().with_selected(Some(chooser.selected));
    frame.render_stateful_widget(list, list_area, &mut state);
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(" Aperçu :", t.header),
            Line::raw(format!(" {preview}")),
        ])
        .wrap(Wrap { trim: false }),
        preview_area,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            " ↑↓ choisir · Entrée prendre · Échap annuler",
            t.dim,
        )),
        hint,
    );
}

/// The question before changing an avis already sent.
fn render_confirm_reopen(app: &App, ed: &Editor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (day, of_day) = match ed.exported_on {
        Some(d) => (
            format!("le {}", d.format("%d/%m/%Y")),
            format!("du {}", d.format("%d/%m/%Y")),
        ),
        None => ("déjà".to_string(), "déjà reçu".to_string()),
    };
    let lines = vec![
        Line::styled(
            format!(" Cet avis a été envoyé au rectorat {day}."),
            t.header,
        ),
        Line::raw(""),
        Line::raw(" Le modifier le remet en brouillon : il faudra le valider et l'exporter"),
        Line::raw(format!(
            " de nouveau, et ce nouvel envoi remplacera celui {of_day}."
        )),
        Line::raw(""),
        Line::styled(
            " Rouvrir l'avis ?  o : oui, rouvrir · n : non, le laisser tel qu'envoyé",
            t.key,
        ),
    ];
    let rect = centered(area, 80, lines.len() as u16 + 2);
    popup(app, frame, rect, " Avis déjà envoyé ", lines);
}

fn render_picker(app: &App, picker: &super::model::Picker, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(6).min(90),
        area.height.saturating_sub(2),
    );
    frame.render_widget(ratatui::widgets::Clear, rect);
    let title = match picker.purpose {
        PickerPurpose::Add => " Ajouter une mesure du catalogue ",
        PickerPurpose::Modify(_) => " Proposer à la place (catalogue) ",
    };
    let block = Block::bordered()
        .title(title)
        .border_style(t.focus_border)
        .style(t.base);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [q, list_area, hint] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Recherche : ", t.header),
            Span::raw(clean(&picker.query)),
            Span::styled("▏", t.key),
        ])),
        q,
    );
    let matches = picker.matches();
    let items: Vec<ListItem> = matches
        .iter()
        .map(|m| {
            let cat = m.category().map(|c| c.label()).unwrap_or("");
            ListItem::new(format!("{} — {cat}", m.label()))
        })
        .collect();
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(" Aucune mesure ne correspond : corrigez la recherche.").style(t.dim),
            list_area,
        );
    } else {
        let list = List::new(items)
            .highlight_style(t.selected)
            .highlight_symbol("▶ ");
        let mut state = ListState::default().with_selected(Some(picker.selected));
        frame.render_stateful_widget(list, list_area, &mut state);
    }
    frame.render_widget(
        Paragraph::new(Line::styled(
            " Tapez pour chercher · ↑↓ choisir · Entrée valider · Échap annuler",
            t.dim,
        )),
        hint,
    );
}
