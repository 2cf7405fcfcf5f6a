//! The figures screen, the print keys and the purge question: snapshots
//! at 80×24 and 160×50 (TestBackend, synthetic counts), and their
//! behaviour without a worker (the commands they send, the replies they
//! accept).

use avis::domain::{Decision, DiplomaCode, MeasureCode, Outcome, Status};
use avis::figures::{self, DossierFacts, OpinionFacts, Period};
use avis::tui::action::Action;
use avis::tui::app::{App, Screen};
use avis::tui::sample;
use avis::tui::screens::figures::Msg as FiguresMsg;
use avis::tui::screens::inbox::Msg as InboxMsg;
use avis::tui::screens::purge::{Msg as PurgeMsg, PurgeDue};
use avis::tui::screens::request::Msg as RequestMsg;
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{FailureKind, Orders, WorkerCommand, WorkerEvent, WorkerFailure};
use chrono::NaiveDate;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 50)];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn inbox(w: u16, h: u16) -> App {
    let mut app = App::new(false, day(2026, 11, 26), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(12));
    app.update(Action::Resize(w, h));
    app
}

/// A small season written by hand.
fn facts() -> Vec<DossierFacts> {
    let mut out = Vec::new();
    for i in 0..12u32 {
        let status = match i % 4 {
            0 => Status::ATraiter,
            1 => Status::Brouillon,
            2 => Status::Valide,
            _ => Status::Exporte,
        };
        let reviewed = matches!(status, Status::Valide | Status::Exporte);
        out.push(DossierFacts {
            diploma: if i % 3 == 0 {
                DiplomaCode::Btsa
            } else {
                DiplomaCode::BacGeneral
            },
            session: if i < 10 { "2027" } else { "2026" }.into(),
            received_at: day(2026, 10, 1 + i),
            late: i == 5,
            status,
            requested: vec![MeasureCode::TempsMajoreTiers, MeasureCode::Ordinateur],
            opinion: reviewed.then(|| OpinionFacts {
                outcome: if i % 2 == 0 {
                    Outcome::Favorable
                } else {
                    Outcome::Partiel
                },
                decided_on: Some(day(2026, 10, 10 + i)),
                decisions: vec![
                    (MeasureCode::TempsMajoreTiers, Decision::Accorde),
                    (MeasureCode::Ordinateur, Decision::Refuse),
                ],
            }),
            override_rules: if i == 3 {
                vec!["temps_majore_exceptionnel_motive".into()]
            } else {
                vec![]
            },
        });
    }
    out
}

fn figures_reply(asked: Option<Period>, period: Period) -> WorkerEvent {
    let f = figures::compute(&facts(), &period);
    WorkerEvent::Figures {
        asked,
        result: Ok((period, figures::seasons(&facts()), Box::new(f))),
    }
}

fn figures_app(w: u16, h: u16) -> App {
    let mut app = inbox(w, h);
    let out = app.update(Action::Inbox(InboxMsg::OpenFigures));
    assert!(matches!(out.as_slice(), [WorkerCommand::Figures(None)]));
    app.update(Action::worker(figures_reply(
        None,
        Period::Season("2027".into()),
    )));
    app
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(app, f))
        .unwrap();
    format!("{}", terminal.backend())
}

fn snap(name: &str, make: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = make(w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&app, w, h));
    }
}

#[test]
fn figures_screen() {
    snap("figures", figures_app);
    snap("figures_measures", |w, h| {
        let mut app = figures_app(w, h);
        app.update(Action::Figures(FiguresMsg::NextChart));
        app
    });
    snap("figures_range_input", |w, h| {
        let mut app = figures_app(w, h);
        app.update(Action::Figures(FiguresMsg::StartRange));
        for c in "du 01/10/2026 au 05/10/2026".chars() {
            app.update(Action::Figures(FiguresMsg::RangeInput(c)));
        }
        app
    });
}

#[test]
fn figures_show_counts_and_never_a_name() {
    let app = figures_app(160, 50);
    let screen = draw(&app, 160, 50);
    // 10 dossiers of session 2027, 5 reviewed (i = 2, 3, 6, 7 and… by hand).
    let reviewed = (0..10).filter(|i| i % 4 >= 2).count();
    assert!(screen.contains("Reçues 10"), "{screen}");
    assert!(
        screen.contains(&format!("Avis validés ou exportés {reviewed}")),
        "{screen}"
    );
    for s in sample::summaries(12) {
        assert!(!screen.contains(&s.candidate), "un nom à l'écran du bilan");
    }
}

