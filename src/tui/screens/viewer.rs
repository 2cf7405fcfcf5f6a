//! The document viewer: a pièce page by page (`page N / M`, the true page
//! count), as an image — rendered by [`crate::pieces`] on its own thread,
//! drawn by ratatui-image (sixel, kitty, iTerm2 or colour half blocks,
//! encoded beforehand: see [`crate::tui::graphics`]) or in grey shades
//! under `NO_COLOR` — or as its text layer, laid out as on the page, with
//! `/` to search. Zoom, pan, fit width / fit page, quarter turns and go to
//! page. The keys are in [`super::viewer_keys`].

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::viewer_keys::Msg;
use crate::pieces::session::{PieceInfo, RenderedPage, SessionEvent};
use crate::pieces::{Fit, PieceKind, Raster, Rotation};
use crate::tui::app::{App, ViewerState};
use crate::tui::document::PieceRequest;
use crate::tui::graphics::ImageMode;
use crate::tui::theme::ThemeKind;
use crate::tui::widgets::halfblocks::HalfBlocks;
use crate::tui::worker::{DocumentContent, Orders, WorkerCommand};

/// The image and its hint line inside the viewer's border.
fn image_and_hint(inner: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner)
}

/// Where a scan is drawn on a terminal of `size` (columns, rows): what the
/// picture is encoded for.
pub fn image_area(size: (u16, u16)) -> Rect {
    let [_, body, _] = super::frame_areas(Rect::new(0, 0, size.0, size.1));
    image_and_hint(Block::bordered().inner(body))[0]
}

/// What the viewer's update needs of the application.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub size: (u16, u16),
    pub images: ImageMode,
}

/// Image or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewMode {
    #[default]
    Image,
    Text,
}

/// A one-line input of the viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A page number.
    GoTo,
    /// Words to find in the text.
    Search,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub kind: InputKind,
    pub text: String,
}

/// A search in the text view: the matches of the current page (line, first
/// and last character, exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    pub query: String,
    pub page: usize,
    pub matches: Vec<(usize, usize, usize)>,
    pub current: usize,
    /// Looking for the next page with a match (+1) or the previous (-1).
    pub seeking: Option<isize>,
}

/// The request last sent for a page image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wanted {
    pub page: usize,
    pub rotation: Rotation,
    pub fit: Fit,
    pub zoom: f32,
    pub cells: (u16, u16),
}

/// The viewer's state for a pièce opened by the pièces' session.
#[derive(Debug, Clone, PartialEq)]
pub struct PieceView {
    pub info: Option<PieceInfo>,
    /// Why the pièce, or the current page, cannot be shown.
    pub error: Option<String>,
    pub mode: ViewMode,
    pub rotation: Rotation,
    pub fit: Fit,
    pub zoom: f32,
    /// The window's top left corner, as a share of the rendered page.
    pub offset: (f64, f64),
    /// The current page's image, once rendered.
    pub rendered: Option<RenderedPage>,
    pub wanted: Option<Wanted>,
    /// Cleaned text lines of each page, once read.
    pub texts: Vec<Option<Vec<String>>>,
    pub input: Option<Input>,
    pub search: Option<Search>,
}

impl Default for PieceView {
    fn default() -> Self {
        PieceView {
            info: None,
            error: None,
            mode: ViewMode::Image,
            rotation: Rotation::None,
            fit: Fit::Page,
            zoom: 1.0,
            offset: (0.0, 0.0),
            rendered: None,
            wanted: None,
            texts: Vec::new(),
            input: None,
            search: None,
        }
    }
}

impl PieceView {
    fn pages(&self) -> usize {
        self.info.as_ref().map_or(0, |i| i.pages)
    }

    fn has_text(&self) -> bool {
        self.info
            .as_ref()
            .is_some_and(|i| i.kind == PieceKind::Pdf && i.first_text.is_some())
    }

    /// The rendered page overflows the view: (horizontally, vertically).
    pub fn overflow(&self) -> (bool, bool) {
        match &self.rendered {
            Some(r) => (
                r.raster.width > r.spec.view.0,
                r.raster.height > r.spec.view.1,
            ),
            None => (false, false),
        }
    }

