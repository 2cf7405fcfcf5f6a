//! The streaming, all-or-nothing bundle reader.
//!
//! Order of checks (docs/bundle-format.md): age decryption (binary or
//! armored, never a passphrase), `manifest.json` first and
//! `manifest.json.minisig` second, signature by a trusted key, then the
//! manifest itself (format, version, signer, kind, recipient, entries), then
//! every entry streamed and hashed in manifest order, then the age stream
//! read to its end so a truncated file is caught. Documents are handed to a
//! [`DocumentSink`] as they stream; records are returned only once every
//! check passed.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader, Read};
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::error::{clean_path, clean_path_bytes, BundleError};
use super::keys::{parse_public_key, recipient_of, TrustedKey};
use super::limits::{
    FORMAT_NAME, FORMAT_VERSION, MAX_DOCUMENT_BYTES, MAX_ENTRIES, MAX_EXTENSION_BYTES,
    MAX_MANIFEST_BYTES, MAX_RECORD_BYTES, MAX_SEQUENCE, MAX_SIGNATURE_BYTES,
};
use super::manifest::{BundleKind, Manifest, ManifestEntry};
use super::paths::{
    bad_path_error, has_parent_component, is_absolute, is_valid_sha256_hex, parse_entry_path,
    EntryPath, MANIFEST_PATH, SIGNATURE_PATH,
};

/// What the reader needs to know.
pub struct ReadOptions<'a> {
    /// The reader's own age identities (its recipient must be the manifest's).
    pub identities: &'a [age::x25519::Identity],
    /// The signers the reader trusts.
    pub trusted: &'a [TrustedKey],
    /// The kind of bundle expected.
    pub expected_kind: BundleKind,
}

/// Receives documents as they stream; nothing it stages may become visible
/// until `read_bundle` has returned `Ok`.
pub trait DocumentSink {
    /// Consumes one document's bytes (`data` is hashed and size-limited by the
    /// reader as the sink reads it; the sink should read it to its end).
    fn document(&mut self, entry: &ManifestEntry, data: &mut dyn Read) -> std::io::Result<()>;

    /// Like [`DocumentSink::document`], with the offset of the document's
    /// bytes in the age plaintext (the tar data position), so that a store
    /// can later seek to it in the encrypted bundle file.
    fn document_at(
        &mut self,
        entry: &ManifestEntry,
        _offset: u64,
        data: &mut dyn Read,
    ) -> std::io::Result<()> {
        self.document(entry, data)
    }

    /// Called once the manifest is verified (signature, signer, kind,
    /// recipient, entries), before any other entry is read: a sink may
    /// refuse the bundle here, or prepare what it checks records against.
    fn manifest(&mut self, _manifest: &Manifest) -> std::io::Result<()> {
        Ok(())
    }

    /// Takes one record whose hash, size and JSON shape are verified;
    /// returns it to be kept in [`VerifiedBundle::records`], or `None` when
    /// the sink took it (a store staging records as they stream, so that
    /// memory stays flat whatever their number).
    fn record(&mut self, _id: &str, bytes: Vec<u8>) -> std::io::Result<Option<Vec<u8>>> {
        Ok(Some(bytes))
    }

    /// Whether [`VerifiedBundle::manifest_bytes`] is wanted (it can be
    /// megabytes for a large bundle).
    fn keeps_manifest_bytes(&self) -> bool {
        true
    }
}

/// A sink that keeps documents in memory (tests, small bundles).
#[derive(Default)]
pub struct MemorySink {
    /// `(sha256, bytes)` in archive order.
    pub documents: Vec<(String, Vec<u8>)>,
}

impl DocumentSink for MemorySink {
    fn document(&mut self, entry: &ManifestEntry, data: &mut dyn Read) -> io::Result<()> {
        let mut bytes = Vec::new();
        data.read_to_end(&mut bytes)?;
        self.documents.push((entry.sha256.clone(), bytes));
        Ok(())
    }
}

/// A bundle whose every check passed.
#[derive(Debug)]
pub struct VerifiedBundle {
    /// The verified manifest.
    pub manifest: Manifest,
    /// The exact signed bytes of `manifest.json`.
    pub manifest_bytes: Vec<u8>,
    /// `requests/<id>.json` or `opinions/<id>.json`: (id, exact bytes), archive order.
    pub records: Vec<(String, Vec<u8>)>,
    /// The name of the trusted key that signed it.
    pub signer_name: String,
}

