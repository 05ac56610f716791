//! The upload pass: copies each layer's planes, and the background image, into textures the
//! other passes sample. Textures are kept between frames and rebuilt only when a source's
//! format or size changes.

use std::sync::Arc;

use super::{extent, new_texture};
use crate::compose::{LayerSource, PixelFormat};
use crate::effects::RgbaImage;

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

    /// Copies `layer`'s planes in (a [`crate::compose::FramePlan`] has checked that each slice
    /// holds the rows its stride says).
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

impl Uploads {
    /// Uploads every layer's planes (a hidden layer may still be the blurred background).
    pub(crate) fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layers: &[LayerSource<'_>],
    ) {
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
            self.sources[i].write(queue, layer);
        }
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
