//! `gst-render-range` (GStreamer's tools carry the API version, as gst-launch-1.0; cargo names no
//! binary with a dot): renders a frame range of a gst-launch-1.0 export pipeline, frame-exact
//! with the one-pass render, and joins rendered chunks into one file without re-encoding: an
//! export split by time over many workers (see `--help`, and the README's "Chunked export").

mod cli;
mod failure;
mod join;
mod probe;
mod render;

use cli::{Command, TOOL};
use failure::{Code, Failure};

fn init() -> Result<(), Failure> {
    gst::init()
        .map_err(|e| Failure::new(Code::Runtime, format!("GStreamer does not initialise: {e}")))?;
    // An installed plugin (GST_PLUGIN_PATH or system-wide) is what gst-launch-1.0 would use:
    // so does this tool. Without one, the copy built in.
    if gst::ElementFactory::find("parallelcompositor").is_none() {
        gstparallelcompositor::plugin_register_static().map_err(|e| {
            Failure::new(
                Code::Runtime,
                format!("cannot register the built-in parallelcompositor elements: {e}"),
            )
        })?;
    }
    Ok(())
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Help => {
            print!("{}", cli::HELP);
            Ok(())
        }
        Command::Version => {
            println!("{TOOL} {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Render(args) => {
            init()?;
            render::render(&args)
        }
        Command::FrameCount(args) => {
            init()?;
            let (frames, (num, den)) = render::frame_count(&args)?;
            println!("{frames} {num}/{den}");
            Ok(())
        }
        Command::Join(args) => {
            init()?;
            join::join(&args)
        }
        Command::Probe(file) => {
            init()?;
            println!("{}", probe::inspect(&file)?.to_json(&file));
            Ok(())
        }
        Command::Checksums(file) => {
            init()?;
            for (i, (pts, sum)) in probe::checksums(&file)?.iter().enumerate() {
                let pts = pts.map_or("none".to_string(), |p| p.nseconds().to_string());
                println!("{i}\t{pts}\t{sum:016x}");
            }
            Ok(())
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match cli::parse(&args) {
        Err(why) => {
            eprintln!("{TOOL}: {why}");
            Code::Usage as i32
        }
        Ok(command) => match run(command) {
            Ok(()) => 0,
            Err(failure) => {
                eprintln!("{TOOL}: error: {failure}");
                failure.code as i32
            }
        },
    };
    std::process::exit(code);
}
