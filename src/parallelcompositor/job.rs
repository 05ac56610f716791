//! Frame jobs: what `aggregate_frames` collects and a worker renders, and the glue between
//! GStreamer buffers and the renderer's plain plane slices.

use std::time::Duration;

use gst::glib;
use gst_video::prelude::*;
use once_cell::sync::Lazy;

use crate::compose::{
    Background, FramePlan, LayerParams, LayerSource, OutputTarget, PixelFormat, Plane, PlaneMut,
    Timings, YuvColorimetry, YuvMatrix,
};
use crate::pool::{JobError, Worker};
use crate::render::{RenderError, Renderer, Submitted};
use crate::transition::TransitionDraw;

/// One input of a frame job: the pad's current buffer (a reference, not a copy) and where it goes.
#[derive(Debug)]
pub(super) struct LayerInput {
    /// The pad's name, for errors about this layer.
    pub pad: String,
    pub buffer: gst::Buffer,
    pub info: gst_video::VideoInfo,
    /// The pad's caps' `chroma-site`, when given (see `colorimetry`).
    pub site: Option<ChromaSite>,
    pub params: LayerParams,
}

/// One output frame to render: everything `aggregate_frames` collected, and the output buffer.
#[derive(Debug)]
pub(super) struct FrameJob {
    pub background: Background,
    /// Bottom first.
    pub layers: Vec<LayerInput>,
    /// Transitions between layers under way in this frame.
    pub transitions: Vec<TransitionDraw>,
    pub output: gst::Buffer,
    pub output_info: gst_video::VideoInfo,
    /// The output caps' `chroma-site`, when given.
    pub output_site: Option<ChromaSite>,
    /// Frame number since start, for fault injection in tests.
    pub frame: u64,
}

/// A rendered frame.
#[derive(Debug)]
pub(super) struct FrameDone {
    pub buffer: gst::Buffer,
    pub timings: Timings,
}

/// Why a frame job failed: the renderer's error, with the pad of the layer at fault.
#[derive(Debug)]
pub(super) struct JobFailure {
    pub error: RenderError,
    /// The pad of `error`'s layer, when it names one.
    pub pad: Option<String>,
    /// The output frame's timestamp.
    pub pts: Option<gst::ClockTime>,
}

impl JobFailure {
    fn frame(error: RenderError) -> Self {
        Self::at(error, None)
    }

    fn at(error: RenderError, pad: Option<String>) -> Self {
        JobFailure {
            error,
            pad,
            pts: None,
        }
    }
}

/// The pixel format of a video format this element handles.
pub(super) fn pixel_format(format: gst_video::VideoFormat) -> Option<PixelFormat> {
    use gst_video::VideoFormat as V;
    Some(match format {
        V::I420 => PixelFormat::I420,
        V::Nv12 => PixelFormat::Nv12,
        V::Rgba => PixelFormat::Rgba,
        V::Bgra => PixelFormat::Bgra,
        V::Rgbx => PixelFormat::Rgbx,
        V::Bgrx => PixelFormat::Bgrx,
        _ => return None,
    })
}

/// Chroma siting: whether chroma samples sit on the first luma column and row (cosited) rather
/// than between two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ChromaSite {
    pub h_cosited: bool,
    pub v_cosited: bool,
}

/// The `chroma-site` field of `caps`, when it has one we know. Read from the caps string
/// itself: GStreamer 1.22's `gst_video_info_from_caps` reads every value of it as `jpeg`.
pub(super) fn chroma_site(caps: Option<&gst::CapsRef>) -> Option<ChromaSite> {
    let s = caps?.structure(0)?.get::<&str>("chroma-site").ok()?;
    let (mut h, mut v) = (false, false);
    for flag in s.split('+') {
        match flag {
            "jpeg" | "none" => {}
            "mpeg2" | "h-cosited" => h = true,
            "v-cosited" => v = true,
            "cosited" | "dv" => (h, v) = (true, true),
            "alt-line" => {}
            _ => return None,
        }
    }
    Some(ChromaSite {
        h_cosited: h,
        v_cosited: v,
    })
}

