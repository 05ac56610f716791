//! The parameters of one output frame: pad properties (as GstController synced them), the
//! timeline's values at the frame's stream time, motion-blur samples at earlier instants of the
//! shutter interval, and the background. Everything derives from timestamps alone, so frames
//! rendered in parallel get exactly the parameters a one-at-a-time render would.

use std::sync::Arc;

use gst::prelude::*;
use gst::subclass::prelude::*;

use super::pad::{PadSettings, NUMBERS};
use super::{BackgroundKind, ParallelCompositorPad};
use crate::compose::{Background, LayerParams};
use crate::effects::{motion_offsets, RgbaImage};
use crate::timeline::Timeline;

/// The element-wide look, as the element properties give it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Look {
    pub background: BackgroundKind,
    pub color: u32,
    pub color_end: u32,
    pub angle: f64,
    /// The decoded `background-image`, loaded at start.
    pub image: Option<Arc<RgbaImage>>,
    /// The pad blurred under everything; `None`: the bottom-most pad with a frame.
    pub pad: Option<String>,
    pub blur: f64,
    /// Motion blur shutter in degrees of a frame interval (0 = off).
    pub shutter_angle: f64,
    pub motion_samples: u32,
}

impl Look {
    /// The background of a frame whose layers come from `pads` (bottom first).
    pub fn background(&self, pads: &[String]) -> Background {
        let solid = |argb| Background::Solid(argb);
        match self.background {
            BackgroundKind::Black => solid(0xff00_0000),
            BackgroundKind::White => solid(0xffff_ffff),
            BackgroundKind::Transparent => solid(0),
            BackgroundKind::Checker => Background::Checker,
            BackgroundKind::Color => solid(self.color),
            BackgroundKind::Gradient => Background::Gradient {
                from: self.color,
                to: self.color_end,
                angle: self.angle,
            },
            // Without an image (none set or failed to load, already reported) the colour shows.
            BackgroundKind::Image => match &self.image {
                Some(image) => Background::Image(image.clone()),
                None => solid(self.color),
            },
            BackgroundKind::Blurred => {
                let index = match &self.pad {
                    Some(name) => pads.iter().position(|p| p == name),
                    None => (!pads.is_empty()).then_some(0),
                };
                match index {
                    Some(layer) => Background::Blurred {
                        layer,
                        sigma: self.blur,
                    },
                    None => solid(self.color),
                }
            }
        }
    }
}

/// The largest image side decoded (a 16k image is far beyond any output; larger is an error
/// rather than gigabytes of pixels).
const IMAGE_MAX_SIDE: u32 = 16384;
/// The most memory one decoded image may take.
const IMAGE_MAX_ALLOC: u64 = 1024 * 1024 * 1024;

/// Decodes `path` (PNG or JPEG) into straight RGBA. Truncated files are errors, not grey rows.
pub(super) fn load_image(path: &str) -> Result<Arc<RgbaImage>, String> {
    let bytes = crate::files::read_bytes(path, "image", crate::files::IMAGE_FILE_LIMIT)?;
    // The JPEG decoder fills what a truncated file lacks: require the end-of-image marker.
    if bytes.starts_with(&[0xff, 0xd8]) && !jpeg_complete(&bytes) {
        return Err(format!(
            "cannot decode {path}: the JPEG file is truncated (no end-of-image marker)"
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(IMAGE_MAX_SIDE);
    limits.max_image_height = Some(IMAGE_MAX_SIDE);
    limits.max_alloc = Some(IMAGE_MAX_ALLOC);
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|e| {
            format!("cannot decode {path}: {e} (images up to {IMAGE_MAX_SIDE} pixels a side)")
        })?
        .into_rgba8();
    let (width, height) = decoded.dimensions();
    if width == 0 || height == 0 {
        return Err(format!("{path} is empty"));
    }
    Ok(Arc::new(RgbaImage {
        width,
        height,
        data: decoded.into_raw(),
    }))
}

/// Whether a JPEG file ends with its end-of-image marker (trailing zero padding allowed).
fn jpeg_complete(bytes: &[u8]) -> bool {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xff, 0xd9])
}

