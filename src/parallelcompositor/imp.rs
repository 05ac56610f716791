//! The `parallelcompositor` element.
//!
//! How frames in flight fit the synchronous `GstVideoAggregator` (see ARCHITECTURE.md):
//! - `aggregate_frames` does no GPU work: it takes references to each pad's current buffer and
//!   the pad properties of that timestamp;
//! - `finish_buffer`, which owns the output buffer, submits the frame job to the worker pool,
//!   pushes every job that has completed (in order), and while `max-frames-in-flight` jobs are
//!   in flight waits for the oldest: memory stays bounded;
//! - `aggregate` drains every job before EOS, `negotiated_src_caps` before new output caps;
//! - `flush` and `stop` drop in-flight results; `stop` joins the workers and frees the device.

use std::sync::{Arc, Mutex, MutexGuard};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;
use gst_base::prelude::*;
use gst_base::subclass::prelude::*;
use gst_video::prelude::*;
use gst_video::subclass::prelude::*;
use once_cell::sync::Lazy;

use super::backend;
use super::frame;
use super::job::{self, FrameJob, JobFailure, LayerInput, Stats};
use super::scheduler::{Finished, Scheduler};
use super::settings::*;
use super::transitions;
use super::{Adapter, BackgroundKind};
use crate::compose::Background;
use crate::effects::RgbaImage;
use crate::frame_grid::FrameGrid;
use crate::gpu::GpuContext;
use crate::pool::JobError;
use crate::timeline::Timeline;
use crate::transition::TransitionDraw;

static CAT: Lazy<gst::DebugCategory> = Lazy::new(|| {
    gst::DebugCategory::new(
        "parallelcompositor",
        gst::DebugColorFlags::empty(),
        Some("GPU compositor with frames in flight"),
    )
});

const SINK_FORMATS: &[&str] = &["I420", "NV12", "RGBA", "BGRA", "RGBx", "BGRx"];
const SRC_FORMATS: &[&str] = &["RGBA", "BGRA", "I420", "NV12"];

/// Everything that exists between start and stop; fixed once started.
struct State {
    scheduler: Arc<Scheduler>,
    /// The wgpu context; `None` on the CPU backend.
    ctx: Option<Arc<GpuContext>>,
    /// The decoded `background-image`.
    image: Option<Arc<RgbaImage>>,
    timeline: Option<Arc<Timeline>>,
    transitions: Arc<Vec<transitions::Compiled>>,
}

/// A frame `aggregate_frames` planned, waiting for the output buffer of the same timestamp,
/// which the base class hands to `finish_buffer` next.
struct Prepared {
    pts: Option<gst::ClockTime>,
    background: Background,
    layers: Vec<LayerInput>,
    transitions: Vec<TransitionDraw>,
    scheduler: Arc<Scheduler>,
}

/// A flushing seek to a frame that the base class would time off the output's frame grid (see
/// [`FrameGrid`]) was moved back to the last frame it times exactly; the frames from there to
/// the requested `start` are neither rendered nor pushed, and the segment downstream starts at
/// `start`, so that the frames pushed are those of a render from the beginning.
#[derive(Debug, Clone, Copy)]
struct Trim {
    /// The requested start: the first frame pushed.
    start: gst::ClockTime,
    /// The start the base class and upstream were given.
    aligned: gst::ClockTime,
}

