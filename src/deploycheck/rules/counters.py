"""A new metric counter of a Java or Kotlin class: a field made a fresh `AtomicLong`,
`AtomicInteger` or `LongAdder`, in a class that already counts with the same type, that the code
only counts up or down and reads outside any decision. It is new state that guards itself, not a
guard laid on state that was there, so it is no concurrency control changed (DC253) nor state
"now shared" (DC704): jitsi-videobridge's exporter gained such counters beside its others for
its metrics (apps-y 0627dcec, cdc92a16). A counter read in a condition (`if (inFlight.get() >
max)`, a limit) or compared is a decision, and stays a finding. Pure text: the rules of both
families ask it of a line."""

from __future__ import annotations

import re

_COUNTER_FIELD = re.compile(
    r"^\s*(?:@\w+\s+)*(?:(?:private|protected|public|internal|static|final|transient)\s+)*"
    r"(?:va[lr]\s+|(?:AtomicLong|AtomicInteger|LongAdder)\s+)(?P<name>[A-Za-z_]\w*)\s*"
    r"(?::\s*(?:AtomicLong|AtomicInteger|LongAdder)\s*)?=\s*(?:new\s+)?(?P<type>AtomicLong|AtomicInteger|LongAdder)"
    r"\s*\(\s*(?:\d+L?)?\s*\)\s*;?\s*(?://.*)?$")
_COUNTS = r"(?:incrementAndGet|getAndIncrement|decrementAndGet|getAndDecrement|increment|decrement|add|addAndGet|getAndAdd)"
_READS = r"(?:get|sum|longValue|intValue|toString)"
# A decision on the counter's value: a condition, a comparison, a ternary, a loop.
_DECIDES = re.compile(r"\b(?:if|while|when|for|until)\b|<|(?<!-)>|[!=]=|\?|&&|\|\|")
_IMPORT = re.compile(r"^\s*import\s")


def new_counter(line: str, head: str, base: str | None) -> bool:
    """Whether ``line`` of the file ``head`` declares a new metric counter (the module's
    docstring), ``base`` being the file before the change (None: a new file, whose counters are
    no counters beside others)."""
    m = _COUNTER_FIELD.match(line)
    if m is None or base is None:
        return False
    name, kind = m.group("name"), m.group("type")
    if re.search(rf"\b{re.escape(name)}\b", base):
        return False  # the name was there: a plain field made atomic, a guard on old state
    if not any(re.search(rf"\b{kind}\b", text) for text in base.splitlines() if not _IMPORT.match(text)):
        return False  # the class's first such counter: its other state may be what it guards
    uses = [text for text in head.splitlines() if re.search(rf"\b{re.escape(name)}\b", text) and text != line]
    counted = re.compile(rf"^\s*(?:this\.)?{re.escape(name)}\.{_COUNTS}\([^()]*\)\s*;?\s*(?://.*)?$")
    read = re.compile(rf"\b{re.escape(name)}\.{_READS}\(\)")
    return bool(uses) and all(counted.match(text) or (read.search(text) and not _DECIDES.search(text))
                              for text in uses)
