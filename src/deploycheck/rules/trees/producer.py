"""Ruby code that enqueues a job changed (DC715): what the job runs with, or who runs it.

The job's own code is read by DC701. This module reads the other end, the producer: a changed
line that enqueues a job (`SyncJob.perform_later(...)`), directly or through a method of the
repository whose body enqueues one (`family.sync_later`, `Dispatcher.defer_build_and_post(...)`),
where that enqueue is new in its method; and a changed statement of a method that enqueues, before
the enqueue, naming a variable the enqueue passes on (the job will run with what that statement
made of it).

A producer is found by name, one call deep: the methods of the repository at head whose body
holds a direct enqueue (naming.producers). Names too generic to tell apart (`create`, `save`,
an entry method such as `perform`), or that more than naming.MAX_FILES files name, are not
followed, as in the search for the jobs that call a function.
"""

from __future__ import annotations

import re
from typing import Any

from ..vocabulary import underscored
from .naming import PRODUCER_CALLS as DIRECT
from .parse import Parsed, walk
from .units import FUNCTIONS, all_units, proof_of_no_change, qualname, shown_code, shown_name, units_at

_RESQUE = frozenset({"enqueue", "enqueue_in", "enqueue_at", "enqueue_to"})
# A mailer's `deliver_later` hands the mail to a job: which mails are queued, with what, and when
# is decided on its line (fat_free_crm's comment notifications, queued only for the subscribers
# who keep them on, apps-s e8400403). Read here, on changed lines only; DC163 leaves it out.
_MAIL_LATER = frozenset({"deliver_later", "deliver_later!"})
_PARAMETERS = frozenset({"method_parameters", "parameters", "block_parameters", "lambda_parameters",
                         "optional_parameter", "keyword_parameter", "splat_parameter", "hash_splat_parameter",
                         "block_parameter"})


def _called(node, p: Parsed) -> str | None:
    """The method a Ruby call node calls, or the name a bare identifier may call (`sync_later`
    alone on its line is a call when no local of that name exists: ``_local``)."""
    if node.type == "call":
        method = node.child_by_field_name("method")
        return p.text(method) if method is not None else None
    parent = node.parent
    if node.type != "identifier" or parent is None or parent.type in _PARAMETERS \
            or parent.type in ("method", "singleton_method", "alias"):  # a definition's own name
        return None
    if parent.type == "call" and (parent.child_by_field_name("receiver") or node).id != node.id:
        return None  # the method's name in a call: the call node answers for it
    if _assigned(node):
        return None
    return p.text(node)


def _assigned(node) -> bool:
    parent = node.parent
    left = parent.child_by_field_name("left") if parent is not None and parent.type in (
        "assignment", "operator_assignment") else None
    return left is not None and left.id == node.id


def _enqueues(p: Parsed, producers: dict[str, tuple[str, int, str]],
              alternatives: dict[str, list[tuple[str, int, str]]] | None = None, path: str = ""):
    """(node, what it enqueues as words) for each enqueue of the tree at ``path``: a direct one or a
    call of a producer method (of those of its name in ``alternatives``, the one its receiver's
    class names, or the file's own for a call on `self`)."""
    for node in walk(p.root):
        if node.type in ("hash", "argument_list") and _queued_call(node, p):
            # `{…}` built first, or the call's own options (`MiqQueue.put(:class_name => …)`)
            yield node, "these options describe a queued method call (`:class_name`/`:queue_name` and `:method_name`)"
            continue
        if not node.is_named or node.type not in ("call", "identifier"):
            continue
        name = _called(node, p)
        if name is None:
            continue
        if node.type == "call" and (name in DIRECT or (name in _RESQUE and p.text(node).startswith("Resque."))
                                    or _delayed(node, name, p) or _sent(node, p) in DIRECT):
            wait = _waits(node, name, p)
            yield node, f"`{_head(node, p)}` enqueues a job" + (f" ({wait})" if wait else "")
        elif node.type == "call" and name in _MAIL_LATER and node.child_by_field_name("receiver") is not None:
            wait = _waits(node, name, p)
            yield node, f"`{_head(node, p)}` queues a mail (Active Job sends it" + (f"; {wait})" if wait else ")")
        elif node.type == "call" and _noticed(node, name, p):
            yield node, f"`{_head(node, p)}` delivers a notification (Noticed runs its deliveries as jobs)"
        elif node.type == "call" and name == "deliver_by" and node.child_by_field_name("receiver") is None \
                and _NOTIFIER_CLASS.search(p.source) is not None:
            yield node, f"`{_head(node, p)}` is a delivery Noticed runs as a job for each recipient"
        elif node.type == "call" and (declared := _declared_async(node, p)) is not None:
            yield node, f"`{_head(node, p)}` makes every call of `{declared}` a job that delayed_job runs later"
        elif name in producers and not _local(node, name, p):
            wheres = (alternatives or {}).get(name, [producers[name]])
            chosen = _of_receiver(node, p, wheres, path)
            if chosen is None:  # the receiver does not say which: each is named
                listed = "; ".join(f"{path}:{line}: `{shown_code(text)}`" for path, line, text in wheres)
                yield node, f"`{_head(node, p)}` enqueues a job through `{name}` (one of {len(wheres)} methods so named: {listed})"
                continue
            path, line, text = chosen
            yield node, f"`{_head(node, p)}` enqueues a job through `{name}` ({path}:{line}: `{shown_code(text)}`)"


