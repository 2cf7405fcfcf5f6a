//! The pièces of a request as they really arrive — PDFs (text or scanned),
//! phone photos, scans as images — turned into pixels and text for a
//! viewer, knowing nothing of the terminal: the true page count, a page
//! rasterized at a size, zoom and rotation ([`Piece::render`]), its text
//! layer ([`Piece::text`]), under time and memory budgets with panics
//! contained ([`contained`]); [`session`] runs them on a thread of their
//! own with a small page cache and the next page rendered ahead.

pub mod image;
pub mod pdf;
pub mod raster;
pub mod session;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

pub use raster::{Raster, Rotation};

/// Why a pièce (or one of its pages) cannot be shown, in French for the
/// doctor; never quotes the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PieceError {
    #[error("ce PDF est protégé par un mot de passe : avis ne peut pas l'afficher ; demandez au rectorat une version sans mot de passe, ou touche o pour la visionneuse du système")]
    PasswordProtected,
    #[error("ce PDF est chiffré d'une façon que avis ne sait pas lire : touche o pour l'ouvrir dans la visionneuse du système")]
    UnsupportedEncryption,
    #[error("ce PDF est illisible (abîmé ou incomplet) : touche o pour essayer la visionneuse du système, ou demandez une autre copie")]
    UnreadablePdf,
    #[error("cette image est illisible (abîmée ou incomplète) : touche o pour essayer la visionneuse du système")]
    UnreadableImage,
    #[error("aperçu impossible dans avis pour ce type de pièce : touche o pour l'ouvrir dans la visionneuse du système")]
    Unsupported,
    #[error("cette page est trop lourde pour l'aperçu (images démesurées) : touche o pour la visionneuse du système")]
    TooLarge,
    #[error("l'affichage a pris plus de {0} secondes et a été abandonné : touche o pour la visionneuse du système")]
    TooSlow(u64),
    #[error("le décodeur a échoué sur cette pièce (fichier anormal) : touche o pour la visionneuse du système")]
    Crashed,
    #[error("cette page n'existe pas dans la pièce")]
    NoSuchPage,
}

/// What kind of pièce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    Pdf,
    Image,
}

/// How a page fills the view before zooming.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Fit {
    /// The whole page is seen.
    #[default]
    Page,
    /// The page's width fills the view (scroll down to read).
    Width,
}

/// How to draw a page: rotation, fit, zoom, and the view's size in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderSpec {
    pub rotation: Rotation,
    pub fit: Fit,
    /// 1 = fitted; above, magnified.
    pub zoom: f32,
    /// The view, in pixels (at least 1×1).
    pub view: (u32, u32),
}

/// Most pixels of one rendered page (24 MB of RGB): the zoom stops there.
pub const MAX_RASTER_PIXELS: f64 = 8_000_000.0;

impl RenderSpec {
    /// The rendered page's size for a page of `size` (points or pixels,
    /// before our rotation).
    pub fn output_size(&self, size: (f32, f32)) -> (u32, u32) {
        let (pw, ph) = if self.rotation.is_sideways() {
            (f64::from(size.1), f64::from(size.0))
        } else {
            (f64::from(size.0), f64::from(size.1))
        };
        let (pw, ph) = (pw.max(1.0), ph.max(1.0));
        let (vw, vh) = (f64::from(self.view.0.max(1)), f64::from(self.view.1.max(1)));
        let fit = match self.fit {
            Fit::Page => (vw / pw).min(vh / ph),
            Fit::Width => vw / pw,
        };
        let mut scale = fit * f64::from(self.zoom.clamp(0.1, 64.0));
        let cap = (MAX_RASTER_PIXELS / (pw * ph)).sqrt();
        if scale > cap {
            scale = cap;
        }
        (
            ((pw * scale).round() as u32).max(1),
            ((ph * scale).round() as u32).max(1),
        )
    }

    /// Whether more zoom would still add pixels for a page of `size`.
    pub fn can_zoom_in(&self, size: (f32, f32)) -> bool {
        let (w, h) = self.output_size(size);
        f64::from(w) * f64::from(h) * 1.2 < MAX_RASTER_PIXELS
    }
}

/// An open pièce.
pub enum Piece {
    Pdf(pdf::PdfPiece),
    Image(image::ImagePiece),
}

impl Piece {
    /// Opens decrypted bytes: a PDF (by its header or media type), else an
    /// image.
    pub fn open(bytes: Zeroizing<Vec<u8>>, media_type: &str) -> Result<Piece, PieceError> {
        let head = bytes.get(..1024).unwrap_or(&bytes);
        let is_pdf = media_type.eq_ignore_ascii_case("application/pdf")
            || head.windows(5).any(|w| w == b"%PDF-");
        if is_pdf && !image::is_image(&bytes) {
            return pdf::open(Arc::new(bytes)).map(Piece::Pdf);
        }
        image::open(&bytes).map(Piece::Image)
    }

    pub fn kind(&self) -> PieceKind {
        match self {
            Piece::Pdf(_) => PieceKind::Pdf,
            Piece::Image(_) => PieceKind::Image,
        }
    }

    /// How many pages (1 for an image).
    pub fn page_count(&self) -> usize {
        match self {
            Piece::Pdf(p) => p.page_count(),
            Piece::Image(_) => 1,
        }
    }

