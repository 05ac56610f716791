//! Chunked export with `gst-render-range`: an export rendered as 1, 3 and 7 chunks and joined
//! decodes to exactly the frames (timestamps and pixels) of the one-pass export. Lossless
//! (x264 qp=0, B-frames on), inputs with B-frames at 30 and 25 fps whose keyframes fall between
//! the chunk boundaries, a crossfade spanning a boundary, an animated zoom and motion blur.
//! Then the tool's errors: each kind of failure has its exit status and says what to do.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOOL: &str = env!("CARGO_BIN_EXE_gst-render-range");

const TIMELINE: &str = r#"{
  "zoom": [{ "pad": "sink_0", "start": 0.2, "end": 1.8, "scale": 1.6, "centre": [0.3, 0.6], "ramp": 0.4 }],
  "keyframes": [
    { "pad": "sink_1", "property": "xpos", "time": 0.0, "value": 0.0 },
    { "pad": "sink_1", "property": "xpos", "time": 2.0, "value": 150.5, "easing": "ease-in-out" }
  ]
}"#;

/// A scratch folder with the two inputs and the timeline, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("pc-range-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Encodes `frames` of a moving test pattern at `fps` with B-frames and a keyframe every
/// `keyint` frames.
fn make_input(path: &str, pattern: &str, fps: u32, frames: u32, keyint: u32) {
    let desc = format!(
        "videotestsrc num-buffers={frames} pattern={pattern} ! timeoverlay \
         ! video/x-raw,format=I420,width=320,height=240,framerate={fps}/1 \
         ! x264enc speed-preset=superfast bframes=3 b-adapt=false key-int-max={keyint} \
         ! mp4mux ! filesink location={path}"
    );
    common::play_to_end(&common::launch(&desc), 60).expect("input encodes");
}

/// The export; `location` is the filesink's file.
fn export(s: &Scratch, location: &str) -> String {
    format!(
        "parallelcompositor name=pc adapter=cpu timeline={} shutter-angle=180 motion-blur-samples=3 \
         transitions=\"fade, from=sink_0, to=sink_1, start=0.55, duration=0.3\" \
         sink_1::zorder=1 sink_1::ypos=60 sink_1::width=160 sink_1::height=120 sink_1::corner-radius=8 \
         ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 \
         ! x264enc pass=quant quantizer=0 speed-preset=superfast bframes=2 threads=1 \
         ! mp4mux ! filesink location={location} \
         filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_0 \
         filesrc location={} ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_1",
        s.path("timeline.json"),
        s.path("a.mp4"),
        s.path("b.mp4"),
    )
}

fn scratch_with_inputs(name: &str) -> Scratch {
    let s = Scratch::new(name);
    make_input(&s.path("a.mp4"), "ball", 30, 60, 16);
    make_input(&s.path("b.mp4"), "smpte", 25, 50, 12);
    std::fs::write(s.path("timeline.json"), TIMELINE).expect("timeline written");
    s
}

fn tool(args: &[&str]) -> Output {
    Command::new(TOOL)
        .args(args)
        .output()
        .expect("gst-render-range runs")
}

/// Runs the tool with `args` then the description's words, as a shell would split them.
fn tool_with(args: &[&str], description: &str) -> Output {
    let words = shell_words(description);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(words.iter().map(String::as_str));
    tool(&all)
}

/// Splits `text` on spaces outside double quotes, dropping the quotes (as sh does).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted, mut any) = (String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

#[track_caller]
fn ok(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}\n{err}", out.status.code());
    err
}

#[track_caller]
fn fails(out: &Output, code: i32, says: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(says), "expected {says:?} in:\n{err}");
    err
}

/// Decodes `path`: per frame, its PTS and its I420 planes.
fn decode(path: &str) -> Vec<(u64, Vec<u8>)> {
    let samples = common::run(&format!(
        "filesrc location={path} ! qtdemux ! h264parse ! avdec_h264 ! videoconvert \
         ! video/x-raw,format=I420 ! appsink name=sink sync=false"
    ));
    samples
        .iter()
        .map(|s| {
            let pts = s.buffer().and_then(|b| b.pts()).expect("timestamped");
            (pts.nseconds(), common::planes(s).1.concat())
        })
        .collect()
}

/// Renders `bounds` (chunk boundaries, 0 to the end) as chunks, joins them, returns the join.
fn chunked(s: &Scratch, bounds: &[u64]) -> String {
    let mut chunks = Vec::new();
    for (i, w) in bounds.windows(2).enumerate() {
        let chunk = s.path(&format!("chunk-{}-{i}.mp4", bounds.len() - 1));
        let range = format!("{}:{}", w[0], w[1]);
        ok(&tool_with(
            &["-q", "--frames", &range, "-o", &chunk],
            &export(s, "ignored.mp4"),
        ));
        let probe = tool(&["--probe", &chunk]);
        let json = String::from_utf8_lossy(&probe.stdout);
        assert!(
            json.contains(&format!("\"frames\": {}", w[1] - w[0])),
            "{json}"
        );
        assert!(json.contains("\"keyframe_first\": true"), "{json}");
        chunks.push(chunk);
    }
    let joined = s.path(&format!("joined-{}.mp4", bounds.len() - 1));
    let mut args = vec!["-q", "--join", joined.as_str()];
    args.extend(chunks.iter().map(String::as_str));
    ok(&tool(&args));
    joined
}

