//! A small page layout for the printed papers: blocks (headings,
//! paragraphs, tables) flowed onto A4 pages, then drawn with krilla as a
//! tagged PDF (PDF/UA-1: every text is real text in the structure tree,
//! rules are artifacts), with the embedded DejaVu Sans fonts.
//!
//! Layout is pure (positions computed from the fonts' advance widths);
//! drawing happens page after page.

use std::num::NonZeroU16;

use krilla::configure::{Configuration, Validator};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Size};
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::tagging::{
    ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup, TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use super::PrintError;

/// A4 in PDF points.
pub const A4_WIDTH: f32 = 595.276;
pub const A4_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;
const CELL_PAD: f32 = 4.0;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// One piece of a paper.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The paper's title (H1).
    Title(String),
    /// A section heading (H2).
    Heading(String),
    /// A paragraph.
    Para(String),
    /// A bold paragraph.
    Strong(String),
    /// A small paragraph (notes at the foot of a paper).
    Small(String),
    /// A table: header cells, column widths (fractions of the text width),
    /// rows of cells.
    Table {
        headers: Vec<String>,
        widths: Vec<f32>,
        rows: Vec<Vec<String>>,
    },
    /// Vertical space, in points.
    Space(f32),
    /// Starts a new page.
    PageBreak,
}

/// The fonts, for drawing and for measuring.
struct Fonts {
    regular: Font,
    bold: Font,
    regular_face: ttf_parser::Face<'static>,
    bold_face: ttf_parser::Face<'static>,
}

impl Fonts {
    fn load() -> Result<Fonts, PrintError> {
        let bad = || PrintError::Font;
        Ok(Fonts {
            regular: Font::new(REGULAR.to_vec().into(), 0).ok_or_else(bad)?,
            bold: Font::new(BOLD.to_vec().into(), 0).ok_or_else(bad)?,
            regular_face: ttf_parser::Face::parse(REGULAR, 0).map_err(|_| bad())?,
            bold_face: ttf_parser::Face::parse(BOLD, 0).map_err(|_| bad())?,
        })
    }

    fn face(&self, bold: bool) -> &ttf_parser::Face<'static> {
        if bold {
            &self.bold_face
        } else {
            &self.regular_face
        }
    }

    /// The width of `text` at `size`.
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = self.face(bold);
        let per_unit = size / f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(f32::from(face.units_per_em()) * 0.5, f32::from)
            })
            .sum::<f32>()
            * per_unit
    }

    /// `text` broken into lines no wider than `max` (explicit line feeds
    /// kept; a word wider than a line is cut).
    fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone, cut if it is wider than a line.
                for c in word.chars() {
                    let mut longer = line.clone();
                    longer.push(c);
                    if !line.is_empty() && self.width(&longer, size, bold) > max {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// What a drawn text belongs to in the structure tree.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owner {
    Block(usize),
    Cell {
        block: usize,
        row: usize,
        col: usize,
    },
}

/// Something placed on a page.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Text {
        x: f32,
        /// Baseline, from the top of the page.
        y: f32,
        size: f32,
        bold: bool,
        text: String,
        owner: Owner,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
    },
}

fn size_of(block: &Block) -> (f32, bool) {
    match block {
        Block::Title(_) => (16.0, true),
        Block::Heading(_) => (12.0, true),
        Block::Strong(_) => (BODY, true),
        Block::Small(_) => (8.0, false),
        _ => (BODY, false),
    }
}

fn leading(size: f32) -> f32 {
    size * 1.35
}