#[test]
fn figures_periods_cycle_and_stale_replies_are_dropped() {
    let mut app = figures_app(80, 24);
    let out = app.update(Action::Figures(FiguresMsg::Period(1)));
    assert!(matches!(
        out.as_slice(),
        [WorkerCommand::Figures(Some(Period::All))]
    ));
    // The reply for the session, late, does not replace the one asked.
    app.update(Action::worker(figures_reply(
        Some(Period::Season("2026".into())),
        Period::Season("2026".into()),
    )));
    assert_eq!(app.figures.period, Some(Period::All));
    assert!(app.figures.busy);
    app.update(Action::worker(figures_reply(
        Some(Period::All),
        Period::All,
    )));
    assert_eq!(app.figures.figures.as_ref().unwrap().received, 12);
    // A range typed in French.
    app.update(Action::Figures(FiguresMsg::StartRange));
    for c in "du 05/10/2026 au 01/10/2026".chars() {
        app.update(Action::Figures(FiguresMsg::RangeInput(c)));
    }
    let out = app.update(Action::Figures(FiguresMsg::RangeSubmit));
    assert!(out.is_empty());
    assert!(app.message.as_ref().unwrap().text.contains("inversez"));
    let ok = avis::tui::screens::figures::parse_range("01/10/2026 05/10/2026").unwrap();
    assert_eq!(
        ok,
        Period::Range {
            from: day(2026, 10, 1),
            to: day(2026, 10, 5)
        }
    );
    let out = app.update(Action::Figures(FiguresMsg::ExportCsv));
    assert!(matches!(
        out.as_slice(),
        [WorkerCommand::FiguresCsv(Period::All)]
    ));
    // Escape closes the date input (left open to correct it), then the screen.
    app.update(Action::Back);
    assert_eq!(
        (app.screen, app.figures.range_input.is_none()),
        (Screen::Figures, true)
    );
    app.update(Action::Back);
    assert_eq!(app.screen, Screen::Inbox);
}

#[test]
fn print_keys_only_for_exported_avis() {
    let mut app = inbox(80, 24);
    let exported = app
        .inbox
        .view
        .iter()
        .position(|&i| app.inbox.rows[i].summary.status == Status::Exporte);
    let other = app
        .inbox
        .view
        .iter()
        .position(|&i| app.inbox.rows[i].summary.status != Status::Exporte)
        .unwrap();
    app.update(Action::Inbox(InboxMsg::MoveTo(other)));
    let out = app.update(Action::Inbox(InboxMsg::Print(false)));
    assert!(out.is_empty());
    assert!(app.message.as_ref().unwrap().error);
    if let Some(i) = exported {
        app.update(Action::Inbox(InboxMsg::MoveTo(i)));
        let out = app.update(Action::Inbox(InboxMsg::Print(false)));
        assert!(matches!(out.as_slice(), [WorkerCommand::Print(Some(_))]));
    }
    let out = app.update(Action::Inbox(InboxMsg::Print(true)));
    assert!(matches!(out.as_slice(), [WorkerCommand::Print(None)]));
    // From the request: a draft does not print.
    let mut req = inbox(80, 24).with_request(sample::loaded_request());
    let out = req.update(Action::Request(RequestMsg::Print));
    assert!(out.is_empty());
    let mut r = sample::loaded_request();
    r.status = Status::Exporte;
    let mut req = inbox(80, 24).with_request(r);
    let out = req.update(Action::Request(RequestMsg::Print));
    assert!(matches!(out.as_slice(), [WorkerCommand::Print(Some(_))]));
    req.update(Action::worker(WorkerEvent::Printed(Ok((
        "/tmp/avis-imprimes".into(),
        vec!["/tmp/avis-imprimes/avis-X.pdf".into()],
    )))));
    let text = &req.message.as_ref().unwrap().text;
    assert!(
        text.contains("1 PDF écrit(s) dans /tmp/avis-imprimes"),
        "{text}"
    );
}

fn due() -> PurgeDue {
    PurgeDue {
        dossiers: 3,
        documents: 7,
        months: 12,
    }
}

/// Unlocked, the inbox loaded: the purge question is asked once.
fn unlocked(w: u16, h: u16) -> (App, Orders) {
    let mut app = App::new(false, day(2026, 11, 26), Theme::new(ThemeKind::Normal));
    app.update(Action::Resize(w, h));
    app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
    let out = app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(5))));
    (app, out)
}

fn purge_app(w: u16, h: u16) -> App {
    let (mut app, out) = unlocked(w, h);
    assert!(out.iter().any(|c| matches!(c, WorkerCommand::PurgeDue)));
    app.update(Action::worker(WorkerEvent::PurgeDue(Ok(due()))));
    app
}

#[test]
fn purge_question() {
    snap("purge_question", purge_app);
    snap("purge_done", |w, h| {
        let mut app = purge_app(w, h);
        app.update(Action::Purge(PurgeMsg::Confirm));
        app.update(Action::worker(WorkerEvent::Purged(Ok(3))));
        app
    });
}

