//! Documents on the worker side: turning decrypted bytes into something the
//! terminal can show (a PDF's text page by page), and the explicit external
//! viewer through a private temporary file deleted afterwards.

use std::io::Write;
use std::process::{Command, Stdio};

use super::worker::DocumentContent;

/// What the viewer shows for these bytes (run on the worker; never panics:
/// a malformed PDF is reported, not fatal).
pub fn render_content(bytes: &[u8], media_type: &str) -> DocumentContent {
    let is_pdf = media_type.eq_ignore_ascii_case("application/pdf") || bytes.starts_with(b"%PDF");
    if is_pdf {
        let owned = bytes.to_vec();
        let result =
            std::panic::catch_unwind(move || pdf_extract::extract_text_from_mem_by_pages(&owned));
        return match result {
            Ok(Ok(pages)) if pages.iter().any(|p| !p.trim().is_empty()) => {
                DocumentContent::Pages(pages)
            }
            Ok(Ok(_)) => DocumentContent::Unavailable(
                "ce PDF ne contient pas de texte (document numérisé) : touche o pour l'ouvrir dans la visionneuse du système".into(),
            ),
            _ => DocumentContent::Unavailable(
                "le texte de ce PDF n'a pas pu être extrait : touche o pour l'ouvrir dans la visionneuse du système".into(),
            ),
        };
    }
    // Decoders of untrusted images must not take the worker down.
    let owned = bytes.to_vec();
    match std::panic::catch_unwind(move || super::image::decode(&owned)) {
        Ok(Some(image)) => return image,
        Ok(None) => {}
        Err(_) => {
            return DocumentContent::Unavailable(
                "cette image est illisible : touche o pour l'ouvrir dans la visionneuse du système"
                    .into(),
            )
        }
    }
    DocumentContent::Unavailable(
        "aperçu impossible dans le terminal pour ce type de pièce : touche o pour l'ouvrir dans la visionneuse du système".into(),
    )
}

/// A safe file extension taken from an untrusted file name.
fn extension(filename: &str) -> String {
    let ext = filename.rsplit('.').next().unwrap_or("");
    if ext.len() <= 5
        && !ext.is_empty()
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && ext != filename
    {
        format!(".{}", ext.to_ascii_lowercase())
    } else {
        ".bin".into()
    }
}

/// Writes `bytes` to a private temporary file (mode 0600, random name) and
/// opens it with the system viewer. The returned path deletes the file when
/// dropped.
pub fn open_external(bytes: &[u8], filename: &str) -> Result<tempfile::TempPath, String> {
    let failed = |_| {
        "la pièce n'a pas pu être préparée pour la visionneuse : vérifiez l'espace disque du dossier temporaire".to_string()
    };
    let mut file = tempfile::Builder::new()
        .prefix("avis-piece-")
        .suffix(&extension(filename))
        .tempfile()
        .map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.flush().map_err(failed)?;
    let path = file.into_temp_path();
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    Command::new(opener)
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| {
            format!("aucune visionneuse du système n'a pu être lancée ({opener} introuvable) : installez-en une ou consultez la pièce dans avis")
        })?;
    Ok(path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_sanitised() {
        assert_eq!(extension("bilan.PDF"), ".pdf");
        assert_eq!(extension("x.\x1b[31m"), ".bin");
        assert_eq!(extension("sans"), ".bin");
    }

    #[test]
    fn garbage_pdf_is_reported_not_fatal() {
        let c = render_content(b"%PDF-1.4 garbage", "application/pdf");
        assert!(matches!(c, DocumentContent::Unavailable(_)));
    }
}
