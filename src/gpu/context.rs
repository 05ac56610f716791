//! Adapter and device selection, and the passes every worker shares.

use std::sync::{Arc, Mutex, OnceLock};

use super::passes::convert::ConvertPass;
use super::passes::layer::LayerPass;
use super::passes::new_texture;
use super::passes::transition::TransitionPass;
use super::passes::{background, blur, FullscreenPass};
use super::{block_on, GpuError, UploadPath};

/// Which kind of adapter to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdapterChoice {
    /// A hardware GPU if there is one, else the software rasteriser.
    #[default]
    Auto,
    /// A hardware GPU (discrete, integrated or virtual) only.
    Hardware,
    /// The software rasteriser (lavapipe) only.
    Software,
}

/// What was chosen, for the `adapter-info` property and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterInfo {
    /// The driver's name for the device.
    pub name: String,
    /// The wgpu backend ("vulkan", ...).
    pub backend: String,
    /// "discrete-gpu", "integrated-gpu", "virtual-gpu", "cpu" or "other".
    pub device_type: String,
    /// Whether this is a software rasteriser.
    pub software: bool,
}

/// The passes that draw and convert a whole frame: what the wgpu backend needs beyond the
/// transitions.
pub(super) struct ScenePasses {
    pub(super) background: FullscreenPass,
    pub(super) layer: LayerPass,
    pub(super) blur: FullscreenPass,
    pub(super) convert: ConvertPass,
}

impl ScenePasses {
    fn new(device: &wgpu::Device) -> ScenePasses {
        ScenePasses {
            background: background::pass(device),
            layer: LayerPass::new(device),
            blur: blur::pass(device),
            convert: ConvertPass::new(device),
        }
    }
}

/// The device, its queue and every pass's pipelines; shared by the workers of one element.
pub struct GpuContext {
    pub(super) device: wgpu::Device,
    pub(super) queue: wgpu::Queue,
    info: AdapterInfo,
    /// What was asked for, to open another device like this one.
    choice: AdapterChoice,
    lost: Arc<Mutex<Option<String>>>,
    /// Alignment of the uniform blocks within a frame's uniform buffer.
    pub(super) uniform_align: u64,
    /// How the renderers upload input planes.
    pub(super) upload: UploadPath,
    /// Bound to the plane slots a format does not use.
    pub(super) dummy_view: wgpu::TextureView,
    /// Built with the context for the wgpu backend; on first use for a context opened for
    /// shader transitions alone (the hybrid route), which never draws a scene: building and
    /// compiling them is most of a context's start on lavapipe.
    scene: OnceLock<ScenePasses>,
    pub(super) transitions: TransitionPass,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("info", &self.info)
            .finish()
    }
}

fn device_type_name(t: wgpu::DeviceType) -> &'static str {
    match t {
        wgpu::DeviceType::DiscreteGpu => "discrete-gpu",
        wgpu::DeviceType::IntegratedGpu => "integrated-gpu",
        wgpu::DeviceType::VirtualGpu => "virtual-gpu",
        wgpu::DeviceType::Cpu => "cpu",
        wgpu::DeviceType::Other => "other",
    }
}

/// Preference of an adapter under `choice`; `None` when it does not qualify.
fn rank(choice: AdapterChoice, t: wgpu::DeviceType) -> Option<u8> {
    let hardware = match t {
        wgpu::DeviceType::DiscreteGpu => Some(0),
        wgpu::DeviceType::IntegratedGpu => Some(1),
        wgpu::DeviceType::VirtualGpu => Some(2),
        _ => None,
    };
    match choice {
        AdapterChoice::Hardware => hardware,
        AdapterChoice::Software => (t == wgpu::DeviceType::Cpu).then_some(0),
        AdapterChoice::Auto => match t {
            wgpu::DeviceType::Cpu => Some(3),
            wgpu::DeviceType::Other => Some(4),
            _ => hardware,
        },
    }
}

const INSTALL_HINT: &str = "install a Vulkan driver: `apt-get install mesa-vulkan-drivers libvulkan1` \
     gives the software adapter (lavapipe); a GPU needs its vendor's Vulkan driver. WGPU_BACKEND, when set, \
     limits the backends tried";

/// On a machine without a window system, keeps Mesa's Vulkan device-select layer from looking
/// for one: it connects to Wayland because wgpu enables the Wayland surface extension, and
/// libwayland prints "error: XDG_RUNTIME_DIR is invalid or not set" on every headless run. The
/// layer only reorders devices for a display that is not there (wgpu ranks adapters itself).
/// Set once, before the first instance, and only when neither a display nor the user's own
/// choice (NODEVICE_SELECT, MESA_VK_DEVICE_SELECT) is in the environment.
fn quiet_headless_probe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let set = |name: &str| std::env::var_os(name).is_some();
        if ![
            "WAYLAND_DISPLAY",
            "DISPLAY",
            "NODEVICE_SELECT",
            "MESA_VK_DEVICE_SELECT",
        ]
        .iter()
        .any(|n| set(n))
        {
            std::env::set_var("NODEVICE_SELECT", "1");
        }
    });
}

