//! The ring of staging slots one renderer's frames in flight go through. A slot holds a frame's
//! upload buffer (its input planes, written while mapped) and its readback buffer (its output
//! planes, mapped once the GPU is done). With K slots a worker submits up to K frames before it
//! waits for the oldest, so that waiting for one frame's readback never delays the next frame's
//! upload and submission. Slots are reused frame after frame: a steady stream creates no buffer.
//!
//! Why a mapped upload ring rather than `Queue::write_texture`: wgpu-core's `write_texture`
//! allocates a staging buffer per call (`prepare_staging_buffer`) and frees it once the
//! submission is done, so every plane of every frame costs a device allocation and a free; the
//! ring pays one copy into memory mapped once per frame and nothing else. Both copy each row
//! once on the CPU; the GPU machine's bench compares both (`PARALLELCOMPOSITOR_UPLOAD`).

use std::collections::VecDeque;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::gpu::context::GpuContext;
use crate::gpu::GpuError;

/// How long a frame may take on the GPU before it counts as hung: far beyond any frame (a 4K
/// frame on lavapipe takes about a second), short enough that a dead device ends the stream.
const FRAME_LIMIT: Duration = Duration::from_secs(60);

/// How long one `device.poll` waits before the waiter checks whether the device was lost.
const POLL_SLICE: Duration = Duration::from_millis(250);

type MapResult = Result<(), wgpu::BufferAsyncError>;

/// A map requested with `map_async`: its callback's outcome arrives here.
pub(crate) struct PendingMap {
    rx: mpsc::Receiver<MapResult>,
    /// The submission after which the map completes.
    submission: wgpu::SubmissionIndex,
}

impl PendingMap {
    /// Asks for all of `buffer` to be mapped in `mode` once `submission` is done.
    pub(crate) fn request(
        buffer: &wgpu::Buffer,
        mode: wgpu::MapMode,
        submission: wgpu::SubmissionIndex,
    ) -> PendingMap {
        let (tx, rx) = mpsc::channel();
        buffer.slice(..).map_async(mode, move |r| {
            let _ = tx.send(r);
        });
        PendingMap { rx, submission }
    }

    /// Waits until the map completes, driving the device: polls for this submission in slices,
    /// so that a lost device or a hung GPU ends the wait with an error rather than a hang.
    /// Other workers' submissions go on meanwhile (wgpu's poll holds no lock `submit` needs).
    pub(crate) fn wait(self, ctx: &GpuContext, what: &str) -> Result<(), GpuError> {
        let start = Instant::now();
        loop {
            match self.rx.try_recv() {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => return Err(GpuError::Render(format!("mapping the {what}: {e}"))),
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Err(GpuError::Render(format!("the {what} was never mapped")))
                }
                Err(mpsc::TryRecvError::Empty) => {}
            }
            if let Some(why) = ctx.lost() {
                return Err(GpuError::DeviceLost(why));
            }
            if start.elapsed() > FRAME_LIMIT {
                return Err(GpuError::Render(format!(
                    "the GPU did not finish a frame in {} s",
                    FRAME_LIMIT.as_secs()
                )));
            }
            match ctx.device.poll(wgpu::PollType::Wait {
                submission_index: Some(self.submission.clone()),
                timeout: Some(POLL_SLICE),
            }) {
                Ok(_) | Err(wgpu::PollError::Timeout) => {}
                Err(e) => return Err(GpuError::Render(format!("waiting for the GPU: {e}"))),
            }
        }
    }
}

/// A buffer of `size` bytes that is mapped, or being mapped, between its uses.
struct Mappable {
    buffer: wgpu::Buffer,
    size: u64,
    /// `None` while mapped; the pending map while the GPU still uses it.
    pending: Option<PendingMap>,
    /// Handed out for this frame's upload, which unmaps it.
    in_use: bool,
}

/// Where one output plane lies in a readback buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlaneRows {
    pub(crate) offset: u64,
    /// Bytes per row in the buffer (wgpu copies rows aligned to 256 bytes).
    pub(crate) padded_row: u32,
    /// Bytes per row in the plane.
    pub(crate) row: u32,
    pub(crate) rows: u32,
}

/// The frame a slot holds: its readback's pending map and layout.
struct InFlight {
    readback: PendingMap,
    planes: Vec<PlaneRows>,
}

#[derive(Default)]
struct StagingSlot {
    upload: Option<Mappable>,
    readback: Option<(wgpu::Buffer, u64)>,
    in_flight: Option<InFlight>,
}

/// K staging slots and which of them no frame holds.
pub(crate) struct StagingRing {
    slots: Vec<StagingSlot>,
    /// Free slots, the least recently used first.
    free: VecDeque<usize>,
}

impl Default for StagingRing {
    fn default() -> Self {
        StagingRing::new(1)
    }
}

impl StagingRing {
    /// A ring of `depth` slots (at least one); buffers are made at first use.
    pub(crate) fn new(depth: usize) -> StagingRing {
        let depth = depth.max(1);
        StagingRing {
            slots: (0..depth).map(|_| StagingSlot::default()).collect(),
            free: (0..depth).collect(),
        }
    }

    /// Slots in the ring: the most frames in flight.
    pub(crate) fn depth(&self) -> usize {
        self.slots.len()
    }