    /// The part of the rendered page in view.
    pub fn window(&mut self) -> Option<Raster> {
        let r = self.rendered.as_ref()?;
        let (rw, rh) = (r.raster.width, r.raster.height);
        let (vw, vh) = (r.spec.view.0.min(rw), r.spec.view.1.min(rh));
        let max_x = f64::from(rw - vw);
        let max_y = f64::from(rh - vh);
        let x = (self.offset.0 * f64::from(rw)).clamp(0.0, max_x);
        let y = (self.offset.1 * f64::from(rh)).clamp(0.0, max_y);
        self.offset = (x / f64::from(rw), y / f64::from(rh));
        Some(r.raster.window(x as u32, y as u32, vw, vh))
    }
}

/// What the application must do after the viewer's update.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// The image shown changed: drop the old picture, encode the new one.
    pub picture: bool,
    /// A message for the status line (text, is an error).
    pub message: Option<(String, bool)>,
    /// The command that opens the pièce in the system's viewer, sent.
    pub external: Option<crate::tui::worker::CommandId>,
}

impl Outcome {
    fn picture() -> Outcome {
        Outcome {
            picture: true,
            message: None,
            external: None,
        }
    }

    fn say(text: impl Into<String>, error: bool) -> Outcome {
        Outcome {
            picture: false,
            message: Some((text.into(), error)),
            external: None,
        }
    }
}

fn view_cells(ctx: &Ctx) -> (u16, u16) {
    let a = image_area(ctx.size);
    (a.width, a.height)
}

/// Asks for the current page's image if it is not the one wanted already.
fn request_page(v: &mut ViewerState, ctx: &Ctx, out: &mut Orders) {
    let p = &mut v.piece;
    if p.info.is_none() || p.mode != ViewMode::Image {
        return;
    }
    let cells = view_cells(ctx);
    if cells.0 == 0 || cells.1 == 0 {
        return;
    }
    let wanted = Wanted {
        page: v.page,
        rotation: p.rotation,
        fit: p.fit,
        zoom: p.zoom,
        cells,
    };
    if p.wanted == Some(wanted) {
        return;
    }
    p.wanted = Some(wanted);
    out.push(WorkerCommand::Piece(PieceRequest::Render {
        doc: v.sha256.clone(),
        page: v.page,
        rotation: p.rotation,
        fit: p.fit,
        zoom: p.zoom,
        cells,
    }));
}

/// Asks for a page's text unless it is known.
fn request_text(v: &mut ViewerState, page: usize, out: &mut Orders) {
    let p = &mut v.piece;
    if p.texts.get(page).is_some_and(Option::is_none) {
        // Marked as asked: an empty page until the answer.
        out.push(WorkerCommand::Piece(PieceRequest::Text {
            doc: v.sha256.clone(),
            page,
        }));
    }
}

/// Shows the window of the rendered page as the viewer's image.
fn show_window(v: &mut ViewerState) -> Outcome {
    match v.piece.window() {
        Some(r) => {
            v.content = Some(DocumentContent::Image {
                width: r.width,
                height: r.height,
                rgb: r.rgb,
            });
            Outcome::picture()
        }
        None => Outcome::default(),
    }
}

fn go_to(v: &mut ViewerState, page: usize, ctx: &Ctx, out: &mut Orders) -> Outcome {
    let pages = v.piece.pages();
    if pages == 0 || page >= pages || page == v.page {
        return Outcome::default();
    }
    v.page = page;
    v.scroll = 0;
    v.piece.offset = (0.0, 0.0);
    v.piece.error = None;
    if v.piece.mode == ViewMode::Text {
        request_text(v, page, out);
        if let Some(s) = v.piece.search.as_mut() {
            s.matches.clear();
        }
        refresh_matches(v, ctx);
    }
    request_page(v, ctx, out);
    Outcome::default()
}

/// Folds a character for the search: lower case, French accents dropped
/// (one character for one, so positions stay).
fn fold(c: char) -> char {
    let c = c.to_lowercase().next().unwrap_or(c);
    match c {
        'à' | 'â' | 'ä' | 'á' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ç' => 'c',
        'ÿ' => 'y',
        other => other,
    }
}

/// Where `query` occurs in `lines` (line, first char, end char).
pub fn find(lines: &[String], query: &str) -> Vec<(usize, usize, usize)> {
    let q: Vec<char> = query.chars().map(fold).collect();
    if q.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let l: Vec<char> = line.chars().map(fold).collect();
        let mut start = 0;
        while start + q.len() <= l.len() {
            if l[start..start + q.len()] == q[..] {
                found.push((i, start, start + q.len()));
                start += q.len();
            } else {
                start += 1;
            }
        }
    }
    found
}

