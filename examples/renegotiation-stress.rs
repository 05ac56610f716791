//! Stress test for caps renegotiation: a live pattern through parallelcompositor while an
//! application changes the input size, format and the output size every 100 ms, at random.
//! Not a unit test (it runs for minutes): the reliability work runs it natively and under
//! valgrind to look for memory errors in the renegotiation path.
//!
//!     cargo run --release --example renegotiation-stress -- SECONDS [ADAPTER] [SEED]

use gst::prelude::*;

/// xorshift64*: a reproducible sequence of choices from `SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(30);
    let adapter = args.next().unwrap_or_else(|| "software".into());
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    gst::init()?;
    gstparallelcompositor::plugin_register_static()?;
    let pipeline = gst::parse::launch(&format!(
        "parallelcompositor name=pc adapter={adapter} ! capsfilter name=out \
         ! fakesink sync=false \
         videotestsrc is-live=true pattern=ball ! capsfilter name=in0 ! pc.sink_0 \
         videotestsrc is-live=true ! capsfilter name=in1 ! pc.sink_1"
    ))?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline")?;
    let filter = |name: &str| pipeline.by_name(name).ok_or(format!("no {name}"));
    let (in0, in1, out) = (filter("in0")?, filter("in1")?, filter("out")?);
    let mut rng = Rng(seed.max(1));
    let formats = ["I420", "NV12", "RGBA", "BGRx"];
    let sizes = [(64, 48), (160, 120), (320, 240), (98, 54), (33, 17)];
    let caps = |format: &str, (w, h): (i32, i32)| {
        gst::Caps::builder("video/x-raw")
            .field("format", format)
            .field("width", w)
            .field("height", h)
            .field("framerate", gst::Fraction::new(30, 1))
            .build()
    };
    in0.set_property("caps", caps("I420", (160, 120)));
    in1.set_property("caps", caps("RGBA", (64, 48)));
    pipeline.set_state(gst::State::Playing)?;
    let bus = pipeline.bus().ok_or("no bus")?;
    let start = std::time::Instant::now();
    let mut changes = 0u64;
    while start.elapsed().as_secs() < seconds {
        if let Some(msg) = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(100),
            &[gst::MessageType::Error, gst::MessageType::Eos],
        ) {
            pipeline.set_state(gst::State::Null)?;
            return Err(format!("after {changes} changes: {msg:?}").into());
        }
        let target = [&in0, &in1, &out][(rng.next() % 3) as usize];
        let size = *rng.pick(&sizes);
        let format = if target == &out {
            *rng.pick(&["I420", "NV12", "RGBA", "BGRA"])
        } else {
            *rng.pick(&formats)
        };
        target.set_property("caps", caps(format, size));
        changes += 1;
    }
    pipeline.set_state(gst::State::Null)?;
    println!("{changes} caps changes in {seconds} s on adapter={adapter}, no error");
    Ok(())
}
