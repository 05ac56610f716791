//! The crate's frame types built from the test reference's descriptions: the same scenes go to
//! the reference, the wgpu renderer and the CPU renderer.

#![allow(dead_code)]

use std::sync::Arc;

use gstparallelcompositor::compose::{
    Background, Crop, LayerParams, LayerSource, Operator, PixelFormat, Plane, Rect, YuvColorimetry,
    YuvMatrix,
};
use gstparallelcompositor::effects::{
    CardStyle, CornerShape, LayerGeometry, RgbaImage, Shadow, Zoom,
};

use crate::reference::effects::{Bg, EffectLayer, Geometry};
use crate::reference::{Image, Layer, Op};

pub fn format_of(name: &str) -> PixelFormat {
    match name {
        "I420" => PixelFormat::I420,
        "NV12" => PixelFormat::Nv12,
        "RGBA" => PixelFormat::Rgba,
        "BGRA" => PixelFormat::Bgra,
        "RGBx" => PixelFormat::Rgbx,
        "BGRx" => PixelFormat::Bgrx,
        other => panic!("{other}"),
    }
}

pub fn colorimetry(bt709: bool, full_range: bool, cosited_h: bool) -> YuvColorimetry {
    YuvColorimetry {
        matrix: if bt709 {
            YuvMatrix::Bt709
        } else {
            YuvMatrix::Bt601
        },
        full_range,
        chroma_cosited_h: cosited_h,
        chroma_cosited_v: false,
    }
}

/// `image` as a renderer input placed by `params`.
pub fn source(image: &Image, params: LayerParams) -> LayerSource<'_> {
    let format = format_of(image.format);
    LayerSource {
        format,
        width: image.width as u32,
        height: image.height as u32,
        planes: image
            .planes
            .iter()
            .enumerate()
            .map(|(i, data)| {
                let (w, _, bpp) = format.plane_size(i, image.width as u32, image.height as u32);
                Plane {
                    data,
                    stride: (w * bpp) as usize,
                }
            })
            .collect(),
        colorimetry: colorimetry(image.bt709, image.full_range, image.cosited_h),
        params,
    }
}

pub fn to_params(l: &Layer) -> LayerParams {
    LayerParams::placed(
        Rect {
            x: l.dst.0,
            y: l.dst.1,
            w: l.dst.2,
            h: l.dst.3,
        },
        Crop {
            left: l.crop.0,
            right: l.crop.1,
            top: l.crop.2,
            bottom: l.crop.3,
        },
        l.alpha,
        match l.op {
            Op::Over => Operator::Over,
            Op::Source => Operator::Source,
            Op::Add => Operator::Add,
        },
    )
}

pub fn geometry(g: &Geometry) -> LayerGeometry {
    LayerGeometry {
        dst: Rect {
            x: g.dst.0,
            y: g.dst.1,
            w: g.dst.2,
            h: g.dst.3,
        },
        crop: Crop {
            left: g.crop.0,
            right: g.crop.1,
            top: g.crop.2,
            bottom: g.crop.3,
        },
        zoom: Zoom {
            scale: g.zoom.0,
            centre: (g.zoom.1, g.zoom.2),
        },
    }
}

/// The renderer's parameters for a reference layer.
pub fn params(l: &EffectLayer) -> LayerParams {
    let now = geometry(&l.samples[l.samples.len() - 1]);
    let mut p = LayerParams::placed(
        now.dst,
        now.crop,
        l.alpha,
        match l.op {
            Op::Over => Operator::Over,
            Op::Source => Operator::Source,
            Op::Add => Operator::Add,
        },
    );
    p.zoom = now.zoom;
    p.motion = l.samples[..l.samples.len() - 1]
        .iter()
        .map(geometry)
        .collect();
    let c = &l.card;
    p.card = CardStyle {
        radius: c.radius,
        shape: if c.squircle {
            CornerShape::Squircle
        } else {
            CornerShape::Circular
        },
        border_width: c.border,
        border_color: c.border_color,
        shadow: c.shadow.as_ref().map_or(Shadow::default(), |s| Shadow {
            offset_x: s.dx,
            offset_y: s.dy,
            sigma: s.sigma,
            spread: s.spread,
            color: s.color,
        }),
        blur: c.blur,
    };
    p
}

pub fn background(bg: &Bg) -> Background {
    match bg {
        Bg::Solid(c) => Background::Solid(*c),
        Bg::Checker => Background::Checker,
        Bg::Gradient { from, to, angle } => Background::Gradient {
            from: *from,
            to: *to,
            angle: *angle,
        },
        Bg::Image {
            width,
            height,
            rgba,
        } => Background::Image(Arc::new(RgbaImage {
            width: *width as u32,
            height: *height as u32,
            data: rgba.clone(),
        })),
        Bg::Blurred(layer, sigma) => Background::Blurred {
            layer: *layer,
            sigma: *sigma,
        },
    }
}
