//! How the document viewer draws scans: with `ratatui-image`, in sixel,
//! kitty or iTerm2 where the terminal says it can, in colour half blocks
//! otherwise (and in our own grey shades under `NO_COLOR`, see
//! [`super::widgets::halfblocks`]).
//!
//! The terminal is asked once, at start-up, before any thread reads the
//! keyboard ([`detect`]): our own short query with a hard deadline rather
//! than `Picker::from_query_stdio`, whose 2 s timeout restarts on every read
//! and whose reading thread outlives a terminal that never answers (it would
//! then eat the first keystrokes). Inside tmux or screen, under `NO_COLOR`
//! or with `AVIS_IMAGES=demi-blocs`, nothing is asked: half blocks.
//!
//! An image is encoded ([`encode`]) into a [`Picture`] outside the drawing:
//! in the update for half blocks (a few milliseconds), on the worker for the
//! pixel protocols (tens of milliseconds); drawing only copies the ready
//! [`Protocol`] into the frame.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use image::{DynamicImage, RgbImage};
use ratatui::layout::Rect;
use ratatui_image::picker::cap_parser::{Parser, QueryStdioOptions, Response};
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::halfblocks::Halfblocks;
use ratatui_image::protocol::Protocol;
use ratatui_image::{FilterType, FontSize, Resize};

/// The environment variable that forces half blocks (`demi-blocs`).
pub const IMAGES_ENV: &str = "AVIS_IMAGES";

/// How long the terminal has to answer the start-up query. Terminals answer
/// in a few milliseconds, over SSH too; one that does not answer costs this
/// once and gets half blocks.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(500);

/// The most bytes read while waiting for the terminal's answers.
const MAX_REPLY_BYTES: usize = 4096;

/// The largest image area in cells: ratatui-image's half blocks count cells
/// in a `u16`, and no screen shows more.
const MAX_CELLS: u16 = 255;

/// A pixel protocol upscales the thumbnail at most this much.
const MAX_UPSCALE: u32 = 2;

/// Kitty keeps transmitted images in its memory: erased on exit if set.
static KITTY_IN_USE: AtomicBool = AtomicBool::new(false);

/// How scans are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageMode {
    /// Unicode half blocks in colour (every terminal).
    HalfBlocks,
    Sixel,
    Kitty,
    Iterm2,
}

impl ImageMode {
    /// Draws real pixels (sixel, kitty, iTerm2): encoded on the worker, and
    /// the screen must be cleared when the image goes.
    pub fn is_graphics(self) -> bool {
        self != ImageMode::HalfBlocks
    }

    /// French words for the viewer's hint line ("aperçu …").
    pub fn label(self) -> &'static str {
        match self {
            ImageMode::HalfBlocks => "en demi-blocs",
            ImageMode::Sixel => "sixel",
            ImageMode::Kitty => "kitty",
            ImageMode::Iterm2 => "iTerm2",
        }
    }

    fn of(protocol: ProtocolType) -> ImageMode {
        match protocol {
            ProtocolType::Halfblocks => ImageMode::HalfBlocks,
            ProtocolType::Sixel => ImageMode::Sixel,
            ProtocolType::Kitty => ImageMode::Kitty,
            ProtocolType::Iterm2 => ImageMode::Iterm2,
        }
    }
}

/// What to do at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detection {
    /// Ask the terminal what it can draw.
    Query,
    /// Half blocks without asking.
    HalfBlocks,
}

/// The environment values the choice depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageEnv {
    /// `AVIS_IMAGES`.
    pub avis_images: Option<String>,
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    pub term: Option<String>,
    pub term_program: Option<String>,
    /// `TMUX` (set inside tmux).
    pub tmux: Option<String>,
    /// `STY` (set inside GNU screen).
    pub sty: Option<String>,
}

