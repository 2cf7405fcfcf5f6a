//! Scans in the document viewer: when the picture is encoded (when the scan
//! arrives and when the viewer's area changes, never on a redraw), where
//! (in the update for half blocks, on the worker for sixel, kitty and
//! iTerm2), what is drawn (ratatui-image's colour half blocks, our grey
//! shades under NO_COLOR), and that leaving the viewer or locking drops the
//! decrypted picture and asks for a clean screen.

use std::time::{Duration, Instant};

use avis::tui::action::Action;
use avis::tui::app::{App, Screen};
use avis::tui::graphics::{self, ImageMode, Picture};
use avis::tui::sample;
use avis::tui::screens::request::Msg as RequestMsg;
use avis::tui::screens::viewer::image_area;
use avis::tui::theme::{Theme, ThemeKind};
use avis::tui::worker::{DocumentContent, ImageJob, WorkerCommand, WorkerEvent};
use chrono::NaiveDate;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::Terminal;

fn sha() -> String {
    "b".repeat(64)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// A 40×60 scan: dark text lines on white.
fn scan() -> DocumentContent {
    let (w, h) = (40u32, 60u32);
    let rgb = (0..w * h)
        .flat_map(|i| {
            let v = if (i / w) % 6 == 2 && i % w > 4 {
                20
            } else {
                250
            };
            [v, v, v]
        })
        .collect();
    DocumentContent::Image {
        width: w,
        height: h,
        rgb,
    }
}

/// The viewer opened on the JPEG of the sample request, before the worker
/// answers.
fn viewer(kind: ThemeKind, mode: ImageMode, size: (u16, u16)) -> App {
    let mut app = App::new(false, today(), Theme::new(kind))
        .with_summaries(sample::summaries(5))
        .with_request(sample::loaded_request());
    app.images = mode;
    app.update(Action::Resize(size.0, size.1));
    app.update(Action::Request(RequestMsg::SelectTab(3)));
    app.update(Action::Move(1));
    let cmds = app.update(Action::Request(RequestMsg::OpenDocument));
    assert!(matches!(&cmds[..], [WorkerCommand::Document { sha256, .. }] if *sha256 == sha()));
    assert_eq!(app.screen, Screen::Viewer);
    app
}

fn scan_arrives(app: &mut App) -> Vec<WorkerCommand> {
    app.update(Action::worker(WorkerEvent::Document {
        sha256: sha(),
        content: scan(),
    }))
    .into_iter()
    .collect()
}

fn draw(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal
        .draw(|f| avis::tui::screens::render(app, f))
        .unwrap();
    terminal
}

fn jobs(cmds: &[WorkerCommand]) -> Vec<(String, Rect)> {
    cmds.iter()
        .filter_map(|c| match c {
            WorkerCommand::EncodeImage(job) => Some((job.sha256.clone(), job.area)),
            _ => None,
        })
        .collect()
}

/// What the worker would send back for `job` (half blocks stand in for the
/// pixel protocol, tagged with its mode).
fn worker_reply(job_area: Rect, mode: ImageMode) -> WorkerEvent {
    let DocumentContent::Image { width, height, rgb } = scan() else {
        unreachable!()
    };
    let mut picture = graphics::encode(None, width, height, &rgb, job_area).unwrap();
    picture.mode = mode;
    WorkerEvent::ImageEncoded {
        sha256: sha(),
        area: job_area,
        picture: Some(picture),
    }
}

#[test]
fn half_blocks_are_encoded_when_the_scan_arrives_and_again_only_when_the_area_changes() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
    assert!(
        scan_arrives(&mut app).is_empty(),
        "half blocks: no worker job"
    );
    let v = app.viewer.as_ref().unwrap();
    assert_eq!(v.encodes, 1);
    let first = v.picture.clone().unwrap();
    assert_eq!(first.mode, ImageMode::HalfBlocks);
    assert_eq!(first.area, image_area((80, 24)));

    // Redraws and a resize to the same size encode nothing.
    draw(&app);
    draw(&app);
    app.update(Action::Resize(80, 24));
    app.update(Action::Tick(Instant::now()));
    let v = app.viewer.as_ref().unwrap();
    assert_eq!(v.encodes, 1);
    assert_eq!(v.picture.as_ref(), Some(&first));

    // A bigger terminal: encoded again, for the new area, bigger.
    app.update(Action::Resize(160, 50));
    let v = app.viewer.as_ref().unwrap();
    assert_eq!(v.encodes, 2);
    let second = v.picture.as_ref().unwrap();
    assert_eq!(second.area, image_area((160, 50)));
    assert!(second.protocol.area().height > first.protocol.area().height);
    draw(&app);
    assert_eq!(app.viewer.as_ref().unwrap().encodes, 2);
    assert!(!app.repaint, "half blocks need no screen clear");
}

