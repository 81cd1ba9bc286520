"""Readings from session 38's new users' trials and the red team of its readings, on real git
repositories: each case fails without its change."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploycheck.analysis.pipeline import analyse
from support.gate import dc
from support.gitrepo import make_branch, make_repo
from support.scanning import flagged_on_branch, red_team_branch

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
    assert [(line, "ensureByApId" in m and "one call after another" in m) for _, line, _, _, m in found] == [(7, True)]


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


# --- publiclab/plots2 (Ruby): a method handed as a block by its name -------------------------------

# Its digest jobs run their work as `users.each(&:send_digest_email)`: the method the block names
# was not followed, so a change to it was not flagged and a signed record did not go stale.
DIGEST_JOB = """class DigestMailJob
  include Sidekiq::Worker

  def perform(frequency)
    users = User.where(digest: frequency)
    users.each(CALL)
  end
end
"""
USER = """class User < ApplicationRecord
  def send_digest_email
    nodes = content_followed_in_period(1.week.ago, Time.now)
    SubscriptionMailer.send_digest(id, nodes).deliver_now
  end

  def content_followed_in_period(start_time, end_time)
    Node.where(status: 1, created_at: start_time..end_time)
  end
end
"""


@pytest.mark.parametrize("call", ["&:send_digest_email", "&method(:send_digest_email)"])
def test_a_method_a_job_hands_as_a_block_by_name_is_background_code(tmp_path, call) -> None:
    main = {"app/jobs/digest_mail_job.rb": DIGEST_JOB.replace("CALL", call), "app/models/user.rb": USER}
    head = USER.replace("status: 1,", "status: [1, 4],")
    found = flagged_on_branch(tmp_path, main, {"app/models/user.rb": head})
    assert [(line, "send_digest_email` -> `content_followed_in_period" in m) for _, line, _, _, m in found] == [(8, True)]


@pytest.mark.parametrize("call", ["&:other_method", "&send_digest_email_proc", ":send_digest_email"])
def test_a_block_naming_another_method_reaches_nothing(tmp_path, call) -> None:
    main = {"app/jobs/digest_mail_job.rb": DIGEST_JOB.replace("CALL", call), "app/models/user.rb": USER}
    head = USER.replace("status: 1,", "status: [1, 4],")
    assert flagged_on_branch(tmp_path, main, {"app/models/user.rb": head}) == []


@pytest.mark.parametrize("mail", ["deliver_later(wait_until: 24.hours.from_now)", "deliver_later"])
def test_a_mail_queued_to_run_later_says_how_long_it_waits(tmp_path, mail) -> None:
    # plots2's moderator mail (8290462c): `deliver_now` became `deliver_later!(wait_until: 24.hours
    # .from_now)`, told by a call cut at `24.hou...`: the day's wait was not said.
    base = """class Comment < ApplicationRecord
  def notify
    AdminMailer.notify_comment_moderators(self).deliver_now
  end
end
"""
    path = "app/models/comment.rb"
    found = flagged_on_branch(tmp_path, {path: base}, {path: base.replace("deliver_now", mail)}, rule="DC715")
    assert len(found) == 1, found
    said = "it waits `wait_until: 24.hours.from_now` first, and reads its records as they are by then" in found[0][4]
    assert said == ("wait_until" in mail), found[0][4]


# --- thunderbird/thunderbird-android (Kotlin, Java) -------------------------------------------------


@pytest.mark.parametrize("source", [
    # an annotated function type in parentheses
    b"@Composable\nfun Row(content: @Composable ((Int) -> Unit)) {\n    content(1)\n}\n",
    # Kotlin 2.2's guards on `when` entries, and `else if`
    b"fun f(x: Any, c: Boolean) = when (x) {\n    is String if c -> 1\n    !is Int if (c && x != 2) -> 4\n"
    b"    else if c -> 3\n    else -> 2\n}\n",
])
def test_compose_s_annotated_function_types_and_when_guards_parse(source) -> None:
    # Each was DC703 high on a Compose layout fix (a2da8b1f, 71277d02).
    from deploycheck.rules.trees.parse import parse_bytes

    p = parse_bytes("kotlin", source)
    assert p.error_rows == set() and p.text(p.root) == source.decode()
    assert parse_bytes("kotlin", source.replace(b"-> 1", b"-> (1")).error_rows if b"when" in source else True


# Its ItemTouchHelper posted a swipe's clean-up to `mRecyclerView` (f717d60a): a View's `post`
# runs on the main thread, but it was read as a task for another thread, and the swipe path flagged.
HELPER = """import android.view.View;