/// Recomputes the search's matches on the current page when its text is
/// known; scrolls to the current match.
fn refresh_matches(v: &mut ViewerState, ctx: &Ctx) -> Option<Outcome> {
    let page = v.page;
    let lines = v.piece.texts.get(page).cloned().flatten()?;
    let s = v.piece.search.as_mut()?;
    if s.page != page || s.matches.is_empty() {
        s.page = page;
        s.matches = find(&lines, &s.query);
        s.current = match s.seeking {
            Some(d) if d < 0 => s.matches.len().saturating_sub(1),
            _ => 0,
        };
    }
    let seeking = s.seeking.take();
    if s.matches.is_empty() {
        if let Some(d) = seeking {
            return Some(Outcome::say(
                if d > 0 {
                    "plus loin : aucune autre occurrence"
                } else {
                    "plus haut : aucune autre occurrence"
                },
                false,
            ));
        }
        return Some(Outcome::say(
            format!(
                "« {} » n'est pas sur cette page : n pour chercher plus loin",
                s.query
            ),
            false,
        ));
    }
    let line = s.matches[s.current.min(s.matches.len() - 1)].0;
    let height = usize::from(image_area(ctx.size).height.max(2));
    let top = usize::from(v.scroll);
    if line < top || line >= top + height {
        v.scroll = u16::try_from(line.saturating_sub(2)).unwrap_or(u16::MAX);
    }
    None
}

/// Moves to the next (`d` = 1) or previous (-1) match, across pages.
fn step_match(v: &mut ViewerState, d: isize, ctx: &Ctx, out: &mut Orders) -> Outcome {
    let pages = v.piece.pages();
    let Some(s) = v.piece.search.as_mut() else {
        return Outcome::default();
    };
    let next = s.current as isize + d;
    if s.page == v.page && next >= 0 && (next as usize) < s.matches.len() {
        s.current = next as usize;
        return refresh_matches(v, ctx).unwrap_or_default();
    }
    // Another page.
    let target = v.page as isize + d;
    if target < 0 || target as usize >= pages {
        return Outcome::say("aucune autre occurrence dans la pièce", false);
    }
    s.seeking = Some(d);
    s.matches.clear();
    let target = target as usize;
    v.page = target;
    v.scroll = 0;
    request_text(v, target, out);
    match refresh_matches(v, ctx) {
        // The page has no match: keep looking.
        Some(_) if v.piece.texts.get(target).is_some_and(Option::is_some) => {
            if let Some(s) = v.piece.search.as_mut() {
                s.current = if d > 0 { usize::MAX } else { 0 };
                s.page = target;
            }
            step_match(v, d, ctx, out)
        }
        other => other.unwrap_or_default(),
    }
}

