//! The demo is a real export: `examples/screen-export.sh` (what `make demo` runs) carries the
//! recording's sound into the MP4. ffprobe checks one video and one audio stream whose durations
//! agree within a frame. Short, small clips keep it quick on a debug build.

mod common;

use std::process::Command;

/// (codec type, duration in seconds) of every stream of `file`.
fn streams(file: &std::path::Path) -> Vec<(String, f64)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_type,duration"])
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg; scripts/deps.sh installs it)");
    assert!(out.status.success(), "ffprobe {}", file.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (kind, duration) = l.split_once(',')?;
            Some((kind.to_string(), duration.trim().parse().ok()?))
        })
        .collect()
}

#[test]
fn the_demo_export_has_the_recordings_sound() {
    let dir = std::env::temp_dir().join(format!("pc-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("demo.mp4");
    let status = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/screen-export.sh"
    ))
    .arg(&out)
    .env("GST_PLUGIN_PATH", common::plugin_dir())
    .env("WIDTH", "160")
    .env("HEIGHT", "90")
    .env("DURATION", "2")
    .status()
    .expect("the demo script runs");
    assert!(status.success(), "the demo export succeeds");
    let found = streams(&out);
    let kinds: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["video", "audio"], "{found:?}");
    let (video, audio) = (found[0].1, found[1].1);
    assert!((video - 2.0).abs() < 1e-3, "{found:?}");
    assert!(
        (audio - video).abs() < 1.0 / 30.0,
        "durations within a frame: {found:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
