"""YAML loading that remembers where every value came from.

Configuration errors must name the file, the line and what is wrong, so the
loader keeps a mark (file, line) for every mapping key and sequence item,
and ``validate`` turns pydantic's error locations back into those marks.

A file may pull others in with a top-level ``include:`` list (paths relative
to the including file); their top-level keys are merged in, lists appended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class ConfigError(Exception):
    """A configuration problem at a known place: ``file:line: message``."""

    def __init__(self, file: Path | str, line: int | None, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        where = f"{self.file}:{line}" if line is not None else self.file
        super().__init__(f"{where}: {message}")


@dataclass
class LoadedYaml:
    """Parsed YAML data plus the (file, line) of every key and item in it."""

    data: Any
    file: Path
    marks: dict[Loc, tuple[Path, int]] = field(default_factory=dict)

    def where(self, loc: Iterable[str | int]) -> tuple[Path, int | None]:
        """The file and line of ``loc``, or of its nearest known parent."""
        path = tuple(loc)
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (self.file, None))

    def error(self, loc: Iterable[str | int], message: str) -> ConfigError:
        file, line = self.where(loc)
        return ConfigError(file, line, message)


def _construct(node: yaml.Node, file: Path, loc: Loc, marks: dict[Loc, tuple[Path, int]]) -> Any:
    marks.setdefault(loc, (file, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, file, loc + ("<key>",), {})
            if key in out:
                raise ConfigError(file, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            marks[loc + (key,)] = (file, key_node.start_mark.line + 1)
            out[key] = _construct(value_node, file, loc + (key,), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            marks[loc + (index,)] = (file, item.start_mark.line + 1)
            items.append(_construct(item, file, loc + (index,), marks))
        return items
    # Scalars: let PyYAML's safe constructor resolve ints, floats, bools, dates.
    return yaml.SafeLoader(b"").construct_object(node, deep=True)


def _parse(path: Path) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"not UTF-8 text ({exc.reason})") from None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise ConfigError(path, line, f"YAML syntax: {exc.problem}") from None


def load_yaml(path: Path | str, _seen: tuple[Path, ...] = ()) -> LoadedYaml:
    """Load a YAML file (and its ``include:`` files) keeping line marks.

    Raises:
        ConfigError: missing file, YAML syntax error, duplicate key, include
            cycle, or an included file whose top level is not a mapping.
    """
    path = Path(path)
    if path.resolve() in _seen:
        raise ConfigError(path, None, "include cycle: " + " -> ".join(str(p) for p in _seen + (path,)))
    node = _parse(path)
    marks: dict[Loc, tuple[Path, int]] = {(): (path, 1)}
    data = _construct(node, path, (), marks) if node is not None else {}
    if isinstance(data, dict) and "include" in data:
        includes = data.pop("include")
        include_line = marks[("include",)][1]
        if isinstance(includes, str):
            includes = [includes]
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            raise ConfigError(path, include_line, "include: expected a list of file names")
        for name in includes:
            child = load_yaml(path.parent / name, _seen + (path.resolve(),))
            if not isinstance(child.data, dict):
                raise ConfigError(child.file, 1, "an included file must be a mapping at the top level")
            _merge(data, marks, child, path, include_line)
    return LoadedYaml(data=data, file=path, marks=marks)


def _merge(
    data: dict[Any, Any],
    marks: dict[Loc, tuple[Path, int]],
    child: LoadedYaml,
    path: Path,
    include_line: int,
) -> None:
    for key, value in child.data.items():
        if key not in data:
            data[key] = value
            for loc, mark in child.marks.items():
                if loc and loc[0] == key:
                    marks[loc] = mark
        elif isinstance(data[key], list) and isinstance(value, list):
            offset = len(data[key])
            data[key].extend(value)
            for loc, mark in child.marks.items():
                if len(loc) >= 2 and loc[0] == key and isinstance(loc[1], int):
                    marks[(key, loc[1] + offset) + loc[2:]] = mark
        else:
            raise ConfigError(child.file, child.marks[(key,)][1], f"{key!r} is already defined in {path}")


def format_loc(loc: Iterable[str | int]) -> str:
    """``("queues", 2, "policy")`` -> ``queues[2].policy``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(model: type[M], loaded: LoadedYaml, loc_prefix: Loc = ()) -> M:
    """Validate ``loaded.data`` (or the part at ``loc_prefix``) with a pydantic model.

    Raises:
        ConfigError: for the first validation error, at its file and line;
            the message lists every error when there are several.
    """
    data: Any = loaded.data
    for part in loc_prefix:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        lines = []
        first: ConfigError | None = None
        for err in errors:
            loc = loc_prefix + tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            # pydantic reports model_validator errors at the model itself.
            msg = str(err["msg"]).removeprefix("Value error, ")
            where = format_loc(loc) or "top level"
            problem = ConfigError(*loaded.where(loc), f"{where}: {msg}")
            first = first or problem
            lines.append(str(problem))
        assert first is not None
        if len(lines) > 1:
            raise ConfigError(first.file, first.line, first.message + "\n" + "\n".join(lines[1:]))
        raise first from None
