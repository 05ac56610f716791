#!/usr/bin/env python3
"""Chunked export over Celery + Redis (examples/distributed), end to end, and its failures.

    .venv/bin/python tests/distributed.py --tool $CARGO_TARGET_DIR/debug/gst-render-range

`make test` runs it after the cargo tests, with the venv `scripts/deps.sh test` made (the pinned
examples/distributed/requirements.txt) and the tool `cargo test` built. It starts Debian's
redis-server on 127.0.0.1 at a free port and two Celery workers (one process each), then checks:
a 3-chunk export joined through a chord equals the one-pass export frame for frame (per-frame
checksums of the decoded files); a worker process killed mid-chunk has its chunk put back and
rendered again, still exact; the Kubernetes entry point renders and joins the same chunks; an
unreachable broker and a chunk that fails to render stop the driver with a clear message.
Plain asserts; each check prints PASS or FAIL; the last line is `N passed, N failed`.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "distributed")
TIMEOUT = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Env:
    def __init__(self, tool, tmp):
        self.tool = tool
        self.tmp = tmp
        self.port = free_port()
        self.broker = f"redis://127.0.0.1:{self.port}/0"
        self.procs = []

    def environ(self, **extra):
        env = dict(os.environ)
        env.update(CHUNKS_BROKER=self.broker, GST_RENDER_RANGE=self.tool, CHUNKS_RETRY_DELAY="0.2",
                   PYTHONUNBUFFERED="1")
        env.update(extra)
        return env

    def path(self, name):
        return os.path.join(self.tmp, name)

    def start(self, cmd, log, **kw):
        p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def run(cmd, env, timeout=TIMEOUT, cwd=EXAMPLE):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def run_ok(cmd, env, **kw):
    code, out, err = run(cmd, env, **kw)
    assert code == 0, f"{' '.join(cmd[:4])} ... exited with {code}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}"
    return out, err


def start_redis(env):
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: scripts/deps.sh test installs it (apt-get install redis-server)"
    env.start([server, "--port", str(env.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
              env.path("redis.log"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", env.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"redis-server did not answer on port {env.port}")


def start_workers(env, n=2):
    for i in range(n):
        env.start([sys.executable, "-m", "celery", "-A", "tasks", "worker", "--concurrency", "1",
                   "--pool", "prefork", "-n", f"w{i}@%h", "--loglevel", "INFO", "--without-gossip",
                   "--without-mingle", "--without-heartbeat"],
                  env.path(f"worker{i}.log"), cwd=EXAMPLE, env=env.environ())
    probe = ("import tasks, sys, time\n"
             "deadline = time.time() + 60\n"
             f"while time.time() < deadline:\n"
             f"    if len(tasks.app.control.ping(timeout=0.5) or []) >= {n}: sys.exit(0)\n"
             "sys.exit(1)\n")
    run_ok([sys.executable, "-c", probe], env.environ())


def make_inputs(env):
    for name, pattern, fps, frames in [("a.mp4", "ball", 30, 60), ("b.mp4", "smpte", 25, 50)]:
        run_ok(["gst-launch-1.0", "-q", "videotestsrc", f"num-buffers={frames}", f"pattern={pattern}", "!",
                "timeoverlay", "!", f"video/x-raw,format=I420,width=160,height=120,framerate={fps}/1", "!",
                "x264enc", "speed-preset=superfast", "bframes=2", "key-int-max=16", "!", "mp4mux", "!",
                "filesink", f"location={env.path(name)}"], env.environ())


def description(env, slow=False):
    """The export: two inputs, a fade across the chunk boundary at frame 20, motion blur, lossless."""
    delay = "identity sleep-time=40000 ! " if slow else ""
    return (f'parallelcompositor name=pc adapter=cpu shutter-angle=180 '
            f'transitions="fade, from=sink_0, to=sink_1, start=0.5, duration=0.4" '
            f'sink_1::zorder=1 sink_1::xpos=40 sink_1::width=80 sink_1::height=60 '
            f'! video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! {delay}'
            f'x264enc pass=quant quantizer=0 speed-preset=superfast ! mp4mux ! filesink location=unused.mp4 '
            f'filesrc location={env.path("a.mp4")} ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_0 '
            f'filesrc location={env.path("b.mp4")} ! qtdemux ! h264parse ! avdec_h264 ! pc.sink_1')


def checksums(env, path):
    out, _ = run_ok([env.tool, "--checksums", path], env.environ())
    lines = out.splitlines()
    assert lines, f"{path}: no frames"
    return lines


ONE_PASS = {}


def one_pass(env):
    if "sums" not in ONE_PASS:
        import shlex
        out = env.path("one.mp4")
        run_ok([env.tool, "-q", "-o", out, *shlex.split(description(env))], env.environ())
        ONE_PASS["sums"] = checksums(env, out)
        assert len(ONE_PASS["sums"]) == 60, len(ONE_PASS["sums"])
    return ONE_PASS["sums"]


def assert_same(env, joined):
    got, want = checksums(env, joined), one_pass(env)
    assert len(got) == len(want), f"{joined}: {len(got)} frames, one pass {len(want)}"
    for g, w in zip(got, want):
        assert g == w, f"{joined}: frame differs from the one pass: {g} instead of {w}"


def driver(env, *args, desc=None):
    return [sys.executable, "driver.py", "--description", desc or description(env), *args]


# --- the checks ---

def celery_chunks_join_exactly(env):
    joined = env.path("joined.mp4")
    _, err = run_ok(driver(env, "--chunks", "3", "--workdir", env.path("w1"), "--output", joined), env.environ())
    assert "60 frames in 3 chunks" in err and "Traceback" not in err, err
    assert_same(env, joined)


def killed_worker_chunk_is_rendered_again(env):
    joined = env.path("joined-kill.mp4")
    p = subprocess.Popen(driver(env, "--chunks", "3", "--frames", "60", "--workdir", env.path("w2"),
                                "--output", joined, desc=description(env, slow=True)),
                         cwd=EXAMPLE, env=env.environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and p.poll() is None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().split(b"\0")
                with open(f"/proc/{pid}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if cmd and cmd[0] == env.tool.encode() and b"--frames" in cmd and b"20:40" in cmd:
                # The worker's pool process running the chunk; the tool dies with it.
                os.kill(parent, signal.SIGKILL)
                killed = parent
                break
        time.sleep(0.02)
    assert killed, "chunk 1 never started"
    out, err = p.communicate(timeout=TIMEOUT)
    assert p.returncode == 0, f"driver exited with {p.returncode}\n{err[-3000:]}"
    logs = "".join(open(env.path(f"worker{i}.log")).read() for i in range(2))
    assert "WorkerLostError" in logs or "Process" in logs and "signal 9" in logs, logs[-3000:]
    assert logs.count("chunk 1: frames 20-40") >= 2, f"chunk 1 was not rendered again\n{logs[-3000:]}"
    assert_same(env, joined)


def kubernetes_entry_point_renders_and_joins(env):
    import shlex
    desc_file = env.path("export.txt")
    with open(desc_file, "w") as f:
        f.write(description(env))
    base = env.environ(CHUNKS="3", FRAMES="60", DESCRIPTION_FILE=desc_file, WORKDIR=env.path("k8s"),
                       OUTPUT=env.path("k8s.mp4"))
    for i in range(3):
        run_ok([sys.executable, "k8s_chunk.py"], dict(base, JOB_COMPLETION_INDEX=str(i)))
    run_ok([sys.executable, "k8s_chunk.py", "--join"], base)
    assert_same(env, env.path("k8s.mp4"))
    assert shlex.split(description(env))  # the description survives the file's line breaks


def unreachable_broker_is_reported(env):
    broker = f"redis://127.0.0.1:{free_port()}/0"
    t = time.monotonic()
    code, _, err = run(driver(env, "--frames", "60", "--broker", broker, "--workdir", env.path("w3"),
                              "--output", env.path("never.mp4")), env.environ(), timeout=60)
    assert code == 3, f"exit {code}\n{err}"
    assert "cannot reach the broker at " + broker in err, err
    assert time.monotonic() - t < 30, "the driver should give up quickly"


def failing_chunk_is_reported(env):
    # 90 frames planned over inputs of 60: the last chunk has nothing to render.
    code, _, err = run(driver(env, "--chunks", "3", "--frames", "90", "--workdir", env.path("w4"),
                              "--output", env.path("never.mp4")), env.environ())
    assert code == 1, f"exit {code}\n{err}"
    assert "chunk 2 (frames 60-90) failed" in err and "gst-render-range exited with" in err, err
    assert not os.path.exists(env.path("never.mp4"))
    assert "Traceback" not in err, err


CHECKS = [celery_chunks_join_exactly, killed_worker_chunk_is_rendered_again, kubernetes_entry_point_renders_and_joins,
          unreachable_broker_is_reported, failing_chunk_is_reported]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", required=True, help="the gst-render-range binary")
    parser.add_argument("-k", help="run only the checks whose name contains this")
    args = parser.parse_args()
    tool = os.path.abspath(args.tool)
    if not os.access(tool, os.X_OK):
        sys.exit(f"error: {tool} is not an executable: build it (cargo test --all-targets builds it)")
    try:
        import celery  # noqa: F401
    except ImportError:
        sys.exit("error: celery is missing: run with the venv scripts/deps.sh test makes (.venv/bin/python)")
    passed = failed = 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pc-distributed-") as tmp:
        env = Env(tool, tmp)
        try:
            start_redis(env)
            make_inputs(env)
            start_workers(env)
            print(f"redis on port {env.port}, 2 workers ({time.monotonic() - start:.1f} s)", flush=True)
            for check in CHECKS:
                if args.k and args.k not in check.__name__:
                    continue
                t = time.monotonic()
                try:
                    check(env)
                    passed += 1
                    print(f"PASS {check.__name__} ({time.monotonic() - t:.1f} s)", flush=True)
                except Exception as e:  # noqa: BLE001 -- every failure is reported, none stops the rest
                    failed += 1
                    detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
                    print(f"FAIL {check.__name__} ({time.monotonic() - t:.1f} s): {detail}", flush=True)
        except Exception:  # noqa: BLE001
            failed += 1
            print(f"FAIL setup: {traceback.format_exc()}", flush=True)
        finally:
            env.stop()
    print(f"distributed: {time.monotonic() - start:.1f} s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
