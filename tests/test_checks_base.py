"""The checks' frame (extractor/checks/base.py): the configuration's derived values, the
word matcher, the per-document index the rules share, and the R35/R38 indexes of numbers.py
that stand in for walking every line again."""

from __future__ import annotations

import pickle

import pytest
from conftest import SAMPLES

from extractor import pipeline
from extractor.checks import base, numbers


def test_any_word_is_any_substring() -> None:
    words = ["共", "共计", "全年", "其中"]
    matcher = base.any_word(words)
    for text in ("共计20套", "全年完成", "其中：", "合计5万元", "", "共"):
        assert bool(matcher.search(text)) == any(w in text for w in words), text
    assert not base.any_word([]).search("任何文字")  # no words: never, not always


def test_derived_is_built_once_per_configuration() -> None:
    calls = []

    def build(config: base.Config) -> int:
        calls.append(config)
        return len(calls)

    config = base.load_config()
    assert config.derived(build) == config.derived(build) == 1
    assert base.load_config() is config  # the defaults are one shared configuration
    other = config.with_selection(["numbers"], None)
    assert other.derived(build) == 2 and len(calls) == 2


def test_the_enabled_rules_follow_the_registry() -> None:
    """A rule added after the first run (tests do) runs too, and leaves again."""
    config = base.load_config()
    before = config.rules

    class Probe(base.Rule):
        code = "probe_test_rule"
        severity = "info"
        message = suggestion = ""

    base.RULES.append(Probe)
    try:
        assert config.rules == (*before, Probe) and config.enabled("probe_test_rule")
    finally:
        base.RULES.remove(Probe)
    assert config.rules == before and not config.enabled("probe_test_rule")


def test_a_configuration_pickles_without_its_caches() -> None:
    config = base.load_config()
    config.derived(numbers._read_settings)
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config and set(copy.__dict__) == {"values", "source"}
    assert copy["numbers.total_cues"] == config["numbers.total_cues"]


def _result(name: str):
    return pipeline.extract_document(SAMPLES / name)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_by_project_keeps_every_indicator_in_order(name: str) -> None:
    result = _result(name)
    ctx = base.Context(result, base.load_config())
    groups = ctx.by_project
    assert len({id(p) for p, _ in groups}) == len(groups)
    assert sorted(id(i) for _, inds in groups for i in inds) == sorted(map(id, result.indicators))
    for project, inds in groups:
        assert all(i.project is project for i in inds)
        order = [result.indicators.index(i) for i in inds]
        assert order == sorted(order)
    assert ctx.lines == [i for i in result.indicators if i.field == "indicator"]
    kinds = {q.kind for i in result.indicators for q in i.quantities}
    assert set(ctx.by_kind) == kinds
    for kind in kinds:
        assert ctx.by_kind[kind] == [i for i in result.indicators
                                     if any(q.kind == kind for q in i.quantities)]


def _documents() -> list:
    """The samples and every rule's example and better text: tables, prose, formulas,
    rates and deadlines restating quantities."""
    results = [pipeline.extract_document(file) for file in sorted(SAMPLES.glob("*.txt"))]
    texts = [text for rule in base.RULES for text in (rule.example, rule.better)]
    return results + [pipeline.extract_text(text) for text in [*texts, *_RESTATED]]


_HEAD = "项目名称\t管网改造\n一级指标\t二级指标\t三级指标\t指标值\n"
_RESTATED = [  # a deadline restating a quantity, before and after it; clauses of one item
    _HEAD + "产出指标\t数量指标\t改造雨污管网\t3.5公里\n"
            "\t时效指标\t管网改造完成时间\t2024年10月31日前完成4公里\n",
    _HEAD + "产出指标\t时效指标\t管网改造完成时间\t2024年10月31日前完成4公里\n"
            "\t数量指标\t改造雨污管网\t3.5公里\n\t质量指标\t雨污管网改造\t4公里\n",
    "项目名称：干部补助\n一、产出指标\n（一）数量指标\n1.设备购置30万元、安装调试20万元，合计60万元\n"
    "2.7名干部每年每人4.5万元、其他干部21人每年每人2.4万元、办公费1.1万元。共发放83万元\n"
    "3.培训人数80人，每户补助2000元，共50户，合计12万元\n",
]


