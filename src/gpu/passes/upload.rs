//! The upload pass: copies each layer's planes, and the background image, into textures the
//! other passes sample: through a mapped buffer of the staging ring (the default) or
//! `Queue::write_texture`. Textures are kept between frames and rebuilt only when a source's
//! format or size changes.

use std::sync::Arc;

use super::{extent, new_texture};
use crate::compose::{LayerSource, PixelFormat};
use crate::effects::RgbaImage;
use crate::gpu::GpuError;

/// The texture format of plane `plane` of a `format` source.
fn texture_format(format: PixelFormat, plane: usize) -> wgpu::TextureFormat {
    use wgpu::TextureFormat as T;
    match (format, plane) {
        (PixelFormat::I420, _) | (PixelFormat::Nv12, 0) => T::R8Unorm,
        (PixelFormat::Nv12, _) => T::Rg8Unorm,
        (PixelFormat::Rgba | PixelFormat::Rgbx, _) => T::Rgba8Unorm,
        (PixelFormat::Bgra | PixelFormat::Bgrx, _) => T::Bgra8Unorm,
    }
}

/// One layer's plane textures.
struct SourceTextures {
    key: (PixelFormat, u32, u32),
    textures: Vec<wgpu::Texture>,
    views: Vec<wgpu::TextureView>,
}

impl SourceTextures {
    fn new(device: &wgpu::Device, layer: &LayerSource<'_>) -> SourceTextures {
        let textures: Vec<wgpu::Texture> = (0..layer.format.n_planes())
            .map(|plane| {
                let (w, h, _) = layer.format.plane_size(plane, layer.width, layer.height);
                new_texture(
                    device,
                    "input plane",
                    texture_format(layer.format, plane),
                    w,
                    h,
                    // COPY_SRC: the copy pass reads layers shown as they are.
                    wgpu::TextureUsages::TEXTURE_BINDING
                        | wgpu::TextureUsages::COPY_DST
                        | wgpu::TextureUsages::COPY_SRC,
                )
            })
            .collect();
        let views = textures
            .iter()
            .map(|t| t.create_view(&Default::default()))
            .collect();
        SourceTextures {
            key: (layer.format, layer.width, layer.height),
            textures,
            views,
        }
    }

    /// Copies `layer`'s planes in through the queue (a [`crate::compose::FramePlan`] has
    /// checked that each slice holds the rows its stride says).
    fn write(&self, queue: &wgpu::Queue, layer: &LayerSource<'_>) {
        for (plane, (texture, data)) in self.textures.iter().zip(&layer.planes).enumerate() {
            let (w, h, bpp) = layer.format.plane_size(plane, layer.width, layer.height);
            let needed = data.stride * (h as usize - 1) + (w * bpp) as usize;
            queue.write_texture(
                texture.as_image_copy(),
                &data.data[..needed],
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(data.stride as u32),
                    rows_per_image: Some(h),
                },
                extent(w, h),
            );
        }
    }
}

/// One worker's uploaded sources: each layer's planes and the background image.
#[derive(Default)]
pub(crate) struct Uploads {
    sources: Vec<SourceTextures>,
    /// The background image as uploaded.
    image: Option<(Arc<RgbaImage>, wgpu::TextureView)>,
}

/// Each plane of `layers` in an upload buffer: (layer, plane, offset, padded row bytes), and
/// the bytes they take. Rows are padded to 256 bytes, as buffer-to-texture copies need.
fn staged_layout(layers: &[LayerSource<'_>]) -> (Vec<(usize, usize, u64, u32)>, u64) {
    let mut at = 0u64;
    let mut planes = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        for p in 0..layer.format.n_planes() {
            let (w, h, bpp) = layer.format.plane_size(p, layer.width, layer.height);
            let padded = (w * bpp).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
            planes.push((i, p, at, padded));
            at += (padded as u64 * h as u64).next_multiple_of(256);
        }
    }
    (planes, at)
}

