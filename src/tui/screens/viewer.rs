//! The document viewer: a PDF's text page by page, an image in half
//! blocks, or why nothing can be shown (and the key for the system viewer).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::App;
use crate::tui::theme::ThemeKind;
use crate::tui::widgets::halfblocks::HalfBlocks;
use crate::tui::worker::DocumentContent;

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
            let [img, hint] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            frame.render_widget(
                HalfBlocks {
                    width: *width,
                    height: *height,
                    rgb,
                    monochrome: t.kind == ThemeKind::NoColor,
                },
                img,
            );
            frame.render_widget(
                Paragraph::new(Line::styled(
                    format!(" Image {width}×{height} (aperçu réduit) · o : visionneuse du système"),
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
