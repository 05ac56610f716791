//! Which renderer a started element uses: a wgpu context (shared by the elements of a process
//! that ask for the same adapter) or the CPU backend, and one renderer per worker.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use once_cell::sync::Lazy;

use super::transitions;
use super::Adapter;
use crate::cpu::CpuRenderer;
use crate::gpu::{AdapterChoice, GpuContext, GpuRenderer};
use crate::render::Renderer;

/// Devices are shared by the elements of a process that ask for the same adapter, and freed when
/// the last of them stops. `scene`: the wgpu backend renders with it (every pipeline built and
/// warmed); else it runs shader transitions alone (the hybrid route), which needs none of the
/// scene's pipelines, the larger part of a context's start.
pub(super) fn shared_context(
    choice: AdapterChoice,
    scene: bool,
) -> Result<Arc<GpuContext>, crate::gpu::GpuError> {
    static CONTEXTS: Lazy<Mutex<HashMap<u8, Weak<GpuContext>>>> = Lazy::new(Default::default);
    let key = choice as u8;
    let mut map = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(ctx) = map.get(&key).and_then(Weak::upgrade) {
        if ctx.lost().is_none() {
            if scene {
                ctx.complete()?;
            }
            return Ok(ctx);
        }
    }
    let ctx = if scene {
        GpuContext::new(choice)?
    } else {
        GpuContext::for_shaders(choice)?
    };
    map.insert(key, Arc::downgrade(&ctx));
    Ok(ctx)
}

/// Threads one CPU worker splits a frame across: the cores left over by the frames in flight.
pub(super) fn cpu_threads(workers: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / workers.max(1)).max(1)
}

/// The renderers of a started element.
pub(super) enum Backend {
    /// wgpu renders every frame.
    Gpu(Arc<GpuContext>),
    /// The CPU backend renders every frame; shader transitions, when there are any, run their
    /// program alone on this device (the hybrid route).
    Cpu(Option<Arc<GpuContext>>),
}

impl Backend {
    /// The wgpu context rendering every frame, if it is the wgpu backend.
    pub(super) fn gpu(&self) -> Option<&Arc<GpuContext>> {
        match self {
            Backend::Gpu(ctx) => Some(ctx),
            Backend::Cpu(_) => None,
        }
    }

    /// The device shader transitions run on, whichever backend renders the rest.
    pub(super) fn shader_device(&self) -> Option<&Arc<GpuContext>> {
        match self {
            Backend::Gpu(ctx) | Backend::Cpu(Some(ctx)) => Some(ctx),
            Backend::Cpu(None) => None,
        }
    }
}

/// The backend to render with. `auto` takes a hardware GPU if there is one (wgpu renders
/// everything); else the CPU backend, and a shader transition's program alone runs on the
/// software adapter: lavapipe is far slower than the CPU backend at everything else.
pub(super) fn backend(
    adapter: Adapter,
    transitions: &[transitions::Compiled],
) -> Result<Backend, gst::ErrorMessage> {
    let shader = transitions
        .iter()
        .find(|t| matches!(t.kind, crate::transition::TransitionKind::Shader(_)));
    let open = |choice, scene| {
        shared_context(choice, scene).map_err(|e| {
            let needed = shader.map_or(String::new(), |t| {
                format!(" (needed by the shader transition {})", t.spec.origin)
            });
            gst::error_msg!(
                gst::LibraryError::Init,
                ("{}{}", e, needed),
                ["adapter={:?}", adapter]
            )
        })
    };
    match adapter {
        Adapter::Hardware => open(AdapterChoice::Hardware, true).map(Backend::Gpu),
        Adapter::Software => open(AdapterChoice::Software, true).map(Backend::Gpu),
        Adapter::Wgpu => open(AdapterChoice::Auto, true).map(Backend::Gpu),
        Adapter::Cpu => match shader {
            Some(t) => Err(gst::error_msg!(
                gst::ResourceError::Settings,
                (
                    "Transition {} is a shader, which the CPU backend (adapter=cpu) cannot run: \
                     use adapter=auto, software or hardware",
                    t.spec.origin
                )
            )),
            None => Ok(Backend::Cpu(None)),
        },
        Adapter::Auto => match crate::gpu::probe(AdapterChoice::Hardware) {
            Ok(_) => open(AdapterChoice::Hardware, true).map(Backend::Gpu),
            Err(_) if shader.is_some() => {
                open(AdapterChoice::Auto, false).map(|c| Backend::Cpu(Some(c)))
            }
            Err(_) => Ok(Backend::Cpu(None)),
        },
    }
}

/// Whether wgpu workers share one device: the environment variable
/// `PARALLELCOMPOSITOR_DEVICES` (`shared`, the default, or `per-worker`). A bench knob rather
/// than a property: on lavapipe one device per worker measured no faster (see the README's
/// benchmark notes) and costs a device and every pipeline per worker; bench/gpu.sh measures
/// both on a GPU.
fn device_per_worker() -> bool {
    std::env::var("PARALLELCOMPOSITOR_DEVICES").as_deref() == Ok("per-worker")
}

/// Frames each of `workers` holds in flight so that `k` are in flight in all: its staging
/// ring's depth.
pub(super) fn ring_depth(workers: usize, k: usize) -> usize {
    k.div_ceil(workers.max(1)).max(1)
}

/// One renderer per worker of `backend`, at most `k` frames in flight in all.
pub(super) fn renderers(
    backend: &Backend,
    workers: usize,
    k: usize,
) -> Result<Vec<Box<dyn Renderer>>, crate::gpu::GpuError> {
    // Frames in flight keep every core busy; one thread a frame.
    let threads = cpu_threads(workers);
    let depth = ring_depth(workers, k);
    (0..workers)
        .map(|i| -> Result<Box<dyn Renderer>, crate::gpu::GpuError> {
            Ok(match backend {
                // Worker 0 keeps the shared device, which start has warmed for the transitions.
                Backend::Gpu(ctx) if i > 0 && device_per_worker() => {
                    Box::new(GpuRenderer::with_depth(ctx.open_another()?, depth))
                }
                Backend::Gpu(ctx) => Box::new(GpuRenderer::with_depth(ctx.clone(), depth)),
                Backend::Cpu(None) => Box::new(CpuRenderer::new(threads)),
                Backend::Cpu(Some(ctx)) => {
                    Box::new(CpuRenderer::with_shader_device(threads, ctx.clone()))
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ring_depth_spreads_k_over_the_workers() {
        use super::ring_depth;
        assert_eq!(ring_depth(1, 1), 1);
        assert_eq!(ring_depth(1, 8), 8);
        assert_eq!(ring_depth(2, 4), 2);
        assert_eq!(ring_depth(4, 4), 1);
        assert_eq!(ring_depth(4, 6), 2);
        assert_eq!(ring_depth(4, 1), 1);
        assert_eq!(ring_depth(0, 0), 1);
    }
}
