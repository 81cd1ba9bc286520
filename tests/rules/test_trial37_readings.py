"""Readings from session 37's new users' trials (docuseal, linkwarden, Conversations), on real git
repositories: each case fails without its change."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.scanning import flagged_on_branch, red_team_branch

# --- Conversations (Java) ------------------------------------------------------------------------

# Its push broker's periodic renewal: two changed `Log.d` lines in methods a scheduled executor runs
# were read as behaviour, though every finding says logging calls are proved unchanged.
BROKER = """import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import android.util.Log;

public class UnifiedPushBroker {
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor();

    public UnifiedPushBroker() {
        SCHEDULER.scheduleAtFixedRate(this::renew, 1, 1, TimeUnit.DAYS);
    }

    private void renew() {
        Log.d(Config.LOGTAG, "renewing registrations");
        register("all", 1);
    }

    private void register(String instance, int attempt) {
        Log.d(Config.LOGTAG, "register " + instance);
        send(instance, attempt);
    }
}
"""
PATH = "src/main/java/eu/siacs/conversations/services/UnifiedPushBroker.java"


@pytest.mark.parametrize("before, after", [
    ('Log.d(Config.LOGTAG, "renewing registrations");', 'Log.w(Config.LOGTAG, "renewing all registrations");'),
    ('Log.d(Config.LOGTAG, "register " + instance);', 'Timber.d("register %s", instance);'),
    # `final` on a parameter or a local changes no bytecode
    ("private void register(String instance, int attempt) {", "private void register(final String instance, final int attempt) {"),
])
def test_android_log_lines_and_final_locals_are_no_behaviour(tmp_path, before, after) -> None:
    assert before in BROKER
    found = flagged_on_branch(tmp_path, {PATH: BROKER}, {PATH: BROKER.replace(before, after)}, rule=None)
    assert found == []


def test_a_log_line_that_acts_and_a_final_field_are_still_read(tmp_path) -> None:
    acting = BROKER.replace('Log.d(Config.LOGTAG, "register " + instance);',
                            'Log.d(Config.LOGTAG, "register " + queue.remove(instance));')
    assert flagged_on_branch(tmp_path, {PATH: BROKER}, {PATH: acting}, rule=None)


def test_final_on_a_field_is_kept_in_the_proof() -> None:
    # A final field publishes its value to other threads (JLS 17.5): not the compiler's alone.
    from deploycheck.rules.trees.parse import parse_bytes
    from deploycheck.rules.trees.units import dump

    def shape(source: bytes) -> str:
        p = parse_bytes("java", source)
        return dump(p.root, p, False, compiler=True)

    field = b"class A {\n    private final Map<String, Integer> seen = new HashMap<>();\n}\n"
    local = b"class A {\n    void f(final int n) {\n        final int m = n;\n    }\n}\n"
    assert shape(field) != shape(field.replace(b"final ", b""))
    assert shape(local) == shape(local.replace(b"final ", b""))


# --- linkwarden (TypeScript) ---------------------------------------------------------------------

# Helpers moved out of its worker folder's archive handler were told "a job already queued for it
# fails when a worker takes it (in Ruby a NameError, retried, then dead)".
HANDLER = """export function getBrowserOptions() {
  return { headless: true }
}