impl ImageEnv {
    /// Reads the process environment.
    pub fn from_env() -> ImageEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        ImageEnv {
            avis_images: std::env::var(IMAGES_ENV).ok(),
            no_color: var("NO_COLOR").is_some(),
            term: var("TERM"),
            term_program: var("TERM_PROGRAM"),
            tmux: var("TMUX"),
            sty: var("STY"),
        }
    }

    /// Whether to ask the terminal. `Err` carries the French message for an
    /// `AVIS_IMAGES` value that is not understood (half blocks then).
    pub fn detection(&self) -> Result<Detection, String> {
        match self.avis_images.as_deref().map(|v| v.trim().to_lowercase()) {
            None => {}
            Some(v) if v.is_empty() || v == "auto" => {}
            Some(v) if v == "demi-blocs" => return Ok(Detection::HalfBlocks),
            Some(_) => {
                return Err(format!(
                    "{IMAGES_ENV} doit valoir « auto » ou « demi-blocs » : corrigez-le ; images en demi-blocs en attendant"
                ))
            }
        }
        let term = self.term.as_deref().unwrap_or("");
        // A multiplexer answers for itself, not for the terminal around it,
        // and pixel images do not survive its redraws.
        let multiplexer = self.tmux.is_some()
            || self.sty.is_some()
            || term.starts_with("tmux")
            || term.starts_with("screen")
            || self.term_program.as_deref() == Some("tmux");
        // The grey shades of NO_COLOR need no picker; the Linux console and
        // dumb terminals have no pixel protocol.
        if self.no_color || multiplexer || term == "linux" || term == "dumb" || term.is_empty() {
            Ok(Detection::HalfBlocks)
        } else {
            Ok(Detection::Query)
        }
    }
}

/// The terminal's answers to the start-up query.
#[derive(Default)]
pub struct Replies {
    parser: Parser,
    pub kitty: bool,
    pub sixel: bool,
    /// Cell size in pixels (width, height).
    pub cell: Option<FontSize>,
    /// The final status report arrived: every answer is in.
    pub done: bool,
}

impl Replies {
    /// Feeds bytes read from the terminal.
    pub fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.done {
                return;
            }
            for response in self.parser.push(char::from(b)) {
                match response {
                    Response::Kitty => self.kitty = true,
                    Response::Sixel => self.sixel = true,
                    Response::CellSize(Some((w, h))) if w > 0 && h > 0 => self.cell = Some((w, h)),
                    Response::Status => self.done = true,
                    _ => {}
                }
            }
        }
    }

    /// The pixel protocol the answers allow, if any. WezTerm and Konsole
    /// claim kitty or sixel but draw them badly (ratatui-image's own rule).
    pub fn protocol(&self, wezterm_or_konsole: bool) -> Option<ProtocolType> {
        if !self.done || wezterm_or_konsole {
            None
        } else if self.kitty {
            Some(ProtocolType::Kitty)
        } else if self.sixel {
            Some(ProtocolType::Sixel)
        } else {
            None
        }
    }
}

/// Asks the terminal (raw mode on, no other thread reading the keyboard)
/// whether it draws sixel, kitty or iTerm2 images, and its cell size.
/// `None`: half blocks. Never waits more than [`QUERY_TIMEOUT`].
pub fn detect() -> Option<Picker> {
    let replies = query_terminal(QUERY_TIMEOUT)?;
    let var = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    let quirky = var("WEZTERM_EXECUTABLE") || var("KONSOLE_VERSION");
    let pixels = ratatui::crossterm::terminal::window_size()
        .ok()
        .and_then(|s| {
            (s.columns > 0 && s.rows > 0 && s.width > 0 && s.height > 0)
                .then(|| (s.width / s.columns, s.height / s.rows))
        });
    let font = replies.cell.or(pixels).filter(|(w, h)| *w > 0 && *h > 0)?;
    // The only constructor that takes a measured cell size without asking
    // the terminal itself; it also reads the iTerm2 hints of the environment.
    #[allow(deprecated)]
    let mut picker = Picker::from_fontsize(font);
    if let Some(protocol) = replies.protocol(quirky) {
        picker.set_protocol_type(protocol);
    }
    if picker.protocol_type() == ProtocolType::Halfblocks {
        return None;
    }
    if picker.protocol_type() == ProtocolType::Kitty {
        KITTY_IN_USE.store(true, Ordering::Relaxed);
    }
    Some(picker)
}

/// The mode a picker from [`detect`] draws in.
pub fn mode_of(picker: Option<&Picker>) -> ImageMode {
    picker.map_or(ImageMode::HalfBlocks, |p| ImageMode::of(p.protocol_type()))
}

