//! Joining chunks into one file without re-encoding: each chunk demuxed and parsed
//! (`parsebin`), the video streams concatenated in order (`concat`, which offsets each chunk by
//! the running time of those before it), muxed once more. Audio rendered once over the whole
//! timeline can be muxed in beside the joined video.
//!
//! Chunks must be interchangeable pieces of one stream: same codec, codec data (for H.264 the
//! SPS/PPS in `avcC`: profile, level, reference frames, entropy coder), size and framerate, each
//! starting on a keyframe. Anything else is refused before anything is written.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use gst::prelude::*;

use crate::cli::{JoinArgs, TOOL};
use crate::failure::{Code, Failure};
use crate::probe::{self, VideoStream};

/// Why `b` (chunk `ib`) cannot follow `a` (chunk 0) in one stream, if it cannot.
fn mismatch(a: &VideoStream, b: &VideoStream) -> Option<String> {
    if a.codec() != b.codec() {
        return Some(format!("codec {} instead of {}", b.codec(), a.codec()));
    }
    if a.size() != b.size() {
        let show = |s: Option<(i32, i32)>| s.map_or("no size".into(), |(w, h)| format!("{w}x{h}"));
        return Some(format!("{} instead of {}", show(b.size()), show(a.size())));
    }
    if a.framerate() != b.framerate() {
        return Some(format!(
            "framerate {:?} instead of {:?}",
            b.framerate(),
            a.framerate()
        ));
    }
    if a.codec_data() != b.codec_data() {
        return Some(
            "other codec data (the encoder's parameter sets: profile, level, references or \
             entropy coder differ, so its settings did)"
                .into(),
        );
    }
    let field = |s: &VideoStream, name: &str| {
        s.caps
            .as_ref()
            .and_then(|c| c.structure(0))
            .and_then(|st| st.value(name).ok().map(|v| format!("{v:?}")))
    };
    for name in [
        "stream-format",
        "alignment",
        "profile",
        "format",
        "chroma-format",
    ] {
        if field(a, name) != field(b, name) {
            return Some(format!(
                "{name} {:?} instead of {:?}",
                field(b, name),
                field(a, name)
            ));
        }
    }
    None
}

/// The options of `b` that differ from `a`'s, as `name=a→b`.
fn option_changes(a: &str, b: &str) -> Vec<String> {
    let parse = |s: &str| -> Vec<(String, String)> {
        s.split_whitespace()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.to_string(), String::new()),
            })
            .collect()
    };
    let (a, b) = (parse(a), parse(b));
    let mut changes = Vec::new();
    for (k, vb) in &b {
        match a.iter().find(|(ka, _)| ka == k) {
            Some((_, va)) if va != vb => changes.push(format!("{k}={va}→{vb}")),
            None => changes.push(format!("{k}=(none)→{vb}")),
            _ => {}
        }
    }
    for (k, va) in &a {
        if !b.iter().any(|(kb, _)| kb == k) {
            changes.push(format!("{k}={va}→(none)"));
        }
    }
    changes
}

