//! The contract every backend implements: render one [`FramePlan`] into an [`OutputTarget`].
//! Errors are typed, so that the element can tell a bad frame from a lost device or exhausted
//! memory and say on the bus what to do about each. Pure: no GStreamer, no GPU types.

use std::fmt;

use crate::compose::{Background, FramePlan, LayerSource, OutputTarget, PlanError, Timings};
use crate::transition::TransitionDraw;

/// Why a frame was not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// The frame's description is invalid (or asks for what this backend cannot do); the same
    /// frame would fail again. The layer at fault, when one is.
    InvalidFrame {
        /// Index of the layer at fault, bottom first.
        layer: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The device is gone (driver reset, GPU removed): nothing more renders on it.
    DeviceLost(String),
    /// The device ran out of memory.
    OutOfMemory(String),
    /// Anything else that went wrong while rendering.
    Failed(String),
}

impl RenderError {
    /// An invalid frame, no layer named.
    pub fn invalid(message: impl Into<String>) -> Self {
        RenderError::InvalidFrame {
            layer: None,
            message: message.into(),
        }
    }
}

impl From<PlanError> for RenderError {
    fn from(e: PlanError) -> Self {
        RenderError::InvalidFrame {
            layer: e.layer,
            message: e.message,
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::InvalidFrame {
                layer: Some(i),
                message,
            } => write!(f, "invalid frame: layer {i}: {message}"),
            RenderError::InvalidFrame {
                layer: None,
                message,
            } => write!(f, "invalid frame: {message}"),
            RenderError::DeviceLost(s) => write!(f, "the GPU device was lost: {s}"),
            RenderError::OutOfMemory(s) => write!(f, "out of memory: {s}"),
            RenderError::Failed(s) => write!(f, "rendering failed: {s}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// A frame a [`Renderer`] has started and not yet finished.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Submitted {
    /// Already rendered into the output: its timings.
    Done(Timings),
    /// Still on the device, read back through the renderer's staging slot `slot`; the
    /// timings of the work done so far.
    InFlight {
        /// The renderer's staging slot holding the frame.
        slot: usize,
        /// Upload and render so far.
        timings: Timings,
    },
}

/// A backend: renders planned frames. One renderer belongs to one worker thread; it may keep
/// scratch buffers and GPU resources between frames, but a frame's pixels depend on its plan
/// alone (that is what keeps the output identical whatever the worker count).
///
/// A renderer may pipeline: [`Renderer::submit`] starts a frame (on a GPU: uploads, records and
/// submits it) and [`Renderer::finish`] completes it (waits and reads it back), with up to
/// [`Renderer::depth`] frames started at once, so that a frame's readback overlaps the next
/// frames' work. [`Renderer::render`] is both steps at once.
pub trait Renderer: Send {
    /// Renders `plan` into `output` (the target the plan was validated against).
    fn render(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError>;

    /// The most frames this renderer holds submitted and not finished; at least 1.
    fn depth(&self) -> usize {
        1
    }

    /// Starts rendering `plan` into `output`; [`Renderer::finish`] completes it and must be
    /// given the same output's planes. Frames are finished in the order they were submitted.
    /// By default the frame is rendered at once.
    fn submit(
        &mut self,
        plan: &FramePlan<'_>,
        output: &mut OutputTarget<'_>,
    ) -> Result<Submitted, RenderError> {
        self.render(plan, output).map(Submitted::Done)
    }

    /// Completes a frame [`Renderer::submit`] started, writing `output`.
    fn finish(
        &mut self,
        submitted: Submitted,
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError> {
        let _ = output;
        match submitted {
            Submitted::Done(timings) => Ok(timings),
            Submitted::InFlight { slot, .. } => Err(RenderError::Failed(format!(
                "staging slot {slot} belongs to no frame of this renderer"
            ))),
        }
    }

    /// Plans and renders one frame: `background`, then `layers` bottom first (the layers of
    /// each transition drawn through it), into `output`.
    fn render_layers(
        &mut self,
        background: &Background,
        layers: &[LayerSource<'_>],
        transitions: &[TransitionDraw],
        output: &mut OutputTarget<'_>,
    ) -> Result<Timings, RenderError> {
        let plan = FramePlan::new(
            background.clone(),
            layers.to_vec(),
            transitions.to_vec(),
            output,
        )?;
        self.render(&plan, output)
    }
}