#[cfg(unix)]
fn query_terminal(timeout: Duration) -> Option<Replies> {
    use std::os::fd::AsRawFd;
    let query = Parser::query(false, QueryStdioOptions::default());
    let mut out = std::io::stdout();
    out.write_all(query.as_bytes()).ok()?;
    out.flush().ok()?;
    let fd = std::io::stdin().as_raw_fd();
    let deadline = std::time::Instant::now() + timeout;
    let mut replies = Replies::default();
    let mut buf = [0u8; 256];
    let mut total = 0;
    while !replies.done && total < MAX_REPLY_BYTES {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, for the duration of the call.
        let ready = unsafe { libc::poll(&mut pfd, 1, ms) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if ready == 0 {
            break;
        }
        // Read the descriptor directly: std's buffered stdin would keep the
        // bytes after the answers away from crossterm.
        // SAFETY: `buf` is valid for `buf.len()` bytes.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        let Ok(n) = usize::try_from(n) else {
            break;
        };
        if n == 0 {
            break;
        }
        total += n;
        replies.push(&buf[..n.min(buf.len())]);
    }
    Some(replies)
}

#[cfg(not(unix))]
fn query_terminal(_timeout: Duration) -> Option<Replies> {
    None
}

/// Erases the images a pixel protocol left in the terminal: kitty keeps
/// them in its memory (deleted here, by any id); sixel and iTerm2 pixels go
/// with the screen clear that follows.
pub fn erase_images(out: &mut impl Write, mode: ImageMode) {
    if mode == ImageMode::Kitty {
        let _ = out.write_all(KITTY_DELETE_ALL);
        let _ = out.flush();
    }
}

/// Kitty: delete every placement and image data, by any id (quietly).
const KITTY_DELETE_ALL: &[u8] = b"\x1b_Ga=d,d=A,q=2\x1b\\\x1b_Ga=d,d=R,x=1,y=4294967295,q=2\x1b\\";

/// On exit: erases the kitty images if kitty was used.
pub fn erase_on_exit(out: &mut impl Write) {
    if KITTY_IN_USE.load(Ordering::Relaxed) {
        erase_images(out, ImageMode::Kitty);
    }
}

/// A scan encoded for the terminal, ready to draw.
#[derive(Clone)]
pub struct Picture {
    pub protocol: Protocol,
    pub mode: ImageMode,
    /// The viewer's image area it was encoded for.
    pub area: Rect,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the pixels.
        f.debug_struct("Picture")
            .field("mode", &self.mode)
            .field("area", &self.area)
            .field("drawn", &self.protocol.area())
            .finish()
    }
}

/// Two pictures are equal when drawn the same way at the same place (the
/// pixels are not compared).
impl PartialEq for Picture {
    fn eq(&self, other: &Picture) -> bool {
        self.mode == other.mode
            && self.area == other.area
            && self.protocol.area() == other.protocol.area()
    }
}

/// Encodes an RGB thumbnail for `area`: with `picker` (sixel, kitty,
/// iTerm2), scaled to fill the area (at most twice the thumbnail's pixels);
/// without, in colour half blocks filling the area. `None` for an empty area
/// or too few pixels for the size.
pub fn encode(
    picker: Option<&Picker>,
    width: u32,
    height: u32,
    rgb: &[u8],
    area: Rect,
) -> Option<Picture> {
    let requested = area;
    let area = Rect::new(0, 0, area.width.min(MAX_CELLS), area.height.min(MAX_CELLS));
    if area.is_empty() || width == 0 || height == 0 {
        return None;
    }
    let expected = (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(3)?;
    let pixels = rgb.get(..expected)?.to_vec();
    let image = DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, pixels)?);
    match picker {
        None => {
            let fit = halfblocks_fit(width, height, area);
            let blocks = Halfblocks::new(image, fit).ok()?;
            Some(Picture {
                protocol: Protocol::Halfblocks(blocks),
                mode: ImageMode::HalfBlocks,
                area: requested,
            })
        }
        Some(picker) => {
            let (fw, fh) = picker.font_size();
            let (fw, fh) = (u32::from(fw.max(1)), u32::from(fh.max(1)));
            let cells = |pixels: u32, font: u32| {
                u16::try_from((pixels.saturating_mul(MAX_UPSCALE)).div_ceil(font))
                    .unwrap_or(u16::MAX)
                    .max(1)
            };
            let bound = Rect::new(
                0,
                0,
                area.width.min(cells(width, fw)),
                area.height.min(cells(height, fh)),
            );
            let protocol = picker
                .new_protocol(image, bound, Resize::Scale(Some(FilterType::Triangle)))
                .ok()?;
            let drawn = protocol.area();
            if drawn.is_empty() || drawn.width > area.width || drawn.height > area.height {
                return None;
            }
            Some(Picture {
                protocol,
                mode: ImageMode::of(picker.protocol_type()),
                area: requested,
            })
        }
    }
}