#[test]
fn the_normal_theme_draws_colour_half_blocks_from_ratatui_image() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
    scan_arrives(&mut app);
    let terminal = draw(&app);
    let buf = terminal.backend().buffer();
    let area = image_area((80, 24));
    let drawn = app
        .viewer
        .as_ref()
        .unwrap()
        .picture
        .as_ref()
        .unwrap()
        .protocol
        .area();
    let mut coloured = 0;
    for y in area.y..area.y + drawn.height {
        for x in area.x..area.x + drawn.width {
            let cell = &buf[(x, y)];
            assert!(
                ["▀", "▄", " "].contains(&cell.symbol()),
                "half block at ({x},{y}): {:?}",
                cell.symbol()
            );
            if matches!(cell.bg, Color::Rgb(..)) {
                coloured += 1;
            }
        }
    }
    assert_eq!(coloured, drawn.width as usize * drawn.height as usize);
    let hint: String = (0..80).map(|x| buf[(x, 21)].symbol().to_string()).collect();
    assert!(hint.contains("aperçu en demi-blocs"), "{hint}");
}

#[test]
fn no_color_draws_grey_shades_with_our_widget_and_encodes_nothing() {
    // Even where the terminal could draw sixel.
    let mut app = viewer(ThemeKind::NoColor, ImageMode::Sixel, (80, 24));
    assert!(scan_arrives(&mut app).is_empty());
    app.update(Action::Resize(100, 30));
    let v = app.viewer.as_ref().unwrap();
    assert!(v.picture.is_none() && v.encoding.is_none());
    assert_eq!(v.encodes, 0);
    let terminal = draw(&app);
    let buf = terminal.backend().buffer();
    let area = image_area((100, 30));
    let mut shades = 0;
    for y in area.y..area.bottom() {
        for x in area.x..area.right() {
            let cell = &buf[(x, y)];
            assert_eq!(cell.fg, Color::Reset, "no colour at ({x},{y})");
            assert_eq!(cell.bg, Color::Reset, "no colour at ({x},{y})");
            assert!(!["▀", "▄"].contains(&cell.symbol()));
            if ["█", "▓", "▒", "░"].contains(&cell.symbol()) {
                shades += 1;
            }
        }
    }
    assert!(
        shades > 20,
        "the text lines of the scan are drawn in shades"
    );
    let hint: String = (0..100)
        .map(|x| buf[(x, 27)].symbol().to_string())
        .collect();
    assert!(hint.contains("aperçu en niveaux de gris"), "{hint}");
}