public class ItemTouchHelper {
    private RecyclerView mRecyclerView;
    private final java.util.concurrent.Executor executor = java.util.concurrent.Executors.newSingleThreadExecutor();

    void postDispatchSwipe(final RecoverAnimation anim, final int swipeDir) {
        RECEIVER.post(new Runnable() {
            @Override
            public void run() {
                mCallback.onSwiped(anim.mViewHolder, swipeDir);
            }
        });
    }
}
"""


@pytest.mark.parametrize("receiver, flagged", [("mRecyclerView", False), ("binding.root", False), ("itemView", False),
                                               ("executor", True)])
def test_a_runnable_posted_to_a_view_runs_on_the_main_thread(tmp_path, receiver, flagged) -> None:
    path = "legacy/ui/src/main/java/com/fsck/k9/ui/ItemTouchHelper.java"
    base = HELPER.replace("RECEIVER.post", f"{receiver}.{'execute' if receiver == 'executor' else 'post'}")
    found = flagged_on_branch(tmp_path, {path: base}, {path: base.replace("swipeDir);", "swipeDir, true);")})
    assert bool(found) == flagged, found


# Its settings screen observed a WorkManager job's state on the main thread: `jobManager
# .scheduleDebugLogLimit(uri).observe(this, Observer { … })` was a task run by an executor, read
# from `schedule…` in the receiver's chain (8da41038).
FRAGMENT = """class GeneralSettingsFragment : PreferenceFragmentCompat() {
    private fun export(uri: String) {
        jobManager.scheduleDebugLogLimit(uri).OBSERVE(
            this,
            Observer { workInfo: WorkInfo? ->
                viewModel.showExportSnackbar(workInfo != null)
            },
        )
    }
}
"""


@pytest.mark.parametrize("call, flagged", [("observe", False), ("schedule", True)])
def test_a_lambda_is_run_by_the_call_it_is_handed_to_not_its_receiver_s_chain(tmp_path, call, flagged) -> None:
    path = "legacy/ui/src/main/java/com/fsck/k9/ui/settings/GeneralSettingsFragment.kt"
    base = FRAGMENT.replace("OBSERVE", call)
    found = flagged_on_branch(tmp_path, {path: base}, {path: base.replace("!= null)", "?.state == SUCCEEDED)")})
    assert bool(found) == flagged, found


# --- the "Nothing flagged" hint, from the assessment too -------------------------------------------


@pytest.mark.parametrize("args", [("scan", "--base", "main"), ("--base", "main")])
def test_the_assessment_says_how_background_work_is_known_as_scan_does(tmp_path, args) -> None:
    # ActivityPub's trial: `deploycheck` over a change no job API names said "Nothing flagged" alone,
    # where `scan` named `job_paths` for the background work deploycheck does not know.
    repo = make_repo(tmp_path / "repo", {"src/mq/inbox.ts": "export function handle() {\n  return 1\n}\n"})
    make_branch(repo, "work", {"src/mq/inbox.ts": "export function handle() {\n  return 2\n}\n"})
    run = dc(repo, *args)
    assert run.returncode == 0, run.stderr
    assert "Nothing flagged" in run.stdout and "`job_paths`" in run.stdout, run.stdout


# --- the red team of session 38's readings (tests/rules/data/redteam38/<case>/{common,base,head}) ---

RED_TEAM = Path(__file__).parent / "data" / "redteam38"



@pytest.mark.parametrize("case, rule", [
    ("01", "DC250"),  # `await this.db.transaction(` lost its `await`: not a binding changed, a transaction left floating
    ("02", "DC252"),  # Go's `err := s.db.Transaction(` lost its `err :=`: the transaction's error is ignored
    ("03", "DC701"),  # `scope.launch(IO) { … }.invokeOnCompletion { … }` runs on the job's thread
    ("04", "DC351"),  # a lost update's pair six lines below its `update!(`
    ("05", "DC707"),  # `Promise.all(contacts.map(upsertContact))`: a function handed to `map` by name
    ("06", "DC707"),  # an awaited write moved into a `Promise.all([` whose own line did not change
    ("07", "DC715"),  # Sidekiq's `delay_for(10.minutes).welcome(id)`
    ("08", "DC715"),  # delayed_job's `handle_asynchronously :send_receipt`
])
def test_red_team_38_hazards_are_flagged(tmp_path, case, rule) -> None:
    assert red_team_branch(tmp_path, RED_TEAM / case, rule), case


@pytest.mark.parametrize("case", [
    "09", "09b",  # `policy.delay.to_f`, `settings.delay.to_i.clamp(…)`: a setting named delay, no enqueue
    "10",  # `Promise.all([import('pdfkit'), import('date-fns')])`: modules loaded, nothing written
    "11",  # one get-or-create beside a read: no two writes at once
])
def test_red_team_38_harmless_changes_are_not_flagged(tmp_path, case) -> None:
    assert red_team_branch(tmp_path, RED_TEAM / case) == []


def test_red_team_38_a_job_s_own_run_at_argument_is_no_wait(tmp_path) -> None:
    # `PublishPostJob.perform_later(id, run_at: publish_at)`: the job's argument; Active Job runs it at once.
    found = red_team_branch(tmp_path, RED_TEAM / "12", "DC715")
    assert len(found) == 1 and "it waits" not in found[0][4], found


def test_a_note_that_a_unit_is_not_followed_stands_at_its_code_not_its_comment(tmp_path) -> None:
    # ActivityPub's key-value store (bf440ccb): `get` is too common a name to follow, and the info note
    # stood on the first changed line, a comment, with the fix below it.
    store = """export class KnexKvStore {
    async get(key: string[]) {
        const row = await this.knex(this.table).where({ key }).first();
        return row ? row.value : null;
    }
}
"""
    head = store.replace("        return row ? row.value : null;\n", """        // A missing key is undefined: a stored null is a cached marker.
        return row ? row.value : undefined;