/// The cells a `width`×`height` image fills in `area` with half blocks
/// (each cell two square pixels high), keeping its proportions.
fn halfblocks_fit(width: u32, height: u32, area: Rect) -> Rect {
    let cols = f64::from(area.width);
    let rows = f64::from(area.height) * 2.0;
    let scale = (cols / f64::from(width)).min(rows / f64::from(height));
    let w = ((f64::from(width) * scale).floor() as u16).clamp(1, area.width);
    let h_px = ((f64::from(height) * scale).floor() as u32).max(1);
    let h = (u16::try_from(h_px.div_ceil(2)).unwrap_or(u16::MAX)).clamp(1, area.height);
    Rect::new(0, 0, w, h)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(avis_images: Option<&str>) -> ImageEnv {
        ImageEnv {
            avis_images: avis_images.map(str::to_string),
            term: Some("xterm-256color".into()),
            ..ImageEnv::default()
        }
    }

    #[test]
    fn avis_images_forces_half_blocks() {
        assert_eq!(env(None).detection(), Ok(Detection::Query));
        assert_eq!(env(Some("auto")).detection(), Ok(Detection::Query));
        assert_eq!(env(Some("")).detection(), Ok(Detection::Query));
        assert_eq!(
            env(Some("demi-blocs")).detection(),
            Ok(Detection::HalfBlocks)
        );
        assert_eq!(
            env(Some(" Demi-Blocs ")).detection(),
            Ok(Detection::HalfBlocks)
        );
        let err = env(Some("sixel")).detection().unwrap_err();
        assert!(
            err.contains("AVIS_IMAGES") && err.contains("demi-blocs"),
            "{err}"
        );
    }

    #[test]
    fn no_query_under_no_color_nor_in_a_multiplexer() {
        let mut e = env(None);
        e.no_color = true;
        assert_eq!(e.detection(), Ok(Detection::HalfBlocks));
        let mut e = env(None);
        e.tmux = Some("/tmp/tmux-0/default,1,0".into());
        assert_eq!(e.detection(), Ok(Detection::HalfBlocks));
        let mut e = env(None);
        e.term = Some("tmux-256color".into());
        assert_eq!(e.detection(), Ok(Detection::HalfBlocks));
        let mut e = env(None);
        e.term = Some("screen".into());
        assert_eq!(e.detection(), Ok(Detection::HalfBlocks));
        let mut e = env(None);
        e.term_program = Some("tmux".into());
        assert_eq!(e.detection(), Ok(Detection::HalfBlocks));
        let mut e = env(None);
        e.term = Some("linux".into());
        assert_eq!(e.detection(), Ok(Detection::HalfBlocks));
    }

    fn replies(bytes: &[u8]) -> Replies {
        let mut r = Replies::default();
        // In two reads, cut in the middle of an answer.
        let (a, b) = bytes.split_at(bytes.len() / 2);
        r.push(a);
        r.push(b);
        r
    }

    #[test]
    fn terminal_answers_choose_the_protocol() {
        // xterm -ti 340: sixel, cell size, status.
        let xterm = replies(b"\x1b[?63;1;2;4;6;9;15;22c\x1b[6;20;10t\x1b[0n");
        assert!(xterm.done);
        assert_eq!(xterm.cell, Some((10, 20)));
        assert_eq!(xterm.protocol(false), Some(ProtocolType::Sixel));
        assert_eq!(xterm.protocol(true), None, "WezTerm and Konsole excluded");
        // kitty answers its graphics query: kitty wins over sixel.
        let kitty = replies(b"\x1b_Gi=31;OK\x1b\\\x1b[?62;4;22c\x1b[6;18;9t\x1b[0n");
        assert_eq!(kitty.protocol(false), Some(ProtocolType::Kitty));
        assert_eq!(kitty.cell, Some((9, 18)));
        // A plain terminal: no pixel protocol.
        let plain = replies(b"\x1b[?1;2c\x1b[0n");
        assert!(plain.done);
        assert_eq!(plain.protocol(false), None);
        // No status report yet: not trusted.
        let cut = replies(b"\x1b[?63;4c");
        assert!(!cut.done);
        assert_eq!(cut.protocol(false), None);
    }

    #[test]
    fn keystrokes_mixed_with_answers_are_ignored() {
        let r = replies(b"abc\x1b[A\x1b[?62;4c\x1bx\x1b[0nzz");
        assert!(r.done);
        assert_eq!(r.protocol(false), Some(ProtocolType::Sixel));
    }

    fn grey(w: u32, h: u32) -> Vec<u8> {
        vec![128; (w * h * 3) as usize]
    }

    #[test]
    fn half_blocks_fill_the_area_keeping_proportions() {
        // A portrait A4-like thumbnail in the 80×24 viewer.
        let p = encode(None, 283, 400, &grey(283, 400), Rect::new(1, 2, 78, 19)).unwrap();
        assert_eq!(p.mode, ImageMode::HalfBlocks);
        assert_eq!(p.area, Rect::new(1, 2, 78, 19), "the area asked for");
        let drawn = p.protocol.area();
        assert_eq!(drawn.height, 19, "fills the height");
        assert_eq!(drawn.width, 26, "38 rows of pixels × 283/400");
        // A landscape one fills the width.
        let p = encode(None, 400, 100, &grey(400, 100), Rect::new(0, 0, 78, 19)).unwrap();
        assert_eq!(p.protocol.area(), Rect::new(0, 0, 78, 10));
    }

    #[test]
    fn encoding_refuses_empty_areas_and_bad_pixels_and_caps_huge_areas() {
        assert!(encode(None, 4, 4, &grey(4, 4), Rect::new(0, 0, 0, 10)).is_none());
        assert!(encode(None, 4, 4, &grey(4, 4), Rect::new(0, 0, 10, 0)).is_none());
        assert!(encode(None, 4, 4, &grey(3, 3), Rect::new(0, 0, 10, 10)).is_none());
        assert!(encode(None, 0, 4, &[], Rect::new(0, 0, 10, 10)).is_none());
        let p = encode(None, 4, 4, &grey(4, 4), Rect::new(0, 0, 1000, 1000)).unwrap();
        assert!(p.protocol.area().width <= MAX_CELLS && p.protocol.area().height <= MAX_CELLS);
        // One-pixel-wide images in a one-cell area.
        assert!(encode(None, 1, 300, &grey(1, 300), Rect::new(0, 0, 1, 1)).is_some());
    }

    #[test]
    fn pixel_protocols_fill_the_area_up_to_twice_the_thumbnail() {
        // Building a picker runs `tmux set -p allow-passthrough on` inside
        // tmux: not on the developer's own tmux pane.
        let tmux = std::env::var("TERM").is_ok_and(|t| t.starts_with("tmux"))
            || std::env::var("TERM_PROGRAM").is_ok_and(|t| t == "tmux");
        if tmux {
            eprintln!("dans tmux : test des protocoles graphiques ignoré");
            return;
        }
        for (protocol, mode) in [
            (ProtocolType::Sixel, ImageMode::Sixel),
            (ProtocolType::Kitty, ImageMode::Kitty),
            (ProtocolType::Iterm2, ImageMode::Iterm2),
        ] {
            #[allow(deprecated)]
            let mut picker = Picker::from_fontsize((10, 20));
            picker.set_protocol_type(protocol);
            let area = Rect::new(1, 2, 158, 45);
            let p = encode(Some(&picker), 288, 400, &grey(288, 400), area).unwrap();
            assert_eq!(p.mode, mode);
            assert_eq!(p.area, area);
            // 2 × 288 px / 10 = 58 columns, 2 × 400 px / 20 = 40 rows.
            assert_eq!(p.protocol.area(), Rect::new(0, 0, 58, 40), "{mode:?}");
            // A small viewer: the whole area, proportions kept.
            let p = encode(
                Some(&picker),
                288,
                400,
                &grey(288, 400),
                Rect::new(1, 2, 78, 19),
            );
            let drawn = p.unwrap().protocol.area();
            assert!(
                drawn.width <= 78 && drawn.height == 19,
                "{mode:?} {drawn:?}"
            );
        }
    }

    #[test]
    fn kitty_images_are_deleted_only_for_kitty() {
        let mut out = Vec::new();
        erase_images(&mut out, ImageMode::Sixel);
        assert!(out.is_empty());
        erase_images(&mut out, ImageMode::Kitty);
        assert!(out.starts_with(b"\x1b_Ga=d,"));
    }
}