/// The colour description of `info` (YUV formats) sited as `site` says, with GStreamer's
/// defaults for unknowns: MPEG-2 siting (cosited horizontally, centred vertically) when the
/// caps give none, as GStreamer assumes for 4:2:0.
pub(super) fn colorimetry(info: &gst_video::VideoInfo, site: Option<ChromaSite>) -> YuvColorimetry {
    let c = info.colorimetry();
    let matrix = match c.matrix() {
        gst_video::VideoColorMatrix::Bt601 => YuvMatrix::Bt601,
        gst_video::VideoColorMatrix::Bt2020 => YuvMatrix::Bt2020,
        gst_video::VideoColorMatrix::Bt709 => YuvMatrix::Bt709,
        // What GStreamer assumes for unknown matrices: BT.601 up to SD, BT.709 above.
        _ if info.height() <= 576 => YuvMatrix::Bt601,
        _ => YuvMatrix::Bt709,
    };
    let site = site.unwrap_or(ChromaSite {
        h_cosited: true,
        v_cosited: false,
    });
    YuvColorimetry {
        matrix,
        full_range: c.range() == gst_video::VideoColorRange::Range0_255,
        chroma_cosited_h: site.h_cosited,
        chroma_cosited_v: site.v_cosited,
    }
}

/// Test hooks; not part of the element's interface.
#[doc(hidden)]
pub mod fault {
    use std::sync::atomic::{AtomicU64, Ordering};

    static PANIC_AT: AtomicU64 = AtomicU64::new(u64::MAX);

    /// Makes the worker that renders frame `n` (counted from start) panic, once.
    pub fn panic_at_frame(n: u64) {
        PANIC_AT.store(n, Ordering::SeqCst);
    }

    pub(crate) fn check(frame: u64) {
        if PANIC_AT
            .compare_exchange(frame, u64::MAX, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            panic!("injected fault at frame {frame}");
        }
    }
}

/// The debug category of the CPU backend's frames.
pub(super) static CPU_CAT: Lazy<gst::DebugCategory> = Lazy::new(|| {
    gst::DebugCategory::new(
        "parallelcompositor-cpu",
        gst::DebugColorFlags::empty(),
        Some("parallelcompositor's CPU backend"),
    )
});

/// The debug category of the wgpu backend's frames.
pub(super) static WGPU_CAT: Lazy<gst::DebugCategory> = Lazy::new(|| {
    gst::DebugCategory::new(
        "parallelcompositor-wgpu",
        gst::DebugColorFlags::empty(),
        Some("parallelcompositor's wgpu backend"),
    )
});

/// One worker thread: maps a job's buffers, plans the frame and renders it with its backend,
/// logging on the backend's own category (the backends themselves know no GStreamer).
pub(super) struct FrameWorker {
    pub renderer: Box<dyn Renderer>,
    pub cat: gst::DebugCategory,
}

impl std::fmt::Debug for FrameWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FrameWorker")
    }
}

/// Checks that every plane of `frame`, as its video meta (or the caps) lays it out, lies inside
/// the buffer's `size` bytes: a meta whose offsets or strides do not fit would have the
/// renderers read past the mapped memory.
fn check_layout(
    frame: &gst_video::VideoFrameRef<&gst::BufferRef>,
    format: PixelFormat,
    size: usize,
) -> Result<(), String> {
    let info = frame.info();
    for p in 0..format.n_planes() {
        let (w, h, bpp) = format.plane_size(p, info.width(), info.height());
        let (offset, stride) = (info.offset()[p], frame.plane_stride()[p]);
        let row = (w * bpp) as usize;
        let end = usize::try_from(stride)
            .ok()
            .filter(|&s| s >= row)
            .and_then(|s| s.checked_mul(h as usize - 1))
            .and_then(|n| n.checked_add(offset))
            .and_then(|n| n.checked_add(row));
        match end {
            Some(end) if end <= size => {}
            _ => {
                return Err(format!(
                    "input plane {p} does not fit its buffer: offset {offset}, stride {stride}, \
                     {h} rows of {row} bytes in a buffer of {size} bytes (a bad GstVideoMeta?)"
                ))
            }
        }
    }
    Ok(())
}

