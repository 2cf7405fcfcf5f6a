//! The inbox at 10,000 requests: the first frame once the summaries arrive
//! (issue target ≤ 100 ms, KDF excluded) and a filter keystroke to the next
//! frame (target p99 ≤ 16 ms). Drawn on ratatui's TestBackend at 160×50.
//!
//! Reference in the same run: drawing an empty inbox, so that the figures
//! can be read as a ratio on a noisy machine. The keystroke p99 over 2,000
//! keystrokes is printed by `benches/tui.rs`.

use std::hint::black_box;

use avis::tui::action::Action;
use avis::tui::app::App;
use avis::tui::screens::inbox::Msg as InboxMsg;
use avis::tui::{sample, screens, theme::Theme};
use chrono::NaiveDate;
use criterion::{criterion_group, BatchSize, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const ROWS: usize = 10_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|_| unreachable!())
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    let _ = terminal.draw(|frame| screens::render(app, frame));
}

fn inbox(c: &mut Criterion) {
    let summaries = sample::summaries(ROWS);
    let mut group = c.benchmark_group("inbox_10000");

    group.bench_function("reference_empty_inbox_frame", |b| {
        let app = App::new(false, today(), Theme::default()).with_summaries(Vec::new());
        let mut term = terminal();
        b.iter(|| draw(&mut term, black_box(&app)));
    });

    // From the worker's summaries to the first frame drawn.
    group.bench_function("first_frame", |b| {
        let mut term = terminal();
        b.iter_batched(
            || summaries.clone(),
            |s| {
                let app = App::new(false, today(), Theme::default()).with_summaries(s);
                draw(&mut term, &app);
                app
            },
            BatchSize::LargeInput,
        );
    });

    // One keystroke in the filter field, then the next frame.
    group.bench_function("filter_keystroke_to_frame", |b| {
        let mut app = App::new(false, today(), Theme::default()).with_summaries(summaries.clone());
        let _ = app.update(Action::Inbox(InboxMsg::StartFilter));
        let mut term = terminal();
        let letters = ['d', 'u', 'r', 'a'];
        let mut i = 0usize;
        b.iter(|| {
            // Type up to four letters, then erase them, so that the filter
            // alternates between narrow and wide results.
            let action = if i % 8 < 4 {
                Action::Inbox(InboxMsg::FilterInput(letters[i % 4]))
            } else {
                Action::Inbox(InboxMsg::FilterBackspace)
            };
            i += 1;
            let _ = app.update(action);
            draw(&mut term, &app);
        });
    });
    group.finish();
}

criterion_group!(benches, inbox);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