/// Flows `blocks` onto pages.
fn layout(fonts: &Fonts, blocks: &[Block]) -> Vec<Vec<Item>> {
    let width = A4_WIDTH - 2.0 * MARGIN;
    let bottom = A4_HEIGHT - MARGIN;
    let mut pages: Vec<Vec<Item>> = vec![Vec::new()];
    let mut y = MARGIN;
    let new_page = |pages: &mut Vec<Vec<Item>>, y: &mut f32| {
        pages.push(Vec::new());
        *y = MARGIN;
    };
    for (index, block) in blocks.iter().enumerate() {
        match block {
            Block::Space(h) => y += h,
            Block::PageBreak => new_page(&mut pages, &mut y),
            Block::Title(text)
            | Block::Heading(text)
            | Block::Para(text)
            | Block::Strong(text)
            | Block::Small(text) => {
                let (size, bold) = size_of(block);
                let before = if matches!(block, Block::Heading(_)) {
                    size * 0.6
                } else {
                    0.0
                };
                y += before;
                for line in fonts.wrap(text, size, bold, width) {
                    if y + leading(size) > bottom {
                        new_page(&mut pages, &mut y);
                    }
                    y += leading(size);
                    if !line.is_empty() {
                        if let Some(page) = pages.last_mut() {
                            page.push(Item::Text {
                                x: MARGIN,
                                y: y - size * 0.3,
                                size,
                                bold,
                                text: line,
                                owner: Owner::Block(index),
                            });
                        }
                    }
                }
                y += size * 0.4;
            }
            Block::Table {
                headers,
                widths,
                rows,
            } => {
                let total: f32 = widths.iter().sum::<f32>().max(f32::EPSILON);
                let cols: Vec<f32> = widths.iter().map(|w| w / total * width).collect();
                let all_rows = std::iter::once((0usize, headers, true))
                    .chain(rows.iter().enumerate().map(|(i, r)| (i + 1, r, false)));
                for (row_index, cells, header) in all_rows {
                    let wrapped: Vec<Vec<String>> = cols
                        .iter()
                        .enumerate()
                        .map(|(c, w)| {
                            let text = cells.get(c).map_or("", String::as_str);
                            fonts.wrap(text, BODY, header, w - 2.0 * CELL_PAD)
                        })
                        .collect();
                    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
                    let height = lines as f32 * leading(BODY) + 2.0 * CELL_PAD;
                    if y + height > bottom && y > MARGIN {
                        new_page(&mut pages, &mut y);
                    }
                    let Some(page) = pages.last_mut() else {
                        continue;
                    };
                    let mut x = MARGIN;
                    for (c, cell_lines) in wrapped.into_iter().enumerate() {
                        let mut line_y = y + CELL_PAD;
                        for line in cell_lines {
                            line_y += leading(BODY);
                            if !line.is_empty() {
                                page.push(Item::Text {
                                    x: x + CELL_PAD,
                                    y: line_y - BODY * 0.3,
                                    size: BODY,
                                    bold: header,
                                    text: line,
                                    owner: Owner::Cell {
                                        block: index,
                                        row: row_index,
                                        col: c,
                                    },
                                });
                            }
                        }
                        x += cols[c];
                    }
                    // The row's rules.
                    page.push(Item::Line {
                        from: (MARGIN, y),
                        to: (MARGIN + width, y),
                    });
                    page.push(Item::Line {
                        from: (MARGIN, y + height),
                        to: (MARGIN + width, y + height),
                    });
                    let mut x = MARGIN;
                    page.push(Item::Line {
                        from: (x, y),
                        to: (x, y + height),
                    });
                    for w in &cols {
                        x += w;
                        page.push(Item::Line {
                            from: (x, y),
                            to: (x, y + height),
                        });
                    }
                    y += height;
                }
                y += BODY * 0.8;
            }
        }
    }
    pages
}

/// The structure tree nodes of the texts, gathered while drawing.
#[derive(Default)]
struct Collected {
    blocks: Vec<Vec<Identifier>>,
    cells: std::collections::BTreeMap<(usize, usize, usize), Vec<Identifier>>,
}

fn heading_tag(level: u16, title: &str) -> TagGroup {
    let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
    TagGroup::new(Tag::Hn(level, Some(title.to_string())))
}

fn tag_tree(blocks: &[Block], mut collected: Collected) -> TagTree {
    let mut tree = TagTree::new();
    for (index, block) in blocks.iter().enumerate() {
        let ids = std::mem::take(&mut collected.blocks[index]);
        let group = match block {
            Block::Title(t) => Some(heading_tag(1, t)),
            Block::Heading(t) => Some(heading_tag(2, t)),
            Block::Para(_) | Block::Strong(_) | Block::Small(_) => Some(TagGroup::new(Tag::P)),
            Block::Table { headers, rows, .. } => {
                let mut table = TagGroup::new(Tag::Table);
                for row in 0..=rows.len() {
                    let mut tr = TagGroup::new(Tag::TR);
                    for col in 0..headers.len() {
                        let ids = collected
                            .cells
                            .remove(&(index, row, col))
                            .unwrap_or_default();
                        let children: Vec<Node> = ids.into_iter().map(Node::from).collect();
                        if row == 0 {
                            tr.push(TagGroup::with_children(
                                Tag::TH(TableHeaderScope::Column),
                                children,
                            ));
                        } else {
                            tr.push(TagGroup::with_children(Tag::TD, children));
                        }
                    }
                    table.push(tr);
                }
                tree.push(table);
                None
            }
            Block::Space(_) | Block::PageBreak => None,
        };
        if let Some(mut group) = group {
            if ids.is_empty() {
                continue;
            }
            for id in ids {
                group.push(id);
            }
            tree.push(group);
        }
    }
    tree
}

