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


def test_label_and_column_pretests_agree_with_the_full_tests() -> None:
    from extractor import lexicon, outline
    from extractor.layout import _column_role_of, column_role

    lex = lexicon.load()
    bits = [*lex.level1, *lex.level2, *lex.columns, "(一)", "1.", "（10分）", "★", "*", "：", " ",
            "\u3000", "-", "性", "。", "x", "指标", "值", "名称"]
    random.seed(7)
    for _ in range(3000):
        cell = "".join(random.choice(bits) for _ in range(random.randint(1, 4)))
        assert outline.classify_label(cell) == outline._classify_label(cell), cell
        assert column_role(cell) == _column_role_of(cell), cell


def test_one_scan_cut_points_agree_with_cut() -> None:
    pieces = ["甲1人", "，", "、", "；", "。", "（", "）", "(", ")", "【", "】", "|", " ", "乙"]
    random.seed(9)
    for _ in range(3000):
        text = "".join(random.choice(pieces) for _ in range(random.randint(0, 12)))
        majors, minors = clauses._cut_points(text)
        major_pieces = clauses._pieces(text, majors, 0, len(text))
        assert major_pieces == clauses.cut(text, clauses._MAJOR), text
        for s, e in major_pieces:
            minor = [(s + a, s + b) for a, b in clauses.cut(text[s:e], clauses._MINOR)]
            assert clauses._pieces(text, minors, s, e) == minor, text
