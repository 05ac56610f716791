//! One module per pass of a frame. Each pass owns its pipelines, its bind group layout, its WGSL
//! file and a `#[repr(C)]` struct mirroring the WGSL uniform block it reads; the test at the end
//! checks every such struct against the WGSL as naga lays it out.

pub(super) mod background;
pub(super) mod blur;
pub(super) mod convert;
pub(super) mod copy;
pub(super) mod layer;
pub(super) mod readback;
pub(super) mod staging;
pub(super) mod transition;
pub(super) mod upload;

use std::borrow::Cow;
use std::cell::Cell;

/// GPU resources a thread has created, counted so that tests can check that a steady stream
/// of frames creates none (wgpu keeps no such count of its own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Created {
    /// Buffers: uniforms, staging.
    pub buffers: u64,
    /// Textures: inputs, targets, scratch.
    pub textures: u64,
    /// Bind groups.
    pub bind_groups: u64,
}

thread_local! {
    static CREATED: Cell<Created> = const { Cell::new(Created { buffers: 0, textures: 0, bind_groups: 0 }) };
}

/// The resources this thread has created through the passes so far.
pub fn created_on_this_thread() -> Created {
    CREATED.with(Cell::get)
}

fn count(f: impl FnOnce(&mut Created)) {
    CREATED.with(|c| {
        let mut v = c.get();
        f(&mut v);
        c.set(v);
    });
}

/// A buffer of `size` bytes, counted in [`Created`].
pub(super) fn new_buffer(
    device: &wgpu::Device,
    label: &str,
    size: u64,
    usage: wgpu::BufferUsages,
    mapped_at_creation: bool,
) -> wgpu::Buffer {
    count(|c| c.buffers += 1);
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage,
        mapped_at_creation,
    })
}

/// A bind group, counted in [`Created`].
pub(super) fn new_bind_group(
    device: &wgpu::Device,
    desc: &wgpu::BindGroupDescriptor<'_>,
) -> wgpu::BindGroup {
    count(|c| c.bind_groups += 1);
    device.create_bind_group(desc)
}

/// Texture format of the composite and of every intermediate float texture.
pub(super) const COMPOSITE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

/// Texture format of the hybrid route's cards and result (see `gpu::blend`).
pub(super) const HYBRID_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// The shared vertex shader and helpers, prepended to the modules that use them.
pub(super) const COMMON_WGSL: &str = include_str!("../shaders/common.wgsl");

/// Builds a module from `body` with [`COMMON_WGSL`] prepended (WGSL has no includes).
pub(super) fn with_common(device: &wgpu::Device, label: &str, body: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(Cow::Owned(common_source(body))),
    })
}

/// The source [`with_common`] compiles.
fn common_source(body: &str) -> String {
    format!("{COMMON_WGSL}\n{body}")
}

/// A read-only storage buffer binding of a bind group layout: how the built-in passes read
/// their block. Not a uniform buffer because lavapipe (Mesa 22.3, Debian 12) recompiles a
/// shader whose branches test uniform values on every bind, inlining the values, and keeps
/// every compiled copy until the pipeline is destroyed: about 0.3 MB a pass a frame. It never
/// inlines storage buffer values. The bytes are the same: WGSL lays out both address spaces
/// alike, the uniform space only forbids more.
pub(super) fn block_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
    buffer_entry(
        binding,
        visibility,
        wgpu::BufferBindingType::Storage { read_only: true },
    )
}

/// A buffer binding of type `ty` of a bind group layout.
fn buffer_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BufferBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A uniform buffer binding of a bind group layout.
pub(super) fn uniform_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
    buffer_entry(binding, visibility, wgpu::BufferBindingType::Uniform)
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

/// The bind group layout of the passes that read one uniform block and one unfilterable
/// texture (background, blur, convert).
pub(crate) struct UniformTextureLayout(wgpu::BindGroupLayout);

impl UniformTextureLayout {
    pub(super) fn new(device: &wgpu::Device, label: &str) -> Self {
        UniformTextureLayout(
            device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries: &[
                    block_entry(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                    texture_entry(1, false),
                ],
            }),
        )
    }

    /// A pipeline drawing the full-screen triangle of `module` (its `vs_fullscreen`) with
    /// fragment entry point `fs` into `formats`, blending nothing, bound with this layout.
    pub(super) fn fullscreen_pipeline(
        &self,
        device: &wgpu::Device,
        label: &str,
        module: &wgpu::ShaderModule,
        fs: &str,
        formats: &[wgpu::TextureFormat],
    ) -> wgpu::RenderPipeline {
        let targets: Vec<_> = formats.iter().map(|f| color_target(*f, None)).collect();
        pipeline(
            device,
            PipelineDesc {
                label,
                layout: &self.0,
                vs: (module, "vs_fullscreen"),
                fs: (module, fs),
                targets: &targets,
            },
        )
    }

    /// A bind group reading `slot` of `uniforms` and `view`.
    pub(crate) fn bind_group(
        &self,
        device: &wgpu::Device,
        uniforms: &wgpu::Buffer,
        slot: Slot,
        view: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        new_bind_group(
            device,
            &wgpu::BindGroupDescriptor {
                label: Some("uniform + texture"),
                layout: &self.0,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: slot.binding(uniforms),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(view),
                    },
                ],
            },
        )
    }
}

