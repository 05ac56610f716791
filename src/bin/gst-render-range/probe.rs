//! Reading rendered files back: the video stream of a file without decoding it (what `--join`
//! checks and `--probe` prints), and per-frame checksums of the decoded frames
//! (`--checksums`, what tests and drivers compare against a one-pass render).

use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst_video::prelude::*;

use crate::failure::{Code, Failure};

/// The video stream of a file, as its demuxer and parser give it.
#[derive(Debug, Clone, Default)]
pub struct VideoStream {
    pub caps: Option<gst::Caps>,
    pub frames: u64,
    /// The first frame is a keyframe (no DELTA_UNIT flag).
    pub keyframe_first: bool,
    /// The options x264 writes into its first frame (an SEI), when x264 encoded it.
    pub encoder_options: Option<String>,
    /// From the first frame's PTS to the end of the last one.
    pub duration: Option<gst::ClockTime>,
    /// The caps names of the other streams (audio, ...).
    pub others: Vec<String>,
}

impl VideoStream {
    fn field<T: for<'a> glib::value::FromValue<'a> + 'static>(&self, name: &str) -> Option<T> {
        self.caps.as_ref()?.structure(0)?.get::<T>(name).ok()
    }

    pub fn codec(&self) -> String {
        self.caps
            .as_ref()
            .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
            .unwrap_or_default()
    }

    pub fn size(&self) -> Option<(i32, i32)> {
        Some((self.field("width")?, self.field("height")?))
    }

    pub fn framerate(&self) -> Option<gst::Fraction> {
        self.field("framerate")
    }

    pub fn codec_data(&self) -> Option<Vec<u8>> {
        let buffer: gst::Buffer = self.field("codec_data")?;
        let map = buffer.map_readable().ok()?;
        Some(map.as_slice().to_vec())
    }

    /// The stream as one line of JSON.
    pub fn to_json(&self, file: &str) -> String {
        let (w, h) = self.size().unwrap_or((0, 0));
        let rate = self.framerate().map_or("null".to_string(), |f| {
            json_string(&format!("{}/{}", f.numer(), f.denom()))
        });
        format!(
            "{{\"file\": {}, \"codec\": {}, \"width\": {w}, \"height\": {h}, \"framerate\": {rate}, \
             \"frames\": {}, \"duration_ns\": {}, \"keyframe_first\": {}, \"encoder_options\": {}, \
             \"other_streams\": [{}]}}",
            json_string(file),
            json_string(&self.codec()),
            self.frames,
            self.duration.map_or("null".to_string(), |d| d.nseconds().to_string()),
            self.keyframe_first,
            self.encoder_options
                .as_deref()
                .map_or("null".to_string(), json_string),
            self.others
                .iter()
                .map(|o| json_string(o))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The option string x264 leaves in the user-data SEI of its first frame
/// ("x264 - core 164 ... - options: cabac=1 ref=3 ..."), from `options: ` to the string's end.
pub fn x264_options(frame: &[u8]) -> Option<String> {
    let marker = b"x264 - core";
    let at = frame.windows(marker.len()).position(|w| w == marker)?;
    let text = &frame[at..];
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let text = String::from_utf8_lossy(&text[..end]);
    let options = text.split_once("options: ").map(|(_, o)| o)?;
    Some(options.trim().to_string())
}

/// Plays `pipeline` to EOS; a bus error becomes a `Code::Input` failure about `file`.
fn play_to_eos(pipeline: &gst::Pipeline, file: &str) -> Result<(), Failure> {
    let result = (|| {
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|_| Failure::new(Code::Input, format!("cannot read {file}")))?;
        let bus = pipeline.bus().expect("a pipeline has a bus");
        let msg = bus.timed_pop_filtered(
            gst::ClockTime::from_seconds(600),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        match msg.as_ref().map(|m| m.view()) {
            Some(gst::MessageView::Eos(_)) => Ok(()),
            Some(gst::MessageView::Error(err)) => Err(Failure::from_bus(
                Code::Input,
                &format!("cannot read {file}"),
                err,
            )),
            _ => Err(Failure::new(
                Code::Input,
                format!("reading {file} did not finish within 600 s"),
            )),
        }
    })();
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn file_source(file: &str) -> Result<gst::Element, Failure> {
    if !std::path::Path::new(file).is_file() {
        return Err(Failure::new(Code::Input, format!("{file}: no such file")));
    }
    gst::ElementFactory::make("filesrc")
        .property("location", file)
        .build()
        .map_err(|e| Failure::new(Code::Input, format!("filesrc: {e}")))
}

fn make(factory: &str) -> Result<gst::Element, Failure> {
    gst::ElementFactory::make(factory).build().map_err(|_| {
        Failure::new(
            Code::Input,
            format!("no element {factory}: is its GStreamer plugin installed?"),
        )
    })
}

/// Demuxes and parses `file` (no decoding) and describes its video stream.
pub fn inspect(file: &str) -> Result<VideoStream, Failure> {
    let stream = inspect_any(file)?;
    if stream.caps.is_none() {
        return Err(Failure::new(
            Code::Input,
            format!("{file} has no video stream"),
        ));
    }
    Ok(stream)
}

/// [`inspect`], for a file that may have no video (`caps` is then `None`).
pub fn inspect_any(file: &str) -> Result<VideoStream, Failure> {
    let pipeline = gst::Pipeline::new();
    let src = file_source(file)?;
    let parse = make("parsebin")?;
    pipeline
        .add_many([&src, &parse])
        .and_then(|_| src.link(&parse))
        .map_err(|e| Failure::new(Code::Input, format!("{file}: {e}")))?;
    let stream = Arc::new(Mutex::new(VideoStream::default()));
    let end = Arc::new(Mutex::new((None::<gst::ClockTime>, None::<gst::ClockTime>)));
    let weak = pipeline.downgrade();
    let (s, e) = (stream.clone(), end.clone());
    parse.connect_pad_added(move |_, pad| {
        let Some(pipeline) = weak.upgrade() else {
            return;
        };
        let Ok(sink) = gst::ElementFactory::make("fakesink")
            .property("sync", false)
            .build()
        else {
            return;
        };
        let _ = pipeline.add(&sink);
        let _ = sink.sync_state_with_parent();
        if let Some(sinkpad) = sink.static_pad("sink") {
            let _ = pad.link(&sinkpad);
        }
        let name = pad
            .current_caps()
            .or_else(|| Some(pad.query_caps(None)))
            .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
            .unwrap_or_default();
        let mut st = s.lock().unwrap_or_else(|e| e.into_inner());
        if !name.starts_with("video/") || st.caps.is_some() {
            st.others.push(name);
            return;
        }
        st.caps = pad.current_caps();
        let (s, e) = (s.clone(), e.clone());
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                return gst::PadProbeReturn::Ok;
            };
            let mut st = s.lock().unwrap_or_else(|e| e.into_inner());
            if st.frames == 0 {
                st.caps = pad.current_caps();
                st.keyframe_first = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
                st.encoder_options = buffer
                    .map_readable()
                    .ok()
                    .and_then(|m| x264_options(m.as_slice()));
            }
            st.frames += 1;
            let mut e = e.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(pts) = buffer.pts() {
                e.0 = Some(e.0.map_or(pts, |f: gst::ClockTime| f.min(pts)));
                let stop = pts + buffer.duration().unwrap_or(gst::ClockTime::ZERO);
                e.1 = Some(e.1.map_or(stop, |l: gst::ClockTime| l.max(stop)));
            }
            gst::PadProbeReturn::Ok
        });
    });
    play_to_eos(&pipeline, file)?;
    let mut result = stream.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let (Some(first), Some(last)) = *end.lock().unwrap_or_else(|e| e.into_inner()) {
        result.duration = Some(last.saturating_sub(first));
    }
    Ok(result)
}