/// The viewer's update.
pub fn update(v: &mut ViewerState, msg: Msg, ctx: &Ctx, out: &mut Orders) -> Outcome {
    if let Msg::OpenExternal = msg {
        let sent = out.push(WorkerCommand::OpenExternal {
            sha256: v.sha256.clone(),
            filename: v.filename.clone(),
        });
        return Outcome {
            external: Some(sent),
            ..Outcome::say("Ouverture dans la visionneuse du système…", false)
        };
    }
    if v.piece.info.is_none() {
        // Text given as is (or nothing yet): pages and scrolling.
        match msg {
            Msg::NextPage if v.page + 1 < v.pages.len() => {
                v.page += 1;
                v.scroll = 0;
            }
            Msg::PrevPage if v.page > 0 => {
                v.page -= 1;
                v.scroll = 0;
            }
            Msg::Scroll(d) => {
                v.scroll = (v.scroll as isize + d).clamp(0, u16::MAX as isize) as u16;
            }
            _ => {}
        }
        return Outcome::default();
    }
    let a = match msg {
        Msg::Scroll(d) => {
            if v.piece.mode == ViewMode::Text {
                v.scroll = (v.scroll as isize + d).clamp(0, u16::MAX as isize) as u16;
                return Outcome::default();
            }
            Msg::Pan(0, d.signum() as i8)
        }
        other => other,
    };
    let pages = v.piece.pages();
    let page = v.page;
    match a {
        Msg::NextPage => go_to(v, page + 1, ctx, out),
        Msg::PrevPage if page > 0 => go_to(v, page - 1, ctx, out),
        Msg::PrevPage => Outcome::default(),
        Msg::FirstPage => go_to(v, 0, ctx, out),
        Msg::LastPage => go_to(v, pages.saturating_sub(1), ctx, out),
        Msg::ToggleText => {
            if v.piece
                .info
                .as_ref()
                .is_some_and(|i| i.kind == PieceKind::Image)
            {
                return Outcome::say("une photo n'a pas de texte : image seulement", false);
            }
            v.piece.mode = match v.piece.mode {
                ViewMode::Image => ViewMode::Text,
                ViewMode::Text => ViewMode::Image,
            };
            v.scroll = 0;
            if v.piece.mode == ViewMode::Text {
                request_text(v, page, out);
                let empty = v
                    .piece
                    .texts
                    .get(v.page)
                    .cloned()
                    .flatten()
                    .is_some_and(|l| l.iter().all(|l| l.trim().is_empty()));
                let mut o = Outcome::picture();
                if empty {
                    o.message = Some((
                        "cette page n'a pas de texte (document numérisé) : t pour revenir à l'image".into(),
                        false,
                    ));
                }
                o
            } else {
                request_page(v, ctx, out);
                show_window(v)
            }
        }
        Msg::ZoomIn | Msg::ZoomOut | Msg::FitWidth | Msg::FitPage | Msg::Rotate => {
            if v.piece.mode == ViewMode::Text {
                v.piece.mode = ViewMode::Image;
            }
            let p = &mut v.piece;
            match a {
                Msg::ZoomIn => {
                    let can = p.rendered.as_ref().is_none_or(|r| {
                        f64::from(r.raster.width) * f64::from(r.raster.height) * 1.2
                            < crate::pieces::MAX_RASTER_PIXELS
                    });
                    if !can {
                        return Outcome::say("zoom maximal atteint", false);
                    }
                    p.zoom = (p.zoom * 1.5).min(32.0);
                }
                Msg::ZoomOut => {
                    if p.zoom <= 1.0 {
                        return Outcome::say(
                            "déjà à la taille de la vue : w pour la pleine largeur",
                            false,
                        );
                    }
                    p.zoom = (p.zoom / 1.5).max(1.0);
                }
                Msg::FitWidth => {
                    p.fit = Fit::Width;
                    p.zoom = 1.0;
                    p.offset = (0.0, 0.0);
                }
                Msg::FitPage => {
                    p.fit = Fit::Page;
                    p.zoom = 1.0;
                    p.offset = (0.0, 0.0);
                }
                _ => {
                    p.rotation = p.rotation.next();
                    p.offset = (0.0, 0.0);
                }
            }
            request_page(v, ctx, out);
            Outcome::default()
        }
        Msg::Pan(dx, dy) => {
            let Some(r) = v.piece.rendered.as_ref() else {
                return Outcome::default();
            };
            let (rw, rh) = (f64::from(r.raster.width), f64::from(r.raster.height));
            let (vw, vh) = (f64::from(r.spec.view.0), f64::from(r.spec.view.1));
            let before = v.piece.offset;
            v.piece.offset.0 += f64::from(dx) * vw * 0.25 / rw;
            v.piece.offset.1 += f64::from(dy) * vh * 0.25 / rh;
            let o = show_window(v);
            if v.piece.offset == before {
                return Outcome::default();
            }
            o
        }
        Msg::GoTo => {
            v.piece.input = Some(Input {
                kind: InputKind::GoTo,
                text: String::new(),
            });
            Outcome::default()
        }
        Msg::Search => {
            if !v.piece.has_text() && v.piece.mode == ViewMode::Image {
                return Outcome::say(
                    "pas de texte à chercher dans cette pièce (numérisée) : lisez l'image",
                    false,
                );
            }
            v.piece.input = Some(Input {
                kind: InputKind::Search,
                text: String::new(),
            });
            Outcome::default()
        }
        Msg::InputChar(c) => {
            if let Some(i) = v.piece.input.as_mut() {
                let fits = i.kind == InputKind::Search || c.is_ascii_digit();
                if fits && i.text.chars().count() < 60 && !c.is_control() {
                    i.text.push(c);
                }
            }
            Outcome::default()
        }
        Msg::InputBackspace => {
            if let Some(i) = v.piece.input.as_mut() {
                i.text.pop();
            }
            Outcome::default()
        }
        Msg::InputCancel => {
            v.piece.input = None;
            Outcome::default()
        }
        Msg::InputSubmit => {
            let Some(input) = v.piece.input.take() else {
                return Outcome::default();
            };
            match input.kind {
                InputKind::GoTo => match input.text.trim().parse::<usize>() {
                    Ok(n) if n >= 1 && n <= pages => go_to(v, n - 1, ctx, out),
                    _ => Outcome::say(format!("numéro de page entre 1 et {pages}"), true),
                },
                InputKind::Search => {
                    let query = input.text.trim().to_string();
                    if query.is_empty() {
                        v.piece.search = None;
                        return Outcome::default();
                    }
                    let switched = v.piece.mode != ViewMode::Text;
                    v.piece.mode = ViewMode::Text;
                    v.piece.search = Some(Search {
                        query,
                        page: v.page,
                        ..Search::default()
                    });
                    request_text(v, page, out);
                    let mut o = refresh_matches(v, ctx).unwrap_or_default();
                    o.picture |= switched;
                    o
                }
            }
        }
        Msg::NextMatch => step_match(v, 1, ctx, out),
        Msg::PrevMatch => step_match(v, -1, ctx, out),
        Msg::OpenExternal | Msg::Scroll(_) => Outcome::default(),
    }
}

