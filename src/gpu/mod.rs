//! The wgpu backend: adapter and device selection, the passes shared by every worker (one
//! module each under `passes`), and [`GpuRenderer`], which renders one frame from plain plane
//! data.
//!
//! Nothing here knows GStreamer: the element maps buffers and hands over slices and strides.

mod blend;
mod context;
mod passes;
mod render;
mod warm;

pub use blend::{CardTarget, ShaderBlender};
pub use context::{probe, AdapterChoice, AdapterInfo, GpuContext};
pub use passes::layer::MAX_SAMPLES as MAX_MOTION_SAMPLES;
#[doc(hidden)]
pub use passes::staging::fault;
#[doc(hidden)]
pub use passes::{created_on_this_thread, Created};
pub use render::GpuRenderer;

use std::fmt;

/// Why the GPU backend could not do something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GpuError {
    /// No adapter matches the request; the text says what to install or change.
    NoAdapter(String),
    /// The adapter refused to create a device.
    Device(String),
    /// The device was lost (driver reset, GPU removed).
    DeviceLost(String),
    /// A frame could not be rendered or read back.
    Render(String),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoAdapter(s) => write!(f, "no usable GPU adapter: {s}"),
            GpuError::Device(s) => write!(f, "could not open the GPU device: {s}"),
            GpuError::DeviceLost(s) => write!(f, "the GPU device was lost: {s}"),
            GpuError::Render(s) => write!(f, "rendering failed: {s}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// How input planes reach the GPU. A bench knob, not a property: the environment variable
/// `PARALLELCOMPOSITOR_UPLOAD` (`staged`, the default, or `write-texture`), read when a device
/// opens, so that the GPU machine can compare both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadPath {
    /// Rows copied into a mapped buffer of the renderer's staging ring, then a
    /// buffer-to-texture copy recorded with the frame.
    #[default]
    Staged,
    /// `Queue::write_texture` per plane (wgpu stages each call in a buffer of its own).
    WriteTexture,
}

impl UploadPath {
    /// The path `PARALLELCOMPOSITOR_UPLOAD` asks for; unknown values give the default.
    pub fn from_env() -> UploadPath {
        match std::env::var("PARALLELCOMPOSITOR_UPLOAD").as_deref() {
            Ok("write-texture") => UploadPath::WriteTexture,
            _ => UploadPath::Staged,
        }
    }
}

/// Runs a future that wgpu's native backends resolve without an executor (adapter and device
/// requests complete immediately; nothing here waits on I/O).
fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