/// Remembers whether the decrypted stream itself failed (corruption,
/// truncation), as opposed to a malformed archive inside it.
struct WatchedReader<R> {
    inner: R,
    failed: Rc<Cell<bool>>,
}

impl<R: Read> Read for WatchedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|_| self.failed.set(true))
    }
}

/// Hashes and counts what the consumer reads.
struct HashingReader<'r> {
    inner: &'r mut dyn Read,
    hasher: Sha256,
    count: u64,
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads, decrypts and verifies a bundle. Documents go to `sink` as they
/// stream (the caller discards what the sink staged if this returns `Err`).
pub fn read_bundle(
    input: impl Read,
    options: &ReadOptions<'_>,
    sink: &mut dyn DocumentSink,
) -> Result<VerifiedBundle, BundleError> {
    let stream = open_stream(BufReader::new(input), options)?;
    verify_stream(stream, options, sink)
}

/// Plaintext slices handed from the decrypting thread to the verifier.
const SLICE_BYTES: usize = 256 * 1024;
/// Slices in flight (bounds the memory: `SLICE_BYTES` times this, twice).
const SLICES_IN_FLIGHT: usize = 4;

/// Like [`read_bundle`], with the age decryption on a second thread that
/// stays a few slices ahead of the archive walk and the hashing (the large
/// imports spend their time in these two). Same checks, same errors; the
/// plaintext only ever lives in memory, in a bounded number of slices that
/// are zeroed when dropped. The input is read as given (no buffer added).
pub fn read_bundle_threaded(
    input: impl io::BufRead + Send,
    options: &ReadOptions<'_>,
    sink: &mut dyn DocumentSink,
) -> Result<VerifiedBundle, BundleError> {
    let stream = open_stream(input, options)?;
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<io::Result<Slice>>(SLICES_IN_FLIGHT);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Slice>();
    std::thread::scope(|scope| {
        scope.spawn(move || decrypt_ahead(stream, full_tx, empty_rx));
        let reader = SliceReader {
            full: full_rx,
            empty: empty_tx,
            current: None,
            pos: 0,
        };
        // Dropping `reader` (on return) stops the decrypting thread.
        verify_stream(reader, options, sink)
    })
}

/// A slice of plaintext (a buffer and how much of it is filled), zeroed
/// when dropped.
type Slice = (zeroize::Zeroizing<Vec<u8>>, usize);

/// The decrypting thread: fills slices until the end of the age stream or
/// its first error, or until the verifier hangs up.
fn decrypt_ahead(
    mut stream: impl Read,
    full: std::sync::mpsc::SyncSender<io::Result<Slice>>,
    empty: std::sync::mpsc::Receiver<Slice>,
) {
    loop {
        // Reuse a slice the verifier is done with (no zero-filling again).
        let (mut buf, _) = empty
            .try_recv()
            .unwrap_or_else(|_| (zeroize::Zeroizing::new(vec![0u8; SLICE_BYTES]), 0));
        let mut filled = 0;
        let mut failure = None;
        while filled < buf.len() {
            match stream.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let end = filled < buf.len() || failure.is_some();
        if filled > 0 && full.send(Ok((buf, filled))).is_err() {
            return;
        }
        if let Some(e) = failure {
            let _ = full.send(Err(e));
            return;
        }
        if end {
            return;
        }
    }
}

/// The verifier's side: reads the slices in order; end of stream when the
/// decrypting thread is done.
struct SliceReader {
    full: std::sync::mpsc::Receiver<io::Result<Slice>>,
    empty: std::sync::mpsc::Sender<Slice>,
    current: Option<Slice>,
    pos: usize,
}

impl Read for SliceReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some((slice, filled)) = &self.current {
                if self.pos < *filled {
                    let n = buf.len().min(filled - self.pos);
                    buf[..n].copy_from_slice(&slice[self.pos..self.pos + n]);
                    self.pos += n;
                    return Ok(n);
                }
            }
            if let Some(done) = self.current.take() {
                let _ = self.empty.send(done);
            }
            match self.full.recv() {
                Ok(Ok(slice)) => {
                    self.current = Some(slice);
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The decrypting thread finished: end of the stream.
                Err(_) => return Ok(0),
            }
        }
    }
}

