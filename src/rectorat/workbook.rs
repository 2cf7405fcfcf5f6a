//! The workbook files: `avis.xlsx` (rust_xlsxwriter: text cells as text,
//! dates as dates, header row frozen and filtered) and `avis.csv` (UTF-8
//! with BOM, `;`, CRLF, formulas defused), both rewritten whole at every
//! reception. A copy the operator changed since it was written is kept
//! under a new name, never overwritten.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use super::table::{rows, Cell, HEADERS};
use super::workspace::Workspace;
use super::{shown, RectoratError, Result};
use crate::atomic::write_atomically;

/// The sheet's name.
pub const SHEET: &str = "Avis";
/// File names, in the chosen folder.
pub const XLSX_FILE: &str = "avis.xlsx";
pub const CSV_FILE: &str = "avis.csv";

/// The most characters a spreadsheet cell holds.
const MAX_CELL_CHARS: usize = 32_767;

/// One CSV field: quoted per RFC 4180 when needed, and defused when a
/// spreadsheet would read it as a formula (`=`, `+`, `-`, `@`, tab, CR at
/// the start): a leading `'` makes it plain text (OWASP's advice).
pub fn csv_field(value: &str) -> String {
    let defused;
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        defused = format!("'{value}");
        defused.as_str()
    } else {
        value
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// One CSV line, `;`-separated, CRLF.
pub fn csv_line<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f.as_ref())).collect();
    out.push_str(&line.join(";"));
    out.push_str("\r\n");
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => format!("{n}"),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// The CSV of the rows (UTF-8 with BOM, as spreadsheets expect it).
pub fn csv_text(rows: &[Vec<Cell>]) -> String {
    let mut out = String::from("\u{feff}");
    csv_line(&mut out, &HEADERS);
    for row in rows {
        let fields: Vec<String> = row.iter().map(cell_text).collect();
        csv_line(&mut out, &fields);
    }
    out
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> RectoratError {
    RectoratError::Refused(format!("impossible de construire le classeur : {e}"))
}

/// The `.xlsx` bytes of the rows.
pub fn xlsx_bytes(rows: &[Vec<Cell>]) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let datetime = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET).map_err(xlsx_error)?;
    for (c, h) in HEADERS.iter().enumerate() {
        let col = c as u16;
        sheet
            .write_string_with_format(0, col, *h, &header)
            .map_err(xlsx_error)?;
        sheet
            .set_column_width(col, (h.chars().count() as f64 + 2.0).clamp(10.0, 40.0))
            .map_err(xlsx_error)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    let s: String = s.chars().take(MAX_CELL_CHARS).collect();
                    sheet.write_string(r, c, s).map_err(xlsx_error)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).map_err(xlsx_error)?;
                }
                Cell::Date(d) => {
                    let value =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(xlsx_error)?;
                    sheet
                        .write_datetime_with_format(r, c, &value, &date)
                        .map_err(xlsx_error)?;
                }
                Cell::DateTime(d) => {
                    let value =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .and_then(|v| {
                                v.and_hms(d.hour() as u16, d.minute() as u8, d.second() as u8)
                            })
                            .map_err(xlsx_error)?;
                    sheet
                        .write_datetime_with_format(r, c, &value, &datetime)
                        .map_err(xlsx_error)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    sheet
        .autofilter(0, 0, rows.len() as u32, HEADERS.len() as u16 - 1)
        .map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The files a workbook writing produced.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkbookFiles {
    pub xlsx: PathBuf,
    pub csv: PathBuf,
    pub rows: usize,
    /// Copies the operator had changed, kept under these names.
    pub kept: Vec<PathBuf>,
}

impl Workspace {
    /// Writes `avis.xlsx` and `avis.csv` into `dir` (atomically each).
    pub fn write_workbook(&mut self, dir: &Path, now: DateTime<Utc>) -> Result<WorkbookFiles> {
        let rows = rows(self);
        let xlsx = xlsx_bytes(&rows)?;
        let csv = csv_text(&rows);
        std::fs::create_dir_all(dir).map_err(RectoratError::io(format!(
            "créer le dossier « {} »",
            shown(dir)
        )))?;
        let mut kept = Vec::new();
        for (name, bytes) in [(XLSX_FILE, xlsx.as_slice()), (CSV_FILE, csv.as_bytes())] {
            let path = dir.join(name);
            if let Some(kept_as) = self.keep_if_changed(&path, name, now)? {
                kept.push(kept_as);
            }
            write_atomically(&path, |w| w.write_all(bytes))
                .map_err(RectoratError::io(format!("écrire « {} »", shown(&path))))?;
            self.state.workbook_hashes.insert(
                path.to_string_lossy().into_owned(),
                crate::store::crypto::sha256_hex(bytes),
            );
        }
        self.save()?;
        Ok(WorkbookFiles {
            xlsx: dir.join(XLSX_FILE),
            csv: dir.join(CSV_FILE),
            rows: rows.len(),
            kept,
        })
    }

    /// A file at `path` that is not what this workspace last wrote there is
    /// renamed aside (`avis-modifie-AAAAMMJJ-HHMMSS.xlsx`).
    fn keep_if_changed(
        &self,
        path: &Path,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PathBuf>> {
        let Ok(current) = std::fs::read(path) else {
            return Ok(None);
        };
        let recorded = self
            .state
            .workbook_hashes
            .get(path.to_string_lossy().as_ref());
        if recorded == Some(&crate::store::crypto::sha256_hex(&current)) {
            return Ok(None);
        }
        let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
        let mut n = 0;
        loop {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("-{n}")
            };
            let aside = path.with_file_name(format!(
                "{stem}-modifie-{}{suffix}.{ext}",
                now.format("%Y%m%d-%H%M%S")
            ));
            if !aside.exists() {
                std::fs::rename(path, &aside).map_err(RectoratError::io(format!(
                    "mettre de côté « {} »",
                    shown(path)
                )))?;
                return Ok(Some(aside));
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_quoting_still_applies() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("tiers temps"), "tiers temps");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
    }
}