/// Maps `buffer` as `info` for reading.
fn map_input<'b>(
    buffer: &'b gst::Buffer,
    info: &gst_video::VideoInfo,
) -> Result<gst_video::VideoFrameRef<&'b gst::BufferRef>, RenderError> {
    gst_video::VideoFrameRef::from_buffer_ref_readable(buffer.as_ref(), info)
        .map_err(|_| RenderError::Failed("could not map an input buffer for reading".into()))
}

/// A frame job its renderer has submitted: the mapped output buffer it will be read back into.
pub(super) struct PendingFrame {
    output: gst_video::VideoFrame<gst_video::video_frame::Writable>,
    format: PixelFormat,
    colorimetry: YuvColorimetry,
    submitted: Submitted,
    frame: u64,
    pts: Option<gst::ClockTime>,
}

impl std::fmt::Debug for PendingFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingFrame")
            .field("frame", &self.frame)
            .field("submitted", &self.submitted)
            .finish()
    }
}

/// The renderer's view of `out`'s planes.
fn output_target<'a>(
    out: &'a mut gst_video::VideoFrame<gst_video::video_frame::Writable>,
    format: PixelFormat,
    colorimetry: YuvColorimetry,
) -> OutputTarget<'a> {
    let (width, height) = (out.width(), out.height());
    let strides: Vec<usize> = out.plane_stride().iter().map(|s| *s as usize).collect();
    let planes = out
        .planes_data_mut()
        .into_iter()
        .zip(strides)
        .take(format.n_planes())
        .map(|(data, stride)| PlaneMut { data, stride })
        .collect();
    OutputTarget {
        format,
        width,
        height,
        planes,
        colorimetry,
    }
}

impl Worker for FrameWorker {
    type Job = FrameJob;
    type Pending = PendingFrame;
    type Output = FrameDone;
    type Error = JobFailure;

    fn start(&mut self, job: FrameJob) -> Result<PendingFrame, JobFailure> {
        let pts = job.output.pts();
        self.start_job(job).map_err(|f| JobFailure { pts, ..f })
    }

    fn finish(&mut self, mut pending: PendingFrame) -> Result<FrameDone, JobFailure> {
        let mut target = output_target(&mut pending.output, pending.format, pending.colorimetry);
        let timings = self
            .renderer
            .finish(pending.submitted, &mut target)
            .map_err(|e| {
                gst::debug!(self.cat, "frame {} failed: {e}", pending.frame);
                JobFailure {
                    pts: pending.pts,
                    ..JobFailure::frame(e)
                }
            })?;
        drop(target);
        gst::trace!(
            self.cat,
            "frame {}: upload {:?}, render {:?}, readback {:?}",
            pending.frame,
            timings.upload,
            timings.render,
            timings.readback
        );
        Ok(FrameDone {
            buffer: pending.output.into_buffer(),
            timings,
        })
    }

    fn depth(&self) -> usize {
        self.renderer.depth()
    }
}

