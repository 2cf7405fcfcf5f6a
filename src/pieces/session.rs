//! The thread that shows one pièce at a time: it opens the decrypted
//! bytes, renders the pages asked for (only the latest of a burst of
//! requests), keeps the last few in a small cache, renders the next page
//! ahead while idle, and reads text layers — every decoder under
//! [`super::contained`]. Replies go to a callback; the caller's thread never
//! waits.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use super::{contained, usable_text, Piece, PieceError, PieceKind, Raster, RenderSpec};

/// Time allowed to open a pièce (and read its first page's text).
pub const OPEN_BUDGET: Duration = Duration::from_secs(10);
/// Time allowed to render one page.
pub const RENDER_BUDGET: Duration = Duration::from_secs(10);
/// Time allowed to read one page's text.
pub const TEXT_BUDGET: Duration = Duration::from_secs(5);
/// Pages kept rendered.
const CACHE: usize = 4;

/// What the viewer learns when a pièce opens.
#[derive(Debug, Clone, PartialEq)]
pub struct PieceInfo {
    pub kind: PieceKind,
    /// The true page count.
    pub pages: usize,
    /// The first page's text, when it has a usable text layer.
    pub first_text: Option<String>,
}

/// A rendered page.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPage {
    pub page: usize,
    pub spec: RenderSpec,
    pub raster: Arc<Raster>,
}

/// Replies, each naming the document (its sha256) it is about.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    Opened {
        doc: String,
        info: PieceInfo,
    },
    OpenFailed {
        doc: String,
        error: PieceError,
    },
    Page {
        doc: String,
        page: RenderedPage,
    },
    PageFailed {
        doc: String,
        page: usize,
        error: PieceError,
    },
    Text {
        doc: String,
        page: usize,
        text: String,
    },
}

/// Orders for the session thread.
pub enum SessionCommand {
    Open {
        doc: String,
        bytes: Zeroizing<Vec<u8>>,
        media_type: String,
    },
    /// Renders a page; then, while idle, the next one with the same spec.
    Render {
        doc: String,
        page: usize,
        spec: RenderSpec,
    },
    Text {
        doc: String,
        page: usize,
    },
    /// Forgets the pièce and its pages.
    Close,
}

/// The handle of a session thread; dropping it ends the thread.
pub struct Session {
    commands: Sender<SessionCommand>,
}

impl Session {
    /// Starts the thread; `reply` receives every [`SessionEvent`].
    pub fn spawn(reply: impl Fn(SessionEvent) + Send + 'static) -> std::io::Result<Session> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name(format!("{}-session", super::THREAD_PREFIX))
            .spawn(move || run(rx, reply))?;
        Ok(Session { commands: tx })
    }

    /// Sends an order (never blocks).
    pub fn send(&self, command: SessionCommand) {
        let _ = self.commands.send(command);
    }
}

struct Open {
    doc: String,
    piece: Arc<Piece>,
    cache: VecDeque<RenderedPage>,
    /// The next page to render ahead, while idle.
    ahead: Option<(usize, RenderSpec)>,
}

impl Open {
    fn cached(&self, page: usize, spec: &RenderSpec) -> Option<RenderedPage> {
        self.cache
            .iter()
            .find(|p| p.page == page && p.spec == *spec)
            .cloned()
    }

    fn render(&mut self, page: usize, spec: RenderSpec) -> Result<RenderedPage, PieceError> {
        if let Some(hit) = self.cached(page, &spec) {
            return Ok(hit);
        }
        let piece = Arc::clone(&self.piece);
        let raster = contained(RENDER_BUDGET, move || piece.render(page, &spec))?;
        let rendered = RenderedPage {
            page,
            spec,
            raster: Arc::new(raster),
        };
        if self.cache.len() >= CACHE {
            self.cache.pop_front();
        }
        self.cache.push_back(rendered.clone());
        Ok(rendered)
    }
}

fn run(rx: Receiver<SessionCommand>, reply: impl Fn(SessionEvent)) {
    let mut open: Option<Open> = None;
    loop {
        // Idle with a page to render ahead: do it unless orders are waiting.
        let first = match open.as_mut().and_then(|o| o.ahead.take().map(|a| (o, a))) {
            Some((o, (page, spec))) => match rx.try_recv() {
                Ok(c) => {
                    o.ahead = Some((page, spec));
                    c
                }
                Err(TryRecvError::Empty) => {
                    let _ = o.render(page, spec);
                    continue;
                }
                Err(TryRecvError::Disconnected) => return,
            },
            None => match rx.recv() {
                Ok(c) => c,
                Err(_) => return,
            },
        };
        // A burst of orders: only the last render of it counts.
        let mut batch = vec![first];
        while let Ok(c) = rx.try_recv() {
            batch.push(c);
        }
        let last_render = batch
            .iter()
            .rposition(|c| matches!(c, SessionCommand::Render { .. }));
        for (i, command) in batch.into_iter().enumerate() {
            match command {
                SessionCommand::Close => open = None,
                SessionCommand::Open {
                    doc,
                    bytes,
                    media_type,
                } => {
                    open = None;
                    let result = contained(OPEN_BUDGET, move || {
                        let piece = Piece::open(bytes, &media_type)?;
                        let text = if piece.kind() == PieceKind::Pdf {
                            piece.text(0).ok().filter(|t| usable_text(t))
                        } else {
                            None
                        };
                        Ok((piece, text))
                    });
                    match result {
                        Ok((piece, first_text)) => {
                            let info = PieceInfo {
                                kind: piece.kind(),
                                pages: piece.page_count(),
                                first_text,
                            };
                            open = Some(Open {
                                doc: doc.clone(),
                                piece: Arc::new(piece),
                                cache: VecDeque::new(),
                                ahead: None,
                            });
                            reply(SessionEvent::Opened { doc, info });
                        }
                        Err(error) => reply(SessionEvent::OpenFailed { doc, error }),
                    }
                }
                SessionCommand::Render { doc, page, spec } => {
                    let Some(o) = open.as_mut().filter(|o| o.doc == doc) else {
                        continue;
                    };
                    if Some(i) != last_render {
                        continue;
                    }
                    match o.render(page, spec) {
                        Ok(rendered) => {
                            let pages = o.piece.page_count();
                            o.ahead = (page + 1 < pages && o.cached(page + 1, &spec).is_none())
                                .then_some((page + 1, spec));
                            reply(SessionEvent::Page {
                                doc,
                                page: rendered,
                            })
                        }
                        Err(error) => reply(SessionEvent::PageFailed { doc, page, error }),
                    }
                }
                SessionCommand::Text { doc, page } => {
                    let Some(o) = open.as_ref().filter(|o| o.doc == doc) else {
                        continue;
                    };
                    let piece = Arc::clone(&o.piece);
                    match contained(TEXT_BUDGET, move || piece.text(page)) {
                        Ok(text) => reply(SessionEvent::Text { doc, page, text }),
                        Err(error) => reply(SessionEvent::PageFailed { doc, page, error }),
                    }
                }
            }
        }
    }
}