/// Parses the age header and unwraps the file key: the decrypted stream.
fn open_stream<R: io::BufRead>(
    mut input: R,
    options: &ReadOptions<'_>,
) -> Result<impl Read, BundleError> {
    // Binary age goes straight to the decryptor: the armor reader would
    // pass it through 48 bytes at a time.
    let binary = starts_with(&mut input, b"age-encryption.org/").map_err(BundleError::Io)?;
    let input = if binary {
        Either::Binary(input)
    } else {
        Either::Armored(age::armor::ArmoredReader::new(input))
    };
    let input = HeaderGuard::new(input);
    let decryptor = age::Decryptor::new_buffered(input).map_err(|e| match e {
        age::DecryptError::Io(e) if !is_format_io_error(&e) => BundleError::Io(e),
        _ => BundleError::NotAgeFile,
    })?;
    if decryptor.is_scrypt() {
        return Err(BundleError::PassphraseEncrypted);
    }
    decryptor
        .decrypt(options.identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => BundleError::NotForThisKey,
            age::DecryptError::Io(e) if !is_format_io_error(&e) => BundleError::Io(e),
            age::DecryptError::UnknownFormat | age::DecryptError::InvalidHeader => {
                BundleError::NotAgeFile
            }
            _ => BundleError::DamagedHeader,
        })
}

/// Most recipient stanzas a bundle header may hold: each costs the reader a
/// key agreement, so a hostile header of thousands would stall the import.
pub const MAX_HEADER_STANZAS: u32 = 64;
/// Most bytes an age header may take before its `---` line.
pub const MAX_HEADER_BYTES: u64 = 64 * 1024;

/// Watches the age header as the decryptor reads it and fails (as "not an
/// age file") once it holds too many stanzas or bytes; after the header it
/// only passes bytes through.
struct HeaderGuard<R> {
    inner: R,
    in_header: bool,
    bytes: u64,
    stanzas: u32,
    /// The last four bytes seen, to spot "\n-> " and "\n---".
    window: u32,
    /// Set for good once the header went over a limit.
    refused: bool,
}

impl<R> HeaderGuard<R> {
    fn new(inner: R) -> Self {
        HeaderGuard {
            inner,
            in_header: true,
            bytes: 0,
            stanzas: 0,
            window: 0,
            refused: false,
        }
    }

    fn scan(&mut self, data: &[u8]) {
        for &b in data {
            if !self.in_header {
                return;
            }
            self.bytes += 1;
            self.window = (self.window << 8) | u32::from(b);
            if self.window == u32::from_be_bytes(*b"\n-> ") {
                self.stanzas += 1;
            } else if self.window == u32::from_be_bytes(*b"\n---") {
                self.in_header = false;
            }
            if self.stanzas > MAX_HEADER_STANZAS || self.bytes > MAX_HEADER_BYTES {
                self.refused = true;
                self.in_header = false;
            }
        }
    }

    fn check(&self) -> io::Result<()> {
        if self.refused {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "en-tête age démesuré",
            ));
        }
        Ok(())
    }
}

impl<R: io::BufRead> Read for HeaderGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        let n = self.inner.read(buf)?;
        if self.in_header {
            self.scan(&buf[..n]);
            self.check()?;
        }
        Ok(n)
    }
}

impl<R: io::BufRead> io::BufRead for HeaderGuard<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.check()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if self.in_header {
            if let Ok(buf) = self.inner.fill_buf() {
                let seen = buf[..amt.min(buf.len())].to_vec();
                self.scan(&seen);
            }
        }
        self.inner.consume(amt);
    }
}

/// Whether the buffered input starts with `prefix` (nothing is consumed).
fn starts_with(input: &mut impl io::BufRead, prefix: &[u8]) -> io::Result<bool> {
    loop {
        match input.fill_buf() {
            Ok(head) => return Ok(head.len() >= prefix.len() && &head[..prefix.len()] == prefix),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A binary input, or an armored one (or anything else: the armor reader
/// passes unknown bytes through and the decryptor rejects them).
enum Either<R: io::BufRead> {
    Binary(R),
    Armored(age::armor::ArmoredReader<BufReader<R>>),
}

impl<R: io::BufRead> Read for Either<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Either::Binary(r) => r.read(buf),
            Either::Armored(r) => r.read(buf),
        }
    }
}

impl<R: io::BufRead> io::BufRead for Either<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Either::Binary(r) => r.fill_buf(),
            Either::Armored(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Either::Binary(r) => r.consume(amt),
            Either::Armored(r) => r.consume(amt),
        }
    }
}