#[test]
fn chunks_join_into_the_one_pass_export() {
    let s = scratch_with_inputs("exact");
    // The one pass: the description as gst-launch-1.0 would run it, in this process.
    let one = s.path("one.mp4");
    common::play_to_end(&common::launch(&export(&s, &one)), 120).expect("one pass renders");
    let want = decode(&one);
    assert_eq!(want.len(), 60);

    let frame_count = tool_with(&["--frame-count"], &export(&s, "ignored.mp4"));
    ok(&frame_count);
    assert_eq!(
        String::from_utf8_lossy(&frame_count.stdout).trim(),
        "60 30/1"
    );

    // Input keyframes at 0, 16, 32, 48 (A) and every 0.48 s (B); the fade runs over frames
    // 16.5-25.5, across the boundaries at 20 and 17, 26.
    for bounds in [
        vec![0, 60],
        vec![0, 20, 41, 60],
        vec![0, 9, 17, 26, 34, 43, 51, 60],
    ] {
        let got = decode(&chunked(&s, &bounds));
        assert_eq!(got.len(), want.len(), "{} chunks", bounds.len() - 1);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g.0, w.0, "{} chunks: PTS of frame {i}", bounds.len() - 1);
            assert!(
                g.1 == w.1,
                "{} chunks: frame {i} differs from the one pass",
                bounds.len() - 1
            );
        }
    }
}

#[test]
fn join_checks_the_chunks_and_muxes_audio() {
    let s = Scratch::new("join");
    let clip = |name: &str, size: &str, extra: &str| {
        let path = s.path(name);
        common::play_to_end(
            &common::launch(&format!(
                "videotestsrc num-buffers=10 ! video/x-raw,format=I420,{size},framerate=30/1 \
                 ! x264enc speed-preset=ultrafast {extra} ! mp4mux ! filesink location={path}"
            )),
            60,
        )
        .expect("clip encodes");
        path
    };
    let a = clip("a.mp4", "width=64,height=48", "threads=1");
    let b = clip("b.mp4", "width=80,height=48", "threads=1");
    let c = clip("c.mp4", "width=64,height=48", "threads=2");
    let out = s.path("out.mp4");

    let err = fails(
        &tool(&["--join", &out, &a, &b]),
        9,
        "does not match chunk 0",
    );
    assert!(err.contains("80x48 instead of 64x48"), "{err}");
    assert!(!Path::new(&out).exists(), "nothing written on a mismatch");

    // Other encoder settings that keep the codec data: joined, with a warning naming them.
    let err = ok(&tool(&["--join", &out, &a, &c]));
    assert!(
        err.contains("other x264 settings") && err.contains("threads=1→2"),
        "{err}"
    );

    let audio = s.path("audio.m4a");
    common::play_to_end(
        &common::launch(&format!(
            "audiotestsrc num-buffers=20 ! avenc_aac ! mp4mux ! filesink location={audio}"
        )),
        60,
    )
    .expect("audio encodes");
    ok(&tool(&["-q", "--join", &out, "--audio", &audio, &a, &a]));
    let json = String::from_utf8_lossy(&tool(&["--probe", &out]).stdout).into_owned();
    assert!(json.contains("\"frames\": 20"), "{json}");
    assert!(json.contains("audio/mpeg"), "{json}");

    fails(
        &tool(&["--join", &out, "--audio", &a, &a]),
        10,
        "has no audio",
    );
    fails(
        &tool(&["--join", &out, &s.path("missing.mp4")]),
        10,
        "no such file",
    );
}

#[test]
fn failures_have_their_exit_status_and_say_why() {
    let s = Scratch::new("errors");
    let out = s.path("out.mp4");
    let tail = format!("x264enc ! mp4mux ! filesink location={out}");
    fails(
        &tool_with(
            &["--frames", "0:5"],
            "videotestsrc ! nosuchelement ! fakesink",
        ),
        3,
        "no element nosuchelement",
    );
    fails(
        &tool_with(
            &["--frames", "0:5"],
            &format!("videotestsrc ! x264enc ! filesink location={out}"),
        ),
        4,
        "not a muxer",
    );
    fails(
        &tool_with(
            &["--frames", "0:5"],
            "videotestsrc ! x264enc ! mp4mux ! fakesink",
        ),
        4,
        "no filesink",
    );
    fails(
        &tool_with(
            &["--frames", "0:5"],
            &format!(
                "filesrc location={} ! decodebin ! {tail}",
                s.path("missing.mp4")
            ),
        ),
        5,
        "failed before its first frame",
    );
    assert!(!Path::new(&out).exists(), "no partial chunk left behind");
    // A range past the inputs' end.
    let input = s.path("in.mp4");
    make_input(&input, "ball", 30, 10, 30);
    fails(
        &tool_with(
            &["--frames", "6:20"],
            &format!("filesrc location={input} ! qtdemux ! h264parse ! avdec_h264 ! {tail}"),
        ),
        7,
        "rendered 4 frames for the range [6, 20) of 14 frames",
    );
    // Live sources cannot seek.
    fails(
        &tool_with(
            &["--frames", "5:10"],
            &format!("videotestsrc is-live=true ! video/x-raw,framerate=30/1 ! {tail}"),
        ),
        6,
        "the pipeline is live",
    );
    fails(
        &tool_with(
            &["--frames", "0:5", "--timeout", "0.5"],
            &format!("videotestsrc ! identity sleep-time=200000 ! {tail}"),
        ),
        8,
        "--timeout",
    );
    fails(&tool(&["--frames", "9:3", "a"]), 2, "F0 < F1");
    // An element error before the first frame comes with the element's words.
    fails(
        &tool_with(
            &["--frames", "0:30"],
            &format!(
                "videotestsrc ! video/x-raw,width=64,height=48 ! parallelcompositor \
                 adapter=cpu timeline={} ! {tail}",
                s.path("missing.json")
            ),
        ),
        5,
        "Invalid timeline",
    );
}
