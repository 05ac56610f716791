//! Loads and renders every gl-transitions GLSL file of a folder (the public collection's
//! `transitions/`, https://github.com/gl-transitions/gl-transitions) unmodified, at 64x48 on the
//! wgpu backend (lavapipe without a GPU), with its default uniforms and a generated picture for
//! each `sampler2D` uniform. Prints one line per file and `N/M loaded and rendered`; exits
//! non-zero if any failed.
//!
//!     cargo run --release --example gl-transitions-check -- path/to/gl-transitions/transitions

use std::sync::Arc;

use gstparallelcompositor::compose::{
    Background, Crop, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat, Plane,
    PlaneMut, Rect, YuvColorimetry,
};
use gstparallelcompositor::effects::RgbaImage;
use gstparallelcompositor::gpu::{AdapterChoice, GpuContext, GpuRenderer};
use gstparallelcompositor::render::Renderer;
use gstparallelcompositor::transition::{
    ParamValue, ShaderProgram, TransitionDraw, TransitionKind,
};

const W: u32 = 64;
const H: u32 = 48;

/// A `sampler2D` uniform's picture: a smooth diagonal ramp (what luma and displacement maps
/// look like).
fn ramp() -> Arc<RgbaImage> {
    let data = (0..W * H)
        .flat_map(|i| {
            let (x, y) = (i % W, i / W);
            let v = ((x + y) * 255 / (W + H)) as u8;
            [v, v, v, 255]
        })
        .collect();
    Arc::new(RgbaImage {
        width: W,
        height: H,
        data,
    })
}

/// The names of `source`'s `sampler2D` uniforms.
fn samplers(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("uniform sampler2D "))
        .filter_map(|rest| rest.split(';').next())
        .map(|n| n.trim().to_string())
        .collect()
}

fn render(ctx: &Arc<GpuContext>, program: Arc<ShaderProgram>) -> Result<Vec<u8>, String> {
    let pixels = |a: u8, b: u8| -> Vec<u8> {
        (0..W * H)
            .flat_map(|i| [a, ((i * 3) % 256) as u8, b, 255])
            .collect()
    };
    let (from, to) = (pixels(230, 20), pixels(20, 230));
    let layer = |data: &'static [u8]| LayerSource {
        format: PixelFormat::Rgba,
        width: W,
        height: H,
        planes: vec![Plane {
            data,
            stride: (W * 4) as usize,
        }],
        colorimetry: YuvColorimetry::default(),
        params: LayerParams::placed(
            Rect {
                x: 0.0,
                y: 0.0,
                w: W as f64,
                h: H as f64,
            },
            Crop::default(),
            1.0,
            Operator::Over,
        ),
    };
    let (from, to): (&'static [u8], &'static [u8]) = (from.leak(), to.leak());
    let mut out = vec![0u8; (W * H * 4) as usize];
    let mut target = OutputTarget {
        format: PixelFormat::Rgba,
        width: W,
        height: H,
        planes: vec![PlaneMut {
            data: &mut out,
            stride: (W * 4) as usize,
        }],
        colorimetry: YuvColorimetry::default(),
    };
    let draw = TransitionDraw {
        from: 0,
        to: 1,
        progress: 0.5,
        kind: TransitionKind::Shader(program),
    };
    GpuRenderer::new(ctx.clone())
        .render_layers(
            &Background::Solid(0xff00_0000),
            &[layer(from), layer(to)],
            &[draw],
            &mut target,
        )
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: gl-transitions-check TRANSITIONS_DIR")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "glsl"))
        .collect();
    files.sort();
    let ctx = GpuContext::new(AdapterChoice::Auto)?;
    let image = ramp();
    let load = move |_: &str| Ok(image.clone());
    let mut ok = 0;
    for path in &files {
        let name = path.display().to_string();
        let source = std::fs::read_to_string(path)?;
        let overrides: Vec<(String, ParamValue)> = samplers(&source)
            .into_iter()
            .map(|s| (s, ParamValue::Text("generated-ramp.png".into())))
            .collect();
        let result = ShaderProgram::glsl(&name, &source, &overrides, &load)
            .map_err(|e| e.to_string())
            .and_then(|program| {
                let program = Arc::new(program);
                ctx.prepare_transition(&TransitionKind::Shader(program.clone()))
                    .map_err(|e| e.to_string())?;
                render(&ctx, program)
            });
        match result {
            Ok(_) => {
                ok += 1;
                println!("ok    {name}");
            }
            Err(e) => println!("FAIL  {name}: {}", e.lines().next().unwrap_or_default()),
        }
    }
    println!("{ok}/{} loaded and rendered", files.len());
    if ok == files.len() {
        Ok(())
    } else {
        Err(format!("{} files failed", files.len() - ok).into())
    }
}