""")
    worker = "import { Worker } from 'bullmq';\nnew Worker('q', async (job) => store.get(job.data.key));\n"
    repo = make_repo(tmp_path / "repo", {"src/knex.kvstore.ts": store, "src/worker.ts": worker})
    make_branch(repo, "work", {"src/knex.kvstore.ts": head})
    notes = [f.line for f in analyse(base="main", cwd=str(repo)).scan.findings if f.rule == "DC701" and f.severity == "info"]
    assert notes == [5], notes


def test_a_unit_half_background_half_not_followed_is_told_both_without_a_crash(tmp_path) -> None:
    # thunderbird's FeatureFlagApplication (0278d4bd): `onCreate` launches a coroutine (new background
    # code) and its other lines are a unit no trail can be looked for; the note's line search then
    # read line numbers as a mapping and crashed (this session's own regression, caught by a re-run).
    app = """class FeatureFlagApplication : BaseApplication() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    override fun create() {
        super.create()
        scope.launch {
            initializeFeatureFlags(provider)
        }
    }
}
"""
    worker = "class SyncWorker(context: Context) : CoroutineWorker(context) {\n    override suspend fun doWork() = create()\n}\n"
    repo = make_repo(tmp_path / "repo", {"app/src/main/kotlin/SyncWorker.kt": worker})
    make_branch(repo, "work", {"app/src/main/kotlin/FeatureFlagApplication.kt": app})
    found = {(f.line, f.severity) for f in analyse(base="main", cwd=str(repo)).scan.findings if f.rule == "DC701"}
    assert (6, "warning") in found, found


# --- kopia/kopia (Go): Go 1.19's typed atomics ------------------------------------------------------

RETAIN = """package maintenance

import "sync/atomic"

func extend(blobs []string) uint32 {
	failedCnt := new(uint32)
	for range blobs {
		go func() {
			atomic.AddUint32(failedCnt, 1)
		}()
	}
	return atomic.LoadUint32(failedCnt)
}
"""
TYPED = """package maintenance

import "sync/atomic"

func extend(blobs []string) uint32 {
	var extendedCount, failedCount atomic.Uint32
	for range blobs {
		go func() {
			failedCount.Add(1)
		}()
	}
	return failedCount.Load()
}
"""


@pytest.mark.parametrize("head, flagged", [
    (TYPED, False),  # moved to a typed atomic: `failedCount.Add(1)` is as atomic as `atomic.AddUint32`
    (RETAIN.replace("atomic.AddUint32(failedCnt, 1)", "*failedCnt++")
     .replace("atomic.LoadUint32(failedCnt)", "*failedCnt"), True),  # the atomic operations gone: a race
])
def test_a_move_to_typed_atomics_removes_no_atomic_operation(tmp_path, head, flagged) -> None:
    # Its blob retention moved its counters to `atomic.Uint32` (1961ed4d): five DC357 highs, "may now race".
    path = "repo/maintenance/blob_retain.go"
    found = flagged_on_branch(tmp_path, {path: RETAIN}, {path: head}, rule="DC357")
    assert bool(found) == flagged, found
