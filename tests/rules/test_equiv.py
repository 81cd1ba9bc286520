"""The proof that a change left behaviour unchanged (rules/python/equiv): the parts added for code
that only feeds logging, terminal printing and log formatters, each with the case it must refuse."""

import ast
from textwrap import dedent

import pytest

from deploycheck.rules.python.equiv import formatter_class, only_formats, proof_of_no_change


def _proof(base: str, head: str):
    return proof_of_no_change(ast.parse(dedent(base)), ast.parse(dedent(head)))


BASE = """\
def job(items, seen):
    save(items)
"""


@pytest.mark.parametrize(
    "head",
    [
        # a loop whose body only logs, over a plain value
        "def job(items, seen):\n    for item in items:\n        log.info('%s', item)\n    save(items)\n",
        "def job(items, seen):\n    for a, b in items.pairs:\n        if a in seen:\n            log.warning('%s', b)\n    save(items)\n",
        # a comprehension that only builds the log message
        "def job(items, seen):\n    names = [i.name for i in items if i in seen]\n    if names:\n        log.error(', '.join(names))\n    save(items)\n",
    ],
)
def test_code_that_only_feeds_logging_is_proved(head):
    assert _proof(BASE, head) == ("formatting", "logging")


@pytest.mark.parametrize(
    "head",
    [
        # async for awaits the iterator (a stream, a consumer): not dropped
        "async def job(items, seen):\n    async for item in items:\n        log.info('%s', item)\n    save(items)\n",
        # a while loop may never end
        "def job(items, seen):\n    while items:\n        log.info('%s', items)\n    save(items)\n",
        # the loop body acts
        "def job(items, seen):\n    for item in items:\n        seen.add(item)\n    save(items)\n",
        # iterating a call that is not known to be pure
        "def job(items, seen):\n    for item in items.fetch_all():\n        log.info('%s', item)\n    save(items)\n",
        # a walrus inside the comprehension binds a name outside it
        "def job(items, seen):\n    names = [(last := i) for i in items]\n    log.info('%s', names)\n    save(items)\n",
        # a locking query set, iterated, locks its rows
        "def job(items, seen):\n    rows = items.select_for_update()\n    names = [r.name for r in rows]\n    log.info('%s', names)\n    save(items)\n",
        # an else branch of the loop acts
        "def job(items, seen):\n    for item in items:\n        log.info('%s', item)\n    else:\n        seen.clear()\n    save(items)\n",
    ],
)
def test_loops_and_comprehensions_that_may_act_are_not_proved(head):
    base = BASE.replace("def job", "async def job") if head.startswith("async") else BASE
    if "rows" in head:
        base = "def job(items, seen):\n    rows = items.select_for_update()\n    save(items)\n"
    assert _proof(base, head) is None


TERMINAL = """\
def monitor(count):
    from blessed import Terminal
    term = Terminal()
    print(term.move(0, 1) + term.white_on_cyan(term.center({}, width=8)))
"""


def test_printing_through_a_blessed_terminal_is_output_only():
    assert _proof(TERMINAL.format("count"), TERMINAL.format("str(count)")) == ("formatting", "logging")


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace("from blessed import", "from shop.screens import"),  # not the library's Terminal
        lambda text: text.replace("    print(", "    term = other()\n    print("),  # the name is bound twice
        lambda text: text.replace("term.center(", "term.inkey(timeout=1) + term.center("),  # reads a key press
    ],
)
def test_terminal_calls_that_may_act_are_not_output(change):
    assert _proof(change(TERMINAL.format("count")), change(TERMINAL.format("str(count)"))) is None


def test_a_formatter_is_known_through_the_module_classes_and_imports():
    bases = {"JsonFormatter": ["BaseFormatter"], "TaskFormatter": ["JsonFormatter"], "Mine": ["Formatter"], "Std": ["logging.Formatter"]}
    imported = {"BaseFormatter": "pythonjsonlogger.jsonlogger", "Formatter": "shop.text"}
    assert formatter_class(bases, imported, "TaskFormatter")
    assert formatter_class(bases, imported, "Std")
    assert not formatter_class(bases, imported, "Mine")  # a `Formatter` of the project's own
    assert not formatter_class({"A": ["B"], "B": ["A"]}, {}, "A")  # a cycle ends


@pytest.mark.parametrize(
    ("body", "only"),
    [
        ("message_dict['id'] = record.data.get('id')\nsuper().add_fields(log_record, record, message_dict)", True),
        ("log_record.pop('data', None)\nreturn ', '.join(sorted(log_record))", True),
        ("Audit.objects.create(msg=record.getMessage())", False),  # writes a row
        ("CACHE['last'] = record.msg", False),  # writes a module-level dict
        ("with LOCK:\n    return record.msg", False),
        ("global SEEN\nSEEN = record.msg", False),
        ("record.msg.save()", False),
    ],
)
def test_a_formatter_method_only_formats_when_it_only_touches_the_record(body, only):
    source = "def add_fields(self, log_record, record, message_dict):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    assert only_formats(ast.parse(source).body[0]) is only



def test_a_clause_for_a_project_baseexception_is_not_merged_into_except_exception() -> None:
    # Red team of session 7: `class Shutdown(BaseException)` escapes `except Exception`.
    def fn(first: str) -> ast.AST:
        return ast.parse(
            "def f(x):\n    try:\n        run(x)\n" + first +
            "    except Exception:\n        mark_failed(x)\n"
        ).body[0]

    base = fn("    except {}:\n        mark_failed(x)\n")
    plain = ast.parse("def f(x):\n    try:\n        run(x)\n    except Exception:\n        mark_failed(x)\n").body[0]
    assert proof_of_no_change(ast.parse(ast.unparse(base).format("ValueError")).body[0], plain) is not None
    assert proof_of_no_change(ast.parse(ast.unparse(base).format("StopError")).body[0], plain) is None  # may be a BaseException
    assert proof_of_no_change(ast.parse(ast.unparse(base).format("Shutdown")).body[0], plain) is None
    assert proof_of_no_change(ast.parse(ast.unparse(base).format("KeyboardInterrupt")).body[0], plain) is None