/// The terminal changed size: the page is rendered again for the new view.
pub fn resized(v: &mut ViewerState, ctx: &Ctx, out: &mut Orders) {
    request_page(v, ctx, out);
}

/// A reply of the pièces' session.
pub fn on_event(v: &mut ViewerState, event: SessionEvent, ctx: &Ctx, out: &mut Orders) -> Outcome {
    match event {
        SessionEvent::Opened { doc, info } if doc == v.sha256 => {
            let mut texts = vec![None; info.pages];
            if let (Some(first), Some(t)) = (texts.first_mut(), info.first_text.as_ref()) {
                *first = Some(super::super::clean::clean_lines(t));
            }
            v.piece.mode = if info.first_text.is_some() && !ctx.images.is_graphics() {
                ViewMode::Text
            } else {
                ViewMode::Image
            };
            v.piece.texts = texts;
            v.pages = Vec::new();
            v.page = 0;
            v.scroll = 0;
            v.piece.info = Some(info);
            request_page(v, ctx, out);
            Outcome::default()
        }
        SessionEvent::OpenFailed { doc, error } if doc == v.sha256 => {
            v.content = Some(DocumentContent::Unavailable(error.to_string()));
            Outcome::picture()
        }
        SessionEvent::Page { doc, page } if doc == v.sha256 => {
            let Some(w) = v.piece.wanted else {
                return Outcome::default();
            };
            let same = page.page == w.page
                && page.spec.rotation == w.rotation
                && page.spec.fit == w.fit
                && page.spec.zoom == w.zoom;
            if !same || page.page != v.page {
                return Outcome::default();
            }
            v.piece.error = None;
            v.piece.rendered = Some(page);
            if v.piece.mode == ViewMode::Image {
                show_window(v)
            } else {
                Outcome::default()
            }
        }
        SessionEvent::PageFailed { doc, page, error } if doc == v.sha256 => {
            if page == v.page {
                v.piece.error = Some(error.to_string());
                v.piece.wanted = None;
            }
            Outcome::say(format!("page {} : {error}", page + 1), true)
        }
        SessionEvent::Text { doc, page, text } if doc == v.sha256 => {
            if let Some(slot) = v.piece.texts.get_mut(page) {
                *slot = Some(super::super::clean::clean_lines(&text));
            }
            if page != v.page {
                return Outcome::default();
            }
            if v.piece.search.is_some() {
                let seeking = v.piece.search.as_ref().and_then(|s| s.seeking);
                if let Some(o) = refresh_matches(v, ctx) {
                    if let Some(d) = seeking {
                        // No match here: on to the next page.
                        if let Some(s) = v.piece.search.as_mut() {
                            s.seeking = Some(d);
                            s.page = page;
                            s.current = if d > 0 { usize::MAX } else { 0 };
                        }
                        let next = step_match(v, d, ctx, out);
                        return if next.message.is_some() { next } else { o };
                    }
                    return o;
                }
            }
            Outcome::default()
        }
        _ => Outcome::default(),
    }
}