#[test]
fn pixel_protocols_are_encoded_on_the_worker_one_job_at_a_time() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::Sixel, (80, 24));
    let small = image_area((80, 24));
    assert_eq!(jobs(&scan_arrives(&mut app)), vec![(sha(), small)]);
    let v = app.viewer.as_ref().unwrap();
    assert!(v.picture.is_none());
    assert_eq!(v.encoding, Some(small));
    let terminal = draw(&app);
    let text = format!("{:?}", terminal.backend());
    assert!(text.contains("Préparation de l'aperçu"), "{text}");
    assert!(text.contains("aperçu sixel"), "{text}");

    // Same size, or a change while the job runs: no second job.
    assert!(jobs(&app.update(Action::Resize(80, 24))).is_empty());
    assert!(jobs(&app.update(Action::Resize(120, 40))).is_empty());
    assert!(jobs(&app.update(Action::Resize(160, 50))).is_empty());
    // The reply for the old area is dropped and the current one asked.
    let big = image_area((160, 50));
    let cmds = app.update(Action::worker(worker_reply(small, ImageMode::Sixel)));
    assert_eq!(jobs(&cmds), vec![(sha(), big)]);
    assert!(app.viewer.as_ref().unwrap().picture.is_none());
    // The reply for the current area is kept and drawn.
    let cmds = app.update(Action::worker(worker_reply(big, ImageMode::Sixel)));
    assert!(cmds.is_empty());
    let v = app.viewer.as_ref().unwrap();
    assert_eq!(v.encodes, 2);
    assert_eq!(v.encoding, None);
    assert_eq!(v.picture.as_ref().unwrap().area, big);
    assert!(!app.repaint, "nothing to erase yet");
    draw(&app);
    assert!(jobs(&app.update(Action::Resize(160, 50))).is_empty());

    // A new size replaces the sixel: the old pixels must be cleared.
    let cmds = app.update(Action::Resize(100, 30));
    let area = image_area((100, 30));
    assert_eq!(jobs(&cmds), vec![(sha(), area)]);
    app.update(Action::worker(worker_reply(area, ImageMode::Sixel)));
    assert!(app.repaint && app.drop_images);
    assert_eq!(app.viewer.as_ref().unwrap().encodes, 3);
}

#[test]
fn a_failed_pixel_encoding_falls_back_to_half_blocks() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::Kitty, (80, 24));
    let area = image_area((80, 24));
    assert_eq!(jobs(&scan_arrives(&mut app)).len(), 1);
    let cmds = app.update(Action::worker(WorkerEvent::ImageEncoded {
        sha256: sha(),
        area,
        picture: None,
    }));
    assert!(cmds.is_empty(), "no endless retry");
    let picture = app.viewer.as_ref().unwrap().picture.clone().unwrap();
    assert_eq!(picture.mode, ImageMode::HalfBlocks);
    let text = format!("{:?}", draw(&app).backend());
    assert!(text.contains("aperçu en demi-blocs"), "{text}");
}

#[test]
fn replies_for_another_document_or_after_leaving_are_dropped() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::Sixel, (80, 24));
    scan_arrives(&mut app);
    let area = image_area((80, 24));
    let WorkerEvent::ImageEncoded { picture, .. } = worker_reply(area, ImageMode::Sixel) else {
        unreachable!()
    };
    app.update(Action::worker(WorkerEvent::ImageEncoded {
        sha256: "c".repeat(64),
        area,
        picture,
    }));
    assert!(app.viewer.as_ref().unwrap().picture.is_none());
    app.update(Action::Back);
    assert!(app.viewer.is_none());
    app.update(Action::worker(worker_reply(area, ImageMode::Sixel)));
    assert!(app.viewer.is_none(), "a late picture does not come back");
}

fn showing_a_sixel() -> App {
    let mut app = viewer(ThemeKind::Normal, ImageMode::Sixel, (80, 24));
    scan_arrives(&mut app);
    app.update(Action::worker(worker_reply(
        image_area((80, 24)),
        ImageMode::Sixel,
    )));
    assert!(app.viewer.as_ref().unwrap().shows_graphics());
    assert!(!app.repaint && !app.drop_images);
    app
}

#[test]
fn leaving_the_viewer_drops_the_picture_and_clears_a_pixel_image() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
    scan_arrives(&mut app);
    assert!(app.viewer.as_ref().unwrap().picture.is_some());
    app.update(Action::Back);
    assert_eq!(app.screen, Screen::Request);
    assert!(app.viewer.is_none());
    assert!(
        !app.repaint && !app.drop_images,
        "half blocks go with ratatui's diff"
    );

    let mut app = showing_a_sixel();
    app.update(Action::Back);
    assert!(app.viewer.is_none());
    assert!(app.repaint, "the sixel's pixels must be erased");
    assert!(app.drop_images, "and kitty's copy forgotten");
}

