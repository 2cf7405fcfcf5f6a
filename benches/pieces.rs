//! Pièces benchmarks (release): a 20-page, 20 MB scanned PDF (one 300 dpi
//! JPEG per A4 page, made here) — its first page rendered after it is
//! handed to the pièces' session, the next page (rendered ahead while the
//! doctor reads), the process's peak memory meanwhile — and a 12-megapixel
//! phone JPEG. Each figure is given with a reference measured in the same
//! run: decoding one page's JPEG at full size with jpeg-decoder (what any
//! viewer must at least do), and decoding the 12 MP photo at full size.
//!
//! Run: `cargo bench --bench pieces` (targets: first page ≤ 300 ms, next
//! page ≤ 100 ms, peak ≤ 200 MiB, photo ≤ 300 ms).

use std::io::Write;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use avis::pieces::session::{Session, SessionCommand, SessionEvent};
use avis::pieces::{Fit, Piece, RenderSpec, Rotation};
use zeroize::Zeroizing;

/// The viewer of a 160×50 terminal with 10×20-pixel cells (sixel, kitty).
const VIEW: (u32, u32) = (1580, 900);

/// A greyish "scan": paper noise, lines of dark "text".
fn scan_pixels(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        let text_row = (y / 40) % 2 == 1 && y > 200 && y < h - 200;
        for x in 0..w {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state % 12) as u8;
            let ink = text_row && (x / 23) % 5 != 0 && x > 150 && x < w - 150;
            let v = if ink { 30 + noise } else { 200 + noise };
            out.extend_from_slice(&[v, v.saturating_sub(4), v.saturating_sub(8)]);
        }
    }
    out
}

fn jpeg(w: u32, h: u32, quality: u8, seed: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    let pixels = scan_pixels(w, h, seed);
    encoder
        .encode(&pixels, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap_or_else(|e| panic!("encodage JPEG : {e}"));
    out
}

/// A PDF of `pages` A4 pages, each showing `image` (a w×h JPEG).
fn scanned_pdf(image: &[u8], w: u32, h: u32, pages: usize) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, body: &[u8]| {
        offsets.push(pdf.len());
        let n = offsets.len();
        let _ = writeln!(pdf, "{n} 0 obj");
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    };
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 3 + i * 3)).collect();
    object(&mut pdf, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(
        &mut pdf,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    let content = b"q 595 0 0 842 0 0 cm /Im0 Do Q";
    for i in 0..pages {
        let page = 3 + i * 3;
        object(
            &mut pdf,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 {} 0 R >> >> /Contents {} 0 R >>",
                page + 1,
                page + 2
            )
            .as_bytes(),
        );
        let mut img = format!(
            "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            image.len()
        )
        .into_bytes();
        img.extend_from_slice(image);
        img.extend_from_slice(b"\nendstream");
        object(&mut pdf, &img);
        let mut c = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        c.extend_from_slice(content);
        c.extend_from_slice(b"\nendstream");
        object(&mut pdf, &c);
    }
    let xref = pdf.len();
    let _ = write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        let _ = writeln!(pdf, "{o:010} 00000 n ");
    }
    let _ = write!(
        pdf,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    pdf
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn spec() -> RenderSpec {
    RenderSpec {
        rotation: Rotation::None,
        fit: Fit::Page,
        zoom: 1.0,
        view: VIEW,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn full_decode(bytes: &[u8]) -> Duration {
    let start = Instant::now();
    let mut d = jpeg_decoder::Decoder::new(bytes);
    let px = d.decode().unwrap_or_default();
    assert!(!px.is_empty());
    start.elapsed()
}

fn main() {
    // 300 dpi A4, about 1 MB a page.
    let (w, h) = (2480, 3508);
    let mut quality = 80;
    let page = loop {
        let j = jpeg(w, h, quality, 7);
        if j.len() >= 950_000 || quality >= 98 {
            break j;
        }
        quality += 4;
    };
    let pdf = scanned_pdf(&page, w, h, 20);
    println!(
        "PDF numérisé : 20 pages, {:.1} Mo (JPEG de {w}×{h} par page, qualité {quality})",
        pdf.len() as f64 / 1e6
    );
    let reference = full_decode(&page);

    reset_peak();
    let base = peak_rss_kib();
    let (tx, rx) = mpsc::channel();
    let session = Session::spawn(move |e| {
        let _ = tx.send(e);
    })
    .unwrap_or_else(|e| panic!("session : {e}"));
    let doc = "bench".to_string();
    let wait_page = |rx: &mpsc::Receiver<SessionEvent>| loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(SessionEvent::Page { page, .. }) => return page,
            Ok(SessionEvent::Opened { .. }) | Ok(SessionEvent::Text { .. }) => {}
            other => panic!("réponse inattendue : {other:?}"),
        }
    };
    let start = Instant::now();
    session.send(SessionCommand::Open {
        doc: doc.clone(),
        bytes: Zeroizing::new(pdf.clone()),
        media_type: "application/pdf".into(),
    });
    session.send(SessionCommand::Render {
        doc: doc.clone(),
        page: 0,
        spec: spec(),
    });
    let first = wait_page(&rx);
    let first_time = start.elapsed();
    assert_eq!(first.page, 0);
    assert!(first.raster.ink() > 0.01);
    // The doctor reads the page; the next one is rendered meanwhile.
    std::thread::sleep(Duration::from_millis(1500));
    let start = Instant::now();
    session.send(SessionCommand::Render {
        doc: doc.clone(),
        page: 1,
        spec: spec(),
    });
    let next = wait_page(&rx);
    let next_time = start.elapsed();
    assert_eq!(next.page, 1);
    // Leafing through quickly: pages 2 to 9, one after the other.
    let start = Instant::now();
    for p in 2..10 {
        session.send(SessionCommand::Render {
            doc: doc.clone(),
            page: p,
            spec: spec(),
        });
        let _ = wait_page(&rx);
    }
    let leaf = start.elapsed() / 8;
    let peak_mib = peak_rss_kib().saturating_sub(0) as f64 / 1024.0;
    drop(session);
    println!(
        "première page : {:.0} ms (référence : décodage JPEG pleine taille d'une page {:.0} ms, rapport {:.2})",
        ms(first_time),
        ms(reference),
        ms(first_time) / ms(reference)
    );
    println!("page suivante (rendue d'avance) : {:.1} ms", ms(next_time));
    println!(
        "pages feuilletées sans attendre : {:.0} ms par page (rapport {:.2} à la référence)",
        ms(leaf),
        ms(leaf) / ms(reference)
    );
    println!(
        "mémoire maximale du processus : {peak_mib:.0} Mio (dont {:.0} Mio avant l'ouverture)",
        base as f64 / 1024.0
    );

    // A 12-megapixel phone photo.
    let photo = jpeg(4000, 3000, 90, 11);
    let reference = full_decode(&photo);
    let start = Instant::now();
    let piece = Piece::open(Zeroizing::new(photo.clone()), "image/jpeg")
        .unwrap_or_else(|e| panic!("photo : {e}"));
    let r = piece
        .render(0, &spec())
        .unwrap_or_else(|e| panic!("photo : {e}"));
    let photo_time = start.elapsed();
    assert!(r.ink() > 0.01);
    println!(
        "photo 12 Mpx ({:.1} Mo) : {:.0} ms (référence : décodage pleine taille {:.0} ms, rapport {:.2})",
        photo.len() as f64 / 1e6,
        ms(photo_time),
        ms(reference),
        ms(photo_time) / ms(reference)
    );
}
