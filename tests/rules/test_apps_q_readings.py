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


LOGIN = """import { models } from './models';

export const login = async (req, res) => {
  const account = await models.Accounts.findOne({ uid: req.uid });
  if (account) {
    await models.Accounts.updateOne({ _id: account._id }, { $set: { token: req.token } });
  } else {
    const created = await models.Accounts.create({ uid: req.uid, token: req.token });
    console.log('created', created._id);
  }
  return res.redirect('/');
};
"""
SIGNUP = """
export const signup = async (req) => {
  if (!(await models.Accounts.findOne({ uid: req.uid }))) {
    await models.Accounts.create({ uid: req.uid });
  }
};
"""


@pytest.mark.parametrize("head, flagged", [
    # erxes (apps-q d223ed29, 0259ece7): debug logging dropped beside a lookup-then-create the
    # base already had; the act's line changed only as `const created = …` lost its name.
    (LOGIN.replace("const created = await", "await").replace("    console.log('created', created._id);\n", ""), []),
    # a new function that checks, then creates: a race the change makes
    (LOGIN + SIGNUP, [16]),
    # the same function now creates through another model: not the pair the base had
    (LOGIN.replace("const created = await models.Accounts.create", "const created = await models.Users.create")
     .replace("models.Accounts.findOne", "models.Users.findOne"), [8]),
])
def test_js_a_check_then_create_the_base_already_had_is_not_the_change(tmp_path, head: str, flagged: list) -> None:
    found = flagged_on_branch(tmp_path, {"src/login.ts": LOGIN}, {"src/login.ts": head}, rule="DC705")
    assert [f[1] for f in found] == flagged
