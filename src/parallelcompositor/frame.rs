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

/// Decodes `path` (PNG or JPEG) into straight RGBA.
pub(super) fn load_image(path: &str) -> Result<Arc<RgbaImage>, String> {
    let decoded = image::ImageReader::open(path)
        .map_err(|e| format!("cannot open {path}: {e}"))?
        .with_guessed_format()
        .map_err(|e| format!("cannot read {path}: {e}"))?
        .decode()
        .map_err(|e| format!("cannot decode {path}: {e}"))?
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
            std::fs::read_to_string(path).map_err(|e| format!("timeline {path}: {e}"))?,
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
    if let Some(at) = at {
        for n in NUMBERS {
            if let Some(v) = pad.value(n.name, at).and_then(|v| v.get::<f64>().ok()) {
                (n.set)(&mut s, v.clamp(n.min, n.max));
            }
        }
    }
    if let Some(tl) = timeline {
        let name = pad.name();
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
