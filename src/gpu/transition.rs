//! Transition pipelines: one per transition program (built-in xfade kinds and user shaders),
//! created on first use and shared by the workers of a context.

use std::borrow::Cow;
use std::sync::Arc;

use super::context::{texture_entry, uniform_entry, GpuContext, COMPOSITE_FORMAT};
use super::GpuError;
use crate::transition::{ShaderProgram, TransitionKind, XfadeKind};

/// Which program a pipeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum TransitionKey {
    Xfade(XfadeKind),
    Program(u64),
}

impl TransitionKey {
    pub(super) fn of(kind: &TransitionKind) -> TransitionKey {
        match kind {
            TransitionKind::Xfade(k) => TransitionKey::Xfade(*k),
            TransitionKind::Shader(p) => TransitionKey::Program(p.id),
        }
    }
}

/// A transition's pipeline, its bind group layout and its fixed resources.
pub(super) struct TransitionPipeline {
    pub pipeline: wgpu::RenderPipeline,
    pub layout: wgpu::BindGroupLayout,
    /// The user uniform block (defaults and overrides applied), if the program has one.
    pub params: Option<wgpu::Buffer>,
    /// The program's images, bound from 5 on.
    pub images: Vec<wgpu::TextureView>,
}

/// Size of the frame uniform: size, progress, ratio.
pub(super) const FRAME_UNIFORM_SIZE: u64 = 16;

impl GpuContext {
    /// The pipeline of `kind`, built the first time it is asked for.
    pub(super) fn transition_pipeline(
        &self,
        kind: &TransitionKind,
    ) -> Result<Arc<TransitionPipeline>, GpuError> {
        let key = TransitionKey::of(kind);
        let mut cache = self
            .transitions
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
        let pipeline = Arc::new(self.build_transition(program));
        cache.insert(key, pipeline.clone());
        Ok(pipeline)
    }

    fn build_transition(&self, program: &ShaderProgram) -> TransitionPipeline {
        let device = &self.device;
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
        let has_params = !program.uniform_bytes.is_empty();
        if has_params {
            entries.push(uniform(4));
        }
        for i in 0..program.images.len() {
            entries.push(texture(5 + i as u32));
        }
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("transition"),
            entries: &entries,
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("transition"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(&program.origin),
            source: wgpu::ShaderSource::Naga(Cow::Owned(program.module.clone())),
        });
        let over = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
            operation: wgpu::BlendOperation::Add,
        };
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some(&program.origin),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &self.fullscreen,
                entry_point: Some("vs_fullscreen"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some(ShaderProgram::ENTRY),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: COMPOSITE_FORMAT,
                    blend: Some(wgpu::BlendState {
                        color: over,
                        alpha: over,
                    }),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        let params = has_params.then(|| {
            let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("transition parameters"),
                size: program.uniform_bytes.len() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            self.queue.write_buffer(&buffer, 0, &program.uniform_bytes);
            buffer
        });
        // Images are sampled GL-style (row 0 at the bottom): upload them flipped.
        let images = program
            .images
            .iter()
            .map(|image| {
                let row = image.width as usize * 4;
                let mut flipped = Vec::with_capacity(image.data.len());
                for r in image.data.chunks_exact(row.max(1)).rev() {
                    flipped.extend_from_slice(r);
                }
                let texture = device.create_texture(&wgpu::TextureDescriptor {
                    label: Some("transition image"),
                    size: wgpu::Extent3d {
                        width: image.width.max(1),
                        height: image.height.max(1),
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: wgpu::TextureFormat::Rgba8Unorm,
                    usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                    view_formats: &[],
                });
                self.queue.write_texture(
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
            })
            .collect();
        TransitionPipeline {
            pipeline,
            layout,
            params,
            images,
        }
    }
}