/// The element's properties are the fields of `Settings` (one attribute each below), plus two
/// read-only views of the running state (`adapter-info`, `stats`).
#[derive(Default, glib::Properties)]
#[properties(wrapper_type = super::ParallelCompositor)]
pub struct ParallelCompositor {
    #[property(name = "background", get, set, type = BackgroundKind, member = background,
        nick = "Background",
        blurb = "What lies under the inputs: black, white, transparent, checker, color (background-color), \
                 gradient, image (background-image) or blurred (a copy of background-pad)",
        builder(DEFAULT_BACKGROUND).mutable_playing())]
    #[property(name = "background-color", get, set, type = u32, member = background_color,
        nick = "Background colour",
        blurb = "Colour as 0xAARRGGBB: background=color, the gradient's start, and what shows when \
                 the image or the blurred pad is missing",
        default = DEFAULT_BACKGROUND_COLOR, builder().mutable_playing())]
    #[property(name = "background-color-end", get, set, type = u32, member = background_color_end,
        nick = "Background end colour", blurb = "The gradient's end colour, 0xAARRGGBB",
        default = DEFAULT_BACKGROUND_COLOR_END, builder().mutable_playing())]
    #[property(name = "background-angle", get, set, type = f64, member = background_angle,
        nick = "Gradient angle",
        blurb = "Direction of the gradient in degrees as in CSS: 0 = towards the top, 90 = towards \
                 the right, 180 = downwards",
        minimum = -3600.0, maximum = 3600.0, default = DEFAULT_BACKGROUND_ANGLE, builder().mutable_playing())]
    #[property(name = "background-image", get, set, type = Option<String>, member = background_image,
        nick = "Background image",
        blurb = "PNG or JPEG file for background=image, scaled to cover the frame. Loaded at start",
        builder().mutable_ready())]
    #[property(name = "background-pad", get, set, type = Option<String>, member = background_pad,
        nick = "Background pad",
        blurb = "The input (e.g. sink_0) blurred under everything when background=blurred; \
                 unset: the bottom-most input that has a frame",
        builder().mutable_playing())]
    #[property(name = "background-blur", get, set, type = f64, member = background_blur,
        nick = "Background blur",
        blurb = "Gaussian standard deviation of background=blurred, in output pixels \
                 (computed at reduced size: cheap even for large values)",
        minimum = 0.0, maximum = 1000.0, default = DEFAULT_BACKGROUND_BLUR, builder().mutable_playing())]
    #[property(name = "shutter-angle", get, set, type = f64, member = shutter_angle,
        nick = "Shutter angle",
        blurb = "Motion blur: the part of a frame interval the shutter is open, in degrees (180 = \
                 half a frame); inputs are averaged over their positions, sizes and zooms in \
                 [t - shutter, t]. 0 = off",
        minimum = 0.0, maximum = 360.0, default = 0.0, builder().mutable_playing())]
    #[property(name = "motion-blur-samples", get, set, type = u32, member = motion_samples,
        nick = "Motion blur samples",
        blurb = "Instants averaged over the shutter interval when shutter-angle > 0 (an input that \
                 does not move is drawn once)",
        minimum = 2, maximum = MAX_MOTION_SAMPLES, default = DEFAULT_MOTION_SAMPLES, builder().mutable_playing())]
    #[property(name = "timeline", get, set, type = Option<String>, member = timeline,
        nick = "Timeline file",
        blurb = "JSON file of zoom segments and property keyframes (see the README); read and \
                 checked at start",
        builder().mutable_ready())]
    #[property(name = "timeline-string", get, set, type = Option<String>, member = timeline_string,
        nick = "Timeline", blurb = "The timeline as inline JSON, instead of a file; checked at start",
        builder().mutable_ready())]
    #[property(name = "transitions", get, set, type = Option<String>, member = transitions,
        nick = "Transitions",
        blurb = "Transitions between pads, as structures separated by ';': KIND, from=PAD, to=PAD, \
                 start=SECONDS, duration=SECONDS[, easing=EASING][, file=PATH | source=TEXT]\
                 [, UNIFORM=VALUE ...]; KIND is an xfade name (fade, wipeleft, ...), wgsl or glsl. \
                 Shaders are compiled at start",
        builder().mutable_ready())]
    #[property(name = "workers", get, set, type = u32, member = workers,
        nick = "Workers",
        blurb = "Render threads; 0 = automatic (wgpu: the number of cores, 2 to 4; CPU backend: one \
                 per core). Applies from the next start",
        maximum = MAX_WORKERS, default = DEFAULT_WORKERS, builder().mutable_ready())]
    #[property(name = "max-frames-in-flight", get, set, type = u32, member = max_in_flight,
        nick = "Maximum frames in flight",
        blurb = "Frames rendering at once (K); the streaming thread waits when K are in flight. \
                 0 = automatic (workers + 2). Live latency: K frames (the one frame every \
                 aggregator waits included). Applies from the next start",
        maximum = MAX_IN_FLIGHT, default = DEFAULT_MAX_IN_FLIGHT, builder().mutable_ready())]
    #[property(name = "adapter", get, set, type = Adapter, member = adapter,
        nick = "Adapter",
        blurb = "Renderer: auto (a hardware GPU through wgpu, else the CPU backend; shader \
                 transitions then use the software adapter), hardware, software (lavapipe), wgpu \
                 (hardware, else software) or cpu. WGPU_BACKEND limits the wgpu backends tried. \
                 Applies from the next start",
        builder(DEFAULT_ADAPTER).mutable_ready())]
    settings: Mutex<Settings>,
    state: Mutex<Option<State>>,
    prepared: Mutex<Option<Prepared>>,
    trim: Mutex<Option<Trim>>,
}