    /// A page's size (points for a PDF, pixels for an image).
    pub fn page_size(&self, page: usize) -> Result<(f32, f32), PieceError> {
        match self {
            Piece::Pdf(p) => p.page_size(page),
            Piece::Image(i) if page == 0 => Ok((i.size.0 as f32, i.size.1 as f32)),
            Piece::Image(_) => Err(PieceError::NoSuchPage),
        }
    }

    /// Draws a page as `spec` says (rotated, at [`RenderSpec::output_size`]).
    pub fn render(&self, page: usize, spec: &RenderSpec) -> Result<Raster, PieceError> {
        let size = self.page_size(page)?;
        let (w, h) = spec.output_size(size);
        let (uw, uh) = if spec.rotation.is_sideways() {
            (h, w)
        } else {
            (w, h)
        };
        let upright = match self {
            Piece::Pdf(p) => {
                let scale = uw as f32 / size.0.max(1.0);
                p.render(page, scale)?
            }
            Piece::Image(i) => i.render(uw, uh),
        };
        Ok(upright.rotated(spec.rotation))
    }

    /// A page's text layer (empty for an image or a scan).
    pub fn text(&self, page: usize) -> Result<String, PieceError> {
        match self {
            Piece::Pdf(p) => p.text(page),
            Piece::Image(_) if page == 0 => Ok(String::new()),
            Piece::Image(_) => Err(PieceError::NoSuchPage),
        }
    }
}

/// Whether a text layer is worth reading: a few words, not a scan's stray
/// characters.
pub fn usable_text(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphanumeric()).count() >= 20
}

/// The name prefix of the threads that run decoders: a panic there is
/// contained ([`contained`]) and must not be treated as the program's.
pub const THREAD_PREFIX: &str = "avis-pieces";

/// Whether the current thread runs decoders (see [`THREAD_PREFIX`]).
pub fn in_decoder_thread() -> bool {
    std::thread::current()
        .name()
        .is_some_and(|n| n.starts_with(THREAD_PREFIX))
}

/// Decoder threads still running after their budget ran out.
static STUCK: AtomicUsize = AtomicUsize::new(0);
/// Past this many stuck decoders, nothing more is started.
const MAX_STUCK: usize = 2;

/// Runs `job` on a thread of its own: a panic becomes
/// [`PieceError::Crashed`], and past `budget` the job is abandoned
/// ([`PieceError::TooSlow`]; the thread finishes on its own, its result
/// dropped).
pub fn contained<T: Send + 'static>(
    budget: Duration,
    job: impl FnOnce() -> Result<T, PieceError> + Send + 'static,
) -> Result<T, PieceError> {
    let seconds = budget.as_secs().max(1);
    if STUCK.load(Ordering::Relaxed) >= MAX_STUCK {
        return Err(PieceError::TooSlow(seconds));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gone_job = Arc::clone(&gone);
    std::thread::Builder::new()
        .name(format!("{THREAD_PREFIX}-job"))
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                .unwrap_or(Err(PieceError::Crashed));
            if gone_job.load(Ordering::SeqCst) {
                STUCK.fetch_sub(1, Ordering::SeqCst);
            }
            let _ = tx.send(result);
        })
        .map_err(|_| PieceError::Crashed)?;
    match rx.recv_timeout(budget) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            STUCK.fetch_add(1, Ordering::SeqCst);
            gone.store(true, Ordering::SeqCst);
            // It may have finished in between.
            match rx.try_recv() {
                Ok(result) => result,
                Err(_) => Err(PieceError::TooSlow(seconds)),
            }
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(PieceError::Crashed),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn panics_are_contained_and_slow_jobs_abandoned() {
        let r: Result<(), _> = contained(Duration::from_secs(5), || panic!("décodeur"));
        assert_eq!(r, Err(PieceError::Crashed));
        let r: Result<(), _> = contained(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        });
        assert_eq!(r, Err(PieceError::TooSlow(1)));
        assert_eq!(contained(Duration::from_secs(5), || Ok(7)), Ok(7));
        // The abandoned job finishes and is no longer counted.
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(STUCK.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn zoom_is_capped_and_rotation_swaps_the_sides() {
        let a4 = (595.0, 842.0);
        let spec = RenderSpec {
            rotation: Rotation::None,
            fit: Fit::Page,
            zoom: 1.0,
            view: (780, 380),
        };
        let (w, h) = spec.output_size(a4);
        assert_eq!(h, 380);
        assert!(w < 780);
        let wide = RenderSpec {
            fit: Fit::Width,
            ..spec
        };
        assert_eq!(wide.output_size(a4).0, 780);
        let turned = RenderSpec {
            rotation: Rotation::Quarter,
            ..spec
        };
        let (tw, th) = turned.output_size(a4);
        assert!(tw > th, "sideways page is landscape");
        let huge = RenderSpec { zoom: 64.0, ..spec };
        let (hw, hh) = huge.output_size(a4);
        assert!(f64::from(hw) * f64::from(hh) <= MAX_RASTER_PIXELS * 1.01);
        assert!(!huge.can_zoom_in(a4));
        assert!(spec.can_zoom_in(a4));
    }

    #[test]
    fn usable_text_needs_words() {
        assert!(!usable_text("  . , \n"));
        assert!(usable_text("Bilan orthophonique de lecture"));
    }
}
