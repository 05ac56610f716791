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
/// the last of them stops.
pub(super) fn shared_context(
    choice: AdapterChoice,
) -> Result<Arc<GpuContext>, crate::gpu::GpuError> {
    static CONTEXTS: Lazy<Mutex<HashMap<u8, Weak<GpuContext>>>> = Lazy::new(Default::default);
    let key = choice as u8;
    let mut map = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(ctx) = map.get(&key).and_then(Weak::upgrade) {
        if ctx.lost().is_none() {
            return Ok(ctx);
        }
    }
    let ctx = GpuContext::new(choice)?;
    map.insert(key, Arc::downgrade(&ctx));
    Ok(ctx)
}

/// Threads one CPU worker splits a frame across: the cores left over by the frames in flight.
pub(super) fn cpu_threads(workers: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / workers.max(1)).max(1)
}

/// The wgpu context to render with, or `None` for the CPU backend. `auto` takes a hardware
/// GPU if there is one; else the CPU backend, unless a shader transition needs wgpu, which
/// then runs on the software adapter.
pub(super) fn backend(
    adapter: Adapter,
    transitions: &[transitions::Compiled],
) -> Result<Option<Arc<GpuContext>>, gst::ErrorMessage> {
    let shader = transitions
        .iter()
        .find(|t| matches!(t.kind, crate::transition::TransitionKind::Shader(_)));
    let open = |choice| {
        shared_context(choice).map(Some).map_err(|e| {
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
        Adapter::Hardware => open(AdapterChoice::Hardware),
        Adapter::Software => open(AdapterChoice::Software),
        Adapter::Wgpu => open(AdapterChoice::Auto),
        Adapter::Cpu => match shader {
            Some(t) => Err(gst::error_msg!(
                gst::ResourceError::Settings,
                (
                    "Transition {} is a shader, which the CPU backend (adapter=cpu) cannot run: \
                     use adapter=auto, software or hardware",
                    t.spec.origin
                )
            )),
            None => Ok(None),
        },
        Adapter::Auto => match crate::gpu::probe(AdapterChoice::Hardware) {
            Ok(_) => open(AdapterChoice::Hardware),
            Err(_) if shader.is_some() => open(AdapterChoice::Auto),
            Err(_) => Ok(None),
        },
    }
}

/// One renderer per worker: on `ctx` (wgpu), or the CPU backend when there is none.
pub(super) fn renderers(ctx: Option<&Arc<GpuContext>>, workers: usize) -> Vec<Box<dyn Renderer>> {
    (0..workers)
        .map(|_| -> Box<dyn Renderer> {
            match ctx {
                Some(ctx) => Box::new(GpuRenderer::new(ctx.clone())),
                // Frames in flight keep every core busy; one thread a frame.
                None => Box::new(CpuRenderer::new(cpu_threads(workers))),
            }
        })
        .collect()
}
