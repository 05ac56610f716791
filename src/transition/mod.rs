//! Transitions between two inputs: the built-in xfade set, custom WGSL and gl-transitions GLSL
//! programs, and which transition applies at a given time. Pure: no GStreamer, no GPU.

pub mod shader;
pub mod xfade;

use std::sync::Arc;

pub use xfade::XfadeKind;

/// What a transition computes for each pixel.
#[derive(Debug, Clone)]
pub enum TransitionKind {
    /// One of FFmpeg's xfade transitions.
    Xfade(XfadeKind),
    /// A user shader (WGSL or gl-transitions GLSL); only the wgpu backend runs it.
    Shader(Arc<ShaderProgram>),
}

pub use shader::{ParamValue, ShaderError, ShaderProgram};

/// One transition to draw in one output frame: layers `from` and `to` (indices into the frame's
/// layers) are not drawn on their own; their cards, each rendered onto a transparent frame, are
/// combined at `progress` and the result drawn at the z position of the upper of the two.
#[derive(Debug, Clone)]
pub struct TransitionDraw {
    /// Layer index shown at progress 0.
    pub from: usize,
    /// Layer index shown at progress 1.
    pub to: usize,
    /// 0 → 1, eased.
    pub progress: f32,
    /// The per-pixel function.
    pub kind: TransitionKind,
}
