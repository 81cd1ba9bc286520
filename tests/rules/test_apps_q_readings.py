"""Readings from the apps-q sample (tests/corpus/*-labelled-apps-q.yaml), scanned first in
session 24, on real git repositories: each case fails without its reading."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

WORKING = """package util

import "time"

const (
	Ver       = "3.7.3-beta.3"
	IsInsider = false
)

func Boot() {
	go func() {
		for {
			report(Ver)
			time.Sleep(time.Minute)
		}
	}()
}

func report(v string) {}
"""


@pytest.mark.parametrize("old, new, flagged", [
    ('Ver       = "3.7.3-beta.3"', 'Ver       = "3.7.3"', False),  # siyuan (apps-q 170c742f, 9c2d58b6)
    ('Ver       = "3.7.3-beta.3"', 'Ver       = "http://x"', True),  # not a version number
])
def test_go_a_release_number_in_a_constant_named_ver_is_no_behaviour(tmp_path, old: str, new: str, flagged: bool) -> None:
    # A release bumps `Ver` in a const block a boot goroutine reads: DC701 asked the checklist of it.
    found = flagged_on_branch(tmp_path, {"kernel/util/working.go": WORKING},
                              {"kernel/util/working.go": WORKING.replace(old, new)})
    assert bool(found) == flagged