/// The pixel aspect ratio of `info` as a number, 1 when unset.
fn pixel_aspect(info: &gst_video::VideoInfo) -> f64 {
    let par = info.par();
    if par.denom() > 0 && par.numer() > 0 {
        par.numer() as f64 / par.denom() as f64
    } else {
        1.0
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ParallelCompositor {
    fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// The `adapter-info` property.
    /// Why a `width` × `height` picture (`what`: a pad, "the output", "background-image")
    /// cannot be a texture of `ctx`'s device, if it cannot.
    fn beyond_gpu(ctx: &GpuContext, what: &str, width: u32, height: u32) -> Option<String> {
        let side = ctx.max_texture_side();
        (width > side || height > side).then(|| {
            format!(
                "{what}: {width}x{height} is beyond the GPU's largest texture ({side} pixels a \
                 side); use adapter=cpu or a smaller size"
            )
        })
    }

    /// [`Self::beyond_gpu`] on the running backend; `None` on the CPU backend, which takes any
    /// size.
    fn size_error(&self, what: &str, width: u32, height: u32) -> Option<String> {
        let state = lock(&self.state);
        let ctx = state.as_ref()?.ctx.as_ref()?;
        Self::beyond_gpu(ctx, what, width, height)
    }

    fn adapter_info(&self) -> Option<gst::Structure> {
        lock(&self.state).as_ref().map(|st| {
            let b = gst::Structure::builder("application/x-parallelcompositor-adapter");
            match &st.ctx {
                Some(ctx) => {
                    let i = ctx.info();
                    b.field("name", &i.name)
                        .field("backend", &i.backend)
                        .field("device-type", &i.device_type)
                }
                None => b
                    .field("name", "parallelcompositor CPU renderer")
                    .field("backend", "cpu")
                    .field("device-type", "cpu"),
            }
            .build()
        })
    }

    /// The `stats` property.
    fn stats(&self) -> gst::Structure {
        match self.scheduler() {
            Some(scheduler) => scheduler.stats(),
            None => Stats::default().to_structure(0, 0, 0),
        }
    }

    /// Pushes one completed job downstream, or reports why it has no output.
    fn push_completed(&self, done: Finished) -> Result<gst::FlowSuccess, gst::FlowError> {
        match done.result {
            Ok(frame) => {
                gst::trace!(CAT, imp = self, "pushing frame {}", done.sequence);
                self.parent_finish_buffer(frame.buffer)
            }
            Err(e) => {
                self.post_render_error(done.sequence, e);
                Err(gst::FlowError::Error)
            }
        }
    }

    /// Posts why frame `sequence` has no output (see [`job::bus_error`]).
    fn post_render_error(&self, sequence: u64, e: JobError<JobFailure>) {
        let (error, debug) = job::bus_error(sequence, &e);
        let msg = gst::message::Error::builder_from_error(error)
            .src(&*self.obj())
            .debug(debug)
            .build();
        let _ = self.obj().post_message(msg);
    }

    fn scheduler(&self) -> Option<Arc<Scheduler>> {
        lock(&self.state).as_ref().map(|s| s.scheduler.clone())
    }

    /// Pushes every job in flight, in order.
    fn drain(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        let Some(scheduler) = self.scheduler() else {
            return Ok(gst::FlowSuccess::Ok);
        };
        let mut ret = Ok(gst::FlowSuccess::Ok);
        while let Some(done) = scheduler.next() {
            if ret.is_ok() {
                ret = self.push_completed(done);
            }
        }
        ret
    }

    fn set_k_latency(&self, info: &gst_video::VideoInfo) {
        let Some(k) = self.scheduler().map(|s| s.k()) else {
            return;
        };
        let fps = info.fps();
        if fps.numer() > 0 {
            // The base class waits one frame to aggregate; frame i then leaves when frame
            // i + K − 1 has been submitted: K frames in all.
            let latency = gst::ClockTime::SECOND
                .mul_div_floor(fps.denom() as u64 * k as u64, fps.numer() as u64)
                .unwrap_or(gst::ClockTime::ZERO);
            gst::debug!(
                CAT,
                imp = self,
                "latency {latency} for {k} frames in flight"
            );
            self.obj().set_latency(latency, Some(latency));
        }
    }

    fn post_output_caps_error(&self, downstream: &gst::Caps) {
        gst::element_imp_error!(
            self,
            gst::CoreError::Negotiation,
            (
                "Downstream accepts {} but parallelcompositor outputs only {}",
                downstream,
                Self::src_template_caps()
            )
        );
    }

    fn sink_template_caps() -> gst::Caps {
        gst_video::VideoCapsBuilder::new()
            .format_list(SINK_FORMATS.iter().filter_map(|f| f.parse().ok()))
            .build()
    }

    fn src_template_caps() -> gst::Caps {
        gst_video::VideoCapsBuilder::new()
            .format_list(SRC_FORMATS.iter().filter_map(|f| f.parse().ok()))
            .build()
    }

    /// Whether the frame at `pts` precedes the start of an aligned seek (see [`Trim`]).
    fn trimmed(&self, pts: Option<gst::ClockTime>) -> bool {
        match (pts, *lock(&self.trim)) {
            (Some(pts), Some(trim)) => pts < trim.start,
            _ => false,
        }
    }

    /// `seek` moved back onto the frame grid with the [`Trim`] that undoes it downstream, when
    /// the base class would time its frames off the grid: a flushing forward seek at rate 1 to
    /// the exact start of frame F, where F is not a multiple of the grid's period. Seeks to
    /// other times (between frames, other rates) are left as they are.
    fn aligned_seek(&self, event: &gst::Event) -> Option<(gst::Event, Trim)> {
        let gst::EventView::Seek(seek) = event.view() else {
            return None;
        };
        let (rate, flags, start_type, start, stop_type, stop) = seek.get();
        if rate != 1.0
            || !flags.contains(gst::SeekFlags::FLUSH)
            || flags.contains(gst::SeekFlags::INSTANT_RATE_CHANGE)
            || start_type != gst::SeekType::Set
        {
            return None;
        }
        let gst::GenericFormattedValue::Time(Some(start)) = start else {
            return None;
        };
        let fps = self.obj().video_info()?.fps();
        let grid = FrameGrid::new(fps.numer(), fps.denom())?;
        let frame = grid.frame_starting_at(start.nseconds())?;
        let aligned = grid.aligned_at_or_before(frame);
        if aligned == frame {
            return None;
        }
        let aligned = gst::ClockTime::from_nseconds(grid.time(aligned));
        gst::debug!(
            CAT,
            imp = self,
            "seek to frame {frame} ({start}) starts at {aligned}, a multiple of {} frames, \
             so that every frame falls on the {}/{} fps grid",
            grid.period(),
            fps.numer(),
            fps.denom()
        );
        let moved = gst::event::Seek::builder(rate, flags, start_type, aligned, stop_type, stop)
            .seqnum(event.seqnum())
            .build();
        Some((moved, Trim { start, aligned }))
    }

    /// The segment downstream of an aligned seek: it starts at the requested frame.
    fn trimmed_segment(&self, event: &gst::Event) -> Option<gst::Event> {
        let gst::EventView::Segment(s) = event.view() else {
            return None;
        };
        let trim = (*lock(&self.trim))?;
        let segment = s.segment().downcast_ref::<gst::ClockTime>()?;
        if segment.start() != Some(trim.aligned) {
            return None;
        }
        let shift = trim.start - trim.aligned;
        let mut segment = segment.clone();
        segment.set_start(trim.start);
        segment.set_time(segment.time().map(|t| t + shift));
        segment.set_position(trim.start);
        Some(
            gst::event::Segment::builder(&segment)
                .seqnum(event.seqnum())
                .build(),
        )
    }

    /// The pads in stacking order (bottom first).
    fn pads_by_zorder(&self) -> Vec<super::ParallelCompositorPad> {
        let mut pads: Vec<super::ParallelCompositorPad> = self
            .obj()
            .sink_pads()
            .into_iter()
            .filter_map(|p| p.downcast::<super::ParallelCompositorPad>().ok())
            .collect();
        pads.sort_by_key(|p| p.zorder());
        pads
    }
}

#[glib::object_subclass]
impl ObjectSubclass for ParallelCompositor {
    const NAME: &'static str = "GstParallelCompositor";
    type Type = super::ParallelCompositor;
    type ParentType = gst_video::VideoAggregator;
    type Interfaces = (gst::ChildProxy,);
}

impl ObjectImpl for ParallelCompositor {
    fn constructed(&self) {
        self.parent_constructed();
        // The segment event is pushed by the base class from its own segment: after an aligned
        // seek, the one downstream sees starts at the requested frame (see `Trim`).
        let weak = self.obj().downgrade();
        self.obj()
            .src_pad()
            .add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_pad, info| {
                let replaced = match (&info.data, weak.upgrade()) {
                    (Some(gst::PadProbeData::Event(event)), Some(element)) => {
                        element.imp().trimmed_segment(event)
                    }
                    _ => None,
                };
                if let Some(event) = replaced {
                    info.data = Some(gst::PadProbeData::Event(event));
                }
                gst::PadProbeReturn::Ok
            });
    }

    fn properties() -> &'static [glib::ParamSpec] {
        // The derived settings, then the two read-only structures (no derive for boxed types).
        static PROPERTIES: Lazy<Vec<glib::ParamSpec>> = Lazy::new(|| {
            let mut props = ParallelCompositor::derived_properties().to_vec();
            props.push(
                glib::ParamSpecBoxed::builder::<gst::Structure>("adapter-info")
                    .nick("Adapter information")
                    .blurb("The renderer in use once started: name, backend (vulkan, ... or cpu), device-type")
                    .read_only()
                    .build(),
            );
            props.push(
                glib::ParamSpecBoxed::builder::<gst::Structure>("stats")
                    .nick("Statistics")
                    .blurb(
                        "Since start: frames, mean and max ms for upload, render and readback, \
                            frames in flight now, workers, max-frames-in-flight",
                    )
                    .read_only()
                    .build(),
            );
            props
        });
        PROPERTIES.as_ref()
    }

    fn set_property(&self, id: usize, value: &glib::Value, pspec: &glib::ParamSpec) {
        gst::info!(CAT, imp = self, "{} set", pspec.name());
        self.derived_set_property(id, value, pspec)
    }

    fn property(&self, id: usize, pspec: &glib::ParamSpec) -> glib::Value {
        match pspec.name() {
            "adapter-info" => self.adapter_info().to_value(),
            "stats" => self.stats().to_value(),
            _ => self.derived_property(id, pspec),
        }
    }
}