# A queue of the application's own that runs a method of a class later, described by its options:
# ManageIQ's `MiqQueue.put(:class_name => …, :method_name => …, :args => […])`, also built first
# (`queue_opts = {…}`) and handed to a helper (apps-r: a host's credential check). Most of its
# puts hand no `:args` (the queued method reads the record: `:instance_id`), so a method's name,
# the class or queue it runs on, and one more of a queued call's options say it.
_QUEUED_WHERE = frozenset({"class_name", "queue_name"})
_QUEUED_MORE = frozenset({"args", "instance_id", "role", "zone", "priority", "deliver_on", "task_id", "miq_callback",
                          "msg_timeout"})


def _queued_call(node, p: Parsed) -> bool:
    keys = set()
    for pair in node.named_children:
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        if key is not None and key.type in ("simple_symbol", "hash_key_symbol"):
            keys.add(p.text(key).strip(":"))
    # the class and the queue both named count as the one more option
    return "method_name" in keys and bool(keys & _QUEUED_WHERE) and bool(keys & _QUEUED_MORE or _QUEUED_WHERE <= keys)


def _of_receiver(node, p: Parsed, wheres: list[tuple[str, int, str]], path: str = "") -> tuple[str, int, str] | None:
    """Of the producer methods ``wheres`` a call may run, the one in the file the receiver's class
    is kept in by Rails' naming (`Visits::RealtimeDebouncer.new(id).trigger` ->
    `…/visits/realtime_debouncer.rb`), or for a call on `self` the one of the calling file
    ``path`` (sharetribe's two listing services each define `notify_followers`, apps-ae 9846ca91);
    the only one when there is one; else None."""
    if len(wheres) == 1:
        return wheres[0]
    receiver = node.child_by_field_name("receiver") if node.type == "call" else None
    if receiver is None or receiver.type == "self":
        own = [where for where in wheres if where[0] == path]
        if len(own) == 1:
            return own[0]
    while receiver is not None and receiver.type == "call":
        receiver = receiver.child_by_field_name("receiver")
    if receiver is None or receiver.type not in ("constant", "scope_resolution"):
        return None
    suffix = "/".join(underscored(part) for part in p.text(receiver).lstrip(":").split("::")) + ".rb"
    matching = [where for where in wheres if where[0] == suffix or where[0].endswith("/" + suffix)]
    return matching[0] if len(matching) == 1 else None


# How long a queued job or mail waits (`deliver_later(wait_until: 24.hours.from_now)`,
# `perform_in(5.minutes, id)`, `set(wait: 1.hour).perform_later`, `delay(run_at: t)`,
# `delay_for(10.minutes)`): plots2's moderator mail, sent a day later, was told by a call cut at
# `24.hou...` (a new user's trial, session 38). Read only where the option is the queue's: a
# `run_at:` handed to `perform_later` is the job's own argument (the red team of session 38).
_WAIT_OPTIONS = {"set": frozenset({"wait", "wait_until"}), "deliver_later": frozenset({"wait", "wait_until"}),
                 "deliver_later!": frozenset({"wait", "wait_until"}), "delay": frozenset({"run_at"}),
                 "enqueue": frozenset({"run_at"})}