/// The adapter `choice` selects, best first by [`rank`].
fn pick_adapter(choice: AdapterChoice) -> Result<wgpu::Adapter, GpuError> {
    quiet_headless_probe();
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    if std::env::var_os("WGPU_BACKEND").is_none() {
        desc.backends = wgpu::Backends::VULKAN;
    }
    let backends = desc.backends;
    let instance = wgpu::Instance::new(desc);
    let adapters = block_on(instance.enumerate_adapters(backends));
    let seen: Vec<String> = adapters
        .iter()
        .map(|a| {
            let i = a.get_info();
            format!("{} ({})", i.name, device_type_name(i.device_type))
        })
        .collect();
    adapters
        .into_iter()
        .filter_map(|a| rank(choice, a.get_info().device_type).map(|r| (r, a)))
        .min_by_key(|(r, _)| *r)
        .map(|(_, a)| a)
        .ok_or_else(|| {
            let wanted = match choice {
                AdapterChoice::Auto => "any",
                AdapterChoice::Hardware => "a hardware",
                AdapterChoice::Software => "a software",
            };
            let found = if seen.is_empty() {
                match std::env::var("WGPU_BACKEND") {
                    Ok(v) if backends.is_empty() => format!(
                        "no adapter: WGPU_BACKEND={v:?} names no backend wgpu knows (vulkan, gl, \
                         metal, dx12); unset it to use Vulkan"
                    ),
                    Ok(v) => format!("no adapter on the backends WGPU_BACKEND={v:?} selects"),
                    Err(_) => "no Vulkan adapter at all".to_string(),
                }
            } else {
                format!("only {}", seen.join(", "))
            };
            GpuError::NoAdapter(format!(
                "asked for {wanted} adapter, found {found}; {INSTALL_HINT}"
            ))
        })
}

/// What `choice` would select, without opening a device: cheap enough to decide between
/// backends.
pub fn probe(choice: AdapterChoice) -> Result<AdapterInfo, GpuError> {
    let raw = pick_adapter(choice)?.get_info();
    Ok(AdapterInfo {
        name: raw.name.clone(),
        backend: raw.backend.to_string(),
        device_type: device_type_name(raw.device_type).to_string(),
        software: raw.device_type == wgpu::DeviceType::Cpu,
    })
}

impl GpuContext {
    /// Picks an adapter, opens a device and builds every pipeline, then draws once with each so
    /// that drivers which compile lazily (lavapipe) do it now rather than on the first frame.
    pub fn new(choice: AdapterChoice) -> Result<Arc<GpuContext>, GpuError> {
        let ctx = Self::open(choice)?;
        ctx.complete()?;
        Ok(ctx)
    }

    /// Picks an adapter and opens a device for shader transitions alone (the hybrid route):
    /// no scene pipelines are built; each transition's is built (and warmed by
    /// [`ShaderBlender::prepare`](super::ShaderBlender::prepare)) when first asked for.
    pub fn for_shaders(choice: AdapterChoice) -> Result<Arc<GpuContext>, GpuError> {
        Self::open(choice)
    }

    /// Builds the scene pipelines if they are not yet, and draws once with every pipeline:
    /// what [`GpuContext::new`] does, for a context opened with [`GpuContext::for_shaders`]
    /// that the wgpu backend now renders with.
    pub fn complete(&self) -> Result<(), GpuError> {
        if self.scene.get().is_none() {
            self.scene();
            self.warm_up()?;
        }
        Ok(())
    }

    /// The scene passes, built on first use.
    pub(super) fn scene(&self) -> &ScenePasses {
        self.scene.get_or_init(|| ScenePasses::new(&self.device))
    }

    /// A device on the adapter `choice` selects, with the transition pass alone.
    fn open(choice: AdapterChoice) -> Result<Arc<GpuContext>, GpuError> {
        let adapter = pick_adapter(choice)?;
        let raw = adapter.get_info();
        let info = AdapterInfo {
            name: raw.name.clone(),
            backend: raw.backend.to_string(),
            device_type: device_type_name(raw.device_type).to_string(),
            software: raw.device_type == wgpu::DeviceType::Cpu,
        };
        let limits = wgpu::Limits::default().using_resolution(adapter.limits());
        let (device, queue) = block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("parallelcompositor"),
            required_limits: limits,
            ..Default::default()
        }))
        .map_err(|e| GpuError::Device(format!("{} ({}): {e}", info.name, info.backend)))?;
        let lost = Arc::new(Mutex::new(None));
        let lost_cb = lost.clone();
        device.set_device_lost_callback(move |reason, msg| {
            if reason != wgpu::DeviceLostReason::Destroyed {
                if let Ok(mut l) = lost_cb.lock() {
                    *l = Some(format!("{reason:?}: {msg}"));
                }
            }
        });
        let limits = device.limits();
        let uniform_align = limits
            .min_uniform_buffer_offset_alignment
            .max(limits.min_storage_buffer_offset_alignment)
            .max(256) as u64;
        let dummy_view = new_texture(
            &device,
            "unused plane",
            wgpu::TextureFormat::R8Unorm,
            1,
            1,
            wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        Ok(Arc::new(GpuContext {
            scene: OnceLock::new(),
            transitions: TransitionPass::new(&device),
            dummy_view,
            device,
            queue,
            info,
            choice,
            lost,
            uniform_align,
            upload: UploadPath::from_env(),
        }))
    }

    /// Another device on the adapter this one's request selects, with its own pipelines.
    pub fn open_another(&self) -> Result<Arc<GpuContext>, GpuError> {
        GpuContext::new(self.choice)
    }

    /// The adapter in use.
    pub fn info(&self) -> &AdapterInfo {
        &self.info
    }

    /// The largest width or height of a texture on this device: inputs, the output and the
    /// background image must fit within it.
    pub fn max_texture_side(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }

    /// Why the device was lost, if it was.
    pub fn lost(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|l| l.clone())
    }

    /// Renders tiny frames through every pipeline.
    fn warm_up(&self) -> Result<(), GpuError> {
        super::warm::warm_up(self)
    }
}