#[test]
fn the_idle_lock_drops_the_picture_and_clears_a_pixel_image() {
    let t0 = Instant::now();
    let mut app = showing_a_sixel();
    app.update(Action::Tick(t0));
    app.note_input();
    app.update(Action::Tick(t0 + Duration::from_secs(10 * 60)));
    assert_eq!(app.screen, Screen::Unlock);
    assert!(app.locked.as_ref().is_some_and(|l| l.idle));
    assert!(app.viewer.is_none());
    assert!(app.repaint && app.drop_images);
    // The worker's late reply carries decrypted pixels: dropped.
    app.update(Action::worker(worker_reply(
        image_area((80, 24)),
        ImageMode::Sixel,
    )));
    assert!(app.viewer.is_none());
}

#[test]
fn the_help_over_a_pixel_image_redraws_it_when_it_closes() {
    let mut app = showing_a_sixel();
    app.update(Action::ToggleHelp);
    assert!(app.repaint);
    app.repaint = false;
    app.update(Action::ToggleHelp);
    assert!(app.repaint);
    assert!(
        !app.drop_images,
        "the image stays: kitty must keep it to show it again"
    );

    let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
    scan_arrives(&mut app);
    app.update(Action::ToggleHelp);
    assert!(!app.repaint);
}

#[test]
fn tiny_terminals_get_no_picture_and_no_panic() {
    for (w, h) in [(1, 1), (2, 3), (3, 5), (10, 4), (200, 5)] {
        let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
        scan_arrives(&mut app);
        app.update(Action::Resize(w, h));
        let v = app.viewer.as_ref().unwrap();
        let area = image_area((w, h));
        match v.picture.as_ref() {
            Some(p) => {
                assert_eq!(p.area, area);
                assert!(p.protocol.area().width <= area.width);
                assert!(p.protocol.area().height <= area.height);
            }
            None => assert!(area.is_empty(), "{w}x{h}"),
        }
        draw(&app);
    }
}

#[test]
fn a_job_carries_the_thumbnail_for_the_worker() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::Iterm2, (80, 24));
    let cmds = scan_arrives(&mut app);
    let [WorkerCommand::EncodeImage(job)] = &cmds[..] else {
        panic!("one job expected");
    };
    let ImageJob {
        width,
        height,
        rgb,
        area,
        ..
    } = job.as_ref();
    assert_eq!((*width, *height), (40, 60));
    assert_eq!(rgb.len(), 40 * 60 * 3);
    let picture: Option<Picture> = graphics::encode(None, *width, *height, rgb, *area);
    assert!(picture.is_some());
}

// ---- Pièces rendered page by page (the pièces' session stood in for). ----

use avis::pieces::session::{PieceInfo, RenderedPage, SessionEvent};
use avis::pieces::{Piece, PieceKind, RenderSpec};
use avis::tui::document::PieceRequest;
use avis::tui::screens::viewer::ViewMode;
use avis::tui::screens::viewer_keys::Msg as ViewerAction;

fn real(name: &str) -> Piece {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/real")
        .join(name);
    Piece::open(
        zeroize::Zeroizing::new(std::fs::read(path).unwrap()),
        "application/pdf",
    )
    .unwrap()
}

/// Plays the session's part: answers every render and text request of
/// `cmds` from `piece` (half blocks: 1×2 pixels a cell), until none is left.
fn serve(app: &mut App, piece: &Piece, mut cmds: Vec<WorkerCommand>) -> usize {
    let mut served = 0;
    while let Some(i) = cmds
        .iter()
        .position(|c| matches!(c, WorkerCommand::Piece(_)))
    {
        let WorkerCommand::Piece(request) = cmds.remove(i) else {
            unreachable!()
        };
        let event = match request {
            PieceRequest::Render {
                doc,
                page,
                rotation,
                fit,
                zoom,
                cells,
            } => {
                let spec = RenderSpec {
                    rotation,
                    fit,
                    zoom,
                    view: (u32::from(cells.0), u32::from(cells.1) * 2),
                };
                let raster = piece.render(page, &spec).unwrap();
                SessionEvent::Page {
                    doc,
                    page: RenderedPage {
                        page,
                        spec,
                        raster: std::sync::Arc::new(raster),
                    },
                }
            }
            PieceRequest::Text { doc, page } => SessionEvent::Text {
                doc,
                page,
                text: piece.text(page).unwrap(),
            },
            PieceRequest::Close => continue,
        };
        served += 1;
        cmds.extend(app.update(Action::worker(WorkerEvent::Piece(event))));
    }
    served
}