_DELAY_METHODS = frozenset({"delay", "delay_for", "delay_until"})  # delayed_job's, Sidekiq's extensions


def _receiver_call(node, p: Parsed) -> tuple[str, Any]:
    """The method a call's receiver calls and that call's own receiver (`Mailer.delay(…)` of
    `Mailer.delay(…).notify(id)`: ("delay", `Mailer`)); ("", None) when the receiver is no call."""
    receiver = node.child_by_field_name("receiver")
    method = receiver.child_by_field_name("method") if receiver is not None and receiver.type == "call" else None
    return (p.text(method), receiver.child_by_field_name("receiver")) if method is not None else ("", None)


def _pairs(call, p: Parsed):
    args = call.child_by_field_name("arguments")
    for a in args.named_children if args is not None else ():
        for pair in ([a] if a.type == "pair" else a.named_children if a.type == "hash" else []):
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is not None:
                yield p.text(key).strip(":"), pair


def _first_argument(call, p: Parsed) -> str:
    args = call.child_by_field_name("arguments")
    given = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    return p.text(given[0]) if given else ""


def _waits(node, name: str, p: Parsed) -> str:
    """Words saying how long the enqueue on ``node`` (calling ``name``) waits, or ""."""
    receiver = node.child_by_field_name("receiver")
    by = _receiver_call(node, p)[0]
    if name in ("perform_in", "perform_at"):
        delay = _first_argument(node, p)
    elif by in ("delay_for", "delay_until"):
        delay = _first_argument(receiver, p)
    else:
        delay = next((p.text(pair) for call, method in ((node, name), (receiver, by)) if method in _WAIT_OPTIONS
                      for key, pair in _pairs(call, p) if key in _WAIT_OPTIONS[method]), "")
    return f"it waits `{shown_code(delay)}` first, and reads its records as they are by then" if delay else ""


def _delayed(node, name: str, p: Parsed) -> bool:
    """delayed_job's enqueues: `Delayed::Job.enqueue(job)` (sharetribe's follower mail, apps-ae
    9846ca91) and a method called through `.delay` (`Mailer.delay(priority: 5).notify(id)`), which
    delayed_job and Sidekiq's delay extensions (also `delay_for`, `delay_until`) run in a worker:
    on a class or `self`, or with arguments; `policy.delay.to_f` reads a setting (the red team of
    session 38)."""
    receiver = node.child_by_field_name("receiver")
    if receiver is None:
        return False
    if name == "enqueue":
        return p.text(receiver).lstrip(":") == "Delayed::Job"
    method, on = _receiver_call(node, p)
    if name.startswith("to_") or method not in _DELAY_METHODS or on is None:
        return False
    return on.type in ("constant", "scope_resolution", "self") or node.child_by_field_name("arguments") is not None


# The noticed gem's notifiers: `CommentNotifier.with(record: c).deliver(users)` enqueues the event's
# job, which runs each `deliver_by` method (e-mail, Slack…) as jobs of their own (casa's reimbursement
# notifier, apps-g 8b973ea6: its delivery moved under a condition). Told by the class's name, as
# Noticed names them (`…Notifier`, version 1's `…Notification`).
_NOTIFIER = re.compile(r"(?:^|::)[A-Z]\w*(?:Notifier|Notification)$")


# A notifier class: Noticed's own bases, or an application's (`< BaseNotifier`, `< ApplicationNotifier`).
_NOTIFIER_CLASS = re.compile(rb"<\s*(?:::)?(?:Noticed::(?:Event|Base)|\w*Notifier|\w*Notification)\b")


def _noticed(node, name: str, p: Parsed) -> bool:
    method, on = _receiver_call(node, p)
    return name in ("deliver", "deliver_later") and method == "with" and on is not None \
        and _NOTIFIER.search(p.text(on)) is not None


def _declared_async(node, p: Parsed) -> str | None:
    """The method a `handle_asynchronously :name` declaration makes delayed_job run later."""
    method = node.child_by_field_name("method")
    if node.child_by_field_name("receiver") is not None or method is None or p.text(method) != "handle_asynchronously":
        return None
    first = _first_argument(node, p)
    return first.lstrip(":") if first.startswith(":") else None


