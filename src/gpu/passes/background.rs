//! The background pass (background.wgsl): fills the composite with a colour, the checkerboard,
//! a gradient, or a picture (an image, or a layer's blurred reduced copy).

use bytemuck::{Pod, Zeroable};

pub(crate) use super::FullscreenPass;
use crate::compose::Background;
use crate::effects::{cover, gradient_line, premultiplied};

/// The shader text (compiled with common.wgsl prepended).
pub(crate) const WGSL: &str = include_str!("../shaders/background.wgsl");

/// The WGSL `Backdrop` block.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub(crate) struct Backdrop {
    /// Solid: the premultiplied colour. Checker: the two greys. Gradient: start colour.
    pub(crate) colour: [f32; 4],
    /// Gradient: end colour (premultiplied).
    pub(crate) colour2: [f32; 4],
    /// Gradient: direction .xy and length .z. Texture: texel = (position − .xy) · .z.
    pub(crate) geom: [f32; 4],
    pub(crate) target_size: [f32; 2],
    /// The case of the switch in fs_background.
    pub(crate) kind: u32,
    /// Checker square size, pixels.
    pub(crate) square: f32,
}

/// What the background pass samples, when it samples a texture.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BackdropPicture {
    /// None.
    None,
    /// A straight-alpha image of this size, covering the frame.
    Image(u32, u32),
    /// A premultiplied copy reduced by this factor.
    Reduced(u32),
}

impl Backdrop {
    /// The block drawing `background` (its texture being `picture`) on a `target`-sized frame.
    pub(crate) fn new(
        background: &Background,
        picture: BackdropPicture,
        target: (u32, u32),
    ) -> Backdrop {
        let (w, h) = (target.0 as f64, target.1 as f64);
        // `kind` is the case of the switch in fs_background.
        let (kind, colour, colour2, geom) = match (background, picture) {
            (Background::Solid(argb), _) => (0u32, premultiplied(*argb), [0.0; 4], [0.0; 4]),
            (Background::Checker, _) => {
                let g = crate::compose::CHECKER_GREYS.map(|g| g as f32 / 255.0);
                (1, [g[0], g[1], 0.0, 0.0], [0.0; 4], [0.0; 4])
            }
            (Background::Gradient { from, to, angle }, _) => {
                let ((dx, dy), len) = gradient_line(*angle, w, h);
                (
                    2,
                    premultiplied(*from),
                    premultiplied(*to),
                    [dx as f32, dy as f32, len as f32, 0.0],
                )
            }
            (_, BackdropPicture::Image(iw, ih)) => {
                let (x, y, s) = cover(iw as f64, ih as f64, w, h);
                let geom = [x as f32, y as f32, (1.0 / s) as f32, 0.0];
                (3, [0.0; 4], [0.0; 4], geom)
            }
            (_, BackdropPicture::Reduced(factor)) => {
                (4, [0.0; 4], [0.0; 4], [0.0, 0.0, 1.0 / factor as f32, 0.0])
            }
            (_, BackdropPicture::None) => (0, [0.0; 4], [0.0; 4], [0.0; 4]),
        };
        Backdrop {
            colour,
            colour2,
            geom,
            target_size: [w as f32, h as f32],
            kind,
            square: crate::compose::CHECKER_SIZE as f32,
        }
    }
}

/// The background pass's pipeline on `device`: a full-screen pass over `background.wgsl`.
pub(crate) fn pass(device: &wgpu::Device) -> FullscreenPass {
    FullscreenPass::new(device, "backdrop", "background.wgsl", WGSL, "fs_background")
}
