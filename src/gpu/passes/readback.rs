//! The readback pass: the composite and output plane textures, the staging buffer the planes
//! are copied into, and the copy from it into the caller's planes, row by row at their stride.

use std::sync::mpsc;

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
    staging: wgpu::Buffer,
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
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: offset,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Targets {
            key: (format, width, height),
            composite,
            planes,
            staging,
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

    /// Records the copy of every output plane into the staging buffer.
    pub(crate) fn record_copy(&self, encoder: &mut wgpu::CommandEncoder) {
        for plane in &self.planes {
            encoder.copy_texture_to_buffer(
                plane.texture.as_image_copy(),
                wgpu::TexelCopyBufferInfo {
                    buffer: &self.staging,
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

    /// Submits `commands`, asks for the staging buffer to be mapped and waits until the GPU
    /// has done the work; [`Targets::read`] then takes the mapped rows.
    pub(crate) fn submit(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        commands: wgpu::CommandBuffer,
    ) -> Result<Mapping, GpuError> {
        let submission = queue.submit([commands]);
        map_after(device, &self.staging, submission)
    }

    /// Copies the mapped planes into `output`'s, row by row at its strides, and unmaps.
    pub(crate) fn read(
        &self,
        mapping: Mapping,
        output: &mut OutputTarget<'_>,
    ) -> Result<(), GpuError> {
        mapping.wait()?;
        if output.planes.len() != self.planes.len() {
            return Err(GpuError::Render(format!(
                "{:?} output with {} planes",
                output.format,
                output.planes.len()
            )));
        }
        {
            let mapped = self
                .staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Render(format!("reading the readback: {e}")))?;
            for (plane, out) in self.planes.iter().zip(output.planes.iter_mut()) {
                let row = (plane.width * plane.bytes_per_pixel) as usize;
                for y in 0..plane.height as usize {
                    let src = plane.offset as usize + y * plane.padded_row as usize;
                    let dst = y * out.stride;
                    let Some(dst_row) = out.data.get_mut(dst..dst + row) else {
                        return Err(GpuError::Render(format!(
                            "output plane too small for row {y} (stride {})",
                            out.stride
                        )));
                    };
                    dst_row.copy_from_slice(&mapped[src..src + row]);
                }
            }
        }
        self.staging.unmap();
        Ok(())
    }
}

/// The pending map of the staging buffer.
pub(crate) struct Mapping(mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>);

impl Mapping {
    /// The mapping's outcome: the buffer is mapped, or why not.
    pub(crate) fn wait(self) -> Result<(), GpuError> {
        match self.0.recv() {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(GpuError::Render(format!("mapping the readback: {e}"))),
            Err(_) => Err(GpuError::Render("readback was never mapped".into())),
        }
    }
}

/// Asks for all of `staging` to be mapped for reading and waits until the GPU has done
/// `submission`; the returned mapping then says whether the map succeeded.
pub(crate) fn map_after(
    device: &wgpu::Device,
    staging: &wgpu::Buffer,
    submission: wgpu::SubmissionIndex,
) -> Result<Mapping, GpuError> {
    let (tx, rx) = mpsc::channel();
    staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    device
        .poll(wgpu::PollType::Wait {
            submission_index: Some(submission),
            timeout: None,
        })
        .map_err(|e| GpuError::Render(format!("waiting for the GPU: {e}")))?;
    Ok(Mapping(rx))
}