# `SyncJob.send(:perform_later, x)` calls `perform_later` as surely as `SyncJob.perform_later(x)`.
_SENDS = frozenset({"send", "public_send", "__send__"})


def _sent(node, p: Parsed) -> str | None:
    """The method a `send`/`public_send` call names by a literal symbol or string, else None."""
    method = node.child_by_field_name("method")
    arguments = node.child_by_field_name("arguments")
    if method is None or p.text(method) not in _SENDS or arguments is None or not arguments.named_child_count:
        return None
    first = arguments.named_children[0]
    if first.type not in ("simple_symbol", "string") or any(c.type == "interpolation" for c in first.children):
        return None
    return p.text(first).lstrip(":").strip("'\"")


def _heredoc_bodies(node) -> list:
    """The bodies of the heredocs an enqueue's arguments open (`perform_later(<<~SQL, id)`):
    the tree puts them after the statement, outside the call, yet the job runs with them."""
    if not any(n.type == "heredoc_beginning" for n in walk(node)):
        return []
    while node is not None:
        sibling, bodies = node.next_named_sibling, []
        while sibling is not None and sibling.type == "heredoc_body":
            bodies.append(sibling)
            sibling = sibling.next_named_sibling
        if bodies:
            return bodies
        node = node.parent
    return []


def _local(node, name: str, p: Parsed) -> bool:
    """Whether ``name`` is a local variable or parameter of the method around ``node``: then a
    bare ``name`` reads it and calls nothing."""
    if node.type != "identifier":
        return False
    scope = node.parent
    while scope is not None and scope.type not in FUNCTIONS:
        scope = scope.parent
    if scope is None:
        return False
    for n in walk(scope):
        if n.type == "identifier" and p.text(n) == name and n.parent is not None \
                and (_assigned(n) or n.parent.type in _PARAMETERS):
            return True
    return False


def _head(node, p: Parsed) -> str:
    """The call's text up to its arguments, on one line, for a message."""
    text = p.text(node).split("\n")[0]
    return shown_code(text)


def _enqueued_otherwise(call: str, held: list[str], now: str) -> str | None:
    """The other enqueue method the base's unit called on the same job (`perform_async` for a
    `Job.perform_in(…)`), and the head's unit (``now``) no longer calls, or None: one kept beside
    the new one enqueues the job twice (the red team of session 35)."""
    job, dot, method = _callee(call).rstrip("(").rpartition(".")
    if not dot or method not in DIRECT:
        return None
    other = next((other for other in sorted(DIRECT) if other != method
                  for text in held if f"{job}.{other}" in text and f"{job}.{other}" not in now), None)
    # upcase's `Delayed::Job.enqueue(ReportJob.new(…))` made `ReportJob.perform_later(…)` (a new
    # user's trial, session 34): the same place, through ActiveJob now.
    delayed = re.compile(rf"\benqueue\(?(?:::)?{re.escape(job)}\.new\b") if job else None
    if other is None and delayed is not None and any(delayed.search(text) for text in held) and not delayed.search(now):
        other = "enqueue"
    return other


def _callee(call: str) -> str:
    """A flattened call's text up to its arguments: `Job.perform_later(` for `Job.perform_later(x)`."""
    return call.split("(", 1)[0] + "(" if "(" in call else call


def flat(text: str) -> str:
    """Code without its layout (whitespace), to compare a call with the base's."""
    return "".join(text.split())


# Ruby's conditions: whether what they hold runs when the condition is true (`if`, a modifier
# `if`, `elsif`, a ternary) or false (`unless`, a modifier `unless`), and the field holding the
# branch taken the other way.
_CONDITIONS = {"if": (True, "alternative"), "elsif": (True, "alternative"), "conditional": (True, "alternative"),
               "if_modifier": (True, None), "unless": (False, "alternative"), "unless_modifier": (False, None)}


def _conditions(node, own_too: bool = False):
    """(the conditional node, its condition or a `when`'s values, the child on ``node``'s way up)
    for each condition ``node`` runs under inside its method, innermost first; ``own_too``: also
    a condition ``node`` stands in."""
    child, n = node, node.parent
    while n is not None and n.type not in ("method", "singleton_method"):
        parts = n.children_by_field_name("pattern") if n.type == "when" else (
            [c] if n.type in _CONDITIONS and (c := n.child_by_field_name("condition")) is not None else [])
        if parts and (own_too or not any(part.id == child.id for part in parts)):
            yield n, parts, child
        child, n = n, n.parent