def _joined_all(text: str, inds: list) -> list[list]:
    """R35's groups the plain way: every line, joined to the one before when they join."""
    out: list[list] = []
    for ind in sorted(inds, key=lambda i: i.span.start):
        if out and numbers._joined(text, out[-1][-1], ind):
            out[-1].append(ind)
        else:
            out.append([ind])
    return out


def test_groups_around_wanted_lines_are_the_full_groups() -> None:
    for result in _documents():
        inds = [i for i in result.indicators if i.quantities or i.formulas]
        full = _joined_all(result.text, inds)
        for wanted in (numbers._reckons, lambda i: True, lambda i: i.span.start % 3 == 0):
            got = numbers._groups(result.text, inds, wanted)
            assert got == [g for g in full if any(map(wanted, g))], result.text[:40]


def test_seen_offers_exactly_the_keys_that_name_the_same_item() -> None:
    """The R38 index against the pairwise test it replaces, over every project of the
    samples: the same entries, in the same order."""
    settings = base.load_config().derived(numbers._read_settings)
    loose = 0
    for result in _documents():
        by_project: dict[int, list] = {}
        for ind in result.indicators:
            if ind.field == "indicator" and ind.quantities:
                by_project.setdefault(id(ind.project), []).append(ind)
        for inds in by_project.values():
            seen = numbers._Seen()
            for ind in sorted(inds, key=lambda i: i.span.start):
                for new in numbers._values(settings, result.text, ind):
                    plain = [key for key, olds in seen.keys.get(new.base, {}).items()
                             if key == new.key
                             or numbers._same_item(next(iter(olds.values())), new)]
                    assert list(seen.same_item(new)) == [seen.keys[new.base][k] for k in plain]
                    loose += sum(key != new.key for key in plain)
                for value in numbers._values(settings, result.text, ind):
                    seen.add(value)
    assert loose  # the documents do restate an item under another key


_VAGUE = {"unquantified_output", "vague_wording", "qualitative_without_grades"}


@pytest.mark.parametrize(("module", "build", "name", "needing"), [
    ("wording", "_vague_groups", "wording:vague_groups", _VAGUE),
    ("classes", "_misfiled_all", "classes:misfiled_lines", {"misclassified_indicator", *_VAGUE}),
])
def test_a_failing_shared_reading_skips_only_the_rules_that_need_it(
        monkeypatch, module: str, build: str, name: str, needing: set[str]) -> None:
    """A per-document reading several rules share (R10–R12's vague groups, R21's misfiled
    lines) that raises is built once and reported once; the rules asking for it are reported
    skipped, and every other rule's findings are still produced, unchanged."""
    from extractor.checks import classes, wording

    text = wording.VagueWording.example + wording.UnquantifiedOutput.example + \
        classes.MisclassifiedIndicator.example
    plain = pipeline.extract_text(text)
    assert needing & {f.code for f in plain.findings}  # the reading matters here
    assert {f.code for f in plain.findings} - needing  # and other rules find something too
    calls = []

    def broken(ctx: base.Context) -> dict:
        calls.append(ctx)
        raise ValueError("injected")

    monkeypatch.setattr({"wording": wording, "classes": classes}[module], build, broken)
    with pytest.warns(RuntimeWarning) as caught:
        result = pipeline.extract_text(text)
    said = [str(w.message) for w in caught]
    assert len(calls) == 1  # built once, not once per asking rule
    failed = [s for s in said if "skipped" not in s]
    assert len(failed) == 1 and f"shared reading {name!r} failed: ValueError: injected" in failed[0]
    skipped = {s.split("rule ")[1].split(" ")[0] for s in said if "skipped" in s}
    assert needing <= skipped
    key = [(f.code, f.span, f.message) for f in plain.findings if f.code not in skipped]
    assert [(f.code, f.span, f.message) for f in result.findings] == key