/// Walks and verifies the decrypted stream, then reads it to its end.
fn verify_stream(
    stream: impl Read,
    options: &ReadOptions<'_>,
    sink: &mut dyn DocumentSink,
) -> Result<VerifiedBundle, BundleError> {
    let failed = Rc::new(Cell::new(false));
    let watched = WatchedReader {
        inner: stream,
        failed: Rc::clone(&failed),
    };
    let mut archive = tar::Archive::new(watched);
    let verified = read_archive(&mut archive, &failed, options, sink)?;

    // Read the age stream to its end: age authenticates each 64 KiB chunk and
    // flags the last one, so only a full read catches a truncated file.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|_| BundleError::Damaged)?;
    Ok(verified)
}

/// I/O errors that mean "bad bytes" rather than "the disk failed".
fn is_format_io_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput
    )
}

/// Maps an error met while walking the archive.
fn stream_error(e: io::Error, failed: &Cell<bool>) -> BundleError {
    if failed.get() {
        if is_format_io_error(&e) || e.kind() == io::ErrorKind::Other {
            BundleError::Damaged
        } else {
            BundleError::Io(e)
        }
    } else {
        BundleError::MalformedArchive
    }
}

fn read_archive<R: Read>(
    archive: &mut tar::Archive<R>,
    failed: &Cell<bool>,
    options: &ReadOptions<'_>,
    sink: &mut dyn DocumentSink,
) -> Result<VerifiedBundle, BundleError> {
    // Raw mode: pax and GNU long-name headers are handled here, with limits.
    let mut entries = archive
        .entries()
        .map_err(|e| stream_error(e, failed))?
        .raw(true);

    // Entry 1: manifest.json.
    let manifest_bytes = {
        let Some((mut entry, path)) = next_member(&mut entries, failed)? else {
            return Err(BundleError::ManifestNotFirst);
        };
        if !entry.header().entry_type().is_file() || path != MANIFEST_PATH.as_bytes() {
            return Err(BundleError::ManifestNotFirst);
        }
        let size = entry.size();
        read_small(&mut entry, size, MANIFEST_PATH, MAX_MANIFEST_BYTES, failed)?
    };

    // Entry 2: manifest.json.minisig.
    let signature_bytes = {
        let Some((mut entry, path)) = next_member(&mut entries, failed)? else {
            return Err(BundleError::SignatureNotSecond);
        };
        if !entry.header().entry_type().is_file() || path != SIGNATURE_PATH.as_bytes() {
            return Err(BundleError::SignatureNotSecond);
        }
        let size = entry.size();
        read_small(
            &mut entry,
            size,
            SIGNATURE_PATH,
            MAX_SIGNATURE_BYTES,
            failed,
        )?
    };

    // Signature by a trusted key, before anything in the manifest is used.
    let signer = verify_signature(&manifest_bytes, &signature_bytes, options.trusted)?;
    let manifest = parse_manifest(&manifest_bytes)?;
    // Freed here unless kept (shadowing alone would keep them alive to the
    // end: about 300 bytes per request, 30 MB at 100,000 requests).
    let manifest_bytes = if sink.keeps_manifest_bytes() {
        manifest_bytes
    } else {
        drop(manifest_bytes);
        Vec::new()
    };
    check_manifest(&manifest, signer, options)?;
    let index = index_entries(&manifest)?;
    let directories: HashSet<&str> = manifest
        .entries
        .iter()
        .filter_map(|e| e.path.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    sink.manifest(&manifest).map_err(BundleError::Sink)?;

    // The other entries, in manifest order.
    let mut records = Vec::new();
    let mut next = 0usize;
    let mut count = 2usize;
    while let Some((mut entry, raw)) = next_member(&mut entries, failed)? {
        count += 1;
        if count > MAX_ENTRIES {
            return Err(BundleError::TooManyEntries { limit: MAX_ENTRIES });
        }
        let entry_type = entry.header().entry_type();
        if is_absolute(&raw) {
            return Err(BundleError::AbsolutePath {
                path: clean_path_bytes(&raw),
            });
        }
        if has_parent_component(&raw) {
            return Err(BundleError::ParentPath {
                path: clean_path_bytes(&raw),
            });
        }
        if entry_type.is_symlink() || entry_type.is_hard_link() {
            return Err(BundleError::Link {
                path: clean_path_bytes(&raw),
            });
        }
        if entry_type.is_dir() {
            let dir = raw.strip_suffix(b"/").unwrap_or(&raw);
            match std::str::from_utf8(dir) {
                Ok(dir) if directories.contains(dir) => continue,
                _ => {
                    return Err(BundleError::UnlistedEntry {
                        path: clean_path_bytes(&raw),
                    })
                }
            }
        }
        if !entry_type.is_file() {
            return Err(BundleError::SpecialEntry {
                path: clean_path_bytes(&raw),
            });
        }
        let path = std::str::from_utf8(&raw).map_err(|_| bad_path_error(&raw))?;
        if path == MANIFEST_PATH || path == SIGNATURE_PATH {
            return Err(BundleError::DuplicateEntry {
                path: clean_path(path),
            });
        }
        let position = match index.get(path) {
            Some(&position) => position,
            None if parse_entry_path(path, options.expected_kind).is_some() => {
                return Err(BundleError::UnlistedEntry {
                    path: clean_path(path),
                })
            }
            None => return Err(bad_path_error(&raw)),
        };
        if position < next {
            return Err(BundleError::DuplicateEntry {
                path: clean_path(path),
            });
        }
        if position > next {
            return Err(BundleError::OutOfOrder {
                path: clean_path(path),
            });
        }
        let listed = &manifest.entries[position];
        let parsed = parse_entry_path(&listed.path, manifest.kind)
            .ok_or_else(|| bad_path_error(listed.path.as_bytes()))?;
        let limit = match &parsed {
            EntryPath::Record { .. } => MAX_RECORD_BYTES,
            EntryPath::Document { .. } => MAX_DOCUMENT_BYTES,
        };
        let size = entry.size();
        if size > limit {
            return Err(BundleError::EntryTooLarge {
                path: clean_path(path),
                limit,
            });
        }
        if size != listed.size {
            return Err(BundleError::SizeMismatch {
                path: clean_path(path),
            });
        }
        // Where the entry's data starts in the age plaintext (for sinks that seek later).
        let offset = entry.raw_file_position();
        let mut limited = (&mut entry).take(size);
        let mut hashing = HashingReader {
            inner: &mut limited,
            hasher: Sha256::new(),
            count: 0,
        };
        match parsed {
            EntryPath::Record { id } => {
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                hashing
                    .read_to_end(&mut bytes)
                    .map_err(|e| stream_error(e, failed))?;
                check_hash(&hashing, listed)?;
                if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
                    .is_err()
                {
                    return Err(BundleError::InvalidRecord {
                        path: clean_path(path),
                    });
                }
                if let Some(bytes) = sink.record(&id, bytes).map_err(BundleError::Sink)? {
                    records.push((id, bytes));
                }
            }
            EntryPath::Document { .. } => {
                if let Err(e) = sink.document_at(listed, offset, &mut hashing) {
                    return Err(if failed.get() {
                        stream_error(e, failed)
                    } else {
                        BundleError::Sink(e)
                    });
                }
                io::copy(&mut hashing, &mut io::sink()).map_err(|e| stream_error(e, failed))?;
                check_hash(&hashing, listed)?;
            }
        }
        next += 1;
    }
    if let Some(missing) = manifest.entries.get(next) {
        return Err(BundleError::MissingEntry {
            path: clean_path(&missing.path),
        });
    }
    Ok(VerifiedBundle {
        manifest,
        manifest_bytes,
        records,
        signer_name: signer.name.clone(),
    })
}

/// An archive member and its effective path.
type Member<'a, R> = (tar::Entry<'a, R>, Vec<u8>);