def _guards(node, p: Parsed) -> tuple[tuple[str, bool], ...]:
    """The conditions ``node`` runs under inside its method, outermost first: (the condition
    without layout, whether it runs when that is true). Written either way alike: a modifier `if`
    made a block, `if !x` made `unless x` (RuboCop's rewrites: the red team of session 26). A
    `when`'s values are read whole, in any order. An enqueue that gained or lost a condition, or
    whose condition changed, starts the job in other cases than before."""
    out = []
    for n, parts, child in _conditions(node):
        if n.type == "when":
            out.append(("when " + ",".join(sorted(flat(p.text(c)) for c in parts)), True))
            continue
        truthy, other_field = _CONDITIONS[n.type]
        other = n.child_by_field_name(other_field) if other_field else None
        if other is not None and other.start_byte <= child.start_byte < other.end_byte:
            truthy = not truthy
        text = flat(p.text(parts[0]))
        while text.startswith("!") and not text.startswith("!="):  # `if !x` is `unless x`
            text, truthy = text[1:], not truthy
        out.append((text.removeprefix("(").removesuffix(")") if text.startswith("(") else text, truthy))
    return tuple(reversed(out))


def _guard_rows(node) -> set[int]:
    """The 1-based rows of the conditions ``node`` runs under inside its method."""
    return {row for _, parts, _ in _conditions(node, own_too=True) for part in parts
            for row in range(part.start_point[0] + 1, part.end_point[0] + 2)}


def _same_calls(where: Parsed, scopes: list, call: str) -> list:
    """The enqueue nodes of ``scopes`` (units of ``where``) whose text without layout is ``call``."""
    return [n for scope in scopes for n in walk(scope) if n.type in ("call", "identifier", "hash", "argument_list")
            and flat(where.text(n)) == call]


def _method_of(node):
    scope = node.parent
    while scope is not None and scope.type not in ("method", "singleton_method"):
        scope = scope.parent
    return scope


_INPUTS = frozenset({"identifier", "instance_variable", "class_variable"})


def _inputs(node, p: Parsed) -> set[str]:
    """The variables an enqueue hands on: its arguments' identifiers and instance variables, and
    for a producer method its receiver's (`family.sync_later` syncs that family)."""
    names: set[str] = set()
    parts = [node.child_by_field_name("arguments")] if node.type == "call" else [node] if node.type in ("hash", "argument_list") else []
    if node.type == "call" and _called(node, p) not in DIRECT and _sent(node, p) not in DIRECT:
        parts.append(node.child_by_field_name("receiver"))
    for part in parts:
        if part is None:
            continue
        for n in walk(part):
            if n.type in _INPUTS:
                parent = n.parent
                if n.type == "identifier" and parent is not None and parent.type == "call" \
                        and (parent.child_by_field_name("receiver") or n).id != n.id:
                    continue  # `x.id`: the method name `id`, not a variable
                names.add(p.text(n))
    return {name for name in names if name not in ("self", "nil", "true", "false")}


_WORDS = re.compile(r"@{0,2}[A-Za-z_][A-Za-z0-9_]*")


def _rake_task(node, p: Parsed) -> str | None:
    """`rake namespace:name`, the rake task around a Ruby call (`task send_emails: :environment do … end`, in a
    namespace too): CodeTriage's enqueues in `lib/tasks/schedule.rake` were said to be "the file's
    top level" (a new user's trial, session 40)."""
    if p.language != "ruby":
        return None
    names: list[str] = []
    up = node.parent
    while up is not None:
        if up.type == "call" and (method := up.child_by_field_name("method")) is not None \
                and p.text(method) in ("task", "namespace") and up.child_by_field_name("receiver") is None:
            args = up.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is not None and first.type == "hash":
                first = first.named_children[0] if first.named_children else None
            if first is not None and first.type == "pair":  # `task send_emails: :environment`
                first = first.child_by_field_name("key")
            if first is not None:
                names.append(p.text(first).strip(":'\" ").rstrip(":"))
        up = up.parent
    return f"rake {':'.join(reversed(names))}" if names else None


