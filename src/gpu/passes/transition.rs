//! The transition pass: one pipeline per transition program (built-in xfade kinds and user
//! shaders), created on first use and shared by the workers of a context. Each draws two cards,
//! rendered alone beforehand, into the composite.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytemuck::{Pod, Zeroable};

use super::{
    blend, color_target, new_texture, pipeline, texture_entry, uniform_entry, PipelineDesc, Slot,
    COMMON_WGSL, COMPOSITE_FORMAT, HYBRID_FORMAT,
};
use crate::effects::RgbaImage;
use crate::gpu::GpuError;
use crate::transition::{ShaderProgram, TransitionKind, XfadeKind};

/// Which program a pipeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TransitionKey {
    Xfade(XfadeKind),
    Program(u64),
}

impl TransitionKey {
    fn of(kind: &TransitionKind) -> TransitionKey {
        match kind {
            TransitionKind::Xfade(k) => TransitionKey::Xfade(*k),
            TransitionKind::Shader(p) => TransitionKey::Program(p.id),
        }
    }
}

/// A transition's pipeline, its bind group layout and its fixed resources.
pub(crate) struct TransitionPipeline {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    /// The user uniform block (defaults and overrides applied), if the program has one.
    params: Option<wgpu::Buffer>,
    /// The program's images, bound from 5 on.
    images: Vec<wgpu::TextureView>,
    /// Whether the program may discard a pixel (else it writes every pixel it covers).
    discards: bool,
}

/// The frame block every transition program reads: `PcFrame` of the wrapper in
/// src/transition/shader.rs.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct PcFrame {
    /// Output size, pixels.
    pub(crate) size: [f32; 2],
    pub(crate) progress: f32,
    /// Width over height.
    pub(crate) ratio: f32,
}

impl PcFrame {
    /// The block of a transition at `progress` on a `width` × `height` frame.
    pub(crate) fn new(width: u32, height: u32, progress: f32) -> PcFrame {
        PcFrame {
            size: [width as f32, height as f32],
            progress: progress.clamp(0.0, 1.0),
            ratio: width as f32 / height as f32,
        }
    }
}

/// What every transition pipeline shares, and the pipelines built so far.
pub(crate) struct TransitionPass {
    /// `vs_fullscreen` alone: the fragment stage comes from the program.
    fullscreen: wgpu::ShaderModule,
    /// Linear, clamp-to-edge: transition shaders' user images and GLSL card reads.
    linear_sampler: wgpu::Sampler,
    /// Transition pipelines, built on first use; with blending (over the composite) or
    /// without (onto a cleared target: the hybrid route, where blending only costs time).
    pipelines: Mutex<HashMap<(TransitionKey, bool), Arc<TransitionPipeline>>>,
}

