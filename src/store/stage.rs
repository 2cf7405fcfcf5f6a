//! Staging a binary bundle: its bytes are read once, written to the staging
//! file, and only then handed, in order and from the same memory, to the
//! reader that verifies them. What is verified is therefore exactly what is
//! kept.
//!
//! Where the file system allows it the staging file is written with direct
//! I/O (`O_DIRECT` on Linux): the bytes go from our buffer to the disk
//! without a copy into the page cache nor write-back work later, which
//! leaves both cores to decryption and hashing. Elsewhere (tmpfs, other
//! systems, the unaligned tail of the file) writes are buffered and their
//! write-back is started at once, so the final sync has little left to do.

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError};

/// Bytes read and written at a time.
const CHUNK_BYTES: usize = 1 << 20;
/// Chunks in existence at most (bounds the memory of an import).
const MAX_CHUNKS: usize = 6;
/// Alignment of direct I/O buffers, offsets and lengths.
const ALIGN: usize = 4096;

/// A chunk of the bundle file, in an aligned window of its allocation.
pub(super) struct Chunk {
    memory: Vec<u8>,
    start: usize,
    len: usize,
}

impl Chunk {
    fn new() -> Chunk {
        let memory = vec![0u8; CHUNK_BYTES + ALIGN];
        let start = memory.as_ptr().align_offset(ALIGN).min(ALIGN);
        Chunk {
            memory,
            start,
            len: 0,
        }
    }

    fn data(&self) -> &[u8] {
        &self.memory[self.start..self.start + self.len]
    }