    /// Takes a free slot for a new frame.
    pub(crate) fn acquire(&mut self) -> Result<usize, GpuError> {
        self.free.pop_front().ok_or_else(|| {
            GpuError::Render(format!(
                "all {} staging slots hold frames in flight",
                self.slots.len()
            ))
        })
    }

    /// Slot `slot`'s upload buffer, at least `size` bytes and mapped for writing (waiting, if
    /// need be, for the frame that used it last).
    pub(crate) fn upload_buffer(
        &mut self,
        ctx: &GpuContext,
        slot: usize,
        size: u64,
    ) -> Result<&wgpu::Buffer, GpuError> {
        let s = &mut self.slots[slot];
        if let Some(up) = &mut s.upload {
            if let Some(pending) = up.pending.take() {
                if let Err(e) = pending.wait(ctx, "upload staging buffer") {
                    s.upload = None;
                    return Err(e);
                }
            }
        }
        if s.upload.as_ref().is_none_or(|up| up.size < size) {
            // Room for a little growth (a layer's size changing) without a new buffer each time.
            let size = size.next_multiple_of(1 << 16);
            let buffer = super::new_buffer(
                &ctx.device,
                "upload staging",
                size,
                wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
                true,
            );
            s.upload = Some(Mappable {
                buffer,
                size,
                pending: None,
                in_use: false,
            });
        }
        match &mut s.upload {
            Some(up) => {
                up.in_use = true;
                Ok(&up.buffer)
            }
            None => Err(GpuError::Render("no upload staging buffer".into())),
        }
    }

    /// Slot `slot`'s readback buffer, at least `size` bytes.
    pub(crate) fn readback_buffer(
        &mut self,
        device: &wgpu::Device,
        slot: usize,
        size: u64,
    ) -> &wgpu::Buffer {
        let s = &mut self.slots[slot];
        if s.readback.as_ref().is_some_and(|(_, cap)| *cap < size) {
            s.readback = None;
        }
        let (buffer, _) = s.readback.get_or_insert_with(|| {
            let buffer = super::new_buffer(
                device,
                "readback",
                size,
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                false,
            );
            (buffer, size)
        });
        buffer
    }

    /// Records that slot `slot`'s frame was submitted as `submission`, its output planes laid
    /// out in the readback buffer as `planes`: asks for the readback to be mapped for reading
    /// and the upload buffer, if the frame used it, for writing again, both once it is done.
    pub(crate) fn submitted(
        &mut self,
        slot: usize,
        submission: wgpu::SubmissionIndex,
        planes: Vec<PlaneRows>,
    ) -> Result<(), GpuError> {
        let s = &mut self.slots[slot];
        let Some((readback, _)) = &s.readback else {
            return Err(GpuError::Render("no readback buffer".into()));
        };
        let readback = PendingMap::request(readback, wgpu::MapMode::Read, submission.clone());
        if let Some(up) = &mut s.upload {
            if std::mem::take(&mut up.in_use) {
                up.pending = Some(PendingMap::request(
                    &up.buffer,
                    wgpu::MapMode::Write,
                    submission,
                ));
            }
        }
        s.in_flight = Some(InFlight { readback, planes });
        Ok(())
    }

    /// Waits for slot `slot`'s frame and hands its mapped readback rows to `read`, then frees
    /// the slot. On an error the slot's buffers are dropped, to be made anew.
    pub(crate) fn complete<T>(
        &mut self,
        ctx: &GpuContext,
        slot: usize,
        read: impl FnOnce(&[u8], &[PlaneRows]) -> Result<T, GpuError>,
    ) -> Result<T, GpuError> {
        let result = self.read_slot(ctx, slot, read);
        let s = &mut self.slots[slot];
        if result.is_err() {
            *s = StagingSlot::default();
        }
        self.free.push_back(slot);
        result
    }

    fn read_slot<T>(
        &mut self,
        ctx: &GpuContext,
        slot: usize,
        read: impl FnOnce(&[u8], &[PlaneRows]) -> Result<T, GpuError>,
    ) -> Result<T, GpuError> {
        let s = self
            .slots
            .get_mut(slot)
            .ok_or_else(|| GpuError::Render(format!("no staging slot {slot}")))?;
        let in_flight = s
            .in_flight
            .take()
            .ok_or_else(|| GpuError::Render(format!("staging slot {slot} holds no frame")))?;
        let Some((buffer, _)) = &s.readback else {
            return Err(GpuError::Render("no readback buffer".into()));
        };
        if fault::take_readback_failure() {
            // What a device reset does to a pending map: it fails.
            buffer.destroy();
        }
        in_flight.readback.wait(ctx, "readback")?;
        let result = {
            let mapped = buffer
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Render(format!("reading the readback: {e}")))?;
            read(&mapped, &in_flight.planes)
        };
        buffer.unmap();
        result
    }
}

/// Test hooks; not part of the element's interface.
#[doc(hidden)]
pub mod fault {
    use std::sync::atomic::{AtomicBool, Ordering};

    static FAIL_READBACK: AtomicBool = AtomicBool::new(false);

    /// Makes the next frame read back on any wgpu renderer of this process find its readback
    /// map failed (its buffer is destroyed while the map is pending), once.
    pub fn fail_next_readback() {
        FAIL_READBACK.store(true, Ordering::SeqCst);
    }

    pub(super) fn take_readback_failure() -> bool {
        FAIL_READBACK.swap(false, Ordering::SeqCst)
    }
}
