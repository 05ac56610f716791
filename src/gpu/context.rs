//! Adapter and device selection and the pipelines every worker shares.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use super::{block_on, GpuError};

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

/// Texture formats of the composite and of the output planes.
pub(super) const COMPOSITE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

/// Which blend a layer draw uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LayerBlend {
    Over,
    Add,
    Erase,
}

/// The device, its queue and the pipelines; shared by the workers of one element.
pub struct GpuContext {
    pub(super) device: wgpu::Device,
    pub(super) queue: wgpu::Queue,
    info: AdapterInfo,
    lost: Arc<Mutex<Option<String>>>,
    pub(super) layer_layout: wgpu::BindGroupLayout,
    pub(super) backdrop_layout: wgpu::BindGroupLayout,
    pub(super) convert_layout: wgpu::BindGroupLayout,
    pub(super) background: wgpu::RenderPipeline,
    /// Source → premultiplied float copy at its own size (before a content blur).
    pub(super) decode: wgpu::RenderPipeline,
    /// Source → reduced premultiplied copy covering the frame (before the background blur).
    pub(super) downsample: wgpu::RenderPipeline,
    /// One direction of a gaussian blur between float textures.
    pub(super) blur: wgpu::RenderPipeline,
    layer_over: wgpu::RenderPipeline,
    layer_add: wgpu::RenderPipeline,
    erase: wgpu::RenderPipeline,
    pub(super) to_rgba: wgpu::RenderPipeline,
    pub(super) to_bgra: wgpu::RenderPipeline,
    pub(super) to_y: wgpu::RenderPipeline,
    pub(super) to_uv: wgpu::RenderPipeline,
    pub(super) to_u_v: wgpu::RenderPipeline,
    /// Bound to the plane slots a format does not use.
    pub(super) dummy_view: wgpu::TextureView,
    pub(super) uniform_align: u64,
    /// `vs_fullscreen` alone, for pipelines whose fragment stage comes from elsewhere.
    pub(super) fullscreen: wgpu::ShaderModule,
    /// Linear, clamp-to-edge: transition shaders' user images and GLSL card reads.
    pub(super) linear_sampler: wgpu::Sampler,
    /// Transition pipelines, built on first use.
    pub(super) transitions: Mutex<
        std::collections::HashMap<
            super::transition::TransitionKey,
            Arc<super::transition::TransitionPipeline>,
        >,
    >,
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

/// A uniform buffer binding of a bind group layout.
pub(super) fn uniform_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A float 2D texture binding of a bind group layout, read in the fragment stage.
pub(super) fn texture_entry(binding: u32, filterable: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::FRAGMENT,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

const INSTALL_HINT: &str = "install a Vulkan driver: `apt-get install mesa-vulkan-drivers libvulkan1` \
     gives the software adapter (lavapipe); a GPU needs its vendor's Vulkan driver. WGPU_BACKEND, when set, \
     limits the backends tried";

/// The adapter `choice` selects, best first by [`rank`].
fn pick_adapter(choice: AdapterChoice) -> Result<wgpu::Adapter, GpuError> {
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
                "no Vulkan adapter at all".to_string()
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
        let uniform_align = device.limits().min_uniform_buffer_offset_alignment.max(256) as u64;
        let ctx = Self::build(device, queue, info, lost, uniform_align);
        ctx.warm_up()?;
        Ok(Arc::new(ctx))
    }

    fn build(
        device: wgpu::Device,
        queue: wgpu::Queue,
        info: AdapterInfo,
        lost: Arc<Mutex<Option<String>>>,
        uniform_align: u64,
    ) -> GpuContext {
        let uniform = |binding| uniform_entry(binding, wgpu::ShaderStages::VERTEX_FRAGMENT);
        let texture = |binding| texture_entry(binding, false);
        let layer_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("layer"),
            entries: &[uniform(0), texture(1), texture(2), texture(3)],
        });
        let backdrop_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("backdrop"),
            entries: &[uniform(0), texture(1)],
        });
        let convert_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("convert"),
            entries: &[uniform(0), texture(1)],
        });
        // WGSL has no includes: the shared functions are prepended.
        let with_common = |label: &str, body: &str| {
            device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(Cow::Owned(format!(
                    "{}\n{body}",
                    include_str!("shaders/common.wgsl")
                ))),
            })
        };
        let composite = with_common("composite.wgsl", include_str!("shaders/composite.wgsl"));
        let backdrop = with_common("background.wgsl", include_str!("shaders/background.wgsl"));
        let blur = with_common("blur.wgsl", include_str!("shaders/blur.wgsl"));
        let convert = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("convert.wgsl"),
            source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(include_str!("shaders/convert.wgsl"))),
        });
        let pipeline = |label: &str,
                        layout: &wgpu::BindGroupLayout,
                        module: &wgpu::ShaderModule,
                        vs: &str,
                        fs: &str,
                        targets: &[Option<wgpu::ColorTargetState>]| {
            let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(layout)],
                immediate_size: 0,
            });
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(&pl),
                vertex: wgpu::VertexState {
                    module,
                    entry_point: Some(vs),
                    compilation_options: Default::default(),
                    buffers: &[],
                },
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: wgpu::MultisampleState::default(),
                fragment: Some(wgpu::FragmentState {
                    module,
                    entry_point: Some(fs),
                    compilation_options: Default::default(),
                    targets,
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let blend_target = |blend: Option<wgpu::BlendState>| {
            [Some(wgpu::ColorTargetState {
                format: COMPOSITE_FORMAT,
                blend,
                write_mask: wgpu::ColorWrites::ALL,
            })]
        };
        let component = |src, dst| wgpu::BlendComponent {
            src_factor: src,
            dst_factor: dst,
            operation: wgpu::BlendOperation::Add,
        };
        let both = |c: wgpu::BlendComponent| Some(wgpu::BlendState { color: c, alpha: c });
        use wgpu::BlendFactor as F;
        let layer = |blend| {
            pipeline(
                "layer",
                &layer_layout,
                &composite,
                "vs_layer",
                if blend == LayerBlend::Erase {
                    "fs_erase"
                } else {
                    "fs_layer"
                },
                &blend_target(match blend {
                    LayerBlend::Over => both(component(F::One, F::OneMinusSrcAlpha)),
                    LayerBlend::Add => both(component(F::One, F::One)),
                    LayerBlend::Erase => both(component(F::Zero, F::OneMinusSrcAlpha)),
                }),
            )
        };
        let plain = |format| {
            Some(wgpu::ColorTargetState {
                format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })
        };
        use wgpu::TextureFormat as T;
        GpuContext {
            background: pipeline(
                "background",
                &backdrop_layout,
                &backdrop,
                "vs_fullscreen",
                "fs_background",
                &blend_target(None),
            ),
            decode: pipeline(
                "decode",
                &layer_layout,
                &composite,
                "vs_layer",
                "fs_decode",
                &blend_target(None),
            ),
            downsample: pipeline(
                "downsample",
                &layer_layout,
                &composite,
                "vs_layer",
                "fs_downsample",
                &blend_target(None),
            ),
            blur: pipeline(
                "blur",
                &convert_layout,
                &blur,
                "vs_fullscreen",
                "fs_blur",
                &blend_target(None),
            ),
            layer_over: layer(LayerBlend::Over),
            layer_add: layer(LayerBlend::Add),
            erase: layer(LayerBlend::Erase),
            to_rgba: pipeline(
                "to-rgba",
                &convert_layout,
                &convert,
                "vs_fullscreen",
                "fs_rgba",
                &[plain(T::Rgba8Unorm)],
            ),
            to_bgra: pipeline(
                "to-bgra",
                &convert_layout,
                &convert,
                "vs_fullscreen",
                "fs_rgba",
                &[plain(T::Bgra8Unorm)],
            ),
            to_y: pipeline(
                "to-y",
                &convert_layout,
                &convert,
                "vs_fullscreen",
                "fs_y",
                &[plain(T::R8Unorm)],
            ),
            to_uv: pipeline(
                "to-uv",
                &convert_layout,
                &convert,
                "vs_fullscreen",
                "fs_uv",
                &[plain(T::Rg8Unorm)],
            ),
            to_u_v: pipeline(
                "to-u-v",
                &convert_layout,
                &convert,
                "vs_fullscreen",
                "fs_u_v",
                &[plain(T::R8Unorm), plain(T::R8Unorm)],
            ),
            dummy_view: device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some("unused plane"),
                    size: wgpu::Extent3d {
                        width: 1,
                        height: 1,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: T::R8Unorm,
                    usage: wgpu::TextureUsages::TEXTURE_BINDING,
                    view_formats: &[],
                })
                .create_view(&Default::default()),
            fullscreen: device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("common.wgsl"),
                source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(include_str!(
                    "shaders/common.wgsl"
                ))),
            }),
            linear_sampler: device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("linear"),
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                ..Default::default()
            }),
            transitions: Mutex::new(Default::default()),
            layer_layout,
            backdrop_layout,
            convert_layout,
            device,
            queue,
            info,
            lost,
            uniform_align,
        }
    }

    pub(super) fn layer_pipeline(&self, blend: LayerBlend) -> &wgpu::RenderPipeline {
        match blend {
            LayerBlend::Over => &self.layer_over,
            LayerBlend::Add => &self.layer_add,
            LayerBlend::Erase => &self.erase,
        }
    }

    /// The adapter in use.
    pub fn info(&self) -> &AdapterInfo {
        &self.info
    }

    /// Why the device was lost, if it was.
    pub fn lost(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|l| l.clone())
    }

    /// Renders a tiny frame through every pipeline.
    fn warm_up(&self) -> Result<(), GpuError> {
        super::render::warm_up(self)
    }
}