impl GstObjectImpl for ParallelCompositor {}

impl ElementImpl for ParallelCompositor {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: Lazy<gst::subclass::ElementMetadata> = Lazy::new(|| {
            gst::subclass::ElementMetadata::new(
                "Parallel compositor",
                "Filter/Editor/Video/Compositor",
                concat!(
                    "Composites video inputs with several frames in flight, on the GPU (wgpu) or the \
                     CPU backend; output in order, identical whatever the parallelism. Example: ",
                    include_str!("example-pipeline.txt")
                ),
                "parallelcompositor developers",
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: Lazy<Vec<gst::PadTemplate>> = Lazy::new(|| {
            use gst::{PadDirection as D, PadPresence as P};
            [
                (
                    "src",
                    D::Src,
                    P::Always,
                    ParallelCompositor::src_template_caps(),
                    gst_base::AggregatorPad::static_type(),
                ),
                (
                    "sink_%u",
                    D::Sink,
                    P::Request,
                    ParallelCompositor::sink_template_caps(),
                    super::ParallelCompositorPad::static_type(),
                ),
            ]
            .into_iter()
            .map(|(name, direction, presence, caps, pad_type)| {
                // Static caps and a known pad type: creating these cannot fail.
                gst::PadTemplate::with_gtype(name, direction, presence, &caps, pad_type)
                    .expect("pad template")
            })
            .collect()
        });
        TEMPLATES.as_ref()
    }

    fn request_new_pad(
        &self,
        templ: &gst::PadTemplate,
        name: Option<&str>,
        caps: Option<&gst::Caps>,
    ) -> Option<gst::Pad> {
        let pad = self.parent_request_new_pad(templ, name, caps)?;
        self.obj()
            .child_added(pad.upcast_ref::<glib::Object>(), &pad.name());
        Some(pad)
    }

    fn release_pad(&self, pad: &gst::Pad) {
        self.obj()
            .child_removed(pad.upcast_ref::<glib::Object>(), &pad.name());
        self.parent_release_pad(pad);
    }
}

impl AggregatorImpl for ParallelCompositor {
    fn start(&self) -> Result<(), gst::ErrorMessage> {
        let settings = self.settings();
        // A bad timeline or image stops the pipeline here, before PLAYING.
        let timeline = frame::load_timeline(
            settings.timeline.as_deref(),
            settings.timeline_string.as_deref(),
        )
        .map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Settings,
                ("Invalid timeline: {}", e),
                ["checked at start (READY -> PAUSED); the timeline schema is in the README"]
            )
        })?;
        let image = match settings.background_image.as_deref() {
            Some(path) => Some(frame::load_image(path).map_err(|e| {
                gst::error_msg!(
                    gst::ResourceError::OpenRead,
                    ("Cannot use background-image: {}", e)
                )
            })?),
            None => None,
        };
        if settings.background == BackgroundKind::Image && image.is_none() {
            return Err(gst::error_msg!(
                gst::ResourceError::Settings,
                ("background=image needs background-image (a PNG or JPEG file)")
            ));
        }
        let transitions = transitions::compile(
            settings.transitions.as_deref(),
            timeline.as_ref(),
            &frame::load_image,
        )
        .map_err(|e| {
            gst::error_msg!(
                gst::ResourceError::Settings,
                ("Invalid transition: {}", e),
                ["checked at start (READY -> PAUSED); transitions are described in the README"]
            )
        })?;
        let backend = backend::backend(settings.adapter, &transitions)?;
        if let Some(ctx) = backend.gpu() {
            if let Some(why) = image
                .as_ref()
                .and_then(|i| Self::beyond_gpu(ctx, "background-image", i.width, i.height))
            {
                return Err(gst::error_msg!(gst::CoreError::Negotiation, ("{}", why)));
            }
        }
        // Warm pipelines on whichever device runs the transitions: on the hybrid route the
        // CPU draws built-ins, so only shaders.
        if let Some(ctx) = backend.shader_device() {
            let hybrid = backend.gpu().is_none();
            for t in &transitions {
                let shader = matches!(t.kind, crate::transition::TransitionKind::Shader(_));
                let prepared = match (hybrid, shader) {
                    (false, _) => ctx.prepare_transition(&t.kind),
                    (true, true) => crate::gpu::ShaderBlender::prepare(ctx, &t.kind),
                    (true, false) => continue,
                };
                prepared.map_err(|e| {
                    gst::error_msg!(
                        gst::LibraryError::Init,
                        ("Cannot prepare transition {}: {}", t.spec.origin, e)
                    )
                })?;
            }
        }
        let ctx = backend.gpu().cloned();
        let workers = settings.workers(ctx.is_none());
        let k = settings.max_in_flight(workers);
        let renderers = backend::renderers(&backend, workers, k).map_err(|e| {
            gst::error_msg!(
                gst::LibraryError::Init,
                ("{}", e),
                ["opening one device per worker (PARALLELCOMPOSITOR_DEVICES=per-worker)"]
            )
        })?;
        let cat = if ctx.is_some() {
            *job::WGPU_CAT
        } else {
            *job::CPU_CAT
        };
        let scheduler = Scheduler::new(renderers, k, cat).map_err(|e| {
            gst::error_msg!(
                gst::CoreError::Thread,
                ("Could not start the render threads: {}", e)
            )
        })?;
        gst::info!(
            CAT,
            imp = self,
            "rendering on {} with {workers} workers, {k} frames in flight ({} a worker)",
            match (&ctx, backend.shader_device()) {
                (Some(c), _) => format!("{:?}", c.info()),
                (None, Some(c)) => format!("the CPU backend, shader transitions on {:?}", c.info()),
                (None, None) => "the CPU backend".to_string(),
            },
            scheduler.depth()
        );
        *lock(&self.state) = Some(State {
            scheduler: Arc::new(scheduler),
            ctx,
            image,
            timeline: timeline.map(Arc::new),
            transitions: Arc::new(transitions),
        });
        self.parent_start()
    }

    fn stop(&self) -> Result<(), gst::ErrorMessage> {
        // Dropping the pool joins the workers; the device goes with the last reference.
        let state = lock(&self.state).take();
        *lock(&self.prepared) = None;
        *lock(&self.trim) = None;
        if let Some(st) = &state {
            gst::info!(CAT, imp = self, "stopping: {}", st.scheduler.stats());
        }
        drop(state);
        self.parent_stop()
    }

    fn flush(&self) -> Result<gst::FlowSuccess, gst::FlowError> {
        if let Some(scheduler) = self.scheduler() {
            scheduler.flush();
        }
        for pad in self.pads_by_zorder() {
            pad.imp().forget();
        }
        *lock(&self.prepared) = None;
        self.parent_flush()
    }

    fn src_event(&self, event: gst::Event) -> bool {
        if let Some((aligned, trim)) = self.aligned_seek(&event) {
            // Set before the seek flushes: the first frame after it must already be trimmed.
            *lock(&self.trim) = Some(trim);
            let ok = self.parent_src_event(aligned);
            if !ok {
                *lock(&self.trim) = None;
            }
            return ok;
        }
        if let gst::EventView::Seek(seek) = event.view() {
            if seek.get().1.contains(gst::SeekFlags::FLUSH) {
                *lock(&self.trim) = None;
            }
        }
        self.parent_src_event(event)
    }

    fn aggregate(&self, timeout: bool) -> Result<gst::FlowSuccess, gst::FlowError> {
        match self.parent_aggregate(timeout) {
            Err(gst::FlowError::Eos) => {
                gst::debug!(CAT, imp = self, "EOS: draining frames in flight");
                self.drain()?;
                Err(gst::FlowError::Eos)
            }
            other => other,
        }
    }

    fn finish_buffer(&self, buffer: gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let Some(info) = self.obj().video_info() else {
            return Err(gst::FlowError::NotNegotiated);
        };
        if self.trimmed(buffer.pts()) {
            gst::trace!(
                CAT,
                imp = self,
                "not pushing {:?}: before the seek",
                buffer.pts()
            );
            *lock(&self.prepared) = None;
            return Ok(gst::FlowSuccess::Ok);
        }
        let Some(prepared) = lock(&self.prepared).take() else {
            return Err(gst::FlowError::Flushing);
        };
        if prepared.pts != buffer.pts() {
            // The base class always hands over the buffer aggregate_frames filled: anything else
            // is a bug, never a reason to push a frame that was not rendered.
            gst::element_imp_error!(
                self,
                gst::CoreError::Failed,
                (
                    "Internal error: output buffer {:?} is not the frame planned ({:?})",
                    buffer.pts(),
                    prepared.pts
                )
            );
            return Err(gst::FlowError::Error);
        }
        let scheduler = prepared.scheduler;
        scheduler.submit(FrameJob {
            background: prepared.background,
            layers: prepared.layers,
            transitions: prepared.transitions,
            output: buffer,
            output_info: info,
            output_site: job::chroma_site(self.obj().src_pad().current_caps().as_deref()),
            frame: scheduler.next_frame(),
        });
        let mut ret = Ok(gst::FlowSuccess::Ok);
        while let Some(done) = scheduler.ready().or_else(|| scheduler.over_limit()) {
            ret = self.push_completed(done);
            ret?;
        }
        ret
    }

    fn sink_query(
        &self,
        aggregator_pad: &gst_base::AggregatorPad,
        query: &mut gst::QueryRef,
    ) -> bool {
        match query.view_mut() {
            // Every pad takes every format we upload, whatever the others or downstream use:
            // conversion happens on the GPU.
            gst::QueryViewMut::Caps(q) => {
                let templ = Self::sink_template_caps();
                let caps = match q.filter() {
                    Some(filter) => {
                        filter.intersect_with_mode(&templ, gst::CapsIntersectMode::First)
                    }
                    None => templ,
                };
                q.set_result(&caps);
                true
            }
            // Any raw video is let through to the caps event, which says clearly what is
            // wrong with an unsupported format (both caps named) instead of the bare
            // not-negotiated an upstream element would report. The caps query above still
            // offers only what we take, so negotiating elements never pick anything else.
            gst::QueryViewMut::AcceptCaps(q) => {
                let ok = q.caps().is_fixed() && gst_video::VideoInfo::from_caps(q.caps()).is_ok();
                q.set_result(ok);
                true
            }
            gst::QueryViewMut::Allocation(q) => {
                // Jobs in flight hold input buffers: upstream pools need that many more.
                let k = self.scheduler().map_or(2, |s| s.k()) as u32;
                let (caps, _) = q.get_owned();
                if let Some(info) = caps.and_then(|c| gst_video::VideoInfo::from_caps(&c).ok()) {
                    if q.allocation_pools().next().is_none() {
                        q.add_allocation_pool(
                            None::<&gst::BufferPool>,
                            info.size() as u32,
                            k + 1,
                            0,
                        );
                    }
                }
                q.add_allocation_meta::<gst_video::VideoMeta>(None);
                true
            }
            _ => self.parent_sink_query(aggregator_pad, query),
        }
    }

    fn sink_event(&self, aggregator_pad: &gst_base::AggregatorPad, event: gst::Event) -> bool {
        if let gst::EventView::Caps(c) = event.view() {
            let caps = c.caps();
            let info = gst_video::VideoInfo::from_caps(caps).ok();
            let ok = info
                .as_ref()
                .and_then(|i| job::pixel_format(i.format()))
                .is_some();
            // Found here rather than as a failed texture in a worker.
            if let Some(why) = info
                .as_ref()
                .and_then(|i| self.size_error(&aggregator_pad.name(), i.width(), i.height()))
            {
                gst::element_imp_error!(self, gst::CoreError::Negotiation, ("{}", why));
                return false;
            }
            if !ok {
                gst::element_imp_error!(
                    self,
                    gst::CoreError::Negotiation,
                    (
                        "{} received caps {} but accepts only {}",
                        aggregator_pad.name(),
                        caps,
                        Self::sink_template_caps()
                    )
                );
                return false;
            }
        }
        self.parent_sink_event(aggregator_pad, event)
    }

    fn negotiate(&self) -> bool {
        if self.parent_negotiate() {
            return true;
        }
        // The base class gives up silently (and upstream reports a bare not-negotiated) when
        // downstream takes nothing we output: say what both sides want.
        let downstream = self.obj().src_pad().peer_query_caps(None);
        if !downstream.can_intersect(&Self::src_template_caps()) {
            self.post_output_caps_error(&downstream);
        }
        false
    }

    fn fixate_src_caps(&self, caps: gst::Caps) -> gst::Caps {
        // Like compositor: big enough for every input where it is placed, at the fastest rate.
        let mut best_w = 0.0f64;
        let mut best_h = 0.0f64;
        let mut best_fps = gst::Fraction::new(0, 1);
        for pad in self.pads_by_zorder() {
            let Some(info) = pad.video_info() else {
                continue;
            };
            let par = pixel_aspect(&info);
            if let Some(layer) = pad.imp().settings().layer(info.width(), info.height(), par) {
                best_w = best_w.max(layer.dst.x + layer.dst.w);
                best_h = best_h.max(layer.dst.y + layer.dst.h);
            }
            let fps = info.fps();
            if fps.denom() > 0
                && (fps.numer() as f64 / fps.denom() as f64)
                    > (best_fps.numer() as f64 / best_fps.denom().max(1) as f64)
            {
                best_fps = fps;
            }
        }
        let (w, h) = if best_w >= 1.0 && best_h >= 1.0 {
            (best_w.ceil() as i32, best_h.ceil() as i32)
        } else {
            (320, 240)
        };
        if best_fps.numer() <= 0 {
            best_fps = gst::Fraction::new(25, 1);
        }
        let mut caps = caps;
        caps.truncate();
        {
            let caps = caps.make_mut();
            if let Some(s) = caps.structure_mut(0) {
                s.fixate_field_nearest_int("width", w);
                s.fixate_field_nearest_int("height", h);
                s.fixate_field_nearest_fraction("framerate", best_fps);
                if s.has_field("pixel-aspect-ratio") {
                    s.fixate_field_nearest_fraction("pixel-aspect-ratio", gst::Fraction::new(1, 1));
                }
            }
        }
        caps.fixate();
        caps
    }

    fn negotiated_src_caps(&self, caps: &gst::Caps) -> Result<(), gst::LoggableError> {
        // Frames rendered for the old caps leave before the new caps event.
        if self.drain().is_err() {
            gst::warning!(
                CAT,
                imp = self,
                "frames in flight could not be pushed before renegotiation"
            );
        }
        let info = gst_video::VideoInfo::from_caps(caps)
            .map_err(|_| gst::loggable_error!(CAT, "invalid output caps {}", caps))?;
        if job::pixel_format(info.format()).is_none() {
            return Err(gst::loggable_error!(
                CAT,
                "unsupported output caps {}",
                caps
            ));
        }
        if let Some(why) = self.size_error("the output", info.width(), info.height()) {
            gst::element_imp_error!(self, gst::CoreError::Negotiation, ("{}", why));
            return Err(gst::loggable_error!(CAT, "{}", why));
        }
        gst::debug!(CAT, imp = self, "output caps {caps}");
        self.parent_negotiated_src_caps(caps)?;
        // After the parent, which sets one frame of latency (its own wait for the next frame).
        self.set_k_latency(&info);
        Ok(())
    }

    fn decide_allocation(
        &self,
        query: &mut gst::query::Allocation,
    ) -> Result<(), gst::LoggableError> {
        // K output buffers are in flight, one is being pushed and one allocated: the pool
        // needs K + 2, or the streaming thread would wait for a buffer only it can free.
        let k = self.scheduler().map_or(2, |s| s.k()) as u32;
        let min = k + 2;
        let pools: Vec<_> = query.allocation_pools().collect();
        if pools.is_empty() {
            let size = query
                .get_owned()
                .0
                .and_then(|c| gst_video::VideoInfo::from_caps(&c).ok())
                .map(|i| i.size() as u32)
                .unwrap_or(0);
            query.add_allocation_pool(None::<&gst::BufferPool>, size, min, 0);
        } else {
            for (i, (pool, size, pmin, pmax)) in pools.into_iter().enumerate() {
                let new_min = pmin.max(min);
                let new_max = if pmax == 0 { 0 } else { pmax.max(new_min) };
                query.set_nth_allocation_pool(i as u32, pool.as_ref(), size, new_min, new_max);
            }
        }
        self.parent_decide_allocation(query)
    }
}

