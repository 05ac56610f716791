//! On a headless machine (no display, no XDG_RUNTIME_DIR) the adapter probe and the wgpu backend
//! print nothing on stderr: no "error: XDG_RUNTIME_DIR is invalid" from a window system the
//! element never uses. The pipelines run in a child process (this test binary again) so that
//! its stderr and environment are the test's to control.

mod common;

const CHILD: &str = "PC_HEADLESS_CHILD";

#[test]
fn a_headless_run_prints_no_error() {
    if std::env::var_os(CHILD).is_some() {
        for adapter in ["auto", "software", "cpu"] {
            let pipeline = common::launch(&format!(
                "parallelcompositor name=pc adapter={adapter} ! fakesink \
                 videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! pc.sink_0"
            ));
            common::play_to_end(&pipeline, 60).expect("renders");
        }
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(exe)
        .args(["--exact", "a_headless_run_prints_no_error", "--nocapture"])
        .env(CHILD, "1")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("NODEVICE_SELECT")
        .env_remove("GST_DEBUG")
        .output()
        .expect("child runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    let noisy: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            let l = l.to_lowercase();
            l.contains("error") || l.contains("warn")
        })
        .collect();
    assert!(noisy.is_empty(), "stderr of a headless run: {noisy:?}");
}