def producer_changes(p: Parsed, base: Parsed | None, added: dict[int, str], code_rows: set[int],
                     producers: dict[str, tuple[str, int, str]],
                     alternatives: dict[str, list[tuple[str, int, str]]] | None = None,
                     path: str = "") -> list[tuple[int, int, str]]:
    """(first line, last line, message) of each finding on the head ``p`` (the file at ``path``).
    ``added``: the head's changed lines; ``code_rows``: those of them that hold code (not comments
    or blanks)."""
    base_units = all_units(base) if base is not None else {}
    out: dict[int, tuple[int, int, str]] = {}
    for first, last, message in _run_inline(p, base, base_units, code_rows) if base is not None else ():
        out.setdefault(first, (first, last, message))
    for node, what in _enqueues(p, producers, alternatives, path):
        bodies = _heredoc_bodies(node)
        first, last = node.start_point[0] + 1, max([node.end_point[0] + 1] + [b.end_point[0] + 1 for b in bodies])
        method = _method_of(node)
        chain = units_at(p, node.start_point[0])
        key = qualname(chain, p)
        before = base_units.get(key, [])
        unit_name = shown_name(chain, p) if chain else _rake_task(node, p) or "the file's top level"
        # What the base held where this enqueue is: its unit, or the whole file for top-level code.
        held: list[str] = []
        if base is not None:
            held = [flat(base.text(b)) for b in before] if chain else [flat(base.text(base.root))]
        # A new method is new as a whole: git may pair its unchanged-looking lines with the base's.
        new_method = method is not None and not before and method.start_point[0] + 1 in code_rows
        if new_method or any(row in code_rows for row in range(first, last + 1)) or (
                base is not None and chain and _guard_rows(node) & code_rows):
            call = flat(p.text(node) + "".join(p.text(b) for b in bodies))
            if any(call in text for text in held):
                # The same call was there: moved or re-indented within its method, not new; but
                # under other conditions it starts the job in other cases than before.
                guards = _guards(node, p)
                was = [_guards(n, base) for n in _same_calls(base, before, call)] if base is not None and chain else []
                if was and guards not in was:
                    out.setdefault(first, (first, last, (
                        f"{what} in `{unit_name}` now under other conditions: it starts in other cases than "
                        "before (more runs, fewer, or others). Say in the checklist whether the job and its "
                        "callers expect it.")))
            elif new_method and base is not None and \
                    flat(base.text(base.root)).count(call) >= flat(p.text(p.root)).count(call):
                # Extracted from a method of the file, which no longer holds it: no more callers
                # than before (docuseal's bcc mails moved into a helper, a new user's trial,
                # session 37, was "one more caller of that job").
                continue
            elif new_method:
                start = method.start_point[0] + 1
                out.setdefault(start, (start, last, (
                    f"`{unit_name}` is a new method and {what}: one more caller of that job, so more of "
                    "its runs at once, with what this method passes. Say in the checklist whether the job "
                    "tolerates it (a lock, a uniqueness key, a debounce).")))
            elif any(_callee(call) in text for text in held):
                out.setdefault(first, (first, last, (
                    f"{what}, and what `{unit_name}` hands it changed: the job runs with other input. "
                    "Say in the checklist whether the job and the runs already queued accept it.")))
            elif (other := _enqueued_otherwise(call, held, flat(p.text(chain[-1] if chain else p.root)))) is not None:
                # diaspora's `PublishToHub.perform_async(…)` made `perform_in(5.seconds, …)`: the
                # same place, now a delay (a new user's trial, session 26).
                out.setdefault(first, (first, last, (
                    f"{what}, which `{unit_name}` enqueued with `{other}` on the base: it now runs at another "
                    "time, or in another order with the work around it (a delay, a schedule, at once). Say in "
                    "the checklist whether what it reads is still there, or already gone, when it runs.")))
            else:
                out.setdefault(first, (first, last, (
                    f"{what}, new in `{unit_name}`: one more place that starts that job, so more of its "
                    "runs at once or in another order with this code. Say in the checklist whether the job "
                    "tolerates it (a lock, a uniqueness key, a debounce).")))
        if method is None or not before:
            continue
        if base is None or any(proof_of_no_change(b, base, method, p) is not None for b in before):
            continue
        inputs = _inputs(node, p)
        if not inputs:
            continue
        # One finding per enqueue, however many of the lines before it changed (a new user's
        # trial: five findings, one per changed line, all about the same `create_webhook_job`).
        rows: dict[int, list[str]] = {}
        for row in sorted(code_rows):
            if method.start_point[0] + 1 < row < first and row not in out:
                shared = sorted(set(_WORDS.findall(_code_of(p, row))) & inputs)
                if shared:
                    rows[row] = shared
        if rows:
            names = sorted({n for shared in rows.values() for n in shared})
            lines = _listed([str(r) for r in rows])
            out[min(rows)] = (min(rows), max(rows), (
                f"Line{'s' if len(rows) > 1 else ''} {lines} changed, and line {first} hands "
                f"{_listed([f'`{n}`' for n in names])} on after {'them' if len(rows) > 1 else 'it'}: {what}. The job "
                "may now run with other input, or look for a row this method writes in another state: "
                "say in the checklist what the job reads and whether it still finds it."))
    return [out[row] for row in sorted(out)]