impl VideoAggregatorImpl for ParallelCompositor {
    fn update_caps(&self, caps: &gst::Caps) -> Result<gst::Caps, gst::LoggableError> {
        let ours = Self::src_template_caps();
        let possible = caps.intersect_with_mode(&ours, gst::CapsIntersectMode::First);
        if possible.is_empty() {
            self.post_output_caps_error(&self.obj().src_pad().peer_query_caps(None));
            return Err(gst::loggable_error!(CAT, "no common output format"));
        }
        // Prefer the format of the largest input (no conversion when nothing needs one), RGBA
        // when an input has alpha and the largest is YUV.
        let mut largest: Option<(u64, gst_video::VideoFormat)> = None;
        let mut any_alpha = false;
        for pad in self.pads_by_zorder() {
            if let Some(info) = pad.video_info() {
                any_alpha |= info.has_alpha();
                let area = info.width() as u64 * info.height() as u64;
                if largest.is_none_or(|(a, _)| area > a) {
                    largest = Some((area, info.format()));
                }
            }
        }
        use gst_video::VideoFormat as V;
        let preferred = match largest.map(|(_, f)| f) {
            Some(V::Rgbx) => V::Rgba,
            Some(V::Bgrx) => V::Bgra,
            Some(f @ (V::I420 | V::Nv12)) if !any_alpha => f,
            Some(V::Bgra) => V::Bgra,
            _ => V::Rgba,
        };
        let first = possible.intersect_with_mode(
            &gst::Caps::builder("video/x-raw")
                .field("format", preferred.to_str())
                .build(),
            gst::CapsIntersectMode::First,
        );
        let mut caps = first;
        caps.merge(possible);
        Ok(caps)
    }

