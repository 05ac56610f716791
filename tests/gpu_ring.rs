//! The wgpu renderer's staging ring: frames submitted ahead of their readback come out
//! byte-identical to frames rendered one at a time, whatever the ring's depth, and a steady
//! stream creates no buffer, texture or bind group once the first frames have set up; a failed
//! readback is an error, in the renderer and on the element's bus, never a hang.

mod common;
mod gpu;
mod reference;
mod scene;

use gstparallelcompositor::compose::{
    Background, Crop, FramePlan, LayerParams, LayerSource, Operator, OutputTarget, PixelFormat,
    Plane, PlaneMut, Rect, YuvColorimetry,
};
use gstparallelcompositor::gpu::{created_on_this_thread, GpuRenderer};
use gstparallelcompositor::render::Renderer;

/// The fault hook is process-wide: the tests of this file take turns.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

const W: u32 = 96;
const H: u32 = 54;
const FRAMES: usize = 50;

/// Frame `n`'s input planes: an I420 picture whose content changes every frame (so that a
/// frame read back from another frame's slot, or uploaded from another frame's data, shows),
/// and an RGBA inset.
fn inputs(n: usize) -> (Vec<Vec<u8>>, Vec<u8>) {
    let (w, h) = (W as usize, H as usize);
    let y = (0..w * h)
        .map(|i| ((i % w) * 2 + (i / w) + n * 7) as u8)
        .collect();
    let chroma = |k: usize| {
        (0..w.div_ceil(2) * h.div_ceil(2))
            .map(|i| (i * k + n * 13) as u8)
            .collect()
    };
    let rgba = (0..33 * 21 * 4).map(|i| (i * 3 + n * 5) as u8).collect();
    (vec![y, chroma(3), chroma(5)], rgba)
}

/// Frame `n`: the I420 picture full frame, the inset moving and fading over it.
fn plan_layers<'a>(n: usize, yuv: &'a [Vec<u8>], rgba: &'a [u8]) -> Vec<LayerSource<'a>> {
    let place = |x: f64, y: f64, w: f64, h: f64, alpha: f64| {
        LayerParams::placed(Rect { x, y, w, h }, Crop::default(), alpha, Operator::Over)
    };
    let strides = [W as usize, W.div_ceil(2) as usize, W.div_ceil(2) as usize];
    let picture = LayerSource {
        format: PixelFormat::I420,
        width: W,
        height: H,
        planes: yuv
            .iter()
            .zip(strides)
            .map(|(data, stride)| Plane { data, stride })
            .collect(),
        colorimetry: YuvColorimetry::default(),
        params: place(0.0, 0.0, W as f64, H as f64, 1.0),
    };
    let t = n as f64 / FRAMES as f64;
    let inset = LayerSource {
        format: PixelFormat::Rgba,
        width: 33,
        height: 21,
        planes: vec![Plane {
            data: rgba,
            stride: 33 * 4,
        }],
        colorimetry: YuvColorimetry::default(),
        params: place(
            3.0 + 50.0 * t,
            2.5 + 20.0 * t,
            40.0 - 10.0 * t,
            25.0,
            1.0 - 0.5 * t,
        ),
    };
    vec![picture, inset]
}

/// An I420 output frame, its planes with padded strides.
struct Output {
    planes: Vec<(Vec<u8>, usize)>,
}

impl Output {
    fn new() -> Output {
        let (cw, ch) = (W.div_ceil(2) as usize, H.div_ceil(2) as usize);
        let (ys, cs) = (W as usize + 7, cw + 3);
        Output {
            planes: vec![
                (vec![0; ys * H as usize], ys),
                (vec![0; cs * ch], cs),
                (vec![0; cs * ch], cs),
            ],
        }
    }

    fn target(&mut self) -> OutputTarget<'_> {
        OutputTarget {
            format: PixelFormat::I420,
            width: W,
            height: H,
            planes: self
                .planes
                .iter_mut()
                .map(|(data, stride)| PlaneMut {
                    data,
                    stride: *stride,
                })
                .collect(),
            colorimetry: YuvColorimetry::default(),
        }
    }
}