impl TransitionPass {
    /// The shared module and sampler; no pipeline is built yet.
    pub(crate) fn new(device: &wgpu::Device) -> TransitionPass {
        TransitionPass {
            fullscreen: device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("common.wgsl"),
                source: wgpu::ShaderSource::Wgsl(Cow::Borrowed(COMMON_WGSL)),
            }),
            linear_sampler: device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("linear"),
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                ..Default::default()
            }),
            pipelines: Mutex::new(HashMap::new()),
        }
    }

    /// The pipeline of `kind`, built the first time it is asked for: blending over the
    /// composite (`over`), or writing its result as is (onto a target cleared to transparent,
    /// where blending would give the same values).
    pub(crate) fn pipeline(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        kind: &TransitionKind,
        over: bool,
    ) -> Result<Arc<TransitionPipeline>, GpuError> {
        let key = (TransitionKey::of(kind), over);
        let mut cache = self
            .pipelines
            .lock()
            .map_err(|_| GpuError::Render("transition cache poisoned".into()))?;
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let built;
        let program: &ShaderProgram = match kind {
            TransitionKind::Xfade(k) => {
                built = ShaderProgram::xfade(*k)
                    .map_err(|e| GpuError::Render(format!("built-in transition: {e}")))?;
                &built
            }
            TransitionKind::Shader(p) => p,
        };
        let pipeline = Arc::new(self.build(device, queue, program, over));
        cache.insert(key, pipeline.clone());
        Ok(pipeline)
    }

    fn build(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        program: &ShaderProgram,
        blended: bool,
    ) -> TransitionPipeline {
        let has_params = !program.uniform_bytes.is_empty();
        let layout = bind_group_layout(device, has_params, program.images.len());
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&program.origin),
            source: wgpu::ShaderSource::Naga(Cow::Owned(program.module.clone())),
        });
        use wgpu::BlendFactor as F;
        let pipeline = pipeline(
            device,
            PipelineDesc {
                label: &program.origin,
                layout: &layout,
                vs: (&self.fullscreen, "vs_fullscreen"),
                fs: (&module, ShaderProgram::ENTRY),
                targets: &[color_target(
                    if blended {
                        COMPOSITE_FORMAT
                    } else {
                        HYBRID_FORMAT
                    },
                    blended
                        .then(|| blend(F::One, F::OneMinusSrcAlpha))
                        .flatten(),
                )],
            },
        );
        let params = has_params.then(|| {
            let buffer = super::new_buffer(
                device,
                "transition parameters",
                program.uniform_bytes.len() as u64,
                wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                false,
            );
            queue.write_buffer(&buffer, 0, &program.uniform_bytes);
            buffer
        });
        let images = program
            .images
            .iter()
            .map(|image| upload_image(device, queue, image))
            .collect();
        TransitionPipeline {
            pipeline,
            layout,
            params,
            images,
            discards: program.may_discard(),
        }
    }

    /// A bind group drawing `tp` with `slot` of `uniforms` and the two cards.
    pub(crate) fn bind_group(
        &self,
        device: &wgpu::Device,
        tp: &TransitionPipeline,
        uniforms: &wgpu::Buffer,
        slot: Slot,
        cards: &[wgpu::TextureView; 2],
    ) -> wgpu::BindGroup {
        let mut entries = vec![
            wgpu::BindGroupEntry {
                binding: 0,
                resource: slot.binding(uniforms),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::TextureView(&cards[0]),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: wgpu::BindingResource::TextureView(&cards[1]),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: wgpu::BindingResource::Sampler(&self.linear_sampler),
            },
        ];
        if let Some(params) = &tp.params {
            entries.push(wgpu::BindGroupEntry {
                binding: 4,
                resource: params.as_entire_binding(),
            });
        }
        for (k, view) in tp.images.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry {
                binding: 5 + k as u32,
                resource: wgpu::BindingResource::TextureView(view),
            });
        }
        super::new_bind_group(
            device,
            &wgpu::BindGroupDescriptor {
                label: Some("transition"),
                layout: &tp.layout,
                entries: &entries,
            },
        )
    }
}

impl TransitionPipeline {
    /// Whether drawing writes every pixel of the target (the full-screen triangle, a program
    /// that never discards): then the target need not be cleared first.
    pub(crate) fn writes_every_pixel(&self) -> bool {
        !self.discards
    }

    /// Draws the full-screen triangle with `group`.
    pub(crate) fn draw(&self, pass: &mut wgpu::RenderPass<'_>, group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// The layout of a program: the frame block, the two cards, the sampler, the user block when
/// there is one, then `images` textures.
fn bind_group_layout(
    device: &wgpu::Device,
    has_params: bool,
    images: usize,
) -> wgpu::BindGroupLayout {
    // Filterable: GLSL programs read the cards and their images through the linear sampler.
    let texture = |binding| texture_entry(binding, true);
    let uniform = |binding| uniform_entry(binding, wgpu::ShaderStages::FRAGMENT);
    let mut entries = vec![
        uniform(0),
        texture(1),
        texture(2),
        wgpu::BindGroupLayoutEntry {
            binding: 3,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
            count: None,
        },
    ];
    if has_params {
        entries.push(uniform(4));
    }
    for i in 0..images {
        entries.push(texture(5 + i as u32));
    }
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("transition"),
        entries: &entries,
    })
}

/// Uploads one of a program's images, flipped: they are sampled GL-style (row 0 at the bottom).
fn upload_image(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    image: &RgbaImage,
) -> wgpu::TextureView {
    let row = image.width as usize * 4;
    let mut flipped = Vec::with_capacity(image.data.len());
    for r in image.data.chunks_exact(row.max(1)).rev() {
        flipped.extend_from_slice(r);
    }
    let texture = new_texture(
        device,
        "transition image",
        wgpu::TextureFormat::Rgba8Unorm,
        image.width.max(1),
        image.height.max(1),
        wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
    );
    queue.write_texture(
        texture.as_image_copy(),
        &flipped,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(image.width * 4),
            rows_per_image: Some(image.height),
        },
        texture.size(),
    );
    texture.create_view(&Default::default())
}
