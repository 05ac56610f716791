//! The readback pass: the composite and output plane textures, the copy of the planes into a
//! readback buffer of the staging ring, and the copy from it into the caller's planes, row by
//! row at their stride.

use super::staging::PlaneRows;
use super::{extent, new_texture, COMPOSITE_FORMAT};
use crate::compose::{OutputTarget, PixelFormat};
use crate::gpu::GpuError;

/// One output plane's texture and where its rows lie in the staging buffer.
struct OutputPlane {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    width: u32,
    height: u32,
    bytes_per_pixel: u32,
    /// Bytes per row in the staging buffer (wgpu copies whole aligned rows).
    padded_row: u32,
    offset: u64,
}

/// The render targets of one output format and size, kept between frames.
pub(crate) struct Targets {
    key: (PixelFormat, u32, u32),
    /// The premultiplied float composite.
    pub(crate) composite: wgpu::TextureView,
    planes: Vec<OutputPlane>,
}

impl Targets {
    /// Whether these are the targets of a `format` output of `width` × `height`.
    pub(crate) fn fits(&self, format: PixelFormat, width: u32, height: u32) -> bool {
        self.key == (format, width, height)
    }

    /// The targets of a `format` output of `width` × `height`.
    pub(crate) fn new(
        device: &wgpu::Device,
        format: PixelFormat,
        width: u32,
        height: u32,
    ) -> Targets {
        use wgpu::TextureFormat as T;
        let formats: Vec<T> = match format {
            PixelFormat::Rgba | PixelFormat::Rgbx => vec![T::Rgba8Unorm],
            PixelFormat::Bgra | PixelFormat::Bgrx => vec![T::Bgra8Unorm],
            PixelFormat::I420 => vec![T::R8Unorm, T::R8Unorm, T::R8Unorm],
            PixelFormat::Nv12 => vec![T::R8Unorm, T::Rg8Unorm],
        };
        let mut offset = 0u64;
        let planes = formats
            .into_iter()
            .enumerate()
            .map(|(i, tf)| {
                let (w, h, bpp) = format.plane_size(i, width, height);
                let texture = new_texture(
                    device,
                    "output plane",
                    tf,
                    w,
                    h,
                    // COPY_DST: the copy pass writes layers shown as they are.
                    wgpu::TextureUsages::RENDER_ATTACHMENT
                        | wgpu::TextureUsages::COPY_SRC
                        | wgpu::TextureUsages::COPY_DST,
                );
                let padded_row = (w * bpp).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
                let plane = OutputPlane {
                    view: texture.create_view(&Default::default()),
                    texture,
                    width: w,
                    height: h,
                    bytes_per_pixel: bpp,
                    padded_row,
                    offset,
                };
                offset += (padded_row as u64 * h as u64).next_multiple_of(256);
                plane
            })
            .collect();
        let composite = new_texture(
            device,
            "composite",
            COMPOSITE_FORMAT,
            width,
            height,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::TEXTURE_BINDING,
        )
        .create_view(&Default::default());
        Targets {
            key: (format, width, height),
            composite,
            planes,
        }
    }

    /// The output plane views, in plane order.
    pub(crate) fn plane_views(&self) -> Vec<&wgpu::TextureView> {
        self.planes.iter().map(|p| &p.view).collect()
    }

    /// The output plane textures, in plane order.
    pub(crate) fn plane_textures(&self) -> Vec<&wgpu::Texture> {
        self.planes.iter().map(|p| &p.texture).collect()
    }

    /// Bytes of a readback buffer holding every output plane.
    pub(crate) fn staging_size(&self) -> u64 {
        self.planes
            .iter()
            .map(|p| (p.padded_row as u64 * p.height as u64).next_multiple_of(256))
            .sum()
    }

    /// Where each output plane lies in a readback buffer.
    pub(crate) fn rows(&self) -> Vec<PlaneRows> {
        self.planes
            .iter()
            .map(|p| PlaneRows {
                offset: p.offset,
                padded_row: p.padded_row,
                row: p.width * p.bytes_per_pixel,
                rows: p.height,
            })
            .collect()
    }

    /// Records the copy of every output plane into `staging`.
    pub(crate) fn record_copy(&self, encoder: &mut wgpu::CommandEncoder, staging: &wgpu::Buffer) {
        for plane in &self.planes {
            encoder.copy_texture_to_buffer(
                plane.texture.as_image_copy(),
                wgpu::TexelCopyBufferInfo {
                    buffer: staging,
                    layout: wgpu::TexelCopyBufferLayout {
                        offset: plane.offset,
                        bytes_per_row: Some(plane.padded_row),
                        rows_per_image: Some(plane.height),
                    },
                },
                extent(plane.width, plane.height),
            );
        }
    }
}

/// Copies the planes laid out as `planes` in `mapped` into `output`'s, row by row at its
/// strides.
pub(crate) fn read_rows(
    mapped: &[u8],
    planes: &[PlaneRows],
    output: &mut OutputTarget<'_>,
) -> Result<(), GpuError> {
    if output.planes.len() != planes.len() {
        return Err(GpuError::Render(format!(
            "{:?} output with {} planes",
            output.format,
            output.planes.len()
        )));
    }
    for (plane, out) in planes.iter().zip(output.planes.iter_mut()) {
        let row = plane.row as usize;
        for y in 0..plane.rows as usize {
            let src = plane.offset as usize + y * plane.padded_row as usize;
            let dst = y * out.stride;
            let (Some(dst_row), Some(src_row)) =
                (out.data.get_mut(dst..dst + row), mapped.get(src..src + row))
            else {
                return Err(GpuError::Render(format!(
                    "output plane too small for row {y} (stride {})",
                    out.stride
                )));
            };
            dst_row.copy_from_slice(src_row);
        }
    }
    Ok(())
}
