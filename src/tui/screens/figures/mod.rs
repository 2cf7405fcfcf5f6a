//! The figures screen (`b` from the inbox): the activity figures of a
//! season, of every dossier or of a date range, computed on the worker
//! ([`crate::figures`]), drawn as bar charts, exported as CSV. Counts only:
//! no name, no identifier, nothing medical.

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::figures::{Figures, Period};
use crate::tui::action::Action;
use crate::tui::app::{App, Job, Screen};
use crate::tui::keymap::{back_key, contrast_key, help_key, Binding, Key, KeyMap};
use crate::tui::worker::{Orders, WorkerCommand, WorkerFailure};

mod view;
pub use view::{render, shows_all_charts};

/// The charts, in the order Tab shows them on a small terminal.
pub const CHARTS: [&str; 3] = ["Avis globaux", "Mesures", "Diplômes"];

/// The figures screen's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FiguresState {
    /// The period shown (`None` until the worker answers the first time:
    /// it picks the latest session).
    pub period: Option<Period>,
    /// The sessions found in the store, oldest first.
    pub seasons: Vec<String>,
    /// The figures of `period`, once computed.
    pub figures: Option<Figures>,
    /// The worker is computing.
    pub busy: bool,
    /// The chart shown when only one fits.
    pub chart: usize,
    /// Lines scrolled in the measures' chart.
    pub scroll: u16,
    /// The date range being typed (`d`), if open.
    pub range_input: Option<String>,
}

impl FiguresState {
    /// The periods ←/→ go through: each session, then every dossier.
    pub fn periods(&self) -> Vec<Period> {
        self.seasons
            .iter()
            .map(|s| Period::Season(s.clone()))
            .chain([Period::All])
            .collect()
    }
}

/// The figures screen's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Previous (-1) or next (+1) period.
    Period(isize),
    NextChart,
    /// Writes the CSV in the current folder (never over a file).
    ExportCsv,
    /// Opens the date range input.
    StartRange,
    RangeInput(char),
    RangeBackspace,
    RangeSubmit,
    RangeCancel,
}

fn typed(ev: &KeyEvent) -> Action {
    match ev.code {
        KeyCode::Char(c) => Action::Figures(Msg::RangeInput(c)),
        _ => Action::Figures(Msg::RangeBackspace),
    }
}

/// The keys of the figures screen.
pub fn keymap(app: &App) -> KeyMap {
    if app.figures.range_input.is_some() {
        return KeyMap::new(vec![
            Binding::new(
                &[Key::Text],
                "saisir la période : du JJ/MM/AAAA au JJ/MM/AAAA",
                None,
                typed,
            ),
            Binding::new(
                &[Key::Code(KeyCode::Backspace)],
                "effacer le dernier caractère",
                None,
                |_| Action::Figures(Msg::RangeBackspace),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Enter)],
                "compter les demandes reçues entre ces deux dates",
                Some("valider"),
                |_| Action::Figures(Msg::RangeSubmit),
            ),
            Binding::new(
                &[Key::Code(KeyCode::Esc)],
                "annuler la saisie",
                Some("annuler"),
                |_| Action::Figures(Msg::RangeCancel),
            ),
        ]);
    }
    let mut b = vec![
        Binding::new(
            &[Key::Code(KeyCode::Right), Key::Char('l')],
            "période suivante (chaque session, puis tous les dossiers)",
            Some("période"),
            |_| Action::Figures(Msg::Period(1)),
        )
        .hint_keys("←→"),
        Binding::new(
            &[Key::Code(KeyCode::Left), Key::Char('h')],
            "période précédente",
            None,
            |_| Action::Figures(Msg::Period(-1)),
        ),
        Binding::new(
            &[Key::Char('d')],
            "choisir une période par dates de réception",
            Some("dates"),
            |_| Action::Figures(Msg::StartRange),
        ),
    ];
    if !shows_all_charts(app.size) {
        b.push(Binding::new(
            &[Key::Code(KeyCode::Tab)],
            "graphique suivant (avis globaux, mesures, diplômes)",
            Some("graphique"),
            |_| Action::Figures(Msg::NextChart),
        ));
    }
    b.extend([
        Binding::new(
            &[Key::Code(KeyCode::Down), Key::Char('j')],
            "faire défiler les mesures",
            None,
            |_| Action::Move(1),
        ),
        Binding::new(
            &[Key::Code(KeyCode::Up), Key::Char('k')],
            "remonter dans les mesures",
            None,
            |_| Action::Move(-1),
        ),
        Binding::new(
            &[Key::Char('e')],
            "exporter ces chiffres en CSV (« ; », pour un tableur) dans le dossier des exports, sans rien remplacer",
            Some("CSV"),
            |_| Action::Figures(Msg::ExportCsv),
        ),
        contrast_key(),
        help_key(),
        back_key("retour à la liste"),
    ]);
    KeyMap::new(b)
}

