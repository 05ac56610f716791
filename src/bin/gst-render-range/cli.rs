//! The command line: pure parsing, no GStreamer.

/// The tool's name (cargo takes no dot in a binary name, so no `-1.0` as GStreamer's tools).
pub const TOOL: &str = "gst-render-range";

pub const HELP: &str = "\
Usage:
  gst-render-range [OPTIONS] [--frames F0:F1 | --start-time S --end-time S] PIPELINE-DESCRIPTION
  gst-render-range --frame-count PIPELINE-DESCRIPTION
  gst-render-range --join OUTPUT [--audio FILE] CHUNK...
  gst-render-range --probe FILE
  gst-render-range --checksums FILE

Renders output frames [F0, F1) of an export pipeline, the same text as for gst-launch-1.0 ending in
a muxer and a filesink, into the filesink's file: exactly the frames, timestamps and pixels the
whole pipeline renders there in one pass, so that chunks rendered on many machines join into the
one-pass export. The pipeline prerolls (its frames held before the encoder), seeks (flushing,
accurate, with a stop) to the range, then plays; each chunk's encoder starts afresh, so a chunk
opens on a keyframe with a closed GOP. Without a range it renders the whole pipeline (one pass).

Range:
  --frames F0:F1          output frames F0 (included) to F1 (excluded), counted from 0 at the output
                          framerate; F0: or F0:end renders to the end
  --start-time SECONDS    the first frame starting at or after this stream time
  --end-time SECONDS      stop before the first frame starting at or after this time