impl Uploads {
    /// Makes sure every layer has textures of its format and size.
    pub(crate) fn prepare(&mut self, device: &wgpu::Device, layers: &[LayerSource<'_>]) {
        for (i, layer) in layers.iter().enumerate() {
            let key = (layer.format, layer.width, layer.height);
            if self.sources.get(i).is_none_or(|s| s.key != key) {
                let entry = SourceTextures::new(device, layer);
                if i < self.sources.len() {
                    self.sources[i] = entry;
                } else {
                    self.sources.push(entry);
                }
            }
        }
    }

    /// Uploads every layer's planes through `Queue::write_texture` (a hidden layer may still
    /// be the blurred background).
    pub(crate) fn write(&self, queue: &wgpu::Queue, layers: &[LayerSource<'_>]) {
        for (source, layer) in self.sources.iter().zip(layers) {
            source.write(queue, layer);
        }
    }

    /// Bytes [`Uploads::stage`] needs in its buffer for `layers`.
    pub(crate) fn staged_size(layers: &[LayerSource<'_>]) -> u64 {
        staged_layout(layers).1
    }

    /// Uploads every layer's planes through `staging`, mapped for writing and at least
    /// [`Uploads::staged_size`] bytes: copies the rows in, unmaps it and records the copies
    /// into the textures on `encoder`.
    pub(crate) fn stage(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        layers: &[LayerSource<'_>],
        staging: &wgpu::Buffer,
    ) -> Result<(), GpuError> {
        let (planes, size) = staged_layout(layers);
        if size == 0 {
            return Ok(());
        }
        {
            let mut mapped = staging
                .slice(..size)
                .get_mapped_range_mut()
                .map_err(|e| GpuError::Render(format!("writing the upload: {e}")))?;
            for &(i, p, offset, padded) in &planes {
                let layer = &layers[i];
                let (w, h, bpp) = layer.format.plane_size(p, layer.width, layer.height);
                let (row, data) = ((w * bpp) as usize, &layer.planes[p]);
                for y in 0..h as usize {
                    let dst = offset as usize + y * padded as usize;
                    let src = y * data.stride;
                    // A FramePlan has checked that each slice holds the rows its stride says.
                    let Some(s) = data.data.get(src..src + row) else {
                        return Err(GpuError::Render(format!(
                            "layer {i} plane {p} row {y} lies outside its buffer"
                        )));
                    };
                    // Inside: the layout gave this plane `padded` ≥ `row` bytes a row.
                    mapped.slice(dst..dst + row).copy_from_slice(s);
                }
            }
        }
        staging.unmap();
        for &(i, p, offset, padded) in &planes {
            let layer = &layers[i];
            let (w, h, _) = layer.format.plane_size(p, layer.width, layer.height);
            let Some(texture) = self.sources.get(i).and_then(|s| s.textures.get(p)) else {
                return Err(GpuError::Render(format!("no texture for layer {i}")));
            };
            encoder.copy_buffer_to_texture(
                wgpu::TexelCopyBufferInfo {
                    buffer: staging,
                    layout: wgpu::TexelCopyBufferLayout {
                        offset,
                        bytes_per_row: Some(padded),
                        rows_per_image: Some(h),
                    },
                },
                texture.as_image_copy(),
                extent(w, h),
            );
        }
        Ok(())
    }

    /// The plane views of layer `index` as last uploaded (empty if it never was).
    pub(crate) fn views(&self, index: usize) -> &[wgpu::TextureView] {
        self.sources.get(index).map_or(&[], |s| &s.views)
    }

    /// The plane textures of layer `index` as last uploaded (empty if it never was).
    pub(crate) fn textures(&self, index: usize) -> &[wgpu::Texture] {
        self.sources.get(index).map_or(&[], |s| &s.textures)
    }

    /// A view of `image`, uploaded unless it is the one uploaded last.
    pub(crate) fn image_view(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        image: &Arc<RgbaImage>,
    ) -> wgpu::TextureView {
        if let Some((held, view)) = &self.image {
            if Arc::ptr_eq(held, image) {
                return view.clone();
            }
        }
        let texture = new_texture(
            device,
            "background image",
            wgpu::TextureFormat::Rgba8Unorm,
            image.width,
            image.height,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        );
        queue.write_texture(
            texture.as_image_copy(),
            &image.data,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(image.width * 4),
                rows_per_image: Some(image.height),
            },
            extent(image.width, image.height),
        );
        let view = texture.create_view(&Default::default());
        self.image = Some((image.clone(), view.clone()));
        view
    }
}