/// A pass drawing one full-screen triangle into the composite format, reading a uniform block
/// and one texture (the background and the blur passes).
pub(crate) struct FullscreenPass {
    /// What its bind groups are made for.
    pub(crate) layout: UniformTextureLayout,
    pipeline: wgpu::RenderPipeline,
}

impl FullscreenPass {
    /// Builds the pipeline of fragment entry point `fs` of `wgsl` (common.wgsl prepended).
    pub(super) fn new(
        device: &wgpu::Device,
        label: &str,
        file: &str,
        wgsl: &str,
        fs: &str,
    ) -> FullscreenPass {
        let layout = UniformTextureLayout::new(device, label);
        let module = with_common(device, file, wgsl);
        let pipeline = layout.fullscreen_pipeline(device, label, &module, fs, &[COMPOSITE_FORMAT]);
        FullscreenPass { layout, pipeline }
    }

    /// Draws the full-screen triangle with `group`.
    pub(crate) fn draw(&self, pass: &mut wgpu::RenderPass<'_>, group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// What a render pipeline of one pass draws with.
pub(super) struct PipelineDesc<'a> {
    pub(super) label: &'a str,
    pub(super) layout: &'a wgpu::BindGroupLayout,
    /// The vertex stage: module and entry point.
    pub(super) vs: (&'a wgpu::ShaderModule, &'a str),
    /// The fragment stage: module and entry point.
    pub(super) fs: (&'a wgpu::ShaderModule, &'a str),
    pub(super) targets: &'a [Option<wgpu::ColorTargetState>],
}

/// A render pipeline with one bind group and no vertex buffers.
pub(super) fn pipeline(device: &wgpu::Device, desc: PipelineDesc<'_>) -> wgpu::RenderPipeline {
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(desc.label),
        bind_group_layouts: &[Some(desc.layout)],
        immediate_size: 0,
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(desc.label),
        layout: Some(&pl),
        vertex: wgpu::VertexState {
            module: desc.vs.0,
            entry_point: Some(desc.vs.1),
            compilation_options: Default::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: desc.fs.0,
            entry_point: Some(desc.fs.1),
            compilation_options: Default::default(),
            targets: desc.targets,
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// One colour target of `format`, written with `blend` (replaced when `None`).
pub(super) fn color_target(
    format: wgpu::TextureFormat,
    blend: Option<wgpu::BlendState>,
) -> Option<wgpu::ColorTargetState> {
    Some(wgpu::ColorTargetState {
        format,
        blend,
        write_mask: wgpu::ColorWrites::ALL,
    })
}

/// Blending `src · src_factor + dst · dst_factor`, the same for colour and alpha.
pub(super) fn blend(src: wgpu::BlendFactor, dst: wgpu::BlendFactor) -> Option<wgpu::BlendState> {
    let c = wgpu::BlendComponent {
        src_factor: src,
        dst_factor: dst,
        operation: wgpu::BlendOperation::Add,
    };
    Some(wgpu::BlendState { color: c, alpha: c })
}

/// A colour attachment cleared to transparent and stored.
pub(super) fn attachment(view: &wgpu::TextureView) -> Option<wgpu::RenderPassColorAttachment<'_>> {
    Some(wgpu::RenderPassColorAttachment {
        view,
        depth_slice: None,
        resolve_target: None,
        ops: wgpu::Operations {
            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
            store: wgpu::StoreOp::Store,
        },
    })
}

/// A render pass drawing into `views`, each cleared first.
pub(super) fn begin<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    label: &str,
    views: &[&wgpu::TextureView],
) -> wgpu::RenderPass<'e> {
    let attachments: Vec<_> = views.iter().map(|v| attachment(v)).collect();
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &attachments,
        ..Default::default()
    })
}

/// A 2D extent.
pub(super) fn extent(width: u32, height: u32) -> wgpu::Extent3d {
    wgpu::Extent3d {
        width,
        height,
        depth_or_array_layers: 1,
    }
}

/// A 2D texture with one mip level.
pub(super) fn new_texture(
    device: &wgpu::Device,
    label: &str,
    format: wgpu::TextureFormat,
    width: u32,
    height: u32,
    usage: wgpu::TextureUsages,
) -> wgpu::Texture {
    count(|c| c.textures += 1);
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: extent(width, height),
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage,
        view_formats: &[],
    })
}

/// Where one uniform block lies in the frame's uniform buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    offset: u64,
    size: u64,
}

impl Slot {
    /// The block as a buffer binding of `buffer`.
    pub(super) fn binding(self, buffer: &wgpu::Buffer) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset: self.offset,
            size: wgpu::BufferSize::new(self.size),
        })
    }
}

