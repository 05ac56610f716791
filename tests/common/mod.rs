//! Helpers shared by the parallelcompositor element tests.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst_video::prelude::*;

pub fn init() {
    use std::sync::Once;
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        gst::init().expect("GStreamer initialises");
        gstparallelcompositor::plugin_register_static().expect("plugin registers");
    });
}

pub fn launch(desc: &str) -> gst::Pipeline {
    init();
    match gst::parse::launch(desc) {
        Ok(p) => p.downcast::<gst::Pipeline>().expect("a pipeline"),
        Err(e) => panic!("pipeline {desc:?} does not parse: {e}"),
    }
}

pub fn by_name<T: IsA<gst::Element>>(pipeline: &gst::Pipeline, name: &str) -> T {
    pipeline
        .by_name(name)
        .unwrap_or_else(|| panic!("no element {name}"))
        .downcast::<T>()
        .unwrap_or_else(|_| panic!("{name} has another type"))
}

/// Collects every sample an appsink receives.
pub fn collect(sink: &gst_app::AppSink) -> Arc<Mutex<Vec<gst::Sample>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_cb = seen.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                seen_cb.lock().expect("lock").push(sample);
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    seen
}

/// Plays until EOS or an error (`Err` with its text) within `secs`.
pub fn play_to_end(pipeline: &gst::Pipeline, secs: u64) -> Result<(), String> {
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| format!("state change: {e}"))?;
    let bus = pipeline.bus().expect("pipeline bus");
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(secs),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    let result = match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => Ok(()),
        Some(gst::MessageView::Error(err)) => Err(format!("{} ({:?})", err.error(), err.debug())),
        _ => Err(format!("no EOS within {secs} s")),
    };
    pipeline
        .set_state(gst::State::Null)
        .expect("pipeline stops");
    result
}

/// Waits for EOS on a playing pipeline (panics on an error or after `secs`), then stops it.
#[track_caller]
pub fn wait_eos(pipeline: &gst::Pipeline, secs: u64) {
    let bus = pipeline.bus().expect("pipeline bus");
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(secs),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .unwrap_or_else(|| panic!("no EOS within {secs} s"));
    pipeline
        .set_state(gst::State::Null)
        .expect("pipeline stops");
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{msg:?}");
}

/// Runs `desc`, which ends in an appsink named `sink`, to EOS and returns its samples.
pub fn run(desc: &str) -> Vec<gst::Sample> {
    let pipeline = launch(desc);
    let seen = collect(&by_name(&pipeline, "sink"));
    if let Err(e) = play_to_end(&pipeline, 120) {
        panic!("{desc}: {e}");
    }
    let v = seen.lock().expect("lock").clone();
    v
}

/// The planes of a sample, tightly packed (row padding dropped).
pub fn planes(sample: &gst::Sample) -> (gst_video::VideoInfo, Vec<Vec<u8>>) {
    let caps = sample.caps().expect("sample caps");
    let info = gst_video::VideoInfo::from_caps(caps).expect("video caps");
    let buffer = sample.buffer().expect("sample buffer");
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).expect("maps");
    let planes = (0..info.n_planes())
        .map(|p| {
            let data = frame.plane_data(p).expect("plane");
            let stride = frame.plane_stride()[p as usize] as usize;
            let fmt = info.format_info();
            let w = fmt.scale_width(p as u8, info.width()) as usize
                * fmt.pixel_stride()[p as usize] as usize;
            let h = fmt.scale_height(p as u8, info.height()) as usize;
            (0..h)
                .flat_map(|y| data[y * stride..y * stride + w].to_vec())
                .collect()
        })
        .collect();
    (info, planes)
}