/// The document's description.
pub struct Meta<'a> {
    pub title: &'a str,
    pub subject: &'a str,
}

/// Lays out and draws `blocks` as an A4, tagged PDF.
pub fn render(blocks: &[Block], meta: &Meta<'_>) -> Result<Vec<u8>, PrintError> {
    let fonts = Fonts::load()?;
    let pages = layout(&fonts, blocks);
    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::UA1),
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let mut collected = Collected {
        blocks: vec![Vec::new(); blocks.len()],
        ..Collected::default()
    };
    let size = Size::from_wh(A4_WIDTH, A4_HEIGHT).ok_or(PrintError::Pdf("page".into()))?;
    // The outline (bookmarks) PDF/UA asks for: one entry per heading.
    let mut outline = Outline::new();
    let mut outlined = vec![false; blocks.len()];
    for (page_index, items) in pages.iter().enumerate() {
        for item in items {
            if let Item::Text {
                y,
                owner: Owner::Block(b),
                ..
            } = item
            {
                if let Some(Block::Title(t) | Block::Heading(t)) = blocks.get(*b) {
                    if !outlined[*b] {
                        outlined[*b] = true;
                        outline.push_child(OutlineNode::new(
                            t.clone(),
                            XyzDestination::new(page_index, Point::from_xy(MARGIN, *y - 20.0)),
                        ));
                    }
                }
            }
        }
    }
    document.set_outline(outline);
    for items in &pages {
        let mut page = document.start_page_with(PageSettings::new(size));
        let mut surface = page.surface();
        // Rules first, as one layout artifact.
        let mut rules = PathBuilder::new();
        let mut any_rule = false;
        for item in items {
            if let Item::Line { from, to } = item {
                rules.move_to(from.0, from.1);
                rules.line_to(to.0, to.1);
                any_rule = true;
            }
        }
        if any_rule {
            if let Some(path) = rules.finish() {
                surface.start_tagged(ContentTag::Artifact(ArtifactType::Other));
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: 0.6,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.end_tagged();
            }
        }
        surface.set_fill(Some(krilla::paint::Fill::default()));
        for item in items {
            let Item::Text {
                x,
                y,
                size,
                bold,
                text,
                owner,
            } = item
            else {
                continue;
            };
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            let font = if *bold {
                fonts.bold.clone()
            } else {
                fonts.regular.clone()
            };
            surface.draw_text(
                Point::from_xy(*x, *y),
                font,
                *size,
                text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            match owner {
                Owner::Block(b) => collected.blocks[*b].push(id),
                Owner::Cell { block, row, col } => collected
                    .cells
                    .entry((*block, *row, *col))
                    .or_default()
                    .push(id),
            }
        }
        surface.finish();
        page.finish();
    }
    document.set_tag_tree(tag_tree(blocks, collected));
    document.set_metadata(
        Metadata::new()
            .title(meta.title.to_string())
            .description(meta.subject.to_string())
            .language("fr-FR".to_string())
            .creator("avis".to_string()),
    );
    document
        .finish()
        .map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_width_and_cuts_long_words() {
        let fonts = Fonts::load().unwrap();
        let text = "Temps majoré d'un tiers pour toutes les épreuves écrites et orales ".repeat(5);
        let lines = fonts.wrap(&text, BODY, false, 200.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| fonts.width(l, BODY, false) <= 200.0));
        let long = "x".repeat(400);
        let cut = fonts.wrap(&long, BODY, false, 100.0);
        assert!(cut.len() > 3);
        assert_eq!(cut.concat(), long);
        assert_eq!(fonts.wrap("a\n\nb", BODY, false, 100.0), vec!["a", "", "b"]);
    }

    #[test]
    fn a_long_paper_flows_onto_several_pages() {
        let fonts = Fonts::load().unwrap();
        let blocks: Vec<Block> = (0..120)
            .map(|i| Block::Para(format!("Ligne {i}")))
            .collect();
        let pages = layout(&fonts, &blocks);
        assert!(pages.len() >= 2);
        for page in &pages {
            for item in page {
                if let Item::Text { y, .. } = item {
                    assert!(*y > MARGIN && *y < A4_HEIGHT - MARGIN + 1.0);
                }
            }
        }
    }
}