    fn aggregate_frames(
        &self,
        token: &gst_video::subclass::AggregateFramesToken,
        outbuf: &mut gst::BufferRef,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let running_time = outbuf.pts().and_then(|pts| {
            self.obj()
                .src_pad()
                .segment()
                .downcast_ref::<gst::ClockTime>()
                .and_then(|seg| seg.to_running_time(pts))
        });
        if self.trimmed(outbuf.pts()) {
            // Before the requested start of an aligned seek: finish_buffer drops it. The
            // frames picked still count for the next choice, as in a render from the start.
            for pad in self.pads_by_zorder() {
                if let Some(buffer) = pad.current_buffer(token) {
                    pad.imp().shown(buffer, running_time);
                }
            }
            return Ok(gst::FlowSuccess::Ok);
        }
        // The one state lock of the frame: what start fixed.
        let (scheduler, image, timeline, transitions) = match lock(&self.state).as_ref() {
            Some(state) => (
                state.scheduler.clone(),
                state.image.clone(),
                state.timeline.clone(),
                state.transitions.clone(),
            ),
            None => return Err(gst::FlowError::Flushing),
        };
        let look = self.settings().look(image);
        // The controller synced the pads at the output's stream time: the timeline and the
        // motion samples are evaluated on the same clock.
        let stream_time = outbuf.pts().and_then(|pts| {
            self.obj()
                .src_pad()
                .segment()
                .downcast_ref::<gst::ClockTime>()
                .and_then(|seg| seg.to_stream_time(pts))
        });
        let mut layers = Vec::new();
        let mut names = Vec::new();
        for pad in self.pads_by_zorder() {
            let (Some(buffer), Some(info)) = (pad.current_buffer(token), pad.video_info()) else {
                continue;
            };
            let buffer = pad.imp().shown(buffer, running_time);
            let par = pixel_aspect(&info);
            let Some(params) = frame::layer_params(
                &pad,
                &info,
                par,
                timeline.as_deref(),
                stream_time,
                outbuf.duration(),
                &look,
            ) else {
                continue;
            };
            names.push(pad.name().to_string());
            layers.push(LayerInput {
                pad: pad.name().to_string(),
                buffer,
                info,
                site: job::chroma_site(pad.current_caps().as_deref()),
                params,
            });
        }
        let background = look.background(&names);
        let draws = match stream_time {
            Some(t) if !transitions.is_empty() => {
                transitions::draws_at(&transitions, t.seconds_f64(), &names)
            }
            _ => Vec::new(),
        };
        *lock(&self.prepared) = Some(Prepared {
            pts: outbuf.pts(),
            background,
            layers,
            transitions: draws,
            scheduler,
        });
        Ok(gst::FlowSuccess::Ok)
    }
}

impl ChildProxyImpl for ParallelCompositor {
    fn child_by_index(&self, index: u32) -> Option<glib::Object> {
        self.obj()
            .sink_pads()
            .get(index as usize)
            .map(|p| p.clone().upcast())
    }

    fn children_count(&self) -> u32 {
        self.obj().num_sink_pads() as u32
    }

    fn child_by_name(&self, name: &str) -> Option<glib::Object> {
        self.obj()
            .sink_pads()
            .into_iter()
            .find(|p| p.name() == name)
            .map(|p| p.upcast())
    }
}
