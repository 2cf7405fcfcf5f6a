//! Shared helper of the integration tests that drive a program on a real
//! terminal (a pty): wait for prompts, type answers, collect the output.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

/// Runs `cmd` on a pty; for each `(expect, send)`, waits for `expect` in the
/// output then types `send`. Returns the whole output and whether it succeeded.
pub fn in_pty(cmd: CommandBuilder, script: &[(&str, &str)]) -> (String, bool) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = reader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    let mut from = 0;
    for (expect, send) in script {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = String::from_utf8_lossy(&buf.lock().unwrap()).into_owned();
            if let Some(pos) = text[from.min(text.len())..].find(expect) {
                from += pos + expect.len();
                break;
            }
            assert!(
                Instant::now() < deadline,
                "never saw « {expect} » in: {text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // Let the program switch echo off before typing.
        std::thread::sleep(Duration::from_millis(100));
        writer.write_all(send.as_bytes()).unwrap();
        writer.flush().unwrap();
    }
    let status = child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(pair.master);
    let text = String::from_utf8_lossy(&buf.lock().unwrap()).into_owned();
    (text, status.success())
}
