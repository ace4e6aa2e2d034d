"""The frame every check rule lives in: declaration, configuration, and the run.

A rule is a small class in one of the family modules (structure, years, numbers, wording,
classes), registered with `@register`: its `code` is the RULES.md id, `severity` the default
severity, `message` and `suggestion` Chinese templates filled from the finding's fields, and
`check(ctx)` yields findings. The class docstring says what the rule flags and, as important,
what it deliberately does not flag. Thresholds and word lists come from `ctx.config`, which
reads extractor/data/checks*.toml and a user's `--config` file on top.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from extractor.errors import ExtractorError
from extractor.lexicon import any_word as any_word  # the checks import it from here
from extractor.lexicon import tomllib
from extractor.records import DocumentResult, Finding, Indicator, Project, Span

SEVERITIES = ("info", "warning", "error")
VAGUE_CODES = frozenset({"vague_wording", "qualitative_without_grades", "unquantified_output",
                         "timeliness_without_time"})


class ConfigError(ExtractorError):
    """A --config file that cannot be read or names a key the checks do not have."""


T = TypeVar("T")


class SharedFailed(Exception):
    """A reading several rules share (Context.shared) failed for this document: it was
    reported once when it failed, and each rule asking for it again is skipped, not run on
    a half-built index."""

    def __init__(self, name: str, cause: Exception) -> None:
        super().__init__(f"shared reading {name!r} failed: {type(cause).__name__}: {cause}")
        self.name = name
        self.cause = cause


@dataclass(frozen=True)
class Config:
    values: dict[str, dict[str, Any]]  # section → key → value
    source: Path | None = None  # the user's file, when there is one

    def __getitem__(self, key: str) -> Any:
        """`config["thresholds.min_indicators"]`, `config["words.vague"]`."""
        return self._flat[key]

    @cached_property
    def _flat(self) -> dict[str, Any]:
        # one dict lookup per key: rules read their settings tens of thousands of times a run
        return {f"{section}.{name}": value for section, table in self.values.items()
                for name, value in table.items()}

    def derived(self, build: Callable[[Config], T]) -> T:
        """What `build` makes of this configuration (word sets, compiled alternations,
        thresholds), made once per configuration instead of once per document or line."""
        made = self._derived
        if build not in made:
            made[build] = build(self)
        return made[build]

    @cached_property
    def _derived(self) -> dict[Callable[[Config], Any], Any]:
        return {}

    def severity(self, code: str, default: str) -> str:
        return self.values.get("severity", {}).get(code, default)

    def enabled(self, code: str) -> bool:
        return code in self._chosen()[2]

    @property
    def rules(self) -> tuple[type[Rule], ...]:
        """The enabled rules in registration order."""
        return self._chosen()[1]

    def _chosen(self) -> tuple[tuple[type[Rule], ...], tuple[type[Rule], ...], frozenset[str]]:
        """(the registry, its enabled rules, their codes), chosen again only when the
        registry changed since (a test adds a rule of its own)."""
        registry = tuple(RULES)
        made = self.__dict__.get("_chosen_for")
        if made is None or made[0] != registry:
            rules = self.values.get("rules", {})
            chosen = expand(rules.get("select", ())) if rules.get("select") else \
                {r.code for r in registry}
            codes = frozenset(chosen - expand([*rules.get("ignore", ()),
                                               *rules.get("disabled", ())]))
            made = (registry, tuple(r for r in registry if r.code in codes), codes)
            self.__dict__["_chosen_for"] = made  # a cache, not a change: frozen stays frozen
        return made

    def __getstate__(self) -> dict[str, Any]:
        # a worker process gets the values only: what is derived from them is remade there
        return {"values": self.values, "source": self.source}

    def with_selection(self, select: list[str] | None, ignore: list[str] | None) -> Config:
        """The command line's --select (replaces the file's) and --ignore (adds to it)."""
        rules = dict(self.values.get("rules", {}))
        if select is not None:
            rules["select"] = select
        if ignore is not None:
            rules["ignore"] = [*rules.get("ignore", ()), *ignore]
        _check_names(rules.get("select", ()), "--select")
        _check_names(rules.get("ignore", ()), "--ignore")
        return Config({**self.values, "rules": rules}, self.source)


def families() -> dict[str, str]:
    """Family id → Chinese name (RULES.md sections A–G), from extractor/data/labels.toml."""
    from extractor.labels import table

    return table()["family"]


def expand(names: Any) -> set[str]:
    """The codes named by codes, family ids or `all`."""
    codes: set[str] = set()
    for name in names:
        if name == "all":
            codes |= {r.code for r in RULES}
        else:
            codes |= {r.code for r in RULES if name in (r.code, r.family)}
    return codes


def _check_names(names: Any, where: str, families_too: bool = True) -> None:
    known = {r.code for r in RULES} | (set(families()) | {"all"} if families_too else set())
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(str(name), sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"{where}: unknown rule code or family {name!r}{hint}; "
                              "`indicators rules` lists them")


@cache
def _defaults() -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for entry in sorted(resources.files("extractor.data").iterdir(), key=lambda e: e.name):
        if not (entry.name.startswith("checks") and entry.name.endswith(".toml")):
            continue
        for section, table in tomllib.loads(entry.read_text(encoding="utf-8")).items():
            target = merged.setdefault(section, {})
            clash = set(target) & set(table)
            if clash:
                raise ConfigError(f"extractor/data/{entry.name}: [{section}] {sorted(clash)} "
                                  "already set by another checks file")
            target.update(table)
    merged.setdefault("severity", {})
    merged.setdefault("rules", {"select": [], "ignore": [], "disabled": []})
    return merged


@cache
def _default_config() -> Config:
    """The defaults as one shared Config (a Config is never changed in place: with_selection
    makes a new one), so what rules derive from it is derived once per process."""
    return Config({section: dict(table) for section, table in _defaults().items()})


CONFIG_NAMES = ("indicators.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The nearest indicators.toml, or pyproject.toml with a [tool.indicators] table, from
    `start` upward (an indicators.toml wins in the same folder, as ruff.toml does)."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return "indicators" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # someone else's broken pyproject is not ours to refuse


def load_config(path: Path | None = None) -> Config:
    if path is None:
        return _default_config()
    values = {section: dict(table) for section, table in _defaults().items()}
    try:
        user = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if path.name == "pyproject.toml":
        user = user.get("tool", {}).get("indicators", {})
    for section, table in user.items():
        _merge(values, section, table, path)
    return Config(values, path)


def _merge(values: dict[str, dict[str, Any]], section: str, table: Any, path: Path) -> None:
    if section not in values or not isinstance(table, dict):
        raise ConfigError(f"{path}: unknown section [{section}]")
    unknown = set(table) - set(values[section]) if section != "severity" else set()
    if unknown:
        raise ConfigError(f"{path}: unknown keys in [{section}]: {sorted(unknown)}")
    if section == "severity":
        _check_names(table, f"{path}: [severity]", families_too=False)
        if any(v not in SEVERITIES for v in table.values()):
            raise ConfigError(f"{path}: a severity must be one of {SEVERITIES}")
    if section == "rules":
        for key in ("select", "ignore", "disabled"):
            _check_names(table.get(key, ()), f"{path}: [rules] {key}")
    values[section].update(table)


@dataclass
class Context:
    """What a rule sees: the document as extracted, and the configuration, with the indexes
    several rules need built once per document (the cached properties below, and `shared`
    for a family's own)."""

    result: DocumentResult
    config: Config
    cache: dict[str, Any] = field(default_factory=dict)  # shared results between rules
    failed: dict[str, SharedFailed] = field(default_factory=dict)  # shared builds that raised

    def shared(self, name: str, build: Callable[[Context], T]) -> T:
        """`build(self)`, computed by the first rule that asks and reused by the others.
        A build that raises is reported once (a RuntimeWarning, as a failing rule is) and
        not tried again: every rule asking for it raises SharedFailed, which `run` reports
        as that rule skipped; the rules that do not need it run as usual."""
        if name in self.cache:
            return self.cache[name]
        if name in self.failed:
            raise self.failed[name]
        try:
            made = self.cache[name] = build(self)
        except MemoryError:  # the document is too large: the caller decides, as in `run`
            raise
        except SharedFailed as exc:  # built on another shared reading that failed (reported)
            self.failed[name] = exc
            raise
        except Exception as exc:
            failure = self.failed[name] = SharedFailed(name, exc)
            warnings.warn(f"{self.result.doc}: {failure}", RuntimeWarning, stacklevel=1)
            raise failure from exc
        return made

    def settings(self, build: Callable[[Config], T]) -> T:
        """A family's settings read from the configuration once (see Config.derived)."""
        return self.config.derived(build)

    @cached_property
    def by_project(self) -> list[tuple[Project | None, list[Indicator]]]:
        """The indicators grouped by their project (None: no project), in document order
        of each group's first indicator."""
        groups: dict[int, tuple[Project | None, list[Indicator]]] = {}
        for ind in self.result.indicators:
            group = groups.get(id(ind.project))
            if group is None:
                group = groups[id(ind.project)] = (ind.project, [])
            group[1].append(ind)
        return list(groups.values())

    @cached_property
    def by_kind(self) -> dict[str, list[Indicator]]:
        """Quantity kind (money, count, rate …) → the indicators giving one, in document
        order: a rule about money walks the few money lines, not every line."""
        kinds: dict[str, list[Indicator]] = {}
        for ind in self.result.indicators:
            if ind.quantities:
                for kind in {q.kind for q in ind.quantities}:
                    kinds.setdefault(kind, []).append(ind)
        return kinds

    @cached_property
    def lines(self) -> list[Indicator]:
        """The indicator lines proper (field `indicator`), without goal or name fields."""
        return [i for i in self.result.indicators if i.field == "indicator"]

    def finding(self, rule: Rule, text: str, *, span: Span | None = None,
                project: str | None = None, evidence: dict[str, Any] | None = None,
                severity: str | None = None, **fields: Any) -> Finding:
        return self.build_finding(rule, text, span, project, evidence, severity, fields)

    def on_indicator(self, rule: Rule, ind: Indicator, *, evidence: dict[str, Any] | None = None,
                     severity: str | None = None, **fields: Any) -> Finding:
        fields["name"] = ind.name or ind.text
        return self.build_finding(rule, ind.text, ind.span, ind.project.name if ind.project else None,
                             evidence, severity, fields)

    def build_finding(self, rule: Rule, text: str, span: Span | None, project: str | None,
                      evidence: dict[str, Any] | None, severity: str | None,
                      fields: dict[str, Any]) -> Finding:
        """`finding` with its fields as one dict (which it may keep): positional, and the
        templates filled from the fields as given, because a document can carry thousands."""
        if not severity:
            severity = self._severities.get(rule.code, rule.severity)
        return Finding(self.result.doc, rule.code, severity, text, rule.message.format_map(fields),
                       rule.suggestion.format_map(fields), evidence or {}, project, span)

    @cached_property
    def _severities(self) -> dict[str, str]:
        """The configured severities (Config.severity's table), looked up once per document."""
        return self.config.values.get("severity", {})


class Rule:
    """A check rule. Its declaration is also its documentation (`indicators rule CODE`): the
    docstring says what it flags and what it does not, `why` why that matters, and `example`
    (a document the rule flags) and `better` (the same written so that it does not) are its
    test fixture (tests/test_rule_docs.py), so the documentation cannot drift from the code."""

    code: ClassVar[str]
    title: ClassVar[str]  # the Chinese name of RULES.md
    family: ClassVar[str]  # a RULES.md family id of extractor/data/labels.toml [family]
    severity: ClassVar[str]
    message: ClassVar[str]
    suggestion: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    better: ClassVar[str]

    def check(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


RULES: list[type[Rule]] = []


def register(cls: type[Rule]) -> type[Rule]:
    if cls.severity not in SEVERITIES or any(r.code == cls.code for r in RULES):
        raise ValueError(f"rule {cls.__name__}: bad severity or duplicate code {cls.code}")
    RULES.append(cls)
    return cls


def run(result: DocumentResult, config: Config) -> list[Finding]:
    """Every enabled rule over one document; a rule that fails is reported as a warning and
    skipped, never stopping the others."""
    ctx = Context(result, config)
    found: list[Finding] = []
    for rule_class in config.rules:
        try:
            found.extend(rule_class().check(ctx))
        except MemoryError:  # the document is too large, not the rule wrong: the caller decides
            raise
        except SharedFailed as exc:  # the reading's failure itself was reported once
            warnings.warn(f"{result.doc}: rule {rule_class.code} skipped: {exc}",
                          RuntimeWarning, stacklevel=1)
        except Exception as exc:  # a rule's bug must not cost the document its other findings
            warnings.warn(f"{result.doc}: rule {rule_class.code} failed: "
                          f"{type(exc).__name__}: {exc}", RuntimeWarning, stacklevel=1)
    found.sort(key=lambda f: (f.span.start if f.span else -1, f.code))
    _mark_indicators(result, found)
    return found


def _mark_indicators(result: DocumentResult, found: list[Finding]) -> None:
    if not found:
        return
    by_span = {(i.span.start, i.span.end): i for i in result.indicators}
    for finding in found:
        ind = by_span.get((finding.span.start, finding.span.end)) if finding.span else None
        if ind is None:
            continue
        if finding.code not in ind.flags:
            ind.flags.append(finding.code)
        if finding.code in VAGUE_CODES:
            ind.vague = True