/// The viewer on `piece`, opened by the session.
fn opened(kind: ThemeKind, size: (u16, u16), piece: &Piece) -> App {
    let mut app = viewer(kind, ImageMode::HalfBlocks, size);
    app.update(Action::worker(WorkerEvent::Document {
        sha256: sha(),
        content: DocumentContent::Opening,
    }));
    let first_text = piece.text(0).ok().filter(|t| avis::pieces::usable_text(t));
    let cmds = app.update(Action::worker(WorkerEvent::Piece(SessionEvent::Opened {
        doc: sha(),
        info: PieceInfo {
            kind: PieceKind::Pdf,
            pages: piece.page_count(),
            first_text,
        },
    })));
    serve(&mut app, piece, cmds.into_iter().collect());
    app
}

fn viewer_act(app: &mut App, a: ViewerAction) -> Vec<WorkerCommand> {
    app.update(Action::Viewer(a)).into_iter().collect()
}

fn screen(app: &App) -> String {
    let t = draw(app);
    let b = t.backend().buffer();
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_scanned_pdf_page_is_drawn_in_half_blocks_with_its_true_page_count() {
    let piece = real("img2pdf-scan-2pages.pdf");
    for size in [(80u16, 24u16), (160, 50)] {
        let app = opened(ThemeKind::NoColor, size, &piece);
        let v = app.viewer.as_ref().unwrap();
        assert_eq!(v.piece.mode, ViewMode::Image, "a scan: image view");
        assert!(matches!(v.content, Some(DocumentContent::Image { .. })));
        let text = screen(&app);
        assert!(text.contains("page 1 / 2"), "{text}");
        let shaded = text.chars().filter(|c| "█▓▒░".contains(*c)).count();
        assert!(shaded > 20, "the page's ink is drawn:\n{text}");
        insta::assert_snapshot!(format!("scan_page_{}x{}", size.0, size.1), text);
    }
}

#[test]
fn a_text_pdf_opens_in_the_text_view_and_search_highlights_matches() {
    let piece = real("pdflatex-4-pages.pdf");
    let mut app = opened(ThemeKind::Normal, (80, 24), &piece);
    let v = app.viewer.as_ref().unwrap();
    assert_eq!(
        v.piece.mode,
        ViewMode::Text,
        "text layer, no graphics protocol"
    );
    let text = screen(&app);
    assert!(text.contains("page 1 / 4"), "{text}");
    insta::assert_snapshot!("text_page_80x24", text);

    // `/` then a word of the page, Enter: matches counted and highlighted.
    let word = piece
        .text(0)
        .unwrap()
        .split_whitespace()
        .find(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_string();
    viewer_act(&mut app, ViewerAction::Search);
    for c in word.chars() {
        viewer_act(&mut app, ViewerAction::InputChar(c));
    }
    let cmds = viewer_act(&mut app, ViewerAction::InputSubmit);
    serve(&mut app, &piece, cmds);
    let s = app.viewer.as_ref().unwrap().piece.search.clone().unwrap();
    assert!(!s.matches.is_empty(), "{word}");
    let t = draw(&app);
    let b = t.backend().buffer();
    let highlighted = (0..b.area.height)
        .flat_map(|y| (0..b.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            b[(x, y)]
                .style()
                .add_modifier
                .contains(ratatui::style::Modifier::REVERSED)
                || b[(x, y)].bg != ratatui::style::Color::Reset
        })
        .count();
    assert!(highlighted >= word.chars().count(), "match highlighted");
    assert!(screen(&app).contains("1 / "), "match counter");
}

#[test]
fn reading_tools_page_zoom_pan_rotate_and_go_to() {
    let piece = real("img2pdf-scan-2pages.pdf");
    let mut app = opened(ThemeKind::Normal, (80, 24), &piece);
    let size = |app: &App| {
        let r = &app.viewer.as_ref().unwrap().piece.rendered;
        r.as_ref()
            .map(|r| (r.raster.width, r.raster.height))
            .unwrap()
    };
    let fitted = size(&app);
    // Zoom in: rendered bigger, then the window pans.
    let cmds = viewer_act(&mut app, ViewerAction::ZoomIn);
    assert_eq!(serve(&mut app, &piece, cmds), 1);
    let zoomed = size(&app);
    assert!(zoomed.1 > fitted.1);
    assert!(app.viewer.as_ref().unwrap().piece.overflow().1);
    let before = app.viewer.as_ref().unwrap().content.clone();
    // ↓ pans when zoomed (no worker command: the rendered page is reused).
    let key = |app: &App, code| {
        avis::tui::screens::handle_key(app, ratatui::crossterm::event::KeyEvent::from(code))
    };
    let down = key(&app, ratatui::crossterm::event::KeyCode::Down).unwrap();
    assert_eq!(down, Action::Viewer(ViewerAction::Pan(0, 1)));
    assert!(app
        .update(down)
        .iter()
        .all(|c| !matches!(c, WorkerCommand::Piece(_))));
    assert_ne!(
        app.viewer.as_ref().unwrap().content,
        before,
        "the window moved"
    );
    // Rotate: landscape.
    let cmds = viewer_act(&mut app, ViewerAction::Rotate);
    serve(&mut app, &piece, cmds);
    let cmds = viewer_act(&mut app, ViewerAction::FitPage);
    serve(&mut app, &piece, cmds);
    let (w, h) = size(&app);
    assert!(w > h, "turned a quarter: {w}×{h}");
    assert!(screen(&app).contains("90°"));
    // Go to page 2.
    viewer_act(&mut app, ViewerAction::GoTo);
    viewer_act(&mut app, ViewerAction::InputChar('2'));
    let cmds = viewer_act(&mut app, ViewerAction::InputSubmit);
    assert!(cmds.iter().any(|c| matches!(
        c,
        WorkerCommand::Piece(PieceRequest::Render { page: 1, .. })
    )));
    serve(&mut app, &piece, cmds);
    assert_eq!(app.viewer.as_ref().unwrap().page, 1);
    assert!(screen(&app).contains("page 2 / 2"));
    // Past the end: nothing asked.
    let next = key(&app, ratatui::crossterm::event::KeyCode::PageDown).unwrap();
    assert!(app.update(next).is_empty());
    // The help lists the viewer's keys.
    let help = avis::tui::screens::help(&app);
    let tokens: Vec<&str> = help.iter().flat_map(|(k, _)| k.split(", ")).collect();
    for k in ["+", "-", "r", "t", "/", "g", "w", "f", "Début", "Fin"] {
        assert!(tokens.contains(&k), "{k} in the help: {help:?}");
    }
}

#[test]
fn an_unreadable_piece_says_so_and_esc_leaves_at_once() {
    let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
    app.update(Action::worker(WorkerEvent::Document {
        sha256: sha(),
        content: DocumentContent::Opening,
    }));
    assert!(screen(&app).contains("Ouverture de la pièce"));
    // Esc while the session still works: back to the pièces.
    app.update(Action::Back);
    assert_eq!(app.screen, Screen::Request);
    // A late reply is ignored.
    app.update(Action::worker(WorkerEvent::Piece(
        SessionEvent::OpenFailed {
            doc: sha(),
            error: avis::pieces::PieceError::PasswordProtected,
        },
    )));
    assert!(app.viewer.is_none());

    let mut app = viewer(ThemeKind::Normal, ImageMode::HalfBlocks, (80, 24));
    app.update(Action::worker(WorkerEvent::Piece(
        SessionEvent::OpenFailed {
            doc: sha(),
            error: avis::pieces::PieceError::PasswordProtected,
        },
    )));
    assert!(screen(&app).contains("mot de passe"), "{}", screen(&app));
}