    /// Fills the chunk from `input`; fewer bytes than its size only at the
    /// end of the input.
    fn fill(&mut self, input: &mut impl Read) -> io::Result<()> {
        let window = &mut self.memory[self.start..self.start + CHUNK_BYTES];
        self.len = 0;
        while self.len < window.len() {
            match input.read(&mut window[self.len..]) {
                Ok(0) => break,
                Ok(n) => self.len += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The two ends the stager and the verifying reader share.
pub(super) struct Channels {
    full: (SyncSender<io::Result<Chunk>>, Receiver<io::Result<Chunk>>),
    empty: (Sender<Chunk>, Receiver<Chunk>),
}

impl Channels {
    pub(super) fn new() -> Channels {
        Channels {
            full: mpsc::sync_channel(MAX_CHUNKS - 2),
            empty: mpsc::channel(),
        }
    }

    /// Splits into the stager's end and the reader's end.
    pub(super) fn split(self, read: &AtomicU64) -> (Stager, StagedReader<'_>) {
        let stager = Stager {
            full: self.full.0,
            empty: self.empty.1,
        };
        let reader = StagedReader {
            full: self.full.1,
            empty: self.empty.0,
            current: None,
            pos: 0,
            read,
            done: 0,
        };
        (stager, reader)
    }
}

/// Reads the bundle, writes it to the staging file, passes it on.
pub(super) struct Stager {
    full: SyncSender<io::Result<Chunk>>,
    empty: Receiver<Chunk>,
}

impl Stager {
    /// Copies `input` into `staging` chunk by chunk, handing each written
    /// chunk to the reader, until the end of the input or until the reader
    /// hangs up (verification over or failed); then syncs the staged file.
    /// A failure is also sent to the reader, so that it stops.
    pub(super) fn run(self, mut input: &File, staging: &File) -> io::Result<()> {
        let mut writer = StagingWriter::new(staging);
        let mut created = 0usize;
        let result = (|| {
            loop {
                let mut chunk = match self.empty.try_recv() {
                    Ok(chunk) => chunk,
                    Err(TryRecvError::Empty) if created < MAX_CHUNKS => {
                        created += 1;
                        Chunk::new()
                    }
                    Err(TryRecvError::Empty) => match self.empty.recv() {
                        Ok(chunk) => chunk,
                        Err(_) => break,
                    },
                    Err(TryRecvError::Disconnected) => break,
                };
                chunk.fill(&mut input)?;
                if chunk.len == 0 {
                    break;
                }
                writer.write(chunk.data())?;
                let last = chunk.len < CHUNK_BYTES;
                if self.full.send(Ok(chunk)).is_err() || last {
                    break;
                }
            }
            staging.sync_all()
        })();
        if result.is_err() {
            let _ = self
                .full
                .send(Err(io::Error::other("copie du lot interrompue")));
        }
        result
    }
}

/// Writes the staging file at increasing offsets, directly where possible.
struct StagingWriter<'f> {
    file: &'f File,
    direct: bool,
    offset: u64,
}

impl<'f> StagingWriter<'f> {
    fn new(file: &'f File) -> StagingWriter<'f> {
        StagingWriter {
            file,
            direct: set_direct(file, true).is_ok(),
            offset: 0,
        }
    }

    fn stop_direct(&mut self) -> io::Result<()> {
        self.direct = false;
        set_direct(self.file, false)
    }

    fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let aligned = data.len() / ALIGN * ALIGN;
            if self.direct
                && (aligned == 0
                    || !self.offset.is_multiple_of(ALIGN as u64)
                    || data.as_ptr().align_offset(ALIGN) != 0)
            {
                self.stop_direct()?;
            }
            let len = if self.direct { aligned } else { data.len() };
            match self.file.write_at(&data[..len], self.offset) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    if !self.direct {
                        start_writeback(self.file, self.offset, n as u64);
                    }
                    self.offset += n as u64;
                    data = &data[n..];
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // The file system refused direct I/O after all.
                Err(e) if self.direct && e.raw_os_error() == Some(libc::EINVAL) => {
                    self.stop_direct()?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Turns direct I/O on or off for an open file.
#[cfg(target_os = "linux")]
fn set_direct(file: &File, on: bool) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a valid open descriptor, reading then setting its
    // status flags; no memory is passed.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        let flags = if on {
            flags | libc::O_DIRECT
        } else {
            flags & !libc::O_DIRECT
        };
        if libc::fcntl(fd, libc::F_SETFL, flags) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn set_direct(_file: &File, on: bool) -> io::Result<()> {
    if on {
        Err(io::ErrorKind::Unsupported.into())
    } else {
        Ok(())
    }
}

/// Asks the kernel to start writing a range to disk now, so that the final
/// fsync has little left to do.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a valid open descriptor; the call only schedules write-back.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

/// The verifying side: the staged chunks, in order, as a buffered reader.
/// Counts the bytes consumed in `read` (for progress).
pub(super) struct StagedReader<'a> {
    full: Receiver<io::Result<Chunk>>,
    empty: Sender<Chunk>,
    current: Option<Chunk>,
    pos: usize,
    read: &'a AtomicU64,
    done: u64,
}

impl BufRead for StagedReader<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let exhausted = self.current.as_ref().is_none_or(|c| self.pos >= c.len);
        if exhausted {
            if let Some(chunk) = self.current.take() {
                // The stager may be done: a chunk it will not reuse is dropped.
                let _ = self.empty.send(chunk);
            }
            self.pos = 0;
            match self.full.recv() {
                Ok(Ok(chunk)) => self.current = Some(chunk),
                Ok(Err(e)) => return Err(e),
                // The stager reached the end of the input.
                Err(_) => return Ok(&[]),
            }
        }
        Ok(self
            .current
            .as_ref()
            .map_or(&[][..], |c| &c.data()[self.pos..]))
    }

    fn consume(&mut self, amount: usize) {
        self.pos += amount;
        self.done += amount as u64;
        self.read.store(self.done, Ordering::Relaxed);
    }
}

impl Read for StagedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Stages `bytes` and reads them back through the reader, as the
    /// import does; returns what the reader saw and the staged file.
    fn stage(bytes: &[u8], dir: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
        let input_path = dir.join("input");
        std::fs::File::create(&input_path)
            .and_then(|mut f| f.write_all(bytes))
            .expect("input");
        let input = File::open(&input_path).expect("open input");
        let staged_path = dir.join("staged");
        let staging = File::create(&staged_path).expect("staging");
        let read = AtomicU64::new(0);
        let (stager, mut reader) = Channels::new().split(&read);
        let seen = std::thread::scope(|scope| {
            let handle = scope.spawn(|| stager.run(&input, &staging));
            let mut seen = Vec::new();
            reader.read_to_end(&mut seen).expect("read");
            drop(reader);
            handle.join().expect("join").expect("stage");
            seen
        });
        assert_eq!(read.load(Ordering::Relaxed), seen.len() as u64);
        (seen, std::fs::read(&staged_path).expect("staged"))
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 4093) as u8).collect()
    }

    #[test]
    fn staged_file_and_reader_see_every_byte_for_aligned_and_unaligned_sizes() {
        let dir = tempfile::tempdir().expect("dir");
        for len in [
            0,
            1,
            ALIGN - 1,
            ALIGN,
            CHUNK_BYTES,
            CHUNK_BYTES + 1,
            3 * CHUNK_BYTES + ALIGN + 17,
            (MAX_CHUNKS + 3) * CHUNK_BYTES,
        ] {
            let bytes = pattern(len);
            let (seen, staged) = stage(&bytes, dir.path());
            assert_eq!(seen.len(), len, "lu, taille {len}");
            assert!(seen == bytes, "lu, taille {len}");
            assert!(staged == bytes, "copie, taille {len}");
        }
    }

    #[test]
    fn a_reader_that_stops_early_stops_the_stager_after_what_it_read() {
        let dir = tempfile::tempdir().expect("dir");
        let bytes = pattern((MAX_CHUNKS * 4) * CHUNK_BYTES);
        let input_path = dir.path().join("input");
        std::fs::write(&input_path, &bytes).expect("input");
        let input = File::open(&input_path).expect("open");
        let staged_path = dir.path().join("staged");
        let staging = File::create(&staged_path).expect("staging");
        let read = AtomicU64::new(0);
        let (stager, mut reader) = Channels::new().split(&read);
        std::thread::scope(|scope| {
            let handle = scope.spawn(|| stager.run(&input, &staging));
            let mut head = vec![0u8; CHUNK_BYTES + 10];
            reader.read_exact(&mut head).expect("read");
            assert!(head[..] == bytes[..head.len()]);
            drop(reader);
            handle.join().expect("join").expect("stage");
        });
        let staged = std::fs::read(&staged_path).expect("staged");
        // Everything the reader saw was written first; the stager stopped
        // well before the end of the input.
        assert!(staged.len() >= CHUNK_BYTES + 10);
        assert!(staged.len() < bytes.len());
        assert!(staged[..] == bytes[..staged.len()]);
    }

    #[test]
    fn a_failed_write_reaches_the_reader_as_an_error() {
        let dir = tempfile::tempdir().expect("dir");
        let input_path = dir.path().join("input");
        std::fs::write(&input_path, pattern(2 * CHUNK_BYTES)).expect("input");
        let input = File::open(&input_path).expect("open");
        // A file opened read-only: every write fails.
        let staged_path = dir.path().join("staged");
        std::fs::write(&staged_path, b"").expect("staged");
        let staging = File::open(&staged_path).expect("read-only");
        let read = AtomicU64::new(0);
        let (stager, mut reader) = Channels::new().split(&read);
        std::thread::scope(|scope| {
            let handle = scope.spawn(|| stager.run(&input, &staging));
            let mut sink = Vec::new();
            assert!(reader.read_to_end(&mut sink).is_err());
            assert!(sink.is_empty());
            assert!(handle.join().expect("join").is_err());
        });
    }
}
