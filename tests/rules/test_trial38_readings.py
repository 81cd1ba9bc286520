"""Readings from session 38's new users' trials, on real git repositories: each case fails without
its change."""

from __future__ import annotations

import pytest

from support.scanning import flagged_on_branch

# --- TryGhost/ActivityPub (TypeScript): awaits made at once ----------------------------------------

# Its inbox's Follow handler resolved the two accounts one after another with a get-or-create each,
# then at once in a `Promise.all` (4196ca50). No job API is named in the file: nothing was flagged.
FOLLOW = """import { isError } from '@/core/result';

export class FollowHandler {
    constructor(private readonly accountService: AccountService) {}

    async handle(follow: Follow, sender: Actor) {
        const toFollow = await this.accountService.ensureByApId(follow.objectId);
        const follower = await this.accountService.ensureByApId(sender.id);
        if (isError(toFollow) || isError(follower)) {
            return;
        }
        await this.accountService.followAccount(toFollow, follower);
    }
}
"""
AT_ONCE = FOLLOW.replace(
    """        const toFollow = await this.accountService.ensureByApId(follow.objectId);
        const follower = await this.accountService.ensureByApId(sender.id);
""", """        const [toFollow, follower] = await Promise.all([
            this.accountService.ensureByApId(follow.objectId),
            this.accountService.ensureByApId(sender.id),
        ]);
""")
PATH = "src/activity-handlers/follow.handler.ts"


def test_get_or_creates_awaited_in_turn_then_at_once_are_flagged(tmp_path) -> None:
    found = flagged_on_branch(tmp_path, {PATH: FOLLOW}, {PATH: AT_ONCE}, rule="DC707")
    assert [(line, "ensureByApId" in m and "one after another" in m) for _, line, _, _, m in found] == [(7, True)]


def test_events_emitted_in_a_loop_then_at_once_are_flagged(tmp_path) -> None:
    # Its post repository emitted one event per like in a `for … of` loop, then all at once (3cb8377f),
    # inside a handler factory's returned function.
    base = """export const createSaver = (events: Events) => async function save(post: Post, likes: number[]) {
    for (const id of likes) {
        await events.emitAsync('post.liked', new PostLiked(post.id, id));
    }
};
"""
    head = """export const createSaver = (events: Events) => async function save(post: Post, likes: number[]) {
    await Promise.all(
        likes.map((id) => events.emitAsync('post.liked', new PostLiked(post.id, id))),
    );
};
"""
    path = "src/post/post.repository.knex.ts"
    found = flagged_on_branch(tmp_path, {path: base}, {path: head}, rule="DC707")
    assert [line for _, line, _, _, _ in found] == [2], found


@pytest.mark.parametrize("head", [
    # reads run at once: nothing they write can overlap, as far as their names tell
    AT_ONCE.replace("ensureByApId", "getByApId"),
    # already at once on the base: a `forEach(async …)` does not wait either
    AT_ONCE,
])
def test_reads_at_once_or_work_not_awaited_in_turn_before_are_quiet(tmp_path, head) -> None:
    base = FOLLOW.replace("ensureByApId", "getByApId") if "getByApId" in head else FOLLOW.replace(
        """        const toFollow = await this.accountService.ensureByApId(follow.objectId);
        const follower = await this.accountService.ensureByApId(sender.id);
""", """        [follow.objectId, sender.id].forEach(async (id) => await this.accountService.ensureByApId(id));
        const toFollow = 1, follower = 2;
""")
    assert flagged_on_branch(tmp_path, {PATH: base}, {PATH: head}, rule="DC707") == []


def test_a_browser_bundle_is_not_read_for_awaits_at_once(tmp_path) -> None:
    path = "public/js/follow.handler.js"
    assert flagged_on_branch(tmp_path, {path: FOLLOW.replace(": AccountService", "").replace(": Follow", "")
                                        .replace(": Actor", "")},
                             {path: AT_ONCE.replace(": AccountService", "").replace(": Follow", "")
                              .replace(": Actor", "")}, rule="DC707") == []


# --- TryGhost/ActivityPub: a transaction whose result is now returned -------------------------------

# "Removed unused code" (c4e6e96f): `const account = await this.db.transaction(` became
# `return await this.db.transaction(` once the events emitted after it were gone; DC250 said the
# concurrency control changed.
REPOSITORY = """export class KnexAccountRepository {
    async create(draft: AccountDraft): Promise<Account> {
        const account = await this.db.transaction(async (trx) => {
            const [id] = await trx('accounts').insert(draft);
            return Account.create(id, draft);
        });
        return account;
    }
}
"""
REPO_PATH = "src/account/account.repository.knex.ts"


def test_a_transaction_whose_result_is_returned_instead_is_unchanged(tmp_path) -> None:
    head = REPOSITORY.replace("const account = await this.db", "return await this.db").replace(
        "        return account;\n", "")
    assert flagged_on_branch(tmp_path, {REPO_PATH: REPOSITORY}, {REPO_PATH: head}, rule="DC250") == []


@pytest.mark.parametrize("before", [
    "if (draft.locked) await this.db",  # a condition before the call is a change
    "await this.other",  # another receiver is another transaction
])
def test_a_transaction_line_changed_before_its_call_otherwise_is_flagged(tmp_path, before) -> None:
    head = REPOSITORY.replace("const account = await this.db", before)
    found = flagged_on_branch(tmp_path, {REPO_PATH: REPOSITORY}, {REPO_PATH: head}, rule="DC250")
    assert [line for _, line, _, _, _ in found] == [3], found