/// The next archive member and its path, after its pax (`x`) or GNU long
/// name (`L`) extension headers, each read within [`MAX_EXTENSION_BYTES`].
/// Global pax headers, GNU long link names and sparse files are refused; a
/// pax `size` must agree with the header's.
fn next_member<'a, R: Read>(
    entries: &mut tar::Entries<'a, R>,
    failed: &Cell<bool>,
) -> Result<Option<Member<'a, R>>, BundleError> {
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax: Option<PaxFields> = None;
    loop {
        let entry = match entries.next() {
            Some(entry) => entry.map_err(|e| stream_error(e, failed))?,
            None if long_name.is_some() || pax.is_some() => {
                return Err(BundleError::MalformedArchive)
            }
            None => return Ok(None),
        };
        let mut entry = entry;
        let entry_type = entry.header().entry_type();
        if entry_type.is_pax_local_extensions() {
            if pax.is_some() {
                return Err(BundleError::MalformedArchive);
            }
            let data = read_extension(&mut entry, failed)?;
            pax = Some(parse_pax(&data)?);
            continue;
        }
        if entry_type.is_gnu_longname() {
            if long_name.is_some() {
                return Err(BundleError::MalformedArchive);
            }
            let mut data = read_extension(&mut entry, failed)?;
            while data.last() == Some(&0) {
                data.pop();
            }
            long_name = Some(data);
            continue;
        }
        let own_path = entry.path_bytes().into_owned();
        if entry_type.is_gnu_longlink() {
            return Err(BundleError::Link {
                path: clean_path_bytes(&own_path),
            });
        }
        if entry_type.is_pax_global_extensions() || entry_type.is_gnu_sparse() {
            return Err(BundleError::SpecialEntry {
                path: clean_path_bytes(&own_path),
            });
        }
        let mut path = long_name.take().unwrap_or(own_path);
        if let Some(fields) = pax.take() {
            if fields.sparse {
                return Err(BundleError::SpecialEntry {
                    path: clean_path_bytes(&path),
                });
            }
            if let Some(size) = fields.size {
                let header_size = entry
                    .header()
                    .entry_size()
                    .map_err(|_| BundleError::MalformedArchive)?;
                if size != header_size {
                    return Err(BundleError::MalformedArchive);
                }
            }
            if fields.link {
                return Err(BundleError::Link {
                    path: clean_path_bytes(&path),
                });
            }
            if let Some(pax_path) = fields.path {
                path = pax_path;
            }
        }
        return Ok(Some((entry, path)));
    }
}