/// A buffer holding `planes` (tightly packed) with `pad` extra bytes per row and a leading
/// offset, described by a GstVideoMeta: what a decoder with aligned strides hands over.
pub fn buffer_with_meta(
    format: gst_video::VideoFormat,
    width: u32,
    height: u32,
    planes: &[Vec<u8>],
    pad: usize,
) -> gst::Buffer {
    let info = gst_video::VideoInfo::builder(format, width, height)
        .build()
        .expect("info");
    let fmt = info.format_info();
    let mut data = vec![0xabu8; 16];
    let mut offsets = Vec::new();
    let mut strides = Vec::new();
    for (p, plane) in planes.iter().enumerate() {
        let row = fmt.scale_width(p as u8, width) as usize * fmt.pixel_stride()[p] as usize;
        let h = fmt.scale_height(p as u8, height) as usize;
        let stride = row + pad;
        offsets.push(data.len());
        strides.push(stride as i32);
        for y in 0..h {
            data.extend_from_slice(&plane[y * row..(y + 1) * row]);
            data.extend(std::iter::repeat_n(0xcdu8, pad));
        }
    }
    let mut buffer = gst::Buffer::from_mut_slice(data);
    gst_video::VideoMeta::add_full(
        buffer.get_mut().expect("writable"),
        gst_video::VideoFrameFlags::empty(),
        format,
        width,
        height,
        &offsets,
        &strides,
    )
    .expect("video meta");
    buffer
}

/// Largest difference between two lists of planes.
pub fn max_plane_diff(a: &[Vec<u8>], b: &[Vec<u8>]) -> (u8, usize, usize) {
    assert_eq!(a.len(), b.len(), "plane counts differ");
    let mut worst = (0u8, 0usize, 0usize);
    for (p, (x, y)) in a.iter().zip(b).enumerate() {
        assert_eq!(x.len(), y.len(), "plane {p} sizes differ");
        for (i, (u, v)) in x.iter().zip(y).enumerate() {
            let d = u.abs_diff(*v);
            if d > worst.0 {
                worst = (d, p, i);
            }
        }
    }
    worst
}

/// Frames per second of the test streams.
pub const FPS: u64 = 30;

/// Start time of frame `i` at FPS.
pub fn frame_time(i: u64) -> gst::ClockTime {
    gst::ClockTime::SECOND
        .mul_div_floor(i, FPS)
        .expect("no overflow")
}

/// Binds `property` of `object` to a linear interpolation through `points` (ms, value).
pub fn animate(object: &impl IsA<gst::Object>, property: &str, points: &[(u64, f64)]) {
    use gst_controller::prelude::*;
    let cs = gst_controller::InterpolationControlSource::new();
    cs.set_mode(gst_controller::InterpolationMode::Linear);
    for (ms, v) in points {
        cs.set(gst::ClockTime::from_mseconds(*ms), *v);
    }
    let binding = gst_controller::DirectControlBinding::new_absolute(object, property, &cs);
    object
        .add_control_binding(&binding)
        .expect("control binding added");
}

/// The `adapter` values that select each backend: wgpu (a GPU, or lavapipe here) and the CPU
/// backend. Element tests that check pixels run on both.
pub const ADAPTERS: [&str; 2] = ["wgpu", "cpu"];

/// A folder holding only the plugin `cargo test` built (hard-linked, or copied, from
/// target/<profile>/ or target/<profile>/deps/, where a bare `cargo test` leaves it), for a child
/// process that loads it through GST_PLUGIN_PATH as an installed plugin would be loaded. The deps
/// folder itself holds other shared objects (proc macros) GStreamer would try to load. One folder
/// per test binary, its plugin replaced each run: a folder per process would be left behind in
/// the temporary directory every run, each keeping an old build alive through its hard link.
pub fn plugin_dir() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary");
        let deps = exe.parent().expect("target/<profile>/deps");
        let name = "libgstparallelcompositor.so";
        let built = [
            deps.join(name),
            deps.parent().expect("target/<profile>").join(name),
        ]
        .into_iter()
        .filter(|p| p.exists())
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .unwrap_or_else(|| panic!("the plugin is built beside {}", deps.display()));
        let stem = exe
            .file_stem()
            .map_or_else(|| "tests".into(), |s| s.to_string_lossy().into_owned());
        let dir = std::env::temp_dir().join(format!("pc-plugin-{stem}"));
        std::fs::create_dir_all(&dir).expect("plugin folder");
        // This run's plugin under a name of its own, then renamed over the last run's.
        let linked = dir.join(name);
        let fresh = dir.join(format!("{name}.{}", std::process::id()));
        let _ = std::fs::remove_file(&fresh);
        if std::fs::hard_link(&built, &fresh).is_err() {
            std::fs::copy(&built, &fresh).expect("plugin copied");
        }
        std::fs::rename(&fresh, &linked).expect("plugin in place");
        dir
    })
    .clone()
}