# A call on a changed line whose method the base's same unit called on the same receiver in the
# other way: the work moved between the caller and a queue's workers. ActiveJob's `perform_now`
# and Sidekiq's `perform_inline` run a job in the caller; a mailer's `deliver_later` hands the
# mail to a job (issue 17: `deliver_now` <-> `deliver_later`; openfoodnetwork's order-cycle
# notification job, whose mails became jobs queued before it marks them sent).
_SWITCHES = {
    **{m: (tuple(sorted(DIRECT)), "runs the job", "its work now runs inside the caller (a request, another job), as many at "
           "once as there are callers, no longer in the queue's workers with their concurrency, retries and uniqueness")
       for m in ("perform_now", "perform_inline")},
    **{m: (("deliver_now", "deliver_now!"), "queues the mail", "it is now sent by a job, later, after this code has "
           "gone on (and committed, or not), retried on its own, and beside whatever this code does next (what "
           "it records as sent is not sent yet)") for m in ("deliver_later", "deliver_later!")},
    **{m: (("deliver_later", "deliver_later!"), "sends the mail", "it is now sent here, in the caller: a slow or failing "
           "mail server holds or fails this request or job, and a retry of it sends the mail again")
       for m in ("deliver_now", "deliver_now!")},
}


def _run_inline(p: Parsed, base: Parsed, base_units: dict, code_rows: set[int]) -> list[tuple[int, int, str]]:
    """A job its method queued on the base (`ChargeJob.perform_later(id)`) and runs itself on a
    changed line of the head (`ChargeJob.perform_now(id)`), or a mail it sent and now queues
    (`deliver_now` -> `deliver_later`), or the other way: the work moved (``_SWITCHES``)."""
    out = []
    for node in walk(p.root):
        method = node.child_by_field_name("method") if node.type == "call" else None
        receiver = node.child_by_field_name("receiver") if method is not None else None
        first, last = node.start_point[0] + 1, node.end_point[0] + 1
        switch = _SWITCHES.get(p.text(method)) if receiver is not None else None
        if switch is None or not any(row in code_rows for row in range(first, last + 1)):
            continue
        chain = units_at(p, node.start_point[0])
        if not chain:
            continue
        before, does, why = switch
        job = flat(p.text(receiver))
        held = [flat(base.text(b)) for b in base_units.get(qualname(chain, p), [])]
        was = next((q for q in before for text in held if f"{job}.{q}" in text), None)
        if was is not None and not any(flat(p.text(node)) in text for text in held):  # not the same call moved
            wait = _waits(node, p.text(method), p)
            out.append((first, last, (
                f"`{_head(node, p)}` {does} in `{shown_name(chain, p)}`, which called `{shown_code(p.text(receiver))}.{was}` "
                f"on the base: "
                f"{why}{'; ' if wait else ''}{wait}. Say in the checklist whether the work tolerates it.")))
    return out


def _listed(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _code_of(p: Parsed, row: int) -> str:
    """The text of 1-based ``row`` without its trailing comment."""
    text = p.line(row - 1).decode("utf-8", "replace") if row > 0 else ""
    return re.sub(r"\s#.*$", "", text)