fn read_extension(entry: &mut impl Read, failed: &Cell<bool>) -> Result<Vec<u8>, BundleError> {
    let mut data = Vec::new();
    entry
        .take(MAX_EXTENSION_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| stream_error(e, failed))?;
    if data.len() as u64 > MAX_EXTENSION_BYTES {
        return Err(BundleError::MalformedArchive);
    }
    Ok(data)
}

/// What matters in a pax extended header.
#[derive(Default)]
struct PaxFields {
    path: Option<Vec<u8>>,
    size: Option<u64>,
    sparse: bool,
    link: bool,
}

/// Parses pax records (`"<len> <key>=<value>\n"`, `len` counting the whole
/// record).
fn parse_pax(mut data: &[u8]) -> Result<PaxFields, BundleError> {
    let mut fields = PaxFields::default();
    while !data.is_empty() {
        let space = data
            .iter()
            .position(|b| *b == b' ')
            .ok_or(BundleError::MalformedArchive)?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or(BundleError::MalformedArchive)?;
        if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
            return Err(BundleError::MalformedArchive);
        }
        let record = &data[space + 1..len - 1];
        let equals = record
            .iter()
            .position(|b| *b == b'=')
            .ok_or(BundleError::MalformedArchive)?;
        let (key, value) = (&record[..equals], &record[equals + 1..]);
        match key {
            b"path" => fields.path = Some(value.to_vec()),
            b"size" => {
                fields.size = Some(
                    std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.parse().ok())
                        .ok_or(BundleError::MalformedArchive)?,
                )
            }
            b"linkpath" => fields.link = !value.is_empty(),
            key if key.starts_with(b"GNU.sparse.") => fields.sparse = true,
            _ => {}
        }
        data = &data[len..];
    }
    Ok(fields)
}

fn check_hash(hashing: &HashingReader<'_>, listed: &ManifestEntry) -> Result<(), BundleError> {
    if hashing.count != listed.size {
        return Err(BundleError::MalformedArchive);
    }
    if hex::encode(hashing.hasher.clone().finalize()) != listed.sha256 {
        return Err(BundleError::HashMismatch {
            path: clean_path(&listed.path),
        });
    }
    Ok(())
}

