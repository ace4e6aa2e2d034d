"""Shared fixtures and helpers for the extractor test suite."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "samples"

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def norm_text(s: str) -> str:
    """Whitespace-, punctuation- and width-insensitive form of an indicator text."""
    s = unicodedata.normalize("NFKC", s or "")
    s = re.sub(r"<[^>]{0,200}>", "", s)
    return _PUNCT.sub("", s)


def expected_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.expected.json"))


def load_expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The word table (extractor/wordtable.py) is cached in a folder of this run, not in the
    user's ~/.cache; subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("indicators-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INDICATORS_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


# A small tab table in the layout of the samples, reused by several modules.
TAB_TABLE = (
    "桐乡县2024年度项目支出绩效目标表\n"
    "项目名称\t养老服务补贴\n"
    "一级指标\t二级指标\t三级指标\t指标值\n"
    "产出指标\t数量指标\t补贴发放人数\t≥1200人\n"
    "\t质量指标\t补贴发放准确率\t100%\n"
    "\t时效指标\t补贴发放时间\t2024年6月30日前\n"
    "满意度指标\t服务对象满意度指标\t老年人满意度\t≥90%\n"
)


@pytest.fixture
def tab_table() -> str:
    return TAB_TABLE


def read_values(text: str, **context: object) -> list[tuple[str, float, str, str, str]]:
    """(text, value, unit, operator, kind) of every quantity, after checking its offsets."""
    from extractor import find_quantities

    out = []
    for q in find_quantities(text, dict(context) or None):
        assert q.span is not None and text[q.span.start:q.span.end] == q.text
        out.append((q.text, round(q.value, 6), q.unit, q.operator, q.kind))
    return out
