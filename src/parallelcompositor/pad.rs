//! The sink pad: per-input placement and blending, all controllable (synced per output
//! timestamp by the base class before each frame is aggregated).

use std::sync::Mutex;

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::subclass::prelude::*;
use gst_video::subclass::prelude::*;
use once_cell::sync::Lazy;

use super::{Operator, SizingPolicy};
use crate::compose;

/// The pad properties as plain values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PadSettings {
    pub xpos: f64,
    pub ypos: f64,
    pub width: f64,
    pub height: f64,
    pub alpha: f64,
    pub sizing: SizingPolicy,
    pub operator: Operator,
    pub crop: compose::Crop,
}

impl Default for PadSettings {
    fn default() -> Self {
        PadSettings {
            xpos: 0.0,
            ypos: 0.0,
            width: 0.0,
            height: 0.0,
            alpha: 1.0,
            sizing: SizingPolicy::None,
            operator: Operator::Over,
            crop: compose::Crop::default(),
        }
    }
}

impl PadSettings {
    /// The layer of a `src_w` × `src_h` source (pixel aspect `par`); `None` when nothing shows.
    pub fn layer(&self, src_w: u32, src_h: u32, par: f64) -> Option<compose::LayerParams> {
        let placement = compose::Placement {
            xpos: self.xpos,
            ypos: self.ypos,
            width: self.width,
            height: self.height,
            sizing: match self.sizing {
                SizingPolicy::None => compose::SizingPolicy::None,
                SizingPolicy::KeepAspectRatio => compose::SizingPolicy::KeepAspectRatio,
            },
        };
        let dst = placement.resolve(src_w, src_h, par, &self.crop)?;
        Some(compose::LayerParams {
            dst,
            crop: self.crop,
            alpha: self.alpha,
            operator: match self.operator {
                Operator::Over => compose::Operator::Over,
                Operator::Source => compose::Operator::Source,
                Operator::Add => compose::Operator::Add,
            },
        })
    }
}

#[derive(Default)]
pub struct ParallelCompositorPad {
    settings: Mutex<PadSettings>,
}

impl ParallelCompositorPad {
    pub(super) fn settings(&self) -> PadSettings {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[glib::object_subclass]
impl ObjectSubclass for ParallelCompositorPad {
    const NAME: &'static str = "GstParallelCompositorPad";
    type Type = super::ParallelCompositorPad;
    type ParentType = gst_video::VideoAggregatorPad;
}

fn double(
    name: &str,
    nick: &str,
    blurb: &str,
    min: f64,
    max: f64,
    default: f64,
) -> glib::ParamSpec {
    glib::ParamSpecDouble::builder(name)
        .nick(nick)
        .blurb(blurb)
        .minimum(min)
        .maximum(max)
        .default_value(default)
        .flags(glib::ParamFlags::READWRITE | gst::PARAM_FLAG_CONTROLLABLE)
        .mutable_playing()
        .build()
}

const EXTENT: f64 = 65536.0;

impl ObjectImpl for ParallelCompositorPad {
    fn properties() -> &'static [glib::ParamSpec] {
        static PROPERTIES: Lazy<Vec<glib::ParamSpec>> = Lazy::new(|| {
            vec![
                double("xpos", "X position", "Left edge in output pixels (fractions place the input between pixels)",
                    -EXTENT, EXTENT, 0.0),
                double("ypos", "Y position", "Top edge in output pixels (fractions place the input between pixels)",
                    -EXTENT, EXTENT, 0.0),
                double("width", "Width", "Width in output pixels; 0 = the (cropped) input width",
                    0.0, EXTENT, 0.0),
                double("height", "Height", "Height in output pixels; 0 = the (cropped) input height",
                    0.0, EXTENT, 0.0),
                double("alpha", "Alpha", "Opacity of the input, multiplied with its own alpha", 0.0, 1.0, 1.0),
                double("crop-left", "Crop left", "Input pixels cut from the left (fractions allowed)",
                    0.0, EXTENT, 0.0),
                double("crop-right", "Crop right", "Input pixels cut from the right (fractions allowed)",
                    0.0, EXTENT, 0.0),
                double("crop-top", "Crop top", "Input pixels cut from the top (fractions allowed)",
                    0.0, EXTENT, 0.0),
                double("crop-bottom", "Crop bottom", "Input pixels cut from the bottom (fractions allowed)",
                    0.0, EXTENT, 0.0),
                glib::ParamSpecEnum::builder_with_default("sizing-policy", SizingPolicy::None)
                    .nick("Sizing policy")
                    .blurb("none: stretch to width x height; keep-aspect-ratio: fit inside it, centred")
                    .flags(glib::ParamFlags::READWRITE | gst::PARAM_FLAG_CONTROLLABLE)
                    .mutable_playing()
                    .build(),
                glib::ParamSpecEnum::builder_with_default("operator", Operator::Over)
                    .nick("Operator")
                    .blurb("Blending onto the layers below: over, source (replace) or add")
                    .flags(glib::ParamFlags::READWRITE | gst::PARAM_FLAG_CONTROLLABLE)
                    .mutable_playing()
                    .build(),
            ]
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, _id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        let mut s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        // The param specs bound every value, so `get` cannot fail on a value GObject accepted.
        let d = || value.get::<f64>().unwrap_or_default();
        match pspec.name() {
            "xpos" => s.xpos = d(),
            "ypos" => s.ypos = d(),
            "width" => s.width = d(),
            "height" => s.height = d(),
            "alpha" => s.alpha = d(),
            "crop-left" => s.crop.left = d(),
            "crop-right" => s.crop.right = d(),
            "crop-top" => s.crop.top = d(),
            "crop-bottom" => s.crop.bottom = d(),
            "sizing-policy" => s.sizing = value.get().unwrap_or_default(),
            "operator" => s.operator = value.get().unwrap_or_default(),
            _ => unimplemented!(),
        }
    }

    fn property(&self, _id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        let s = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        match pspec.name() {
            "xpos" => s.xpos.to_value(),
            "ypos" => s.ypos.to_value(),
            "width" => s.width.to_value(),
            "height" => s.height.to_value(),
            "alpha" => s.alpha.to_value(),
            "crop-left" => s.crop.left.to_value(),
            "crop-right" => s.crop.right.to_value(),
            "crop-top" => s.crop.top.to_value(),
            "crop-bottom" => s.crop.bottom.to_value(),
            "sizing-policy" => s.sizing.to_value(),
            "operator" => s.operator.to_value(),
            _ => unimplemented!(),
        }
    }
}

impl GstObjectImpl for ParallelCompositorPad {}
impl PadImpl for ParallelCompositorPad {}
impl AggregatorPadImpl for ParallelCompositorPad {}

impl VideoAggregatorPadImpl for ParallelCompositorPad {
    /// The frame is mapped on a worker thread, not here: nothing to prepare.
    fn prepare_frame(
        &self,
        _aggregator: &gst_video::VideoAggregator,
        _token: &gst_video::subclass::AggregateFramesToken,
        _buffer: &gst::Buffer,
    ) -> Option<gst_video::VideoFrame<gst_video::video_frame::Readable>> {
        None
    }

    fn clean_frame(
        &self,
        _aggregator: &gst_video::VideoAggregator,
        _token: &gst_video::subclass::AggregateFramesToken,
        _frame: Option<gst_video::VideoFrame<gst_video::video_frame::Readable>>,
    ) {
    }
}