fn read_small(
    entry: &mut impl Read,
    size: u64,
    path: &str,
    limit: u64,
    failed: &Cell<bool>,
) -> Result<Vec<u8>, BundleError> {
    // The size the header announces (bounded), not a doubling buffer: the
    // manifest of 100,000 requests is about 12 MB.
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(limit)).unwrap_or(0));
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| stream_error(e, failed))?;
    if bytes.len() as u64 > limit {
        return Err(BundleError::EntryTooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// Verifies the signature against the trusted keys; returns the signer.
fn verify_signature<'t>(
    manifest: &[u8],
    signature: &[u8],
    trusted: &'t [TrustedKey],
) -> Result<&'t TrustedKey, BundleError> {
    let text = std::str::from_utf8(signature).map_err(|_| BundleError::MalformedSignature)?;
    let signature =
        minisign::SignatureBox::from_string(text).map_err(|_| BundleError::MalformedSignature)?;
    let mut known_key = false;
    for key in trusted {
        let Ok(public) = parse_public_key(&key.public_key) else {
            continue;
        };
        if public.keynum() != signature.keynum() {
            continue;
        }
        known_key = true;
        if minisign::verify(
            &public,
            &signature,
            io::Cursor::new(manifest),
            true,
            false,
            true,
        )
        .is_ok()
        {
            return Ok(key);
        }
    }
    Err(if known_key {
        BundleError::BadSignature
    } else {
        BundleError::UntrustedSigner
    })
}

/// The two fields checked before the rest of the manifest is parsed.
#[derive(serde::Deserialize)]
struct FormatFields {
    #[serde(default)]
    format: Option<serde_json::Value>,
    #[serde(default)]
    version: Option<serde_json::Value>,
}

/// Parses the signed manifest: JSON, then format and version, then fields.
/// Parsed straight into its types (no JSON tree of the whole manifest,
/// which for 100,000 entries would weigh tens of megabytes).
fn parse_manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
    // Syntax first (and the top level must be an object), without building anything.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| {
        BundleError::InvalidManifest {
            reason: json_reason(&e),
        }
    })?;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(BundleError::InvalidManifest {
            reason: "ce n'est pas un objet JSON".to_owned(),
        });
    }
    let fields: FormatFields =
        serde_json::from_slice(bytes).map_err(|e| BundleError::InvalidManifest {
            reason: json_reason(&e),
        })?;
    if fields.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
        return Err(BundleError::NotAvisBundle);
    }
    match &fields.version {
        Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        found => {
            let found = match found {
                None => "absente".to_owned(),
                Some(serde_json::Value::String(s)) => {
                    clean_path(&s.chars().take(20).collect::<String>())
                }
                Some(v @ serde_json::Value::Number(_)) => v.to_string(),
                Some(_) => "illisible".to_owned(),
            };
            return Err(BundleError::UnsupportedVersion {
                found,
                supported: FORMAT_VERSION.to_string(),
            });
        }
    }
    serde_json::from_slice(bytes).map_err(|e| BundleError::InvalidManifest {
        reason: json_reason(&e),
    })
}

/// A reason that never quotes the JSON's content.
fn json_reason(e: &serde_json::Error) -> String {
    let message = e.to_string();
    if message.contains("recursion limit") {
        "imbrication trop profonde".to_owned()
    } else if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        format!("champ obligatoire « {} » absent", clean_path(field))
    } else if e.is_data() {
        "un champ a un type ou une valeur inattendus".to_owned()
    } else if e.is_eof() {
        "JSON tronqué".to_owned()
    } else {
        format!("JSON mal formé, ligne {} colonne {}", e.line(), e.column())
    }
}

