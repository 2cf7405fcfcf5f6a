//! The doctor's public keys, to send to the rectorat: shown after the
//! store is created, and from the trust screen. The fingerprint of the
//! signing key is the one the rectorat reads back over the phone; `w`
//! writes the keys file the rectorat registers (`avis rectorat medecin
//! ajouter --cles`, the same JSON as `avis keys show --json`).

use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::action::Action;
use crate::tui::app::{App, Screen};
use crate::tui::clean::clean;
use crate::tui::keymap::{Binding, Key, KeyMap};
use crate::tui::screens::chooser::{self, Purpose};
use crate::tui::worker::{Orders, WorkerCommand};

/// The keys screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// On to the inbox (first run) or back to the trust screen.
    Continue,
    /// Write the keys file into a folder chosen in the file chooser.
    SaveFile,
}

/// The keys of the keys screen.
pub fn keymap(app: &App) -> KeyMap {
    KeyMap::new(vec![
        Binding::new(
            &[Key::Char('w')],
            "enregistrer le fichier des clés à envoyer au rectorat",
            Some("enregistrer"),
            |_| Action::Keys(Msg::SaveFile),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Enter), Key::Code(KeyCode::Esc)],
            if app.keys_first_run {
                "continuer vers la liste des demandes"
            } else {
                "retour aux clés du rectorat"
            },
            Some("continuer"),
            |_| Action::Keys(Msg::Continue),
        )
        .hint_keys("Entrée"),
    ])
}

/// Carries out a message of the keys screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    match msg {
        Msg::Continue => back(app, out),
        Msg::SaveFile => chooser::open(app, Purpose::SaveKeys, out),
    }
}

/// Leaves the keys screen.
pub fn back(app: &mut App, out: &mut Orders) {
    if std::mem::take(&mut app.keys_first_run) {
        app.screen = Screen::Inbox;
        app.progress = Some(crate::tui::app::ProgressInfo {
            label: "Chargement des dossiers".into(),
            done: 0,
            total: 1,
        });
        out.push(WorkerCommand::LoadSummaries);
    } else {
        crate::tui::screens::trust::open(app, out);
    }
}

/// The fingerprint as read over the phone: its groups apart.
pub fn phone_form(fingerprint: &str) -> String {
    fingerprint
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("  ")
}

/// Draws the keys screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::raw("")];
    match &app.keys {
        None => lines.push(Line::styled(" Lecture des clés…", t.dim)),
        Some(k) => {
            if app.keys_first_run {
                lines.push(Line::styled(" ✓ Votre magasin est créé.", t.ok));
                lines.push(Line::raw(""));
            }
            lines.push(Line::from(vec![
                Span::styled(" Médecin : ", t.header),
                Span::raw(clean(&k.doctor)),
                Span::raw(
                    k.rpps
                        .as_deref()
                        .map(|r| format!("   RPPS {}", clean(r)))
                        .unwrap_or_default(),
                ),
            ]));
            lines.push(Line::raw(""));
            lines.push(Line::raw(
                " Envoyez au rectorat le fichier de vos clés publiques (w : l'enregistrer, par",
            ));
            lines.push(Line::raw(
                " exemple sur une clé USB), puis lisez-lui au téléphone cette empreinte :",
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("     Empreinte : {}", phone_form(&k.fingerprint)),
                t.key,
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                " Le rectorat compare cette empreinte à celle de votre clé de signature.",
                t.dim,
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(" Clé de chiffrement (age) :", t.header));
            lines.push(Line::raw(format!("   {}", clean(&k.age_recipient))));
            lines.push(Line::styled(" Clé de signature (minisign) :", t.header));
            lines.push(Line::raw(format!("   {}", clean(&k.signing_key))));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                " Ces clés sont publiques : les envoyer ne révèle rien (la phrase de passe, jamais).",
                t.dim,
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" Vos clés à transmettre au rectorat ")
                    .border_style(t.focus_border),
            )
            .wrap(Wrap { trim: false }),
        area,
    );
}
