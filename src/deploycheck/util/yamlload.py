"""Safe, strict YAML reading with line numbers, for every file deploycheck reads.

Documents are *composed* (never constructed by PyYAML), so no tag can run code, and then
walked by small typed accessors. Aliases are refused (no alias bombs), duplicate keys are
refused, nesting and size are capped, and every error names the file, the line and the key.
"""

from __future__ import annotations

import re
TYPE_CHECKING = False  # typing is for type checkers only: its import costs start-up time
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    E = TypeVar("E", bound=Exception)

from ..errors import ConfigError, DeployCheckError

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value", "merge")}

# Anything PyYAML alone should judge, in an ASCII text: a control character other than tab and
# line breaks, or a lone "\r" (YAML breaks lines there too). Non-ASCII texts always go to PyYAML.
_NOT_PLAIN_ASCII = re.compile("[^\t\n\r\x20-\x7e]|\r(?!\n)")


class YamlError(ConfigError):
    pass


def where(source: str, node: Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"{source}, line {mark.line + 1}" if mark is not None else source


def compose(
    data: bytes | str,
    source: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    error: type[DeployCheckError] = YamlError,
    merges: bool = False,
) -> Any:
    """Compose one YAML document into a node tree (None for an empty document). ``merges``: an
    application's own configuration (Rails' `<<: *default`), read by `deploycheck envs`: a
    merge key's mapping is copied into the mapping that names it, within a budget of copied
    nodes; any other alias is still refused. deploycheck's own files never allow it."""
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise error(f"{source} is {len(data):,} bytes, over the limit of {max_bytes:,}. It cannot be a valid file; remove or shorten it.")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{source} is not valid UTF-8 (byte {exc.start}). Save it as UTF-8.") from None
    else:
        text = data
        if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise error(f"{source} is over the limit of {max_bytes:,} bytes. Remove or shorten it.")
    if "\x00" in text:
        raise error(f"{source} contains a NUL byte, so it is not a YAML text file. Restore the file.")
    if only_comments(text):
        return None  # what PyYAML composes from it, without importing PyYAML (~12 ms per run)
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_cls(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{source}{line}: invalid YAML ({problem}). Fix the syntax and try again.") from None
    except RecursionError:
        raise error(f"{source}: YAML nested too deeply. Flatten the file.") from None
    if node is not None:
        if merges:
            node = _merged(node, source, error)
        _check_tree(node, source, max_depth, error)
    return node


MAX_MERGED_NODES = 10_000  # what merges may copy in all: nested merges cannot grow a file without bound


def _merged(root: Any, source: str, error: type[DeployCheckError]) -> Any:
    """``root`` with each `<<: *anchor` (or `<<: [*a, *b]`) replaced by copies of the anchored
    mappings' entries that the mapping does not set itself (YAML's merge-key rule: its own keys
    win, then the earlier merged mapping's). A merged mapping's own merges are resolved first."""
    import copy

    import yaml

    budget = [MAX_MERGED_NODES]
    flat: set[int] = set()

    def is_merge(key: Any) -> bool:
        return isinstance(key, yaml.ScalarNode) and key.tag == _STD + "merge"

    def copied(node: Any) -> Any:
        size, stack = 0, [node]
        while stack:
            n = stack.pop()
            size += 1
            if isinstance(n, yaml.MappingNode):
                stack.extend(x for pair in n.value for x in pair)
            elif isinstance(n, yaml.SequenceNode):
                stack.extend(n.value)
        budget[0] -= size
        if budget[0] < 0:
            raise error(f"{where(source, node)}: YAML merges (<<) copy more than {MAX_MERGED_NODES:,} values. "
                        "Write the values out in full.")
        return copy.deepcopy(node)

    def resolve(node: Any, visiting: frozenset[int]) -> None:
        if id(node) in flat:
            return
        if id(node) in visiting:
            raise error(f"{where(source, node)}: a YAML merge (<<) names a mapping that contains it.")
        inside = visiting | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                resolve(child, inside)
        elif isinstance(node, yaml.MappingNode):
            own = [(k, v) for k, v in node.value if not is_merge(k)]
            sources = [m for k, v in node.value if is_merge(k)
                       for m in (v.value if isinstance(v, yaml.SequenceNode) else [v])]
            if any(not isinstance(m, yaml.MappingNode) for m in sources):
                raise error(f"{where(source, node)}: a YAML merge (<<) must name mappings.")
            for m in sources:
                resolve(m, inside)
            names = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
            for m in sources:
                for k, v in m.value:
                    if isinstance(k, yaml.ScalarNode) and k.value not in names:
                        names.add(k.value)
                        own.append((copied(k), copied(v)))
            node.value = own
            for _, v in own:
                resolve(v, inside)
        flat.add(id(node))

    try:
        resolve(root, frozenset())
    except RecursionError:
        raise error(f"{source}: YAML merges (<<) nested too deeply. Write the values out in full.") from None
    return root


def only_comments(text: str) -> bool:
    """Whether ``text`` holds only blank lines and comments (as `deploycheck init`'s config.yaml
    does), which YAML reads as an empty document. Conservative: False sends the text to PyYAML."""
    if not text.isascii() or _NOT_PLAIN_ASCII.search(text):
        return False
    for line in text.split("\n"):
        content = line.rstrip("\r").lstrip(" ")
        if content and content[0] != "#":
            return False
    return True


def _check_tree(root: Any, source: str, max_depth: int, error: type[DeployCheckError]) -> None:
    import yaml

    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise error(f"{where(source, node)}: YAML aliases (*name) are not allowed. Write the value out in full.")
        seen.add(id(node))
        if depth > max_depth:
            raise error(f"{where(source, node)}: nested more than {max_depth} levels deep. Flatten the file.")
        tag = node.tag or ""
        if isinstance(node, yaml.ScalarNode):
            if tag not in _SCALAR_TAGS or tag in (_STD + "binary", _STD + "value", _STD + "merge"):
                raise error(f"{where(source, node)}: tag {tag!r} is not allowed here. Use a plain value.")
        elif isinstance(node, yaml.SequenceNode):
            if tag != _STD + "seq":
                raise error(f"{where(source, node)}: tag {tag!r} is not allowed here. Use a plain list.")
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            if tag != _STD + "map":
                raise error(f"{where(source, node)}: tag {tag!r} is not allowed here. Use a plain mapping.")
            keys: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _STD + "merge":
                    raise error(f"{where(source, key)}: keys must be plain strings (no '<<' merges or complex keys).")
                if key.value in keys:
                    raise error(f"{where(source, key)}: duplicate key '{key.value}'. Keep one of them.")
                keys.add(key.value)
                stack.append((value, depth + 1))
        else:  # pragma: no cover - PyYAML composes only these three
            raise error(f"{where(source, node)}: unsupported YAML node.")


# --- typed accessors -----------------------------------------------------------------------


def kind(node: Any) -> str:
    import yaml

    if node is None:
        return "nothing"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _STD + "null":
        return "null"
    return "a single value"


def as_map(
    node: Any,
    source: str,
    what: str,
    allowed: tuple[str, ...] | None = None,
    required: tuple[str, ...] = (),
    error: type[DeployCheckError] = YamlError,
) -> dict[str, Any]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise error(f"{where(source, node)}: {what} must be a mapping of keys to values, not {kind(node)}.")
    out = {key.value: value for key, value in node.value}
    if allowed is not None:
        for key, _ in node.value:
            if key.value not in allowed:
                raise error(
                    f"{where(source, key)}: unknown key '{key.value}' in {what}. "
                    f"Allowed keys: {', '.join(allowed)}."
                )
    for key in required:
        if key not in out:
            raise error(f"{where(source, node)}: {what} is missing the required key '{key}'.")
    return out


def as_str(node: Any, source: str, what: str, *, allow_empty: bool = True, error: type[DeployCheckError] = YamlError) -> str:
    """A scalar's text as written. Plain scalars keep their source text, so `yes` stays "yes"."""
    import yaml

    if not isinstance(node, yaml.ScalarNode) or (node.tag == _STD + "null" and not node.style and node.value in ("", "~", "null", "Null", "NULL")):
        raise error(f"{where(source, node)}: {what} must be text, not {kind(node)}.")
    if not allow_empty and not node.value.strip():
        raise error(f"{where(source, node)}: {what} must not be empty.")
    return node.value


def as_int(node: Any, source: str, what: str, *, minimum: int | None = None, error: type[DeployCheckError] = YamlError) -> int:
    import yaml

    if not isinstance(node, yaml.ScalarNode) or node.tag != _STD + "int":
        raise error(f"{where(source, node)}: {what} must be a whole number, not {kind(node)}.")
    try:
        value = int(node.value.replace("_", ""), 0)
    except ValueError:
        raise error(f"{where(source, node)}: {what} must be a whole number.") from None
    if minimum is not None and value < minimum:
        raise error(f"{where(source, node)}: {what} must be at least {minimum}.")
    return value


def as_bool(node: Any, source: str, what: str, *, error: type[DeployCheckError] = YamlError) -> bool:
    import yaml

    if not isinstance(node, yaml.ScalarNode) or node.tag != _STD + "bool":
        raise error(f"{where(source, node)}: {what} must be true or false, not {kind(node)}.")
    return node.value.lower() in ("true", "yes", "on", "y")


def as_list(node: Any, source: str, what: str, *, error: type[DeployCheckError] = YamlError) -> list[Any]:
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        raise error(f"{where(source, node)}: {what} must be a list, not {kind(node)}.")
    return list(node.value)


def as_str_list(node: Any, source: str, what: str, *, error: type[DeployCheckError] = YamlError) -> list[str]:
    return [as_str(item, source, f"each entry of {what}", allow_empty=False, error=error) for item in as_list(node, source, what, error=error)]


def optional(mapping: dict[str, Any], key: str, read: Callable[[Any], Any], default: Any = None) -> Any:
    return read(mapping[key]) if key in mapping else default