/// Draws the viewer.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(v) = app.viewer.as_ref() else {
        return;
    };
    let t = &app.theme;
    let p = &v.piece;
    let page_info = match &p.info {
        Some(info) => {
            let mut s = format!(" — page {} / {} ", v.page + 1, info.pages);
            if p.mode == ViewMode::Image {
                if p.rotation != Rotation::None {
                    s.push_str(&format!("· {}° ", p.rotation.degrees()));
                }
                if p.zoom > 1.0 {
                    s.push_str(&format!("· zoom {} % ", (p.zoom * 100.0).round()));
                }
                if p.fit == Fit::Width {
                    s.push_str("· pleine largeur ");
                }
            } else {
                s.push_str("· texte ");
            }
            s
        }
        None if !v.pages.is_empty() => format!(" — page {} / {} ", v.page + 1, v.pages.len()),
        None => String::new(),
    };
    let block = Block::bordered()
        .title(format!(" {}{page_info}", v.title))
        .border_style(t.border);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if p.info.is_some() && !matches!(v.content, Some(DocumentContent::Unavailable(_))) {
        return render_piece(app, v, frame, inner);
    }
    match &v.content {
        None | Some(DocumentContent::Opening) => {
            let text = app
                .progress
                .as_ref()
                .map(super::progress_text)
                .unwrap_or_else(|| match v.content {
                    None => "Déchiffrement de la pièce…".into(),
                    _ => "Ouverture de la pièce…".into(),
                });
            frame.render_widget(Paragraph::new(format!(" {text}")).style(t.dim), inner);
        }
        Some(DocumentContent::Pages(_)) => {
            let lines: Vec<Line> = v
                .pages
                .get(v.page)
                .map(|p| p.iter().map(|l| Line::raw(l.clone())).collect())
                .unwrap_or_default();
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((v.scroll, 0)),
                inner,
            );
        }
        Some(DocumentContent::Image { width, height, .. }) => {
            let [img, hint] = image_and_hint(inner);
            let mode = draw_image(app, v, frame, img);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    format!(" Image {width}×{height}, aperçu {mode} · o : visionneuse du système"),
                    t.dim,
                )),
                hint,
            );
        }
        Some(DocumentContent::Unavailable(msg)) => {
            frame.render_widget(
                Paragraph::new(format!(" {msg}"))
                    .style(t.warn)
                    .wrap(Wrap { trim: false }),
                inner,
            );
        }
    }
}

/// Draws the viewer's image; returns how ("en demi-blocs", "sixel"…).
fn draw_image(app: &App, v: &ViewerState, frame: &mut Frame, img: Rect) -> &'static str {
    let t = &app.theme;
    let Some(DocumentContent::Image { width, height, rgb }) = &v.content else {
        return app.images.label();
    };
    if t.kind == ThemeKind::NoColor {
        // ratatui-image's half blocks are in colour only.
        frame.render_widget(
            HalfBlocks {
                width: *width,
                height: *height,
                rgb,
            },
            img,
        );
        "en niveaux de gris"
    } else if let Some(picture) = v.picture.as_ref() {
        // Drawing only copies the ready protocol into the frame.
        frame.render_widget(ratatui_image::Image::new(&picture.protocol), img);
        picture.mode.label()
    } else {
        if v.encoding.is_some() {
            frame.render_widget(
                Paragraph::new(" Préparation de l'aperçu…").style(t.dim),
                img,
            );
        }
        app.images.label()
    }
}

