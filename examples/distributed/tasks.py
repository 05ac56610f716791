"""The Celery app of chunked export: `chunks.render` renders one chunk by running gst-render-range
as a subprocess (a crashing pipeline fails the task, never the worker), `chunks.join` joins them.

Configuration, from the environment of workers and driver alike:
  CHUNKS_BROKER              broker URL (default redis://127.0.0.1:6379/0); also the result backend
  CHUNKS_BACKEND             result backend URL, if not the broker
  GST_RENDER_RANGE           the tool (default gst-render-range on PATH)
  CHUNKS_MAX_RETRIES         retries of a chunk that failed in a way worth retrying (default 2)
  CHUNKS_RETRY_DELAY         seconds before such a retry (default 5)
  CHUNKS_VISIBILITY_TIMEOUT  seconds before Redis gives a chunk whose worker vanished (machine lost,
                             no goodbye) to another worker (default 3600: longer than any chunk)

Reliability: acks_late (a chunk is acknowledged when done, not when taken), reject_on_worker_lost
(a worker process killed mid-chunk puts the chunk back in the queue at once), prefetch 1 (a
worker holds one chunk at a time). Chunks are written to a temporary name and renamed when complete,
so a chunk rendered twice (redelivery) is harmless.
"""

import ctypes
import os
import shlex
import signal
import socket
import subprocess
import time

from celery import Celery
from celery.utils.log import get_task_logger

BROKER = os.environ.get("CHUNKS_BROKER", "redis://127.0.0.1:6379/0")
TOOL = os.environ.get("GST_RENDER_RANGE", "gst-render-range")

app = Celery("chunked_export", broker=BROKER, backend=os.environ.get("CHUNKS_BACKEND", BROKER))
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_track_started=True,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=24 * 3600,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": int(os.environ.get("CHUNKS_VISIBILITY_TIMEOUT", "3600"))},
)
log = get_task_logger(__name__)

# gst-render-range's exit statuses (see its --help): these can succeed on another try (a runtime
# error, an input on a shared volume not there yet, a timeout, a signal); the others (bad command,
# description, pipeline shape, refused seek, wrong frame count, mismatch) fail again.
RETRYABLE = {1, 5, 8}


class ChunkFailed(Exception):
    """A chunk or the join failed; the message says which, where and why."""


def _die_with_worker():
    """The tool dies with the worker process that started it (Linux), so a killed worker leaves
    no orphan writing a chunk."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _tail(text, lines=8):
    return "\n".join(text.strip().splitlines()[-lines:])


def run_tool(args, timeout=None):
    """Runs gst-render-range; returns (exit status, stderr)."""
    try:
        p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=timeout,
                           preexec_fn=_die_with_worker)
    except FileNotFoundError:
        return 127, f"{TOOL}: not found (set GST_RENDER_RANGE to the tool's path)"
    except subprocess.TimeoutExpired:
        return 8, f"{TOOL} ran over {timeout} s"
    return p.returncode, p.stderr


@app.task(bind=True, name="chunks.render", max_retries=int(os.environ.get("CHUNKS_MAX_RETRIES", "2")))
def render_chunk(self, description, index, first, end, output, timeout=0):
    """Renders frames [first, end) of the gst-launch `description` into `output`."""
    worker = self.request.hostname or socket.gethostname()
    log.info("chunk %d: frames %d-%d on %s (try %d)", index, first, end, worker, self.request.retries + 1)
    part = f"{output}.part-{os.getpid()}"
    started = time.monotonic()
    args = ["-q", "--frames", f"{first}:{end}", "-o", part]
    if timeout:
        args += ["--timeout", str(timeout)]
    code, err = run_tool(args + shlex.split(description))
    if code == 0:
        os.replace(part, output)
        seconds = time.monotonic() - started
        log.info("chunk %d: done in %.2f s", index, seconds)
        return {"index": index, "output": output, "frames": end - first, "seconds": seconds, "worker": worker}
    try:
        os.remove(part)
    except OSError:
        pass
    why = f"chunk {index} (frames {first}-{end}) failed on {worker}: {TOOL} exited with {code}:\n{_tail(err)}"
    log.error("%s", why)
    retryable = code in RETRYABLE or code < 0
    if retryable and self.request.retries < self.max_retries:
        raise self.retry(exc=ChunkFailed(why), countdown=float(os.environ.get("CHUNKS_RETRY_DELAY", "5")))
    raise ChunkFailed(why)


@app.task(name="chunks.join")
def join_chunks(results, output, audio=None):
    """Joins the chunks the render tasks returned (any order) into `output`."""
    results = sorted(results, key=lambda r: r["index"])
    args = ["-q", "--join", output]
    if audio:
        args += ["--audio", audio]
    started = time.monotonic()
    code, err = run_tool(args + [r["output"] for r in results])
    if code != 0:
        raise ChunkFailed(f"joining {len(results)} chunks into {output} failed: {TOOL} exited with {code}:\n{_tail(err)}")
    return {"output": output, "frames": sum(r["frames"] for r in results),
            "seconds": time.monotonic() - started, "chunks": results}