/// Collects uniform blocks into one buffer, each at an offset aligned for binding.
pub(super) struct UniformBytes {
    pub(super) bytes: Vec<u8>,
    align: usize,
}

impl UniformBytes {
    /// An empty buffer whose blocks start at multiples of `align`.
    pub(super) fn new(align: u64) -> Self {
        UniformBytes {
            bytes: Vec::with_capacity(8192),
            align: align as usize,
        }
    }

    /// Appends one block; returns where it lies.
    pub(super) fn push<T: bytemuck::Pod>(&mut self, block: &T) -> Slot {
        let at = self.bytes.len().next_multiple_of(self.align);
        self.bytes.resize(at, 0);
        self.bytes.extend_from_slice(bytemuck::bytes_of(block));
        Slot {
            offset: at as u64,
            size: std::mem::size_of::<T>() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The Rust uniform structs against the WGSL structs they mirror, as naga lays them out
    //! for a uniform buffer: same size, and every member at the same offset.

    use naga::proc::Layouter;

    /// Parses `source` and lays out its types.
    fn parse(source: &str) -> (naga::Module, Layouter) {
        let module = naga::front::wgsl::parse_str(source)
            .unwrap_or_else(|e| panic!("{}", e.emit_to_string(source)));
        let mut layouter = Layouter::default();
        layouter
            .update(module.to_ctx())
            .expect("the shader's types lay out");
        (module, layouter)
    }

    /// Asserts that `$rust` has the size and member offsets of the WGSL struct `$wgsl` in
    /// `$parsed`, whose members are exactly `$field`s, in this order.
    macro_rules! assert_layout {
        // The WGSL struct has the Rust struct's name.
        ($parsed:expr, $rust:ident, [$($field:ident),+ $(,)?]) => {{
            let wgsl_name = stringify!($rust);
            let (module, layouter): &(naga::Module, Layouter) = $parsed;
            let (handle, ty) = module
                .types
                .iter()
                .find(|(_, t)| t.name.as_deref() == Some(wgsl_name))
                .expect(concat!("struct ", stringify!($rust), " in the WGSL"));
            let naga::TypeInner::Struct { members, .. } = &ty.inner else {
                panic!(concat!(stringify!($rust), " is not a struct"));
            };
            let layout = &layouter[handle];
            // A uniform buffer binding covers the struct rounded up to its alignment.
            let size = layout.alignment.round_up(layout.size) as usize;
            assert_eq!(std::mem::size_of::<$rust>(), size, concat!("size of ", stringify!($rust)));
            let fields: &[(&str, usize)] =
                &[$((stringify!($field), std::mem::offset_of!($rust, $field))),+];
            let wgsl: Vec<(&str, usize)> = members
                .iter()
                .map(|m| (m.name.as_deref().unwrap_or("?"), m.offset as usize))
                .collect();
            assert_eq!(fields, wgsl.as_slice(), concat!("members of ", stringify!($rust)));
        }};
    }

    #[test]
    fn layer_and_sample() {
        use super::layer::{Layer, Sample};
        let parsed = parse(&super::common_source(super::layer::WGSL));
        assert_layout!(
            &parsed,
            Sample,
            [rect, src, inner, shadow_rect, radii, flags]
        );
        assert_layout!(
            &parsed,
            Layer,
            [
                bounds,
                target_size,
                chroma_bias,
                kind,
                alpha,
                n_samples,
                shape,
                m0,
                m1,
                m2,
                card,
                border_color,
                shadow_color,
                aux,
                samples,
            ]
        );
    }

    /// The single-block passes: background, blur and convert (convert.wgsl has its own vertex
    /// shader, so it is compiled alone).
    #[test]
    fn backdrop_blur_and_convert() {
        use super::{background::Backdrop, blur::Blur, convert::Convert};
        let backdrop = parse(&super::common_source(super::background::WGSL));
        assert_layout!(
            &backdrop,
            Backdrop,
            [colour, colour2, geom, target_size, kind, square]
        );
        let blur = parse(&super::common_source(super::blur::WGSL));
        assert_layout!(&blur, Blur, [direction, sigma, radius]);
        let convert = parse(super::convert::WGSL);
        assert_layout!(
            &convert,
            Convert,
            [m0, m1, m2, cosited_h, cosited_v, _pad0, _pad1]
        );
    }

    #[test]
    fn transition_frame() {
        use super::transition::PcFrame;
        // The frame block is declared by the wrapper every transition program is built in.
        let program = crate::transition::ShaderProgram::xfade(crate::transition::XfadeKind::Fade)
            .expect("the built-in fade compiles");
        let mut layouter = Layouter::default();
        layouter
            .update(program.module.to_ctx())
            .expect("the program's types lay out");
        let parsed = (program.module, layouter);
        assert_layout!(&parsed, PcFrame, [size, progress, ratio]);
    }
}