#[test]
fn nothing_is_purged_without_the_o_key() {
    let mut app = purge_app(80, 24);
    assert_eq!(app.screen, Screen::Purge);
    // Enter, Escape and other keys never purge.
    for key in [
        ratatui::crossterm::event::KeyCode::Enter,
        ratatui::crossterm::event::KeyCode::Char('y'),
        ratatui::crossterm::event::KeyCode::Char(' '),
    ] {
        let ev = ratatui::crossterm::event::KeyEvent::from(key);
        if let Some(action) = avis::tui::screens::handle_key(&app, ev) {
            let out = app.update(action);
            assert!(!out.iter().any(|c| matches!(c, WorkerCommand::Purge)));
        }
    }
    assert_eq!(app.screen, Screen::Purge);
    let out = app.update(Action::Back);
    assert!(!out.iter().any(|c| matches!(c, WorkerCommand::Purge)));
    assert_eq!(app.screen, Screen::Inbox);
    assert!(app
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("rien n'a été supprimé"));

    let mut app = purge_app(80, 24);
    let ev =
        ratatui::crossterm::event::KeyEvent::from(ratatui::crossterm::event::KeyCode::Char('o'));
    let action = avis::tui::screens::handle_key(&app, ev).unwrap();
    let out = app.update(action);
    assert!(matches!(out.as_slice(), [WorkerCommand::Purge]));
    // No lock while the purge runs.
    let out = app.update(Action::Lock);
    assert!(!out.iter().any(|c| matches!(c, WorkerCommand::Lock)));
    let out = app.update(Action::worker(WorkerEvent::Purged(Ok(3))));
    assert!(out
        .iter()
        .any(|c| matches!(c, WorkerCommand::LoadSummaries)));
    app.update(Action::Purge(PurgeMsg::Close));
    assert_eq!(app.screen, Screen::Inbox);
    assert!(app
        .message
        .as_ref()
        .unwrap()
        .text
        .contains("3 dossier(s) purgé(s)"));
}

#[test]
fn no_question_when_nothing_is_due_or_asked_already() {
    let (mut app, _) = unlocked(80, 24);
    app.update(Action::worker(WorkerEvent::PurgeDue(Ok(
        PurgeDue::default(),
    ))));
    assert_eq!(app.screen, Screen::Inbox);
    // After a lock and unlock: not asked again this session.
    app.update(Action::Lock);
    app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
    let out = app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(5))));
    assert!(!out.iter().any(|c| matches!(c, WorkerCommand::PurgeDue)));
}

/// Worker replies are matched to what asked for them: a late failure to
/// load a request the doctor left does not cancel the one now awaited.
#[test]
fn a_stale_load_failure_does_not_cancel_the_request_awaited() {
    use avis::tui::worker::{Op, WorkerError};
    let mut app = inbox(80, 24);
    app.update(Action::Inbox(InboxMsg::MoveTo(0)));
    app.update(Action::Inbox(InboxMsg::OpenSelected));
    let first = app.loading.clone().unwrap();
    app.update(Action::Inbox(InboxMsg::MoveTo(1)));
    app.update(Action::Inbox(InboxMsg::OpenSelected));
    let second = app.loading.clone().unwrap();
    assert_ne!(first, second);
    app.update(Action::worker(WorkerEvent::Failed(WorkerError {
        op: Op::LoadRequest,
        request: Some(first),
        failure: WorkerFailure::new(FailureKind::Storage, "dossier illisible"),
    })));
    assert_eq!(app.loading.as_deref(), Some(second.as_str()));
    let mut loaded = sample::loaded_request();
    loaded.record.request.id = second.clone();
    app.update(Action::worker(WorkerEvent::Request(Box::new(loaded))));
    assert_eq!(app.screen, Screen::Request);
    // Its own failure does.
    let mut app = inbox(80, 24);
    app.update(Action::Inbox(InboxMsg::OpenSelected));
    let id = app.loading.clone();
    app.update(Action::worker(WorkerEvent::Failed(WorkerError {
        op: Op::LoadRequest,
        request: id,
        failure: WorkerFailure::new(FailureKind::Storage, "dossier illisible"),
    })));
    assert!(app.loading.is_none());
    assert!(app.message.as_ref().unwrap().error);
}

#[test]
fn a_purge_question_left_unanswered_by_a_lock_comes_back() {
    let mut app = purge_app(80, 24);
    app.update(Action::Lock);
    app.update(Action::worker(WorkerEvent::Unlocked(Box::default())));
    let out = app.update(Action::worker(WorkerEvent::Summaries(sample::summaries(5))));
    assert!(out.iter().any(|c| matches!(c, WorkerCommand::PurgeDue)));
    app.update(Action::worker(WorkerEvent::PurgeDue(Ok(due()))));
    assert_eq!(app.screen, Screen::Purge);
}
