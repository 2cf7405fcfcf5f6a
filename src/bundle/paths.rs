//! Entry path validation: the only paths a v1 bundle may hold are
//! `manifest.json`, `manifest.json.minisig`, `requests/<id>.json` (assignment),
//! `opinions/<id>.json` (opinions) and `documents/<sha256>`.

use super::error::{clean_path_bytes, BundleError};
use super::limits::MAX_ID_LEN;
use super::manifest::BundleKind;

/// Path of the manifest, always entry 1.
pub const MANIFEST_PATH: &str = "manifest.json";
/// Path of the signature, always entry 2.
pub const SIGNATURE_PATH: &str = "manifest.json.minisig";

/// A valid entry path (besides the manifest and its signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryPath {
    /// `requests/<id>.json` or `opinions/<id>.json`, by bundle kind.
    Record {
        /// The `<id>`.
        id: String,
    },
    /// `documents/<sha256>`.
    Document {
        /// Lowercase hex SHA-256.
        sha256: String,
    },
}

/// Whether `id` matches `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
pub fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_alphanumeric() => {}
        _ => return false,
    }
    bytes.len() <= MAX_ID_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `s` is a SHA-256 in lowercase hex (64 chars).
pub fn is_valid_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The directory of records for a kind: `requests` or `opinions`.
pub fn record_dir(kind: BundleKind) -> &'static str {
    match kind {
        BundleKind::Assignment => "requests",
        BundleKind::Opinions => "opinions",
    }
}

/// `requests/<id>.json` or `opinions/<id>.json`.
pub fn record_path(kind: BundleKind, id: &str) -> String {
    format!("{}/{id}.json", record_dir(kind))
}

/// `documents/<sha256>`.
pub fn document_path(sha256: &str) -> String {
    format!("documents/{sha256}")
}

/// Parses an entry path allowed in a bundle of `kind` (manifest and signature
/// excluded). `None` if the path is not allowed.
pub fn parse_entry_path(path: &str, kind: BundleKind) -> Option<EntryPath> {
    let (dir, name) = path.split_once('/')?;
    if dir == record_dir(kind) {
        let id = name.strip_suffix(".json")?;
        is_valid_id(id).then(|| EntryPath::Record { id: id.to_owned() })
    } else if dir == "documents" {
        is_valid_sha256_hex(name).then(|| EntryPath::Document {
            sha256: name.to_owned(),
        })
    } else {
        None
    }
}

/// Whether a raw path is absolute (`/…`, `\…` or a drive letter).
pub fn is_absolute(raw: &[u8]) -> bool {
    matches!(raw.first(), Some(b'/') | Some(b'\\'))
        || (raw.len() >= 2 && raw[0].is_ascii_alphabetic() && raw[1] == b':')
}

/// Whether a raw path has a `..` component (`/` or `\` separated).
pub fn has_parent_component(raw: &[u8]) -> bool {
    raw.split(|b| *b == b'/' || *b == b'\\')
        .any(|component| component == b"..")
}

/// The error for a path that is not allowed: absolute, `..`, or otherwise invalid.
pub fn bad_path_error(raw: &[u8]) -> BundleError {
    let path = clean_path_bytes(raw);
    if is_absolute(raw) {
        BundleError::AbsolutePath { path }
    } else if has_parent_component(raw) {
        BundleError::ParentPath { path }
    } else {
        BundleError::InvalidPath { path }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert!(is_valid_id("AMX-2026-000123"));
        assert!(is_valid_id("a"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(".hidden"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id(&"a".repeat(65)));
        assert!(is_valid_id(&"a".repeat(64)));
        assert_eq!(
            parse_entry_path("requests/AMX-1.json", BundleKind::Assignment),
            Some(EntryPath::Record { id: "AMX-1".into() })
        );
        assert_eq!(
            parse_entry_path("requests/AMX-1.json", BundleKind::Opinions),
            None
        );
        assert_eq!(
            parse_entry_path("opinions/AMX-1.json", BundleKind::Opinions),
            Some(EntryPath::Record { id: "AMX-1".into() })
        );
        let sha = "a".repeat(64);
        assert_eq!(
            parse_entry_path(&format!("documents/{sha}"), BundleKind::Opinions),
            Some(EntryPath::Document { sha256: sha })
        );
        assert_eq!(
            parse_entry_path(
                &format!("documents/{}", "A".repeat(64)),
                BundleKind::Assignment
            ),
            None
        );
        assert_eq!(
            parse_entry_path("requests/../x.json", BundleKind::Assignment),
            None
        );
        assert_eq!(
            parse_entry_path("requests/a/b.json", BundleKind::Assignment),
            None
        );
        assert_eq!(
            parse_entry_path("./requests/a.json", BundleKind::Assignment),
            None
        );
        assert!(matches!(
            bad_path_error(b"/etc/passwd"),
            BundleError::AbsolutePath { .. }
        ));
        assert!(matches!(
            bad_path_error(b"a/../b"),
            BundleError::ParentPath { .. }
        ));
        assert!(matches!(
            bad_path_error(b"x/y"),
            BundleError::InvalidPath { .. }
        ));
    }

    proptest! {
        #[test]
        fn valid_ids_are_accepted(id in "[A-Za-z0-9][A-Za-z0-9._-]{0,63}") {
            prop_assert!(is_valid_id(&id));
            let path = record_path(BundleKind::Assignment, &id);
            prop_assert_eq!(
                parse_entry_path(&path, BundleKind::Assignment),
                Some(EntryPath::Record { id: id.clone() })
            );
        }

        #[test]
        fn ids_with_forbidden_chars_are_refused(
            prefix in "[A-Za-z0-9]{1,10}",
            bad in prop::sample::select(vec!["/", "\\", "\0", "\n", "\u{7f}", " ", "é", ":", "*"]),
            suffix in "[A-Za-z0-9]{0,10}",
        ) {
            let id = format!("{prefix}{bad}{suffix}");
            prop_assert!(!is_valid_id(&id));
            prop_assert_eq!(parse_entry_path(&record_path(BundleKind::Assignment, &id), BundleKind::Assignment), None);
        }

        #[test]
        fn too_long_ids_are_refused(id in "[A-Za-z0-9]{65,100}") {
            prop_assert!(!is_valid_id(&id));
        }

        #[test]
        fn dot_dot_and_absolute_are_never_accepted(a in "[a-z0-9]{0,8}", b in "[a-z0-9]{0,8}") {
            for path in [
                format!("requests/{a}/../{b}.json"),
                format!("../requests/{a}.json"),
                format!("/requests/{a}.json"),
                format!("requests/..{b}/x.json"),
                format!("documents/../{a}"),
            ] {
                prop_assert_eq!(parse_entry_path(&path, BundleKind::Assignment), None);
            }
            let absolute = matches!(bad_path_error(format!("/{a}").as_bytes()), BundleError::AbsolutePath { .. });
            prop_assert!(absolute);
            let parent = matches!(bad_path_error(format!("x{a}/../{b}").as_bytes()), BundleError::ParentPath { .. });
            prop_assert!(parent);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC*") {
            let _ = parse_entry_path(&s, BundleKind::Assignment);
            let _ = bad_path_error(s.as_bytes());
        }

        #[test]
        fn documents_need_64_lowercase_hex(s in "[0-9a-f]{0,80}") {
            let ok = parse_entry_path(&document_path(&s), BundleKind::Assignment).is_some();
            prop_assert_eq!(ok, s.len() == 64);
        }
    }
}
