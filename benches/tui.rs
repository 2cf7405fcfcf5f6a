//! Interface benchmarks (criterion), 10,000 requests: the first frame of the
//! inbox after unlock (store opened at a low scrypt factor, summaries read,
//! inbox drawn), and a filter keystroke to the next frame (also reported as
//! a 99th percentile over 2,000 keystrokes, the target being ≤ 16 ms).
//!
//! Run: `cargo bench --bench tui`.

use std::path::Path;
use std::time::{Duration, Instant};

use avis::store::{Store, StoreOptions};
use avis::synth::SynthSpec;
use avis::tui::action::Action;
use avis::tui::app::App;
use avis::tui::sample;
use avis::tui::screens::inbox::Msg as InboxMsg;
use avis::tui::theme::{Theme, ThemeKind};
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use secrecy::SecretString;

const PASSPHRASE: &str = "banc d'essai seulement";
const WIDTH: u16 = 160;
const HEIGHT: u16 = 50;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

fn options() -> StoreOptions {
    StoreOptions {
        kdf_log_n: Some(10),
    }
}

/// A locked store holding 10,000 synthetic requests.
fn store_of_10000(dir: &Path) -> std::path::PathBuf {
    let pass = SecretString::from(PASSPHRASE.to_string());
    let path = dir.join("store");
    let store = Store::init(&path, &pass, "Dr Banc", None, &options()).unwrap();
    let spec = SynthSpec {
        requests: 10_000,
        documents_per_request: 1,
        document_size: 64,
        seed: 9,
    };
    avis::synth::import_synthetic(&store, &spec, dir).unwrap();
    // Today's alert counts are cached as after any earlier session.
    store.summaries(today()).unwrap();
    store.lock().unwrap();
    path
}

fn draw(app: &App, terminal: &mut Terminal<TestBackend>) {
    terminal
        .draw(|f| avis::tui::screens::render(app, f))
        .unwrap();
}

fn first_frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = store_of_10000(dir.path());
    let pass = SecretString::from(PASSPHRASE.to_string());
    let mut group = c.benchmark_group("tui");
    group.sample_size(10);
    group.bench_function(
        "first inbox frame after unlock (low KDF), 10,000 requests",
        |b| {
            b.iter(|| {
                let store = Store::open(&path, &pass, &options()).unwrap();
                let summaries = store.summaries(today()).unwrap();
                let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
                    .with_summaries(summaries);
                app.update(Action::Resize(WIDTH, HEIGHT));
                let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
                draw(&app, &mut terminal);
                drop(store);
            })
        },
    );
    // An opening whose alert counts must all be made again (a day past
    // their horizons, other campaign settings, another version of avis):
    // the lines are drawn first (the counts follow, not timed here). The
    // settings alternate, so that no count holds.
    let mut variants = 0u32;
    group.bench_function(
        "first inbox frame after unlock (low KDF), 10,000 requests, every alert count to make again",
        |b| {
            b.iter_custom(|iterations| {
                let mut timed = Duration::ZERO;
                for _ in 0..iterations {
                    variants += 1;
                    let settings = format!(r#"{{"no_accommodation_days": {}}}"#, 30 + variants % 2);
                    std::fs::write(path.join("settings.json"), settings).unwrap();
                    let day = today();
                    let start = Instant::now();
                    let store = Store::open(&path, &pass, &options()).unwrap();
                    let mut first = None;
                    store
                        .summaries_then(day, &mut |lines| {
                            let mut app = App::new(false, day, Theme::new(ThemeKind::Normal))
                                .with_summaries(lines.to_vec());
                            app.update(Action::Resize(WIDTH, HEIGHT));
                            let mut terminal =
                                Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
                            draw(&app, &mut terminal);
                            first = Some(start.elapsed());
                        })
                        .unwrap();
                    timed += first.expect("counts to make have early lines");
                    drop(store);
                }
                timed
            })
        },
    );
    std::fs::remove_file(path.join("settings.json")).unwrap();
    group.finish();
}

/// The keystrokes of the filter benchmark: typing then erasing a query.
fn keystrokes() -> Vec<Action> {
    let mut keys: Vec<Action> = "martin lea"
        .chars()
        .map(|c| Action::Inbox(InboxMsg::FilterInput(c)))
        .collect();
    keys.extend(std::iter::repeat_n(
        Action::Inbox(InboxMsg::FilterBackspace),
        10,
    ));
    keys
}

/// The inbox of 10,000 sample requests, sorted by `sorts` presses of `s`,
/// the filter field open.
fn filtering_app(sorts: usize) -> (App, Terminal<TestBackend>) {
    let mut app = App::new(false, today(), Theme::new(ThemeKind::Normal))
        .with_summaries(sample::summaries(10_000));
    app.update(Action::Resize(WIDTH, HEIGHT));
    for _ in 0..sorts {
        app.update(Action::Inbox(InboxMsg::CycleSort));
    }
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    app.update(Action::Inbox(InboxMsg::StartFilter));
    draw(&app, &mut terminal);
    (app, terminal)
}

/// Prints the 99th percentile of keystroke-to-frame times, which criterion
/// does not report.
fn print_keystroke_p99(label: &str, app: &mut App, terminal: &mut Terminal<TestBackend>) {
    let mut times: Vec<Duration> = Vec::with_capacity(2_000);
    for action in keystrokes().iter().cycle().take(2_000) {
        let start = Instant::now();
        app.update(action.clone());
        draw(app, terminal);
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!(
        "filter keystroke to next frame, 10,000 requests, {label}: median {:?}, p99 {:?}, max {:?} (target p99 ≤ 16 ms)",
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1]
    );
}

fn filter(c: &mut Criterion) {
    let (mut by_name, mut terminal) = filtering_app(2);
    assert_eq!(by_name.inbox.sort, avis::tui::screens::inbox::SortKey::Name);
    print_keystroke_p99("sorted by name", &mut by_name, &mut terminal);
    let (mut app, mut terminal) = filtering_app(0);
    print_keystroke_p99("sorted by date received", &mut app, &mut terminal);
    let keys = keystrokes();

    let mut next = keys.iter().cycle();
    c.bench_function("tui/filter keystroke to next frame, 10,000 requests", |b| {
        b.iter(|| {
            if let Some(action) = next.next() {
                app.update(action.clone());
            }
            draw(&app, &mut terminal);
        })
    });
    c.bench_function("tui/render of the inbox, 10,000 requests", |b| {
        b.iter(|| draw(&app, &mut terminal))
    });
}

criterion_group!(benches, first_frame, filter);
criterion_main!(benches);
