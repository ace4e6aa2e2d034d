"""The misfiled-class cues (R21) read once per document: the pre-test that lets most lines skip
the cues (`_may_fire`) must never skip a line a cue fires on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from extractor.checks import base, classes
from extractor.pipeline import extract_document, extract_text

ROOT = Path(__file__).resolve().parent.parent

# invented lines, one cue each, filed under the wrong class
MISFILED = """\
某县农业服务中心2024年项目绩效目标表
项目名称：示范田建设项目
一级指标\t二级指标\t三级指标\t指标值
产出指标\t质量指标\t项目完成时间\t2024年12月底前
产出指标\t质量指标\t资金支出金额\t≤120万元
产出指标\t质量指标\t建成示范田面积\t≥300亩
效益指标\t社会效益指标\t带动农户增收\t≥2000元/户
效益指标\t社会效益指标\t化肥使用量减少\t≥5%
效益指标\t社会效益指标\t补助资金发放到位率\t100%
效益指标\t生态效益指标\t服务对象满意度\t≥90%
满意度指标\t服务对象满意度指标\t农户满意度\t≥90%
"""


def _generated(folder: Path, n: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    import sys

    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    module.main([str(folder), "--n", str(n), "--seed", "11"])
    return sorted(folder.glob("doc_*.txt"))


def _results(tmp_path: Path) -> list:
    paths = _generated(tmp_path, 60) + sorted((ROOT / "corpus" / "samples").glob("*.txt"))
    return [extract_text(MISFILED)] + [extract_document(p) for p in paths]


def test_the_pre_test_never_skips_a_line_a_cue_fires_on(tmp_path: Path) -> None:
    config = base.load_config()
    fired = 0
    for result in _results(tmp_path):
        ctx = base.Context(result, config)
        for ind in result.indicators:
            if classes.headed(ind) is None:
                continue
            every_cue = classes._misfiled_as(ind, config, measured=classes.measured(ctx, ind))
            assert classes.misfiled_as(ctx, ind) == every_cue, ind.text
            fired += every_cue is not None
    assert fired >= 4  # the invented lines above, at least


def test_value_part_tests_the_cell_gap_as_its_pattern_does() -> None:
    """value_part's character test stands for _CELL_GAP.match: the same answer for every
    character that can follow a name (all of the BMP, and a few beyond)."""
    from extractor.records import Indicator, Span

    for code in [*range(0x10000), 0x1F600, 0x20000]:
        gap = chr(code)
        ind = Indicator(doc="t", text="名称" + gap + "有效提升", span=Span(0, 7), name="名称")
        rest = ind.text[len(ind.name):]
        expected = (rest.strip(classes._EDGE) or None) if classes._CELL_GAP.match(rest) else None
        assert classes.value_part(ind) == expected, hex(code)
