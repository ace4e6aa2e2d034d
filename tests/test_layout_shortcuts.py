"""The walk's shortcuts answer as the readers they skip would."""

import random

from extractor import clauses
from extractor.layout import _item_clauses


def test_item_clauses_agree_with_split_measured() -> None:
    pieces = ["培训人数", "≥100人", "，", "、", "；", "。", "|", "!", " ", "（", "）", "2024年6月底",
              "合格率95%", "：", "完成"]
    random.seed(5)
    texts = ["", "。", "建设高标准农田≥4.5万亩", "培训100人，合格率95%", "（a，b）100人。"]
    texts += ["".join(random.choice(pieces) for _ in range(random.randint(0, 8))) for _ in range(500)]
    for text in texts:
        assert _item_clauses(text) == clauses.split_measured(text), text