/// Renders the `FRAMES` frames with a renderer of `depth` slots, submitting up to `depth`
/// frames before reading back the oldest. Returns each frame's output, and what was created
/// after the first `depth` frames.
fn run(depth: usize) -> (Vec<Output>, gstparallelcompositor::gpu::Created) {
    let mut renderer = GpuRenderer::with_depth(gpu::context(), depth);
    assert_eq!(renderer.depth(), depth);
    let mut outputs: Vec<Output> = (0..FRAMES).map(|_| Output::new()).collect();
    let mut pending = std::collections::VecDeque::new();
    let mut warm = None;
    for n in 0..FRAMES {
        if n == depth {
            warm = Some(created_on_this_thread());
        }
        if pending.len() == depth {
            let (k, submitted) = pending.pop_front().expect("a frame in flight");
            let out: &mut Output = &mut outputs[k];
            if let Err(e) = renderer.finish(submitted, &mut out.target()) {
                panic!("depth {depth}: frame {k}: {e}");
            }
        }
        let (yuv, rgba) = inputs(n);
        let layers = plan_layers(n, &yuv, &rgba);
        let mut target = outputs[n].target();
        let plan = FramePlan::new(Background::Checker, layers, Vec::new(), &target)
            .expect("a valid frame");
        match renderer.submit(&plan, &mut target) {
            Ok(s) => pending.push_back((n, s)),
            Err(e) => panic!("depth {depth}: frame {n}: {e}"),
        }
        // The inputs are dropped here, before their frame is read back: submit took them.
    }
    while let Some((k, submitted)) = pending.pop_front() {
        if let Err(e) = renderer.finish(submitted, &mut outputs[k].target()) {
            panic!("depth {depth}: frame {k}: {e}");
        }
    }
    let after = created_on_this_thread();
    let warm = warm.expect("more frames than slots");
    let steady = gstparallelcompositor::gpu::Created {
        buffers: after.buffers - warm.buffers,
        textures: after.textures - warm.textures,
        bind_groups: after.bind_groups - warm.bind_groups,
    };
    (outputs, steady)
}

#[test]
fn frames_in_flight_change_no_byte_and_create_nothing_once_warm() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // One at a time through `render`: the reference.
    let mut single = GpuRenderer::new(gpu::context());
    let reference: Vec<Output> = (0..FRAMES)
        .map(|n| {
            let mut out = Output::new();
            let (yuv, rgba) = inputs(n);
            let layers = plan_layers(n, &yuv, &rgba);
            let mut target = out.target();
            if let Err(e) = single.render_layers(&Background::Checker, &layers, &[], &mut target) {
                panic!("frame {n}: {e}");
            }
            drop(target);
            out
        })
        .collect();
    // The frames differ from each other (the content and the inset move).
    assert!(reference
        .windows(2)
        .all(|w| w[0].planes[0].0 != w[1].planes[0].0));
    for depth in [1, 4, 8] {
        let (outputs, steady) = run(depth);
        for (n, (got, want)) in outputs.iter().zip(&reference).enumerate() {
            for p in 0..3 {
                assert!(
                    got.planes[p].0 == want.planes[p].0,
                    "depth {depth}: frame {n} plane {p} differs from one frame at a time"
                );
            }
        }
        assert_eq!(
            steady,
            Default::default(),
            "depth {depth}: resources created after the first {depth} frames"
        );
    }
}

#[test]
fn a_failed_readback_map_is_an_error_and_the_ring_recovers() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut renderer = GpuRenderer::with_depth(gpu::context(), 2);
    let render = |renderer: &mut GpuRenderer, n: usize| {
        let mut out = Output::new();
        let (yuv, rgba) = inputs(n);
        let layers = plan_layers(n, &yuv, &rgba);
        let result = renderer
            .render_layers(&Background::Checker, &layers, &[], &mut out.target())
            .map(|_| ());
        (result, out)
    };
    let (first, _) = render(&mut renderer, 0);
    first.expect("a frame renders");
    gstparallelcompositor::gpu::fault::fail_next_readback();
    let (failed, _) = render(&mut renderer, 1);
    let e = failed.expect_err("the readback's map fails");
    assert!(e.to_string().contains("mapping the readback"), "{e}");
    // The slot's buffers are made anew: later frames render, and as one at a time would.
    let (again, out) = render(&mut renderer, 2);
    again.expect("a frame renders after the failure");
    let (_, want) = render(&mut GpuRenderer::new(gpu::context()), 2);
    assert!(out.planes == want.planes, "the frame after a failure");
}

#[test]
fn a_failed_readback_mid_stream_is_an_element_error_not_a_hang() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let pipeline = common::launch(
        "parallelcompositor name=pc adapter=wgpu workers=2 max-frames-in-flight=6 \
         ! video/x-raw,format=I420 ! appsink name=sink sync=false \
         videotestsrc num-buffers=60 ! video/x-raw,width=64,height=48,framerate=30/1 ! pc.sink_0",
    );
    let sink: gst_app::AppSink = common::by_name(&pipeline, "sink");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_cb = seen.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let mut seen = seen_cb.lock().expect("lock");
                seen.push(sample.buffer().and_then(|b| b.pts()));
                // Frames 5.. are in flight in the ring now: one of their maps fails.
                if seen.len() == 5 {
                    gstparallelcompositor::gpu::fault::fail_next_readback();
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    let started = std::time::Instant::now();
    let err = common::play_to_end(&pipeline, 60).expect_err("an error");
    assert!(
        // Mapping fails, or, when another worker's poll completed the map first, reading it.
        err.contains("could not be rendered") && err.contains("the readback"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 30, "the error came at once");
    let pts = seen.lock().expect("lock").clone();
    assert!(
        pts.len() >= 5 && pts.len() < 60,
        "{} frames came out",
        pts.len()
    );
    let expected: Vec<_> = (0..pts.len() as u64)
        .map(|i| Some(common::frame_time(i)))
        .collect();
    assert_eq!(pts, expected, "the frames before the failed one, in order");
}