impl FrameWorker {
    /// Maps the job's buffers, plans the frame and submits it; the inputs are released once
    /// the renderer has taken their planes.
    fn start_job(&mut self, job: FrameJob) -> Result<PendingFrame, JobFailure> {
        fault::check(job.frame);
        let frames = job
            .layers
            .iter()
            .map(|l| map_input(&l.buffer, &l.info))
            .collect::<Result<Vec<_>, _>>()
            .map_err(JobFailure::frame)?;
        let mut layers = Vec::with_capacity(frames.len());
        for (l, frame) in job.layers.iter().zip(&frames) {
            let invalid = |message: String| {
                JobFailure::at(RenderError::invalid(message), Some(l.pad.clone()))
            };
            let format = pixel_format(l.info.format()).ok_or_else(|| {
                invalid(format!("unsupported input format {:?}", l.info.format()))
            })?;
            check_layout(frame, format, l.buffer.size()).map_err(invalid)?;
            let planes = (0..format.n_planes())
                .map(|p| {
                    let data = frame
                        .plane_data(p as u32)
                        .map_err(|e| invalid(format!("input plane {p}: {e}")))?;
                    Ok(Plane {
                        data,
                        stride: frame.plane_stride()[p] as usize,
                    })
                })
                .collect::<Result<Vec<_>, JobFailure>>()?;
            layers.push(LayerSource {
                format,
                width: l.info.width(),
                height: l.info.height(),
                planes,
                colorimetry: colorimetry(&l.info, l.site),
                params: l.params.clone(),
            });
        }
        let info = &job.output_info;
        let format = pixel_format(info.format()).ok_or_else(|| {
            JobFailure::frame(RenderError::invalid(format!(
                "unsupported output format {:?}",
                info.format()
            )))
        })?;
        let pts = job.output.pts();
        let mut out =
            gst_video::VideoFrame::from_buffer_writable(job.output, info).map_err(|_| {
                JobFailure::frame(RenderError::Failed(
                    "could not map the output buffer for writing".into(),
                ))
            })?;
        let out_colorimetry = colorimetry(info, job.output_site);
        let submitted = {
            let mut target = output_target(&mut out, format, out_colorimetry);
            let named = |error: RenderError| {
                let pad = match &error {
                    RenderError::InvalidFrame { layer: Some(i), .. } => {
                        job.layers.get(*i).map(|l| l.pad.clone())
                    }
                    _ => None,
                };
                JobFailure::at(error, pad)
            };
            let plan = FramePlan::new(job.background, layers, job.transitions, &target)
                .map_err(|e| named(e.into()))?;
            gst::trace!(
                self.cat,
                "frame {}: {} layers, {} transitions",
                job.frame,
                plan.layers().len(),
                plan.transitions().len()
            );
            self.renderer.submit(&plan, &mut target).map_err(|e| {
                gst::debug!(self.cat, "frame {} failed: {e}", job.frame);
                named(e)
            })?
        };
        drop(frames);
        Ok(PendingFrame {
            output: out,
            format,
            colorimetry: out_colorimetry,
            submitted,
            frame: job.frame,
            pts,
        })
    }
}

/// The bus error for frame `sequence` that has no output, and its debug text: a bad frame is a
/// stream error, a lost device or exhausted memory a resource error, each saying what to do.
/// Every failure stops the stream: a frame is never skipped silently.
pub(super) fn bus_error(sequence: u64, e: &JobError<JobFailure>) -> (glib::Error, &'static str) {
    const STOP: &str = "stopping: a frame cannot be skipped silently";
    let failure = match e {
        JobError::Panicked(msg) => {
            return (
                glib::Error::new(
                    gst::StreamError::Failed,
                    &format!("Frame {sequence} could not be rendered: a worker panicked: {msg}"),
                ),
                STOP,
            )
        }
        JobError::Failed(f) => f,
    };
    let at = match (&failure.pad, failure.pts) {
        (Some(p), Some(t)) => format!(" (pad {p}, at {t})"),
        (Some(p), None) => format!(" (pad {p})"),
        (None, _) => String::new(),
    };
    match &failure.error {
        RenderError::InvalidFrame { message, .. } => (
            glib::Error::new(
                gst::StreamError::Format,
                &format!("Frame {sequence} could not be rendered{at}: {message}"),
            ),
            "the frame's description is invalid; stopping: a frame cannot be skipped silently",
        ),
        RenderError::DeviceLost(device) => (
            glib::Error::new(
                gst::ResourceError::Failed,
                &format!(
                    "Frame {sequence} could not be rendered: the GPU device {device} was lost. \
                     Restart the pipeline, or use adapter=cpu to render without the GPU"
                ),
            ),
            STOP,
        ),
        RenderError::OutOfMemory(what) => (
            glib::Error::new(
                gst::ResourceError::NoSpaceLeft,
                &format!(
                    "Frame {sequence} could not be rendered: out of memory on {what}. Lower \
                     max-frames-in-flight or workers, or the output size"
                ),
            ),
            STOP,
        ),
        RenderError::Failed(msg) => (
            glib::Error::new(
                gst::StreamError::Failed,
                &format!("Frame {sequence} could not be rendered{at}: {msg}"),
            ),
            STOP,
        ),
    }
}

/// Running per-stage timings for the `stats` property.
#[derive(Debug, Default, Clone)]
pub(super) struct Stats {
    pub frames: u64,
    total: [Duration; 3],
    max: [Duration; 3],
}