fn render_piece(app: &App, v: &ViewerState, frame: &mut Frame, inner: Rect) {
    let t = &app.theme;
    let p = &v.piece;
    let [body, hint] = image_and_hint(inner);
    let hint_text = if let Some(input) = &p.input {
        let label = match input.kind {
            InputKind::GoTo => format!("Aller à la page (1 à {}) : ", p.pages()),
            InputKind::Search => "Chercher : ".to_string(),
        };
        Line::from(vec![
            Span::styled(format!(" {label}"), t.key),
            Span::raw(super::super::clean::clean(&input.text)),
            Span::styled("▏", t.key),
        ])
    } else if let Some(err) = &p.error {
        Line::styled(format!(" {err}"), t.warn)
    } else if p.mode == ViewMode::Text {
        let found = p.search.as_ref().filter(|s| s.page == v.page).map(|s| {
            if s.matches.is_empty() {
                format!("« {} » : absent de cette page · ", s.query)
            } else {
                format!(
                    "« {} » : {} / {} sur cette page · n N ",
                    s.query,
                    (s.current.min(s.matches.len() - 1)) + 1,
                    s.matches.len()
                )
            }
        });
        Line::styled(
            format!(
                " Texte de la page{} · {}t : image · / : chercher",
                if p.has_text() {
                    ""
                } else {
                    " (aucun texte : numérisée)"
                },
                found.unwrap_or_default()
            ),
            t.dim,
        )
    } else {
        let mode = match &v.content {
            Some(DocumentContent::Image { .. }) if t.kind == ThemeKind::NoColor => {
                "en niveaux de gris"
            }
            Some(DocumentContent::Image { .. }) => v
                .picture
                .as_ref()
                .map_or(app.images.label(), |pic| pic.mode.label()),
            _ => app.images.label(),
        };
        let (wide, tall) = p.overflow();
        let pan = if wide || tall {
            " · flèches : se déplacer"
        } else {
            ""
        };
        Line::styled(
            format!(" Image, aperçu {mode}{pan} · +/- zoom · w/f largeur/page · r tourner · t texte · o visionneuse"),
            t.dim,
        )
    };
    frame.render_widget(Paragraph::new(hint_text), hint);
    if p.mode == ViewMode::Text {
        let lines = p.texts.get(v.page).cloned().flatten();
        let Some(lines) = lines else {
            frame.render_widget(Paragraph::new(" Lecture du texte…").style(t.dim), body);
            return;
        };
        let search = p.search.as_ref().filter(|s| s.page == v.page);
        let current = search.and_then(|s| s.matches.get(s.current.min(s.matches.len().max(1) - 1)));
        let marked: Vec<Line> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let ranges: Vec<(usize, usize, bool)> = search
                    .map(|s| {
                        s.matches
                            .iter()
                            .filter(|m| m.0 == i)
                            .map(|m| (m.1, m.2, Some(m) == current))
                            .collect()
                    })
                    .unwrap_or_default();
                highlight(
                    l,
                    &ranges,
                    t.selected,
                    t.key.add_modifier(Modifier::REVERSED),
                )
            })
            .collect();
        if lines.iter().all(|l| l.trim().is_empty()) {
            frame.render_widget(
                Paragraph::new(
                    " Cette page n'a pas de texte (document numérisé) : t pour voir l'image.",
                )
                .style(t.dim),
                body,
            );
            return;
        }
        frame.render_widget(
            Paragraph::new(marked)
                .wrap(Wrap { trim: false })
                .scroll((v.scroll, 0)),
            body,
        );
        return;
    }
    if matches!(v.content, Some(DocumentContent::Image { .. })) {
        draw_image(app, v, frame, body);
    } else if p.error.is_none() {
        frame.render_widget(Paragraph::new(" Rendu de la page…").style(t.dim), body);
    }
}

/// A line with the characters of `ranges` (first, end, is current) styled.
fn highlight(
    line: &str,
    ranges: &[(usize, usize, bool)],
    current: Style,
    other: Style,
) -> Line<'static> {
    if ranges.is_empty() {
        return Line::raw(line.to_string());
    }
    let chars: Vec<char> = line.chars().collect();
    let mut spans = Vec::new();
    let mut at = 0;
    for &(a, b, is_current) in ranges {
        let (a, b) = (a.min(chars.len()), b.min(chars.len()));
        if a < at {
            continue;
        }
        spans.push(Span::raw(chars[at..a].iter().collect::<String>()));
        spans.push(Span::styled(
            chars[a..b].iter().collect::<String>(),
            if is_current { current } else { other },
        ));
        at = b;
    }
    spans.push(Span::raw(chars[at..].iter().collect::<String>()));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_folds_case_and_accents() {
        let lines = vec![
            "Épreuve de lecture".to_string(),
            "epreuve orale, ÉPREUVE écrite".to_string(),
        ];
        assert_eq!(
            find(&lines, "epreuve"),
            vec![(0, 0, 7), (1, 0, 7), (1, 15, 22)]
        );
        assert!(find(&lines, "").is_empty());
        assert!(find(&lines, "absent").is_empty());
    }

    #[test]
    fn highlight_splits_the_line() {
        let l = highlight(
            "abc def",
            &[(4, 7, true)],
            Style::default(),
            Style::default(),
        );
        assert_eq!(l.spans.len(), 3);
        assert_eq!(l.spans[1].content, "def");
    }
}
