# path: reports/tasks.py
import json
from pathlib import Path

from celery import shared_task
from filelock import FileLock

STATE_FILE = Path("/var/lib/reports/state.json")


# error: DC101[warning]
@shared_task
def record_run(name):
    state = json.loads(STATE_FILE.read_text())  # error: DC304
    state[name] = state.get(name, 0) + 1
    STATE_FILE.write_text(json.dumps(state))


# error: DC101[warning]
@shared_task
def record_run_locked(name):
    with FileLock(f"{STATE_FILE}.lock"):  # error: DC201
        state = json.loads(STATE_FILE.read_text())  # ok: DC304
        state[name] = state.get(name, 0) + 1
        STATE_FILE.write_text(json.dumps(state))


def cli_update(name):
    """A command-line helper run by hand, one at a time: not job code."""
    with open("settings.json") as fh:  # ok: DC304
        data = json.load(fh)
    data[name] = True
    with open("settings.json", "w") as fh:
        json.dump(data, fh)