Options:
  -o, --output FILE       write to FILE (sets the filesink's location)
  --timeout SECONDS       fail (status 8) when the render takes longer; 0 = never (default)
  --stall-timeout SECONDS fail (status 8) when no frame reaches the encoder for this long (default 120)
  --preroll-timeout SECONDS  fail (status 8) when the pipeline has not prerolled by then (default 60)
  -q, --quiet             no progress lines on stderr
Other modes:
  --frame-count           preroll and print the number of output frames of the whole pipeline and
                          the output framerate, e.g. 9000 30/1
  --join OUTPUT CHUNK...  concatenate chunk files (MP4, QuickTime or Matroska) into OUTPUT without
                          re-encoding (parsebin ! concat ! mp4mux, qtmux for .mov, matroskamux for
                          .mkv), after checking that the chunks match: codec and codec data (the
                          encoder's SPS/PPS), size, framerate, a keyframe first; warns when the
                          encoder settings x264 records differ. Chunk audio is dropped.
  --audio FILE            with --join: mux the audio streams of FILE (rendered once over the whole
                          timeline: per-chunk AAC leaves gaps at the joins) without re-encoding
  --probe FILE            print FILE's video stream as JSON: frames, size, rate, codec, keyframe first
  --checksums FILE        decode FILE and print one line per frame: index, PTS (ns), FNV-1a 64 of
                          its I420 planes
  -h, --help              this text
  --version               the version

Exit status: 0 done; 1 runtime error (the bus error and its debug text are printed); 2 bad command
line; 3 the description does not parse; 4 no filesink, several, or no muxer before it; 5 failed
before the first frame (preroll); 6 the seek was refused (live or unseekable inputs); 7 other frames
than asked were rendered (inputs shorter than the range, a producer not frame-exact after a seek);
8 timeout; 9 chunks do not match (--join); 10 a file cannot be read or has no video.

The parallelcompositor elements are built in; a plugin GStreamer finds (GST_PLUGIN_PATH or
installed) is used instead. parallelcompositor renders any range frame-exactly; other
GstVideoAggregator elements (compositor) time frames after a seek up to 1 ns off the grid: the
tool warns when the frames it receives are off the one-pass timestamps.
";

/// Which frames to render.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    /// Everything, without a seek.
    Whole,
    /// Frames `[first, end)`; `end: None` runs to the end.
    Frames { first: u64, end: Option<u64> },
    /// The frames starting in `[start, end)` seconds.
    Times { start: f64, end: Option<f64> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenderArgs {
    pub range: Range,
    pub output: Option<String>,
    /// Seconds; `None`: no limit.
    pub timeout: Option<f64>,
    pub stall_timeout: f64,
    pub preroll_timeout: f64,
    pub quiet: bool,
    pub description: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JoinArgs {
    pub output: String,
    pub chunks: Vec<String>,
    pub audio: Option<String>,
    pub quiet: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Version,
    Render(RenderArgs),
    FrameCount(RenderArgs),
    Join(JoinArgs),
    Probe(String),
    Checksums(String),
}

fn seconds(option: &str, value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{option} takes a number of seconds >= 0, not {value:?}"
        )),
    }
}

fn frames(value: &str) -> Result<Range, String> {
    let bad = || {
        format!("--frames takes F0:F1 (frame numbers, F0 < F1) or F0: (to the end), not {value:?}")
    };
    let (a, b) = value.split_once(':').ok_or_else(bad)?;
    let first = a.trim().parse::<u64>().map_err(|_| bad())?;
    let end = match b.trim() {
        "" | "end" => None,
        b => Some(b.parse::<u64>().map_err(|_| bad())?),
    };
    if end.is_some_and(|e| e <= first) {
        return Err(bad());
    }
    Ok(Range::Frames { first, end })
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut range_frames: Option<Range> = None;
    let (mut start_time, mut end_time) = (None, None);
    let mut output = None;
    let mut timeout = None;
    let mut stall_timeout = 120.0;
    let mut preroll_timeout = 60.0;
    let mut quiet = false;
    let mut frame_count = false;
    let mut join: Option<String> = None;
    let mut audio = None;
    let mut probe = None;
    let mut checksums = None;
    let mut rest: Vec<String> = Vec::new();

    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if !arg.starts_with('-') || arg == "-" {
            rest.extend(args[i..].iter().cloned());
            break;
        }
        if arg == "--" {
            rest.extend(args[i + 1..].iter().cloned());
            break;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let takes_value = matches!(
            name,
            "--frames"
                | "--start-time"
                | "--end-time"
                | "-o"
                | "--output"
                | "--timeout"
                | "--stall-timeout"
                | "--preroll-timeout"
                | "--join"
                | "--audio"
                | "--probe"
                | "--checksums"
        );
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i)
                        .cloned()
                        .ok_or_else(|| format!("{name} needs a value"))?
                }
            }
        } else if inline.is_some() {
            return Err(format!("{name} takes no value"));
        } else {
            String::new()
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help),
            "--version" => return Ok(Command::Version),
            "--frames" => range_frames = Some(frames(&value)?),
            "--start-time" => start_time = Some(seconds(name, &value)?),
            "--end-time" => end_time = Some(seconds(name, &value)?),
            "-o" | "--output" => output = Some(value),
            "--timeout" => {
                let t = seconds(name, &value)?;
                timeout = (t > 0.0).then_some(t);
            }
            "--stall-timeout" => stall_timeout = seconds(name, &value)?,
            "--preroll-timeout" => preroll_timeout = seconds(name, &value)?,
            "-q" | "--quiet" => quiet = true,
            "--frame-count" => frame_count = true,
            "--join" => join = Some(value),
            "--audio" => audio = Some(value),
            "--probe" => probe = Some(value),
            "--checksums" => checksums = Some(value),
            _ => return Err(format!("unknown option {name} (see --help)")),
        }
        i += 1;
    }

    let modes = [
        frame_count,
        join.is_some(),
        probe.is_some(),
        checksums.is_some(),
    ]
    .iter()
    .filter(|m| **m)
    .count();
    if modes > 1 {
        return Err("--frame-count, --join, --probe and --checksums exclude each other".into());
    }
    if audio.is_some() && join.is_none() {
        return Err("--audio goes with --join".into());
    }
    if let Some(output) = join {
        if rest.is_empty() {
            return Err("--join OUTPUT needs the chunk files after it".into());
        }
        return Ok(Command::Join(JoinArgs {
            output,
            chunks: rest,
            audio,
            quiet,
        }));
    }
    for (mode, file) in [("--probe", probe), ("--checksums", checksums)] {
        if let Some(file) = file {
            if !rest.is_empty() {
                return Err(format!("{mode} FILE takes nothing after it"));
            }
            return Ok(if mode == "--probe" {
                Command::Probe(file)
            } else {
                Command::Checksums(file)
            });
        }
    }

    let range = match (range_frames, start_time, end_time) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err("give the range either as --frames or as --start-time/--end-time".into())
        }
        (Some(r), None, None) => r,
        (None, None, None) => Range::Whole,
        (None, start, end) => {
            let start = start.unwrap_or(0.0);
            if end.is_some_and(|e| e <= start) {
                return Err("--end-time must be after --start-time".into());
            }
            Range::Times { start, end }
        }
    };
    if rest.is_empty() {
        return Err("no pipeline description (see --help)".into());
    }
    let args = RenderArgs {
        range,
        output,
        timeout,
        stall_timeout,
        preroll_timeout,
        quiet,
        description: rest,
    };
    if frame_count {
        if args.range != Range::Whole {
            return Err("--frame-count takes no range".into());
        }
        return Ok(Command::FrameCount(args));
    }
    Ok(Command::Render(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &str) -> Result<Command, String> {
        parse(
            &args
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }

    fn render(args: &str) -> RenderArgs {
        match p(args) {
            Ok(Command::Render(r)) => r,
            other => panic!("{args}: {other:?}"),
        }
    }

    #[test]
    fn ranges() {
        let r = render("--frames 30:60 -q videotestsrc ! fakesink");
        assert_eq!(
            r.range,
            Range::Frames {
                first: 30,
                end: Some(60)
            }
        );
        assert!(r.quiet);
        assert_eq!(r.description, ["videotestsrc", "!", "fakesink"]);
        let r = render("--frames=5: -o out.mp4 a ! b");
        assert_eq!(
            r.range,
            Range::Frames {
                first: 5,
                end: None
            }
        );
        assert_eq!(r.output.as_deref(), Some("out.mp4"));
        let r = render("--start-time 1.5 --end-time 3 a");
        assert_eq!(
            r.range,
            Range::Times {
                start: 1.5,
                end: Some(3.0)
            }
        );
        assert_eq!(render("a ! b").range, Range::Whole);
        assert_eq!(render("--timeout 0 -- --weird").timeout, None);
    }

    #[test]
    fn bad_command_lines_say_why() {
        for (args, why) in [
            ("--frames 60:30 a", "F0 < F1"),
            ("--frames x a", "F0:F1"),
            ("--frames 1:2 --start-time 0 a", "either"),
            ("--start-time 2 --end-time 1 a", "after"),
            ("--timeout -1 a", ">= 0"),
            ("--bogus a", "unknown option"),
            ("--frames 1:2", "no pipeline"),
            ("--join out.mp4", "chunk files"),
            ("--audio a.m4a x", "--join"),
            ("--probe a b", "nothing after"),
            ("--frames", "needs a value"),
            ("--frame-count --frames 0:1 a", "no range"),
        ] {
            let e = p(args).expect_err(args);
            assert!(e.contains(why), "{args}: {e}");
        }
    }

    #[test]
    fn other_modes() {
        assert_eq!(
            p("--join out.mp4 --audio a.m4a c0.mp4 c1.mp4").unwrap(),
            Command::Join(JoinArgs {
                output: "out.mp4".into(),
                chunks: vec!["c0.mp4".into(), "c1.mp4".into()],
                audio: Some("a.m4a".into()),
                quiet: false,
            })
        );
        assert_eq!(p("--probe f.mp4").unwrap(), Command::Probe("f.mp4".into()));
        assert_eq!(
            p("--checksums f.mp4").unwrap(),
            Command::Checksums("f.mp4".into())
        );
        assert!(matches!(
            p("--frame-count a ! b"),
            Ok(Command::FrameCount(_))
        ));
        assert_eq!(p("-h").unwrap(), Command::Help);
    }
}
