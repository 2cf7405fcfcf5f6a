//! The document viewer: a PDF's text page by page, a scan drawn by
//! ratatui-image (sixel, kitty, iTerm2 or colour half blocks, encoded
//! beforehand: see [`crate::tui::graphics`]) or in grey shades under
//! `NO_COLOR`, or why nothing can be shown (and the key for the system
//! viewer).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::theme::ThemeKind;
use crate::tui::widgets::halfblocks::HalfBlocks;
use crate::tui::worker::DocumentContent;

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

/// Draws the viewer.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(v) = app.viewer.as_ref() else {
        return;
    };
    let t = &app.theme;
    let page_info = if v.pages.is_empty() {
        String::new()
    } else {
        format!(" — page {} / {} ", v.page + 1, v.pages.len())
    };
    let block = Block::bordered()
        .title(format!(" {}{page_info}", v.title))
        .border_style(t.border);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &v.content {
        None => {
            let text = app
                .progress
                .as_ref()
                .map(super::progress_text)
                .unwrap_or_else(|| "Déchiffrement de la pièce…".into());
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
        Some(DocumentContent::Image { width, height, rgb }) => {
            let [img, hint] = image_and_hint(inner);
            let mode = if t.kind == ThemeKind::NoColor {
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
            };
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