/// Opens the screen and asks the worker for the figures.
pub fn open(app: &mut App, out: &mut Orders) {
    app.screen = Screen::Figures;
    let period = app.figures.period.clone();
    request(app, period, out);
}

fn request(app: &mut App, period: Option<Period>, out: &mut Orders) {
    app.figures.busy = true;
    let sent = out.push(WorkerCommand::Figures(period));
    app.expect(Job::Figures, sent);
}

/// A date typed by the doctor: JJ/MM/AAAA or AAAA-MM-JJ.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

/// The range typed: two dates, with or without « du » and « au ».
pub fn parse_range(text: &str) -> Result<Period, String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !matches!(w.to_lowercase().as_str(), "du" | "au" | "-" | "à"))
        .collect();
    let [from, to] = words.as_slice() else {
        return Err("indiquez deux dates, par exemple : du 01/09/2026 au 31/12/2026".into());
    };
    let (Some(from), Some(to)) = (parse_date(from), parse_date(to)) else {
        return Err(
            "date illisible : écrivez JJ/MM/AAAA, par exemple du 01/09/2026 au 31/12/2026".into(),
        );
    };
    if from > to {
        return Err("période vide : la première date est après la seconde ; inversez-les".into());
    }
    Ok(Period::Range { from, to })
}

/// Carries out a message of the figures screen.
pub fn update(app: &mut App, msg: Msg, out: &mut Orders) {
    let st = &mut app.figures;
    match msg {
        Msg::Period(d) => {
            let periods = st.periods();
            let n = periods.len() as isize;
            let at = st
                .period
                .as_ref()
                .and_then(|p| periods.iter().position(|q| q == p))
                .map(|i| i as isize);
            let next = match at {
                Some(i) => (i + d).rem_euclid(n),
                None if d > 0 => 0,
                None => n - 1,
            };
            if let Some(p) = periods.get(next as usize).cloned() {
                st.period = Some(p.clone());
                st.scroll = 0;
                request(app, Some(p), out);
            }
        }
        Msg::NextChart => {
            st.chart = (st.chart + 1) % CHARTS.len();
            st.scroll = 0;
        }
        Msg::ExportCsv => match (&st.period, &st.figures) {
            (Some(p), Some(_)) => {
                let p = p.clone();
                let sent = out.push(WorkerCommand::FiguresCsv(p));
                app.expect(Job::FiguresCsv, sent);
                app.set_message("Écriture du fichier CSV…", false);
            }
            _ => app.set_message(
                "Les chiffres ne sont pas encore calculés : patientez un instant",
                true,
            ),
        },
        Msg::StartRange => st.range_input = Some(String::new()),
        Msg::RangeInput(c) => {
            if let Some(t) = st.range_input.as_mut() {
                if t.chars().count() < 40 {
                    t.push(c);
                }
            }
        }
        Msg::RangeBackspace => {
            if let Some(t) = st.range_input.as_mut() {
                t.pop();
            }
        }
        Msg::RangeCancel => st.range_input = None,
        Msg::RangeSubmit => {
            let text = st.range_input.clone().unwrap_or_default();
            match parse_range(&text) {
                Ok(p) => {
                    st.range_input = None;
                    st.period = Some(p.clone());
                    st.scroll = 0;
                    request(app, Some(p), out);
                }
                Err(msg) => app.set_message(msg, true),
            }
        }
    }
}

/// Scrolls the measures' chart.
pub fn move_by(app: &mut App, d: isize) {
    let max = app
        .figures
        .figures
        .as_ref()
        .map_or(0, |f| f.measures.len().saturating_sub(1)) as isize;
    let s = (app.figures.scroll as isize + d).clamp(0, max);
    app.figures.scroll = s as u16;
}

/// Escape: closes the date input, or back to the inbox.
pub fn back(app: &mut App) {
    if app.figures.range_input.take().is_none() {
        app.screen = Screen::Inbox;
    }
}

/// Pasted text goes into the date input.
pub fn paste(app: &mut App, text: &str) {
    if let Some(t) = app.figures.range_input.as_mut() {
        t.extend(text.chars().filter(|c| !c.is_control()).take(40));
    }
}

/// The worker's figures: kept if they are of the period asked last (or of
/// the first period it chose).
pub fn on_figures(
    app: &mut App,
    asked: Option<Period>,
    result: Result<(Period, Vec<String>, Box<Figures>), WorkerFailure>,
) {
    let st = &mut app.figures;
    if asked != st.period {
        return;
    }
    st.busy = false;
    match result {
        Ok((period, seasons, figures)) => {
            st.period = Some(period);
            st.seasons = seasons;
            st.figures = Some(*figures);
        }
        Err(f) => app.message_on(app.screen_of(Job::Figures), f.to_string(), true),
    }
}