/// Checks that the chunks can be joined; returns their streams.
pub fn check(chunks: &[String]) -> Result<Vec<VideoStream>, Failure> {
    let mut streams = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let s = probe::inspect(chunk).map_err(|f| {
            Failure::new(f.code, format!("chunk {i}: {}", f.message)).with_debug(f.debug)
        })?;
        if !s.keyframe_first {
            return Err(Failure::new(
                Code::Mismatch,
                format!(
                    "chunk {i} ({chunk}) does not start with a keyframe: it would not decode after \
                     the chunk before it; render chunks with gst-render-range, whose encoders \
                     start at the range"
                ),
            ));
        }
        if let Some(first) = streams.first() {
            if let Some(why) = mismatch(first, &s) {
                return Err(Failure::new(
                    Code::Mismatch,
                    format!(
                        "chunk {i} ({chunk}) does not match chunk 0 ({}): {why}; chunks must come \
                         from one description with the same encoder settings",
                        chunks[0]
                    ),
                ));
            }
        }
        if let (Some(a), Some(b)) = (
            streams
                .first()
                .and_then(|f: &VideoStream| f.encoder_options.clone()),
            s.encoder_options.as_deref(),
        ) {
            let changes = option_changes(&a, b);
            if !changes.is_empty() {
                eprintln!(
                    "{TOOL}: warning: chunk {i} ({chunk}) was encoded with other x264 settings than \
                     chunk 0: {}; the join plays, but quality and size may step at the joins",
                    changes.join(" ")
                );
            }
        }
        if !s.others.is_empty() {
            eprintln!(
                "{TOOL}: warning: chunk {i} ({chunk}) also holds {}: only its video is joined \
                 (give audio rendered once to --audio)",
                s.others.join(", ")
            );
        }
        streams.push(s);
    }
    Ok(streams)
}

fn make(factory: &str) -> Result<gst::Element, Failure> {
    gst::ElementFactory::make(factory).build().map_err(|_| {
        Failure::new(
            Code::Runtime,
            format!("no element {factory}: is its GStreamer plugin installed?"),
        )
    })
}

/// The muxer for `output`, by its extension.
fn muxer_for(output: &str) -> &'static str {
    let ext = std::path::Path::new(output)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "mkv" | "webm" => "matroskamux",
        "mov" => "qtmux",
        _ => "mp4mux",
    }
}

/// Joins `args.chunks` into `args.output`.
pub fn join(args: &JoinArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let streams = check(&args.chunks)?;
    let expected: u64 = streams.iter().map(|s| s.frames).sum();

    let pipeline = gst::Pipeline::new();
    let concat = make("concat")?;
    let mux = make(muxer_for(&args.output))?;
    let sink = gst::ElementFactory::make("filesink")
        .property("location", &args.output)
        .build()
        .map_err(|e| Failure::new(Code::Runtime, format!("filesink: {e}")))?;
    let video_pad = mux
        .request_pad_simple("video_%u")
        .ok_or_else(|| Failure::new(Code::Runtime, format!("{} takes no video", mux.name())))?;
    pipeline
        .add_many([&concat, &mux, &sink])
        .and_then(|_| mux.link(&sink))
        .map_err(|e| Failure::new(Code::Runtime, format!("cannot build the join: {e}")))?;
    concat
        .static_pad("src")
        .expect("concat has a src pad")
        .link(&video_pad)
        .map_err(|e| Failure::new(Code::Runtime, format!("cannot build the join: {e}")))?;

    // concat plays its pads in the order they were requested: request them all first.
    for chunk in &args.chunks {
        let target = concat
            .request_pad_simple("sink_%u")
            .ok_or_else(|| Failure::new(Code::Runtime, "concat gave no sink pad"))?;
        add_source(&pipeline, chunk, Target::Pad(target, "video/"))?;
    }
    if let Some(audio) = &args.audio {
        let streams = probe::inspect_any(audio)?.others;
        if !streams.iter().any(|s| s.starts_with("audio/")) {
            return Err(Failure::new(
                Code::Input,
                format!(
                    "{audio} has no audio stream (it has: {})",
                    streams.join(", ")
                ),
            ));
        }
        // Requested before the muxer starts: mp4mux takes no new pad once it has begun.
        let pad = mux
            .request_pad_simple("audio_%u")
            .ok_or_else(|| Failure::new(Code::Runtime, format!("{} takes no audio", mux.name())))?;
        add_source(&pipeline, audio, Target::Pad(pad, "audio/"))?;
    }

    let result = (|| {
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|_| Failure::new(Code::Runtime, "the join pipeline cannot start"))?;
        let bus = pipeline.bus().expect("a pipeline has a bus");
        let msg = bus.timed_pop_filtered(
            gst::ClockTime::NONE,
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        match msg.as_ref().map(|m| m.view()) {
            Some(gst::MessageView::Error(err)) => {
                Err(Failure::from_bus(Code::Runtime, "joining failed", err))
            }
            _ => Ok(()),
        }
    })();
    let _ = pipeline.set_state(gst::State::Null);
    if let Err(f) = result {
        let _ = std::fs::remove_file(&args.output);
        return Err(f);
    }

    let joined = probe::inspect(&args.output)?;
    if joined.frames != expected {
        return Err(Failure::new(
            Code::FrameCount,
            format!(
                "{} has {} frames, the chunks {expected}",
                args.output, joined.frames
            ),
        ));
    }
    let seconds = started.elapsed().as_secs_f64();
    if !args.quiet {
        eprintln!(
            "{TOOL}: joined {} chunks ({expected} frames{}) into {} in {seconds:.2} s",
            args.chunks.len(),
            if args.audio.is_some() {
                ", with audio"
            } else {
                ""
            },
            args.output
        );
    }
    Ok(())
}

