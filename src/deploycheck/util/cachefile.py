"""Writing deploycheck's caches under the git directory (the job index, log's signature checks).

A cache is an optimisation: a reader sees the old file or the new one, never half of one, and a
repository deploycheck cannot write to only costs the next run its speed. Standard library only,
imported on the hook's path.
"""

from __future__ import annotations

import os


def write_best_effort(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (a temporary file beside it, then a rename);
    on any OS error leave things as they were and return."""
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