fn check_manifest(
    manifest: &Manifest,
    signer: &TrustedKey,
    options: &ReadOptions<'_>,
) -> Result<(), BundleError> {
    if uuid::Uuid::parse_str(&manifest.bundle_id).is_err() {
        return Err(BundleError::InvalidManifest {
            reason: "bundle_id n'est pas un UUID".to_owned(),
        });
    }
    if manifest.sequence > MAX_SEQUENCE {
        return Err(BundleError::InvalidManifest {
            reason: format!(
                "séquence hors limites (au plus {MAX_SEQUENCE}) ; le rectorat doit renvoyer le lot avec une séquence normale"
            ),
        });
    }
    let declared = manifest
        .issuer
        .signing_key
        .as_deref()
        .and_then(|k| parse_public_key(k).ok())
        .map(|k| k.to_base64());
    let actual = parse_public_key(&signer.public_key)
        .map(|k| k.to_base64())
        .map_err(|_| BundleError::InvalidPublicKey)?;
    if declared.as_deref() != Some(actual.as_str()) {
        return Err(BundleError::SignerMismatch);
    }
    if manifest.kind != options.expected_kind {
        return Err(BundleError::WrongKind {
            expected: kind_name(options.expected_kind),
            found: kind_name(manifest.kind),
        });
    }
    let recipient = manifest.recipient.age_recipient.trim();
    if !options
        .identities
        .iter()
        .any(|identity| recipient_of(identity) == recipient)
    {
        return Err(BundleError::WrongRecipient);
    }
    Ok(())
}

/// French name of a kind, for messages.
fn kind_name(kind: BundleKind) -> &'static str {
    match kind {
        BundleKind::Assignment => "demandes",
        BundleKind::Opinions => "avis",
    }
}

/// Validates the manifest's entries; maps each path to its position.
fn index_entries(manifest: &Manifest) -> Result<HashMap<&str, usize>, BundleError> {
    if manifest.entries.len() + 2 > MAX_ENTRIES {
        return Err(BundleError::TooManyEntries { limit: MAX_ENTRIES });
    }
    let mut index = HashMap::with_capacity(manifest.entries.len());
    for (position, entry) in manifest.entries.iter().enumerate() {
        let parsed = parse_entry_path(&entry.path, manifest.kind)
            .ok_or_else(|| bad_path_error(entry.path.as_bytes()))?;
        let path = clean_path(&entry.path);
        if !is_valid_sha256_hex(&entry.sha256) {
            return Err(BundleError::InvalidManifest {
                reason: format!("empreinte SHA-256 mal formée pour « {path} »"),
            });
        }
        let limit = match &parsed {
            EntryPath::Record { .. } => MAX_RECORD_BYTES,
            EntryPath::Document { sha256 } => {
                if *sha256 != entry.sha256 {
                    return Err(BundleError::DocumentNameMismatch { path });
                }
                MAX_DOCUMENT_BYTES
            }
        };
        if entry.size > limit {
            return Err(BundleError::EntryTooLarge { path, limit });
        }
        if index.insert(entry.path.as_str(), position).is_some() {
            return Err(BundleError::DuplicateEntry { path });
        }
    }
    Ok(index)
}

#[cfg(test)]
mod header_guard_tests {
    use std::io::{BufRead, BufReader, Read};

    use super::{HeaderGuard, MAX_HEADER_STANZAS};

    fn header(stanzas: u32) -> Vec<u8> {
        let mut h = b"age-encryption.org/v1\n".to_vec();
        for _ in 0..stanzas {
            h.extend_from_slice(b"-> X25519 AAAA\nAAAA\n");
        }
        h.extend_from_slice(b"--- AAAA\npayload -> not a stanza\n");
        h
    }

    #[test]
    fn a_normal_header_and_its_payload_pass_through() {
        let input = header(3);
        let mut out = Vec::new();
        HeaderGuard::new(BufReader::new(&input[..]))
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, input);
    }

    #[test]
    fn too_many_stanzas_fail_through_read_and_fill_buf() {
        let input = header(MAX_HEADER_STANZAS + 1);
        let err = HeaderGuard::new(BufReader::new(&input[..]))
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);

        let mut guard = HeaderGuard::new(BufReader::with_capacity(16, &input[..]));
        let failed = loop {
            match guard.fill_buf() {
                Ok([]) => break false,
                Ok(buf) => {
                    let n = buf.len();
                    guard.consume(n);
                }
                Err(_) => break true,
            }
        };
        assert!(failed);
    }

    #[test]
    fn an_endless_header_fails() {
        let mut input = b"age-encryption.org/v1\n".to_vec();
        input.extend(std::iter::repeat_n(b'A', 100 * 1024));
        let err = HeaderGuard::new(BufReader::new(&input[..]))
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    }
}