/// Where a source's streams go: the first stream whose caps name starts with the prefix, to
/// this pad; the others are discarded.
enum Target {
    Pad(gst::Pad, &'static str),
}

/// `filesrc ! parsebin` for `file`, its streams linked as `target` says.
fn add_source(pipeline: &gst::Pipeline, file: &str, target: Target) -> Result<(), Failure> {
    if !std::path::Path::new(file).is_file() {
        return Err(Failure::new(Code::Input, format!("{file}: no such file")));
    }
    let src = gst::ElementFactory::make("filesrc")
        .property("location", file)
        .build()
        .map_err(|e| Failure::new(Code::Runtime, format!("filesrc: {e}")))?;
    let parse = make("parsebin")?;
    pipeline
        .add_many([&src, &parse])
        .and_then(|_| src.link(&parse))
        .map_err(|e| Failure::new(Code::Runtime, format!("{file}: {e}")))?;
    let weak = pipeline.downgrade();
    let target = Arc::new(Mutex::new(Some(target)));
    let file = file.to_string();
    parse.connect_pad_added(move |_, pad| {
        let Some(pipeline) = weak.upgrade() else {
            return;
        };
        let kind = pad
            .current_caps()
            .or_else(|| Some(pad.query_caps(None)))
            .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
            .unwrap_or_default();
        let mut t = target.lock().unwrap_or_else(|e| e.into_inner());
        let linked = match t.as_ref() {
            Some(Target::Pad(p, prefix)) if kind.starts_with(prefix) => {
                let ok = pad.link(p).is_ok();
                *t = None;
                ok
            }
            _ => {
                discard(&pipeline, pad);
                return;
            }
        };
        if !linked {
            eprintln!("{TOOL}: error: cannot link {kind} of {file} into the join");
            discard(&pipeline, pad);
        }
    });
    Ok(())
}

/// Links `pad` to a fakesink, so that a stream the join does not use does not stop it.
fn discard(pipeline: &gst::Pipeline, pad: &gst::Pad) {
    if let Ok(sink) = gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .property("async", false)
        .build()
    {
        let _ = pipeline.add(&sink);
        let _ = sink.sync_state_with_parent();
        if let Some(p) = sink.static_pad("sink") {
            let _ = pad.link(&p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_changes_name_each_difference() {
        assert!(option_changes("a=1 b=2", "a=1 b=2").is_empty());
        assert_eq!(
            option_changes("cabac=1 ref=3 crf=23.0", "cabac=1 ref=1 bframes=2"),
            ["ref=3→1", "bframes=(none)→2", "crf=23.0→(none)"]
        );
    }

    #[test]
    fn muxer_follows_the_extension() {
        assert_eq!(muxer_for("out.mp4"), "mp4mux");
        assert_eq!(muxer_for("out.MKV"), "matroskamux");
        assert_eq!(muxer_for("out.mov"), "qtmux");
        assert_eq!(muxer_for("out"), "mp4mux");
    }
}