impl Stats {
    pub fn add(&mut self, t: &Timings) {
        self.frames += 1;
        for (i, d) in [t.upload, t.render, t.readback].into_iter().enumerate() {
            self.total[i] += d;
            self.max[i] = self.max[i].max(d);
        }
    }

    pub fn to_structure(&self, in_flight: usize, workers: usize, k: usize) -> gst::Structure {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mean = |i: usize| {
            if self.frames == 0 {
                0.0
            } else {
                ms(self.total[i]) / self.frames as f64
            }
        };
        gst::Structure::builder("application/x-parallelcompositor-stats")
            .field("frames", self.frames)
            .field("upload-mean-ms", mean(0))
            .field("upload-max-ms", ms(self.max[0]))
            .field("render-mean-ms", mean(1))
            .field("render-max-ms", ms(self.max[1]))
            .field("readback-mean-ms", mean(2))
            .field("readback-max-ms", ms(self.max[2]))
            .field("in-flight", in_flight as u32)
            .field("workers", workers as u32)
            .field("max-frames-in-flight", k as u32)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(error: RenderError, pad: Option<&str>) -> JobError<JobFailure> {
        JobError::Failed(JobFailure {
            error,
            pad: pad.map(str::to_string),
            pts: Some(gst::ClockTime::from_seconds(2)),
        })
    }

    #[test]
    fn render_errors_map_to_distinct_bus_errors() {
        gst::init().expect("GStreamer initialises");
        let (e, _) = bus_error(
            3,
            &failure(RenderError::DeviceLost("NVIDIA H200 (reset)".into()), None),
        );
        assert!(e.matches(gst::ResourceError::Failed), "{e:?}");
        assert!(e.message().contains("NVIDIA H200") && e.message().contains("Frame 3"));
        assert!(e.message().contains("adapter=cpu"), "{e}");

        let (e, _) = bus_error(
            4,
            &failure(RenderError::OutOfMemory("llvmpipe".into()), None),
        );
        assert!(e.matches(gst::ResourceError::NoSpaceLeft), "{e:?}");
        assert!(e.message().contains("max-frames-in-flight"), "{e}");

        let invalid = RenderError::InvalidFrame {
            layer: Some(1),
            message: "xpos is not a finite number (NaN)".into(),
        };
        let (e, debug) = bus_error(5, &failure(invalid, Some("sink_1")));
        assert!(e.matches(gst::StreamError::Format), "{e:?}");
        assert!(
            e.message().contains("pad sink_1") && e.message().contains("xpos"),
            "{e}"
        );
        assert!(debug.contains("invalid"));

        let (e, _) = bus_error(6, &failure(RenderError::Failed("mapping".into()), None));
        assert!(e.matches(gst::StreamError::Failed), "{e:?}");
        let (e, _) = bus_error(7, &JobError::Panicked("injected fault".into()));
        assert!(e.matches(gst::StreamError::Failed) && e.message().contains("injected fault"));
    }

    #[test]
    fn chroma_site_is_read_from_the_caps_string() {
        gst::init().expect("GStreamer initialises");
        let site = |v: &str| {
            let caps: gst::Caps = format!("video/x-raw,format=I420,chroma-site={v}")
                .parse()
                .expect("caps");
            chroma_site(Some(caps.as_ref())).map(|s| (s.h_cosited, s.v_cosited))
        };
        assert_eq!(site("mpeg2"), Some((true, false)));
        assert_eq!(site("jpeg"), Some((false, false)));
        assert_eq!(site("h-cosited"), Some((true, false)));
        assert_eq!(site("v-cosited"), Some((false, true)));
        assert_eq!(site("h-cosited+v-cosited"), Some((true, true)));
        assert_eq!(site("cosited"), Some((true, true)));
        assert_eq!(site("dv"), Some((true, true)));
        assert_eq!(site("sideways"), None);
        let bare: gst::Caps = "video/x-raw,format=I420".parse().expect("caps");
        assert_eq!(chroma_site(Some(bare.as_ref())), None);
        // Without siting in the caps: MPEG-2, GStreamer's default for 4:2:0.
        let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, 64, 48)
            .build()
            .expect("info");
        let c = colorimetry(&info, None);
        assert!(c.chroma_cosited_h && !c.chroma_cosited_v);
    }
}
