//! The element's settings: what its properties hold, their defaults and ranges, and what is
//! derived from them (the look of a frame, workers and frames in flight).

use std::sync::Arc;

use super::frame::Look;
use super::{Adapter, BackgroundKind};
use crate::effects::RgbaImage;

pub(super) const DEFAULT_BACKGROUND: BackgroundKind = BackgroundKind::Black;
pub(super) const DEFAULT_BACKGROUND_COLOR: u32 = 0xff00_0000;
pub(super) const DEFAULT_BACKGROUND_COLOR_END: u32 = 0xff00_0000;
pub(super) const DEFAULT_BACKGROUND_ANGLE: f64 = 180.0;
pub(super) const DEFAULT_BACKGROUND_BLUR: f64 = 20.0;
pub(super) const DEFAULT_MOTION_SAMPLES: u32 = 8;
pub(super) const DEFAULT_WORKERS: u32 = 0;
pub(super) const DEFAULT_MAX_IN_FLIGHT: u32 = 0;
pub(super) const DEFAULT_ADAPTER: Adapter = Adapter::Auto;
pub(super) const MAX_WORKERS: u32 = 64;
pub(super) const MAX_IN_FLIGHT: u32 = 256;
pub(super) const MAX_MOTION_SAMPLES: u32 = crate::gpu::MAX_MOTION_SAMPLES as u32;

#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub background: BackgroundKind,
    pub background_color: u32,
    pub background_color_end: u32,
    pub background_angle: f64,
    pub background_image: Option<String>,
    pub background_pad: Option<String>,
    pub background_blur: f64,
    pub shutter_angle: f64,
    pub motion_samples: u32,
    pub timeline: Option<String>,
    pub timeline_string: Option<String>,
    pub transitions: Option<String>,
    pub workers: u32,
    pub max_in_flight: u32,
    pub adapter: Adapter,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            background: DEFAULT_BACKGROUND,
            background_color: DEFAULT_BACKGROUND_COLOR,
            background_color_end: DEFAULT_BACKGROUND_COLOR_END,
            background_angle: DEFAULT_BACKGROUND_ANGLE,
            background_image: None,
            background_pad: None,
            background_blur: DEFAULT_BACKGROUND_BLUR,
            shutter_angle: 0.0,
            motion_samples: DEFAULT_MOTION_SAMPLES,
            timeline: None,
            timeline_string: None,
            transitions: None,
            workers: DEFAULT_WORKERS,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            adapter: DEFAULT_ADAPTER,
        }
    }
}

impl Settings {
    /// The look these settings give, with `image` as the decoded background image.
    pub fn look(&self, image: Option<Arc<RgbaImage>>) -> Look {
        Look {
            background: self.background,
            color: self.background_color,
            color_end: self.background_color_end,
            angle: self.background_angle,
            image,
            pad: self.background_pad.clone(),
            blur: self.background_blur,
            shutter_angle: self.shutter_angle,
            motion_samples: self.motion_samples,
        }
    }

    /// Worker threads. wgpu: on the software adapter the draw itself already uses every core,
    /// so workers only overlap the CPU-side copies; on a GPU they overlap upload, render and
    /// readback of different frames. CPU backend: one frame per core.
    pub fn workers(&self, cpu: bool) -> usize {
        if self.workers > 0 {
            return self.workers as usize;
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        if cpu {
            cores
        } else {
            cores.clamp(2, 4)
        }
    }

    pub fn max_in_flight(&self, workers: usize) -> usize {
        if self.max_in_flight > 0 {
            self.max_in_flight as usize
        } else {
            workers + 2
        }
    }
}