export async function archiveHandler(link) {
  return link.id
}
"""


def test_removed_typescript_code_is_not_told_of_a_ruby_name_error(tmp_path) -> None:
    path = "apps/worker/lib/archiveHandler.ts"
    after = HANDLER.split("export async function")[0].replace("getBrowserOptions", "unused") + \
        "export async function" + HANDLER.split("export async function")[1]
    found = flagged_on_branch(tmp_path, {path: HANDLER}, {path: after.replace("export function unused() {\n  return { headless: true }\n}\n\n", "")})
    removed = [m for _, _, side, _, m in found if side == "base" and m.startswith("Background code removed")]
    assert removed and all("NameError" not in m and "a job already queued for it fails" in m for m in removed), found


def test_removed_ruby_code_is_still_told_of_its_name_error(tmp_path) -> None:
    path = "app/workers/sync_worker.rb"
    base = ("class SyncWorker\n  include Sidekiq::Job\n\n  def perform(id)\n    Account.find(id).sync!\n  end\nend\n\n"
            "class PurgeWorker\n  include Sidekiq::Job\n\n  def perform(id)\n    Account.find(id).purge!\n  end\nend\n")
    found = flagged_on_branch(tmp_path, {path: base}, {path: base.split("\n\nclass PurgeWorker")[0] + "\n"})
    assert any(side == "base" and "NameError" in m for _, _, side, _, m in found), found


# The worker's type import moved to `@linkwarden/types/global`: flagged where a local was annotated
# with the type, though TypeScript erases an import used only as types.
WORKER = """import { ArchivalSettings, Link } from "@linkwarden/types";
import { prisma } from "@linkwarden/prisma";

export default async function archiveHandler(link: Link) {
  const settings: ArchivalSettings = USE;
  await prisma.link.update({ where: { id: link.id }, data: { pdf: settings.pdf } });
}
"""


@pytest.mark.parametrize("use, flagged", [("{ pdf: true }", False), ("new ArchivalSettings()", True),
                                          ("{ pdf: true } as ArchivalSettings", False)])
def test_a_typescript_import_used_only_as_types_is_erased(tmp_path, use, flagged) -> None:
    path = "apps/worker/lib/archiveHandler.ts"
    base = WORKER.replace("USE", use)
    found = flagged_on_branch(tmp_path, {path: base}, {path: base.replace('"@linkwarden/types"', '"@linkwarden/types/global"')})
    assert bool(found) is flagged, found


# --- docuseal (Ruby) -----------------------------------------------------------------------------

# Its Puma plugin starts Sidekiq embedded at boot and stops it on shutdown and restart; Puma's
# hooks were renamed (`on_booted` -> `after_booted`) and nothing was flagged.
PLUGIN = """require 'puma/plugin'

Puma::Plugin.create do
  def start(launcher)
    launcher.events.on_booted do
      start_sidekiq!
    end

    launcher.events.on_stopped { Thread.new { @sidekiq&.stop }.join }
  end

  def start_sidekiq!
    Thread.new do
      configs = Sidekiq.configure_embed do |config|
        config.concurrency = 5
      end
      @sidekiq = configs
      @sidekiq.run
    end
  end
end
"""


def test_a_puma_plugin_embedding_sidekiq_is_the_job_system_s_lifecycle(tmp_path) -> None:
    path = "lib/puma/plugin/sidekiq_embed.rb"
    head = PLUGIN.replace("on_booted", "after_booted").replace("on_stopped", "after_stopped")
    found = flagged_on_branch(tmp_path, {path: PLUGIN}, {path: head})
    assert [(line, "configure_embed" in m) for _, line, _, _, m in found] == [(5, True)], found


# Its completion job moved the loop that queues the bcc mails into a new method (and raised there
# past a limit): "a new method …: one more caller of that job", though the loop left `perform`.
COMPLETION = """class ProcessSubmitterCompletionJob
  include Sidekiq::Job

  def perform(params = {})
    submitter = Submitter.find(params['submitter_id'])
    user = submitter.account.users.first
    build_bcc_addresses(submitter).each do |to|
      SubmitterMailer.completed_email(submitter, user, to:).deliver_later!
    end
  end
