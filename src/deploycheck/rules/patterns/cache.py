"""The shipped pattern packs, compiled to JSON so that start-up needs no YAML.

The YAML packs in ``rules/patterns/packs/`` are the source: readable, documented, reviewed. Parsing them
at every start costs more than a whole git hook may take (importing PyYAML, composing ~75 kB,
validating every rule, compiling ~170 regular expressions). ``packs/compiled.json`` holds what
``patterns.parse_pack`` makes of each pack, as plain data, together with a digest of the YAML
bytes it was made from. ``load_all()`` takes a pack from the JSON only while its YAML still has
that digest, and parses the YAML otherwise, so an edited pack is never served stale: a JSON that
is out of date only makes start-up slower. Regenerate it after editing a pack:

    python -m deploycheck.rules.patterns.cache

Regular expressions from the JSON are compiled on first use (``LazyRegex``): most runs look at
a handful of files and need a few of them.
"""

from __future__ import annotations

import json
import os
import re
import sys
import zlib
TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import Any, Callable

COMPILED_NAME = "compiled.json"
FORMAT = 1
_PACKS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "packs")


class LazyRegex:
    """A regular expression compiled on first use; behaves as the ``re.Pattern`` it stands for."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def search(self, *args: Any) -> re.Match[str] | None:
        return self.compiled().search(*args)

    def match(self, *args: Any) -> re.Match[str] | None:
        return self.compiled().match(*args)

    def findall(self, *args: Any) -> list[Any]:
        return self.compiled().findall(*args)

    def finditer(self, *args: Any) -> Any:
        return self.compiled().finditer(*args)

    @property
    def groupindex(self) -> Any:
        return self.compiled().groupindex

    @property
    def flags(self) -> int:
        return self.compiled().flags

    def __getattr__(self, name: str) -> Any:  # anything else re.Pattern offers
        return getattr(self.compiled(), name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRegex):
            return self.pattern == other.pattern
        if isinstance(other, re.Pattern):
            return self.compiled() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r})"


# --- reading the pack files -----------------------------------------------------------------


def _read_pack_files() -> dict[str, bytes]:
    """name -> bytes of every shipped ``*.yaml`` pack (plain files when installed unzipped)."""
    if os.path.isdir(_PACKS_DIR):
        names = sorted(n for n in os.listdir(_PACKS_DIR) if n.endswith(".yaml"))
        out = {}
        for name in names:
            with open(os.path.join(_PACKS_DIR, name), "rb") as fh:
                out[name] = fh.read()
        return out
    from importlib.resources import files  # a zipped install: slower, still correct

    from .engine import PACKS_PACKAGE, pack_names

    return {name: files(PACKS_PACKAGE).joinpath(name).read_bytes() for name in pack_names()}


def _read_compiled(decode: bool = False) -> dict[str, Any]:
    """name -> {"digest": …, "pack": plain data, or a Pack when ``decode``}; {} when unusable."""
    try:
        with open(os.path.join(_PACKS_DIR, COMPILED_NAME), "rb") as fh:
            data = json.loads(fh.read(), object_hook=_decoder() if decode else None)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("packs"), dict):
        return {}
    return data["packs"]


def digest(data: bytes) -> str:
    """Identifies a pack file's bytes. CRC-32 and length, not SHA-256: this only tells an edited
    pack from the one the JSON was made from (no adversary: both ship in the same wheel), and
    zlib loads in a fraction of the time OpenSSL's hashlib takes at start-up."""
    return f"crc32:{zlib.crc32(data):08x}:{len(data)}"


def load_all() -> list:
    """Every shipped pack, in file-name order: from the JSON where current, else from YAML."""
    from .engine import parse_pack

    compiled = _read_compiled(decode=True)
    packs = []
    for name, data in _read_pack_files().items():
        entry = compiled.get(name)
        if isinstance(entry, dict) and entry.get("digest") == digest(data):
            packs.append(entry["pack"])
        else:
            packs.append(parse_pack(data, f"deploycheck/rules/patterns/packs/{name}"))
    return packs


def stale_packs() -> list[str]:
    """Names of the packs whose YAML no longer matches the JSON (each then costs a YAML parse)."""
    compiled = _read_compiled()
    return [name for name, data in _read_pack_files().items() if (compiled.get(name) or {}).get("digest") != digest(data)]


# --- plain data <-> packs -------------------------------------------------------------------
#
# Generic over the pack classes, so a field added to Pack, PackRule, Pattern, FileSelector or
# Rule (to its ``_fields``) is carried without touching this module: such an object becomes
# {"$type": name, field: value…}, a regular expression {"$re": text}, a tuple a list (every
# sequence in a pack is a tuple), a dict stays a dict.

_TYPE, _RE = "$type", "$re"


def _classes() -> dict[str, type]:
    from ..base import Rule
    from .engine import FileSelector, Pack, PackRule, Pattern

    return {c.__name__: c for c in (Pack, FileSelector, PackRule, Pattern, Rule)}


def encode_pack(pack: Any) -> Any:
    from ...util.plain import Plain

    def enc(value: Any) -> Any:
        if isinstance(value, Plain):
            return {_TYPE: type(value).__name__, **{name: enc(getattr(value, name)) for name in value._fields}}
        if isinstance(value, (re.Pattern, LazyRegex)):
            return {_RE: value.pattern}
        if isinstance(value, tuple):
            return [enc(v) for v in value]
        if isinstance(value, dict):
            return {k: enc(v) for k, v in value.items()}
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        raise TypeError(f"cannot store {type(value).__name__} in {COMPILED_NAME}")

    return enc(pack)


def _decoder() -> Callable[[dict[str, Any]], Any]:
    """A ``json.loads`` object hook turning the plain data back into packs. The parser calls it
    innermost first, so each dict's values are already decoded when it sees the dict."""
    classes = _classes()
    regexes: dict[str, LazyRegex] = {}  # one object per text, as the YAML's shared entries are

    def hook(d: dict[str, Any]) -> Any:
        if _RE in d:
            text = d[_RE]
            if text not in regexes:
                regexes[text] = LazyRegex(text)
            return regexes[text]
        for key, value in d.items():
            if type(value) is list:
                d[key] = tuple(value)
        kind = d.pop(_TYPE, None)
        return classes[kind](**d) if kind is not None else d

    return hook


def decode_pack(data: Any) -> Any:
    """The pack for one entry's plain data (as ``encode_pack`` made it)."""
    return json.loads(json.dumps(data), object_hook=_decoder())


def compile_packs() -> str:
    """The JSON text for the current YAML packs (parsed and validated by ``parse_pack``)."""
    from .engine import parse_pack

    packs = {}
    for name, data in _read_pack_files().items():
        packs[name] = {"digest": digest(data), "pack": encode_pack(parse_pack(data, f"deploycheck/rules/patterns/packs/{name}"))}
    return json.dumps({"format": FORMAT, "packs": packs}, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    path = os.path.join(_PACKS_DIR, COMPILED_NAME)
    text = compile_packs()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