/// Parses the timeline from a file or a string; the error names where and what.
pub(super) fn load_timeline(
    file: Option<&str>,
    inline: Option<&str>,
) -> Result<Option<Timeline>, String> {
    let allowed = super::pad::animatable();
    let (origin, text) = match (file, inline) {
        (Some(_), Some(_)) => {
            return Err("set either timeline (a file) or timeline-string, not both".into())
        }
        (Some(path), None) => (
            path.to_string(),
            crate::files::read_text(path, "timeline", crate::files::TEXT_LIMIT)?,
        ),
        (None, Some(text)) => ("timeline-string".to_string(), text.to_string()),
        (None, None) => return Ok(None),
    };
    Timeline::parse(&text, &allowed)
        .map(Some)
        .map_err(|e| format!("{origin}:{}:{}: {}", e.line, e.column, e.message))
}

/// `base` (the pad's properties, synced at the frame's time) moved to `at`: controller values
/// at `at` when `at` differs from the synced time, then the timeline's values, which win.
fn settings_at(
    pad: &ParallelCompositorPad,
    base: PadSettings,
    at: Option<gst::ClockTime>,
    timeline: Option<&Timeline>,
    seconds: f64,
) -> PadSettings {
    let mut s = base;
    let name = pad.name();
    let animated = |property: &str| {
        pad.control_binding(property).is_some()
            || timeline.is_some_and(|tl| tl.value_at(&name, property, seconds).is_some())
    };
    s.animated_size = (animated("width"), animated("height"));
    if let Some(at) = at {
        for n in NUMBERS {
            if let Some(v) = pad.value(n.name, at).and_then(|v| v.get::<f64>().ok()) {
                (n.set)(&mut s, v.clamp(n.min, n.max));
            }
        }
    }
    if let Some(tl) = timeline {
        for n in NUMBERS {
            if let Some(v) = tl.value_at(&name, n.name, seconds) {
                (n.set)(&mut s, v.clamp(n.min, n.max));
            }
        }
        if let Some(z) = tl.zoom_at(&name, seconds) {
            s.zoom = z.scale.max(1.0);
            s.zoom_centre = z.centre;
        }
    }
    s
}

/// The layer of `pad` for the frame at `stream_time` lasting `duration`, with its motion
/// samples; `None` when nothing of it shows.
pub(super) fn layer_params(
    pad: &ParallelCompositorPad,
    info: &gst_video::VideoInfo,
    par: f64,
    timeline: Option<&Timeline>,
    stream_time: Option<gst::ClockTime>,
    duration: Option<gst::ClockTime>,
    look: &Look,
) -> Option<LayerParams> {
    let seconds = stream_time.map_or(0.0, |t| t.nseconds() as f64 / 1e9);
    let base = pad.imp().settings();
    let now = settings_at(pad, base, None, timeline, seconds);
    let mut params = now.layer(info.width(), info.height(), par)?;
    let shutter = match (stream_time, duration) {
        (Some(_), Some(d)) if look.shutter_angle > 0.0 => {
            look.shutter_angle / 360.0 * d.nseconds() as f64 / 1e9
        }
        _ => 0.0,
    };
    for offset in motion_offsets(shutter, look.motion_samples) {
        if offset <= 0.0 {
            continue;
        }
        let Some(at) = stream_time
            .and_then(|t| t.checked_sub(gst::ClockTime::from_nseconds((offset * 1e9) as u64)))
        else {
            // Before the stream's start there is no earlier motion.
            continue;
        };
        let earlier = settings_at(pad, base, Some(at), timeline, seconds - offset);
        if let Some(p) = earlier.layer(info.width(), info.height(), par) {
            params.motion.push(p.geometry());
        }
    }
    Some(params)
}