end
"""


@pytest.mark.parametrize("kept, one_more", [(False, False), (True, True)])
def test_an_enqueue_extracted_into_a_new_method_is_no_new_caller(tmp_path, kept, one_more) -> None:
    path = "app/jobs/process_submitter_completion_job.rb"
    loop = ("    build_bcc_addresses(submitter).each do |to|\n"
            "      SubmitterMailer.completed_email(submitter, user, to:).deliver_later!\n    end\n")
    head = COMPLETION.replace(loop, "    enqueue_bcc(submitter, user)\n" + (loop if kept else "")).replace(
        "  end\nend\n", "  end\n\n  def enqueue_bcc(submitter, user)\n    raise TooManyBcc if submitter.bcc.size > 14\n\n"
        + loop.replace("    ", "    ", 1) + "  end\nend\n")
    found = flagged_on_branch(tmp_path, {path: COMPLETION}, {path: head}, rule="DC715")
    assert any("one more caller of that job" in m for *_, m in found) is one_more, found


# Conversations' WebRTC wrapper: two methods became `synchronized` and others moved; DC704 also
# told the class itself it "now uses `synchronized`" at an unchanged method beside a moved one.
WRAPPER = """public class WebRTCWrapper {
    private PeerConnection peerConnection;

    ListenableFuture<Void> setRemoteDescription(final SessionDescription description) {
        return peerConnection.setRemote(description);
    }

    void addIceCandidate(IceCandidate candidate) {
        peerConnection.addIceCandidate(candidate);
    }

    private Context requireContext() {
        return context;
    }

    void close() {
        peerConnection.dispose();
    }
}
"""


def test_a_method_that_gains_a_lock_is_told_not_its_class(tmp_path) -> None:
    path = "src/main/java/eu/siacs/conversations/xmpp/jingle/WebRTCWrapper.java"
    moved = "    private Context requireContext() {\n        return context;\n    }\n\n"
    head = WRAPPER.replace("    ListenableFuture<Void> setRemote", "    synchronized ListenableFuture<Void> setRemote") \
        .replace(moved, "").replace("    void close() {", moved + "    void close() {", 1)
    head = head.replace("    void addIceCandidate", "    void close2() {\n    }\n\n    void addIceCandidate")
    found = flagged_on_branch(tmp_path, {path: WRAPPER}, {path: head}, rule="DC704")
    assert [(line, m.split(" now uses")[0]) for _, line, _, _, m in found] == [
        (4, "`WebRTCWrapper::setRemoteDescription(1)`")], found
    fielded = WRAPPER.replace("    private PeerConnection", "    private volatile PeerConnection")
    found = flagged_on_branch(tmp_path / "f", {path: WRAPPER}, {path: fielded}, rule="DC704")
    assert [m.split(" now uses")[0] for *_, m in found] == ["`WebRTCWrapper::peerConnection`"], found


# --- The red team of session 37 ------------------------------------------------------------------------

RED_TEAM = Path(__file__).parent / "data" / "redteam37"



@pytest.mark.parametrize("case, rule", [
    ("j1", "DC701"),  # `Log.d(TAG, "…" + pending.poll())`: a log line that takes from a queue
    ("r2", "DC718"), ("r2b", "DC718"), ("r2js", "DC718"),  # two settings of one name in a unit
    ("g1", "DC701"), ("g2", "DC701"), ("g4", "DC701"),  # `Submit(func…)` on a pool held anywhere, a method handed to it
    ("k1", "DC701"), ("k5", "DC701"), ("k6", "DC701"),  # `.flowOn(IO)`, `stateIn`, a service's `lifecycleScope`
    ("r3", "DC718"), ("r4", "DC718"),  # Puma's workers and threads, a pool's size, traject's `store`
])
def test_red_team_37_hazards_are_flagged(tmp_path, case, rule) -> None:
    assert red_team_branch(tmp_path, RED_TEAM / case, rule), case


@pytest.mark.parametrize("case", [
    "k2", "k3",  # a property set to `MainScope()`, `launchIn(this)` in a `LaunchedEffect`
    "r1", "r1b", "r1c",  # `failed_attempts: 0` in an update, a serializer's field, Devise's lockout
])
def test_red_team_37_harmless_changes_are_not_flagged(tmp_path, case) -> None:
    assert red_team_branch(tmp_path, RED_TEAM / case) == []