/// FNV-1a, 64 bits: a fixed, dependency-free checksum.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Decodes `file` and returns, per frame, its PTS and the FNV-1a 64 of its I420 planes (rows
/// without padding).
pub fn checksums(file: &str) -> Result<Vec<(Option<gst::ClockTime>, u64)>, Failure> {
    let pipeline = gst::Pipeline::new();
    let src = file_source(file)?;
    let decode = make("decodebin")?;
    let convert = make("videoconvert")?;
    let filter = make("capsfilter")?;
    filter.set_property(
        "caps",
        gst::Caps::builder("video/x-raw")
            .field("format", "I420")
            .build(),
    );
    let sink = gst::ElementFactory::make("fakesink")
        .property("sync", false)
        .build()
        .map_err(|e| Failure::new(Code::Input, format!("fakesink: {e}")))?;
    pipeline
        .add_many([&src, &decode, &convert, &filter, &sink])
        .and_then(|_| src.link(&decode))
        .and_then(|_| gst::Element::link_many([&convert, &filter, &sink]))
        .map_err(|e| Failure::new(Code::Input, format!("{file}: {e}")))?;
    let convert_sink = convert.static_pad("sink").expect("videoconvert has a sink");
    decode.connect_pad_added(move |_, pad| {
        let video = pad
            .current_caps()
            .and_then(|c| c.structure(0).map(|s| s.name().starts_with("video/")))
            .unwrap_or(false);
        if video && !convert_sink.is_linked() {
            let _ = pad.link(&convert_sink);
        }
    });
    let sums = Arc::new(Mutex::new(Vec::new()));
    let s = sums.clone();
    sink.static_pad("sink")
        .expect("fakesink has a sink")
        .add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                return gst::PadProbeReturn::Ok;
            };
            let Some(vinfo) = pad
                .current_caps()
                .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
            else {
                return gst::PadProbeReturn::Ok;
            };
            let Ok(frame) = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &vinfo)
            else {
                return gst::PadProbeReturn::Ok;
            };
            let mut hash = 0xcbf2_9ce4_8422_2325u64;
            let fmt = vinfo.format_info();
            for p in 0..vinfo.n_planes() {
                let Ok(data) = frame.plane_data(p) else {
                    continue;
                };
                let stride = frame.plane_stride()[p as usize] as usize;
                let row = fmt.scale_width(p as u8, vinfo.width()) as usize
                    * fmt.pixel_stride()[p as usize] as usize;
                let rows = fmt.scale_height(p as u8, vinfo.height()) as usize;
                for y in 0..rows {
                    if let Some(r) = data.get(y * stride..y * stride + row) {
                        hash = fnv1a(hash, r);
                    }
                }
            }
            s.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((buffer.pts(), hash));
            gst::PadProbeReturn::Ok
        });
    play_to_eos(&pipeline, file)?;
    let sums = sums.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if sums.is_empty() {
        return Err(Failure::new(
            Code::Input,
            format!("{file}: no video frame decoded"),
        ));
    }
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x264_options_are_read_from_the_sei() {
        let mut frame = vec![0, 0, 0, 30, 6, 5, 0xff];
        frame.extend_from_slice(
            b"\xdc\x45x264 - core 164 - H.264/MPEG-4 AVC codec - Copyleft 2003-2022 - \
              options: cabac=1 ref=3 bframes=2\0\x80",
        );
        assert_eq!(
            x264_options(&frame).as_deref(),
            Some("cabac=1 ref=3 bframes=2")
        );
        assert_eq!(x264_options(b"no sei here"), None);
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    #[test]
    fn fnv1a_of_known_input() {
        // The published FNV-1a 64 of "a".
        assert_eq!(fnv1a(0xcbf2_9ce4_8422_2325, b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
