"""Chunk planning for chunked export: pure, shared by the Celery driver and the Kubernetes job."""


def plan(total_frames, chunks=None, chunk_frames=None):
    """The chunks of an export of `total_frames` frames as (first, end) frame ranges, end excluded.

    Either `chunks` (that many, sizes differing by at most one frame) or `chunk_frames` (that many
    frames each, the last one shorter)."""
    if total_frames <= 0:
        raise ValueError(f"nothing to render: {total_frames} frames")
    if (chunks is None) == (chunk_frames is None):
        raise ValueError("give either a number of chunks or frames per chunk")
    if chunk_frames is not None:
        if chunk_frames <= 0:
            raise ValueError(f"frames per chunk must be positive, not {chunk_frames}")
        return [(f, min(f + chunk_frames, total_frames)) for f in range(0, total_frames, chunk_frames)]
    if chunks <= 0:
        raise ValueError(f"the number of chunks must be positive, not {chunks}")
    chunks = min(chunks, total_frames)
    bounds = [total_frames * i // chunks for i in range(chunks + 1)]
    return list(zip(bounds, bounds[1:]))


def chunk_path(workdir, index):
    """Where chunk `index` is written (the folder must be shared by every worker)."""
    return f"{workdir}/chunk-{index:05d}.mp4"


def parse_rate(text):
    """'30/1' or '30' as (numerator, denominator)."""
    num, _, den = text.partition("/")
    num, den = int(num), int(den or 1)
    if num <= 0 or den <= 0:
        raise ValueError(f"bad framerate {text!r}")
    return num, den


if __name__ == "__main__":
    assert plan(60, chunks=3) == [(0, 20), (20, 40), (40, 60)]
    assert plan(10, chunks=3) == [(0, 3), (3, 6), (6, 10)]
    assert plan(10, chunk_frames=4) == [(0, 4), (4, 8), (8, 10)]
    assert plan(2, chunks=5) == [(0, 1), (1, 2)]
    assert parse_rate("30000/1001") == (30000, 1001)
    print("plan.py: ok")
