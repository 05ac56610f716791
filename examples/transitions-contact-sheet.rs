//! Renders every built-in transition (FFmpeg's xfade set) at progress 0.25, 0.5 and 0.75 into
//! one contact-sheet PNG, through the same wgpu renderer the element uses. Each block is labelled
//! with the transition's name; blocks run left to right, top to bottom, in the order of
//! `XfadeKind::ALL` (the README lists it).
//!
//!     cargo run --release --example transitions-contact-sheet -- docs/transitions.png

use gstparallelcompositor::compose::{
    Background, Crop, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat, Plane,
    PlaneMut, Rect, YuvColorimetry,
};
use gstparallelcompositor::gpu::{AdapterChoice, GpuContext, GpuRenderer};
use gstparallelcompositor::render::Renderer;
use gstparallelcompositor::transition::{TransitionDraw, TransitionKind, XfadeKind};

const CELL_W: u32 = 128;
const CELL_H: u32 = 72;
const GAP: u32 = 2;
const LABEL_H: u32 = 14;
const PER_ROW: u32 = 3;
const MARGIN: u32 = 8;
const PROGRESS: [f32; 3] = [0.25, 0.5, 0.75];

/// A 3×5 pixel font for the labels: five rows of three bits per lower-case letter.
const FONT: [[u8; 5]; 26] = [
    [2, 5, 7, 5, 5],
    [6, 5, 6, 5, 6],
    [3, 4, 4, 4, 3],
    [6, 5, 5, 5, 6],
    [7, 4, 6, 4, 7],
    [7, 4, 6, 4, 4],
    [3, 4, 5, 5, 3],
    [5, 5, 7, 5, 5],
    [7, 2, 2, 2, 7],
    [1, 1, 1, 5, 2],
    [5, 5, 6, 5, 5],
    [4, 4, 4, 4, 7],
    [5, 7, 7, 5, 5],
    [6, 5, 5, 5, 5],
    [2, 5, 5, 5, 2],
    [6, 5, 6, 4, 4],
    [2, 5, 5, 6, 3],
    [6, 5, 6, 5, 5],
    [3, 4, 2, 1, 6],
    [7, 2, 2, 2, 2],
    [5, 5, 5, 5, 7],
    [5, 5, 5, 5, 2],
    [5, 5, 7, 7, 5],
    [5, 5, 2, 5, 5],
    [5, 5, 2, 2, 2],
    [7, 1, 2, 4, 7],
];

/// The FROM picture: a warm diagonal gradient with a light disc.
fn picture_a(x: u32, y: u32) -> [u8; 4] {
    let (u, v) = (x as f32 / CELL_W as f32, y as f32 / CELL_H as f32);
    let d = ((u - 0.35) * (u - 0.35) * 3.2 + (v - 0.5) * (v - 0.5)).sqrt();
    if d < 0.28 {
        [250, 236, 200, 255]
    } else {
        [(220.0 - 60.0 * v) as u8, (90.0 + 80.0 * u) as u8, 60, 255]
    }
}

/// The TO picture: cool stripes.
fn picture_b(x: u32, y: u32) -> [u8; 4] {
    if ((x + y) / 12).is_multiple_of(2) {
        [40, 110, 200, 255]
    } else {
        [20, 50, 110, 255]
    }
}

fn image(f: fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
    (0..CELL_H)
        .flat_map(|y| (0..CELL_W).flat_map(move |x| f(x, y)))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/transitions.png".into());
    let ctx = GpuContext::new(AdapterChoice::Auto)?;
    let mut renderer = GpuRenderer::new(ctx);
    let (a, b) = (image(picture_a), image(picture_b));
    fn layer(data: &[u8]) -> LayerSource<'_> {
        LayerSource {
            format: PixelFormat::Rgba,
            width: CELL_W,
            height: CELL_H,
            planes: vec![Plane {
                data,
                stride: (CELL_W * 4) as usize,
            }],
            colorimetry: YuvColorimetry::default(),
            params: LayerParams::placed(
                Rect {
                    x: 0.0,
                    y: 0.0,
                    w: CELL_W as f64,
                    h: CELL_H as f64,
                },
                Crop::default(),
                1.0,
                Operator::Over,
            ),
        }
    }
    let layers = [layer(&a), layer(&b)];

    let block_w = 3 * CELL_W + 2 * GAP;
    let block_h = LABEL_H + CELL_H;
    let rows = (XfadeKind::ALL.len() as u32).div_ceil(PER_ROW);
    let width = 2 * MARGIN + PER_ROW * block_w + (PER_ROW - 1) * 3 * MARGIN;
    let height = 2 * MARGIN + rows * block_h + (rows - 1) * MARGIN;
    let mut sheet = vec![0u8; (width * height * 4) as usize];
    for px in sheet.chunks_exact_mut(4) {
        px.copy_from_slice(&[24, 24, 28, 255]);
    }
    let mut cell = vec![0u8; (CELL_W * CELL_H * 4) as usize];
    for (i, kind) in XfadeKind::ALL.into_iter().enumerate() {
        let (col, row) = (i as u32 % PER_ROW, i as u32 / PER_ROW);
        let x0 = MARGIN + col * (block_w + 3 * MARGIN);
        let y0 = MARGIN + row * (block_h + MARGIN);
        // The label: the name in the 3×5 font, doubled.
        for (k, ch) in kind.name().bytes().enumerate() {
            let Some(glyph) = ch.checked_sub(b'a').and_then(|g| FONT.get(g as usize)) else {
                continue;
            };
            for (gy, bits) in glyph.iter().enumerate() {
                for gx in 0..3u32 {
                    if bits >> (2 - gx) & 1 == 1 {
                        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                            let x = x0 + k as u32 * 8 + gx * 2 + dx;
                            let y = y0 + 1 + gy as u32 * 2 + dy;
                            let at = ((y * width + x) * 4) as usize;
                            sheet[at..at + 4].copy_from_slice(&[230, 230, 230, 255]);
                        }
                    }
                }
            }
        }
        for (j, progress) in PROGRESS.into_iter().enumerate() {
            let mut target = OutputTarget {
                format: PixelFormat::Rgba,
                width: CELL_W,
                height: CELL_H,
                planes: vec![PlaneMut {
                    data: &mut cell,
                    stride: (CELL_W * 4) as usize,
                }],
                colorimetry: YuvColorimetry::default(),
            };
            let draw = TransitionDraw {
                from: 0,
                to: 1,
                progress,
                kind: TransitionKind::Xfade(kind),
            };
            renderer.render_layers(
                &Background::Solid(0xff00_0000),
                &layers,
                &[draw],
                &mut target,
            )?;
            let cx = x0 + j as u32 * (CELL_W + GAP);
            let cy = y0 + LABEL_H;
            for y in 0..CELL_H {
                let src = (y * CELL_W * 4) as usize;
                let dst = (((cy + y) * width + cx) * 4) as usize;
                sheet[dst..dst + (CELL_W * 4) as usize]
                    .copy_from_slice(&cell[src..src + (CELL_W * 4) as usize]);
            }
        }
    }
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir)?;
    }
    image::save_buffer(&out, &sheet, width, height, image::ExtendedColorType::Rgba8)?;
    println!(
        "wrote {out}: {} transitions at progress {:?}",
        XfadeKind::ALL.len(),
        PROGRESS
    );
    Ok(())
}
