"""Check rules: structure and completeness (RULES.md section A, R01–R08)."""

from __future__ import annotations

from collections.abc import Iterator

from extractor.checks.base import Context, Rule, register
from extractor.records import Finding


@register
class EmptyEnumeratedItem(Rule):
    """R04: an item number with nothing after it before the next heading or item
    (`1.举办讲座3场 2. (二)质量指标`: item 2 is empty).

    Does not flag: a number that is part of a value (`1.5万元`), a heading number, or a
    marker whose text was moved before it — the outline keeps only markers it read as items.
    """

    code = "empty_enumerated_item"
    severity = "warning"
    message = "编号“{marker}”后没有内容：该条目为空。"
    suggestion = "补充该编号下的指标内容，或删除多余的编号。"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for item in ctx.result.empty_items:
            yield ctx.finding(self, item.marker, span=item.span,
                              project=item.project.name if item.project else None,
                              evidence={"path": item.path}, marker=item.marker)
