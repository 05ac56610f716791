//! Animates a screen-recording style zoom from an application with GstController: the pad's
//! `zoom`, `zoom-center-x` and `zoom-center-y` are bound to interpolation control sources (cubic,
//! so the zoom eases in and out), and the card's corners grow as it zooms. Writes an MP4.
//!
//!     cargo run --example zoom-controller -- /tmp/zoom.mp4

use gst::prelude::*;
use gst_controller::prelude::*;

fn control(
    pad: &gst::Pad,
    property: &str,
    points: &[(f64, f64)],
) -> Result<(), Box<dyn std::error::Error>> {
    let source = gst_controller::InterpolationControlSource::new();
    source.set_mode(gst_controller::InterpolationMode::Cubic);
    for (seconds, value) in points {
        source.set(
            gst::ClockTime::from_nseconds((seconds * 1e9) as u64),
            *value,
        );
    }
    let binding = gst_controller::DirectControlBinding::new_absolute(pad, property, &source);
    pad.add_control_binding(&binding)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/zoom.mp4".into());
    gst::init()?;
    gstparallelcompositor::plugin_register_static()?;
    let pipeline = gst::parse::launch(&format!(
        "parallelcompositor name=pc background=gradient background-color=0xff1e3c72 \
         background-color-end=0xff2a5298 background-angle=135 \
         sink_0::xpos=64 sink_0::ypos=36 sink_0::width=512 sink_0::height=288 \
         sink_0::shadow-blur=10 sink_0::shadow-offset-y=8 \
         ! video/x-raw,format=I420,width=640,height=360,framerate=30/1 \
         ! x264enc speed-preset=veryfast ! mp4mux ! filesink location={out} \
         videotestsrc num-buffers=150 pattern=smpte ! video/x-raw,width=1280,height=720,framerate=30/1 ! pc.sink_0"
    ))?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline")?;
    let pc = pipeline.by_name("pc").ok_or("no pc")?;
    let pad = pc.static_pad("sink_0").ok_or("no sink_0")?;
    // Zoom into the lower right, hold, come back out; the centre moves with it.
    control(
        &pad,
        "zoom",
        &[(0.0, 1.0), (1.0, 1.0), (2.0, 2.2), (3.5, 2.2), (4.5, 1.0)],
    )?;
    control(
        &pad,
        "zoom-center-x",
        &[(0.0, 0.5), (1.0, 0.5), (2.0, 0.8), (4.5, 0.5)],
    )?;
    control(
        &pad,
        "zoom-center-y",
        &[(0.0, 0.5), (1.0, 0.5), (2.0, 0.7), (4.5, 0.5)],
    )?;
    control(
        &pad,
        "corner-radius",
        &[(0.0, 4.0), (2.0, 20.0), (4.5, 4.0)],
    )?;

    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline.bus().ok_or("no bus")?;
    for msg in bus.iter_timed(gst::ClockTime::NONE) {
        match msg.view() {
            gst::MessageView::Eos(..) => break,
            gst::MessageView::Error(e) => {
                pipeline.set_state(gst::State::Null)?;
                return Err(format!("{}: {:?}", e.error(), e.debug()).into());
            }
            _ => {}
        }
    }
    pipeline.set_state(gst::State::Null)?;
    println!("wrote {out}");
    Ok(())
}
