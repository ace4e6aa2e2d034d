"""Deterministic generator of synthetic 绩效目标表 documents for benchmarking.

Every phrase, place name and layout below is invented for this benchmark; nothing is copied from
real documents.  The same ``--seed`` and ``--n`` always give byte-identical files.

Usage::

    python bench/generate.py OUT_DIR [--n 3000] [--seed 20240601]

Writes ``OUT_DIR/doc_00000.txt`` … and ``OUT_DIR/manifest.jsonl`` (one line per document with
its layout, encoding, byte/char size and the number of indicators it was built with).
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_N = 3000
DEFAULT_SEED = 20240601
LARGE_BYTES = 100 * 1024
LAYOUTS = ("tab", "pipe", "cells", "numbered", "bracket", "prose")

# --------------------------------------------------------------------------------------------
# Phrase data (all invented).  A phrase is (name, kind, unit, low, high).
#   count: whole number with a lower bound   pct: percentage   cost: upper-bounded amount
#   date: deadline   qual: qualitative word (unit holds choices separated by "|")
#   years: duration in years   cap: small upper bound with unit (e.g. 工作日)
# --------------------------------------------------------------------------------------------

Phrase = tuple[str, str, str, float, float]

QUANTITY: list[Phrase] = [
    ("培训人数", "count", "人", 30, 600),
    ("高素质农民培育人数", "count", "人", 50, 400),
    ("发放补助户数", "count", "户", 40, 2000),
    ("新建村组道路长度", "count", "公里", 2, 60),
    ("维修灌溉渠道长度", "count", "米", 300, 9000),
    ("人工造林面积", "count", "亩", 200, 12000),
    ("开展政策宣传活动次数", "count", "次", 3, 40),
    ("印发宣传折页", "count", "份", 500, 20000),
    ("购置执法记录仪数量", "count", "台", 5, 120),
    ("覆盖行政村数量", "count", "个", 5, 80),
    ("走访慰问困难群众", "count", "人次", 50, 3000),
    ("改造农村卫生户厕", "count", "座", 30, 900),
    ("新建村级文化活动广场", "count", "处", 1, 15),
    ("配送农家书屋图书", "count", "册", 800, 30000),
    ("开发公益性岗位", "count", "个", 10, 300),
    ("送戏下乡演出场次", "count", "场", 6, 120),
    ("食品抽检批次", "count", "批次", 100, 3000),
    ("组织巡回义诊", "count", "次", 4, 60),
    ("修缮中小学校舍面积", "count", "平方米", 300, 15000),
    ("安装太阳能路灯", "count", "盏", 20, 800),
    ("城乡低保保障对象", "count", "人", 200, 12000),
    ("林业有害生物防治面积", "count", "亩", 1000, 50000),
    ("适龄儿童疫苗接种", "count", "人次", 500, 30000),
    ("河道清淤疏浚长度", "count", "公里", 1, 40),
    ("水质自动监测站点", "count", "个", 2, 30),
    ("发放临时救助金人数", "count", "名", 20, 900),
    ("开展农业技术指导", "count", "次", 10, 200),
    ("新建高位蓄水池", "count", "座", 1, 40),
    ("编印安全生产手册", "count", "册", 200, 8000),
    ("村级干部轮训", "count", "人次", 40, 800),
    ("资助家庭经济困难学生", "count", "人", 30, 5000),
    ("建设高标准农田", "count", "万亩", 0.5, 6),
    ("改造老旧小区户数", "count", "户", 100, 3000),
    ("接种犬只狂犬病疫苗", "count", "只", 300, 8000),
]

QUALITY: list[Phrase] = [
    ("工程验收合格率", "pct", "", 90, 100),
    ("补助资金发放准确率", "pct", "", 95, 100),
    ("培训考核合格率", "pct", "", 85, 100),
    ("设施设备完好率", "pct", "", 90, 100),
    ("档案资料归档完整率", "pct", "", 95, 100),
    ("苗木栽植成活率", "pct", "", 80, 98),
    ("检测结果准确率", "pct", "", 95, 100),
    ("项目建设达标率", "pct", "", 90, 100),
    ("资金使用合规率", "pct", "", 100, 100),
    ("救助对象认定准确率", "pct", "", 95, 100),
    ("数据上报准确率", "pct", "", 95, 100),
    ("道路路面平整度达标率", "pct", "", 85, 100),
    ("工程质量", "qual", "符合国家及行业相关标准|达到设计要求|合格|优良", 0, 0),
    ("服务质量", "qual", "规范|优|良好", 0, 0),
    ("校舍安全鉴定等级", "qual", "A级|B级及以上", 0, 0),
]

TIMELINESS: list[Phrase] = [
    ("项目完成时间", "date", "", 0, 0),
    ("资金拨付及时率", "pct", "", 95, 100),
    ("工程开工时间", "date", "", 0, 0),
    ("培训任务完成时限", "date", "", 0, 0),
    ("竣工验收时间", "date", "", 0, 0),
    ("问题整改办结时限", "cap", "个工作日", 3, 30),
    ("补助资金兑付时间", "date", "", 0, 0),
    ("任务按时完成率", "pct", "", 90, 100),
    ("项目实施周期", "date", "", 0, 0),
    ("救助申请审批时限", "cap", "个工作日", 5, 20),
    ("应急响应到场时间", "cap", "小时", 1, 24),
    ("资金支付进度", "qual", "及时|按期|按时拨付", 0, 0),
]

COST: list[Phrase] = [
    ("补助标准", "cost", "元/人/月", 100, 800),
    ("项目总成本", "cost", "万元", 10, 2000),
    ("每公里道路建设成本", "cost", "万元/公里", 20, 180),
    ("人均培训费用", "cost", "元/人", 200, 3000),
    ("设备采购单价", "cost", "元/台", 800, 20000),
    ("每亩补助标准", "cost", "元/亩", 30, 1500),
    ("年度运行维护费用", "cost", "万元", 2, 300),
    ("单位绿化养护成本", "cost", "元/平方米", 3, 60),
    ("春节慰问标准", "cost", "元/户", 200, 2000),
    ("公益岗位补贴标准", "cost", "元/人·月", 600, 2500),
    ("学生生活补助标准", "cost", "元/生/年", 500, 2500),
    ("户厕改造补助", "cost", "元/座", 500, 3000),
]

ECONOMIC: list[Phrase] = [
    ("带动农户户均增收", "count", "元/户", 300, 5000),
    ("村集体经济年收入增加", "count", "万元", 2, 50),
    ("节约群众出行成本", "count", "万元", 5, 200),
    ("带动当地务工人数", "count", "人", 10, 600),
    ("特色农产品销售额增长率", "pct", "", 3, 30),
    ("对地方经济发展的促进作用", "qual", "明显|有效促进|逐步增强", 0, 0),
]

SOCIAL: list[Phrase] = [
    ("群众生产生活条件", "qual", "明显改善|有效改善|持续改善", 0, 0),
    ("惠民政策知晓率", "pct", "", 80, 100),
    ("困难群众基本生活", "qual", "有效保障|得到保障|应保尽保", 0, 0),
    ("基层公共服务水平", "qual", "有效提升|显著提高|稳步提升", 0, 0),
    ("项目受益人口", "count", "人", 500, 80000),
    ("安全生产事故发生率", "cost", "%", 0, 1),
    ("矛盾纠纷调处化解率", "pct", "", 90, 99),
    ("义务教育巩固率", "pct", "", 95, 100),
    ("重点人群健康管理率", "pct", "", 60, 95),
    ("脱贫人口返贫情况", "qual", "不发生规模性返贫|零返贫", 0, 0),
]

ECOLOGICAL: list[Phrase] = [
    ("森林覆盖率提高", "count", "个百分点", 0.1, 2),
    ("地表水断面水质达标率", "pct", "", 80, 100),
    ("农村人居环境", "qual", "明显改善|持续改善|干净整洁", 0, 0),
    ("生活垃圾无害化处理率", "pct", "", 85, 100),
    ("新增水土流失治理面积", "count", "亩", 100, 20000),
    ("空气质量优良天数比例", "pct", "", 80, 98),
    ("化肥农药使用量", "qual", "零增长|逐年减少", 0, 0),
]

SUSTAINABLE: list[Phrase] = [
    ("项目持续发挥效益年限", "years", "年", 3, 20),
    ("长效管护机制", "qual", "建立健全|逐步完善|长期有效", 0, 0),
    ("对产业发展的持续影响", "qual", "长期|持续|长远", 0, 0),
    ("设施设备使用年限", "years", "年", 5, 30),
    ("基层治理能力", "qual", "持续提升|不断增强", 0, 0),
]

SATISFACTION: list[Phrase] = [
    ("受益群众满意度", "pct", "", 85, 98),
    ("服务对象满意度", "pct", "", 85, 98),
    ("参训学员满意度", "pct", "", 85, 98),
    ("村民满意度", "pct", "", 80, 98),
    ("学生及家长满意度", "pct", "", 85, 98),
    ("救助对象满意度", "pct", "", 85, 98),
]

# (一级, 二级, phrases, weight)
CATEGORIES: list[tuple[str, str, list[Phrase], int]] = [
    ("产出指标", "数量指标", QUANTITY, 9),
    ("产出指标", "质量指标", QUALITY, 5),
    ("产出指标", "时效指标", TIMELINESS, 4),
    ("产出指标", "成本指标", COST, 4),
    ("效益指标", "经济效益指标", ECONOMIC, 2),
    ("效益指标", "社会效益指标", SOCIAL, 4),
    ("效益指标", "生态效益指标", ECOLOGICAL, 2),
    ("效益指标", "可持续影响指标", SUSTAINABLE, 2),
    ("满意度指标", "服务对象满意度指标", SATISFACTION, 2),
]

SYLLABLES = (
    "东西南北青石河山安平宁和兴华丰泉阳林岭源川江桥湖梅柳松云龙凤岚溪塘坪沙湾"
    "泽禾桂枫樟茂昌盛嘉德福康乐永新城田坡峪寨台口营集店"
)
COUNTY_SUFFIX = ("县", "县", "县", "区", "市", "旗")
TOWN_SUFFIX = ("乡", "镇", "镇", "街道")
BUREAUS = (
    "农业农村局",
    "教育局",
    "民政局",
    "卫生健康局",
    "水利局",
    "林业和草原局",
    "交通运输局",
    "文化旅游体育局",
    "人力资源和社会保障局",
    "生态环境分局",
    "住房和城乡建设局",
    "应急管理局",
    "司法局",
    "市场监督管理局",
    "退役军人事务局",
    "乡村振兴局",
    "城市管理局",
    "科学技术协会",
)
PROJECTS = (
    "农村公路养护项目",
    "高素质农民培育项目",
    "困难群众救助补助资金",
    "学生资助补助资金",
    "农村人居环境整治提升项目",
    "森林草原防火项目",
    "基层医疗卫生服务能力提升项目",
    "水毁水利工程修复项目",
    "公益性岗位补贴项目",
    "文化惠民送戏下乡项目",
    "高标准农田建设项目",
    "食品安全抽检监测经费",
    "老旧小区改造项目",
    "村级组织运转经费",
    "安全生产专项整治经费",
    "退役军人优抚补助资金",
    "普法宣传教育经费",
    "重点河道清淤项目",
    "中小学校舍维修改造项目",
    "动物疫病防控经费",
)
GOALS = (
    "通过项目实施，进一步改善{place}群众生产生活条件，提升基层公共服务水平。",
    "按照上级要求，及时足额发放各类补助资金，切实保障困难群众基本生活。",
    "完成年度建设任务，确保工程质量和安全，按期通过竣工验收。",
    "加强资金管理，规范项目实施，推动{place}经济社会高质量发展。",
    "围绕年度重点工作，落实各项惠民政策，群众满意度明显提升。",
)
QUAL_PREFIX = ("达到", "实现", "")


@dataclass
class DocMeta:
    file: str
    layout: str
    encoding: str
    year: int
    indicators: int
    projects: int
    chars: int
    bytes: int


@dataclass
class Row:
    level1: str
    level2: str
    name: str
    value: str


# --------------------------------------------------------------------------------------------
# Names and values
# --------------------------------------------------------------------------------------------


def place(rng: random.Random, suffixes: tuple[str, ...]) -> str:
    size = rng.choice((2, 2, 2, 3))
    return "".join(rng.choice(SYLLABLES) for _ in range(size)) + rng.choice(suffixes)


def number_text(rng: random.Random, low: float, high: float) -> str:
    if high <= 10 and (low != int(low) or high != int(high)):
        return f"{rng.uniform(low, high):.1f}"
    value = rng.randint(int(low), int(high))
    if value >= 100:
        value = round(value, -1) if value < 1000 else round(value, -2)
    return str(value)


def lower_bound(rng: random.Random, num: str, unit: str) -> str:
    style = rng.choices(range(8), weights=(10, 3, 2, 2, 2, 2, 1, 2))[0]
    return (
        f"≥{num}{unit}",
        f">={num}{unit}",
        f"{num}{unit}以上",
        f"不少于{num}{unit}",
        f"={num}{unit}",
        f"{num}{unit}",
        f"≧{num}{unit}",
        f"≥{num} {unit}",
    )[style]


def upper_bound(rng: random.Random, num: str, unit: str) -> str:
    style = rng.choices(range(6), weights=(10, 3, 2, 2, 2, 1))[0]
    return (
        f"≤{num}{unit}",
        f"<={num}{unit}",
        f"不超过{num}{unit}",
        f"{num}{unit}",
        f"={num}{unit}",
        f"{num}{unit}以内",
    )[style]


def percent(rng: random.Random, low: float, high: float) -> str:
    num = str(rng.randint(int(low), int(high)))
    if num == "100":
        return rng.choice(("100%", "=100%", "≥100%", "100%"))
    style = rng.choices(range(7), weights=(10, 3, 3, 2, 2, 1, 1))[0]
    return (
        f"≥{num}%",
        f"{num}%",
        f"{num}%以上",
        f">={num}%",
        f"不低于{num}%",
        f"≧{num}%",
        f"≥{num}百分比",
    )[style]


def deadline(rng: random.Random, year: int) -> str:
    month, day = rng.randint(3, 12), rng.choice((15, 20, 25, 30))
    choices = (
        f"{year}年{month}月{day}日前",
        f"{year}年{month}月底前",
        f"{year}年12月31日前",
        "年底前",
        f"{year}年1-12月",
        "按期完成",
        f"{month}月底前",
        f"{year}年{month}月",
        f"{year}.01-{year}.12",
        f"{year}年度内",
    )
    return rng.choice(choices)


def render_value(rng: random.Random, phrase: Phrase, year: int) -> str:
    _name, kind, unit, low, high = phrase
    if kind == "count":
        return lower_bound(rng, number_text(rng, low, high), unit)
    if kind == "pct":
        return percent(rng, low, high)
    if kind in ("cost", "cap"):
        if unit == "%":
            return rng.choice(("≤1%", "=0", "0%", "≤0.5%"))
        return upper_bound(rng, number_text(rng, low, high), unit)
    if kind == "date":
        return deadline(rng, year)
    if kind == "years":
        num = number_text(rng, low, high)
        return rng.choice((f"≥{num}年", f"{num}年以上", f"不少于{num}年", "长期"))
    return rng.choice(unit.split("|"))


def pick_rows(rng: random.Random, count: int, year: int) -> list[Row]:
    pools = {i: list(cat[2]) for i, cat in enumerate(CATEGORIES)}
    for pool in pools.values():
        rng.shuffle(pool)
    weights = [cat[3] for cat in CATEGORIES]
    chosen: dict[int, list[Phrase]] = {}
    for forced in (0, 1, 2, 8):
        chosen.setdefault(forced, []).append(pools[forced].pop())
    while sum(map(len, chosen.values())) < count:
        idx = rng.choices(range(len(CATEGORIES)), weights=weights)[0]
        if pools[idx]:
            chosen.setdefault(idx, []).append(pools[idx].pop())
    cost_first = year >= 2024 and rng.random() < 0.4
    return [_row(rng, idx, phrase, year, cost_first) for idx in sorted(chosen) for phrase in chosen[idx]]


def _row(rng: random.Random, idx: int, phrase: Phrase, year: int, cost_first: bool) -> Row:
    level1, level2 = CATEGORIES[idx][0], CATEGORIES[idx][1]
    if cost_first and level2 == "成本指标":
        level1, level2 = "成本指标", "经济成本指标"
    return Row(level1, level2, phrase[0], render_value(rng, phrase, year))


# --------------------------------------------------------------------------------------------
# Layout families: each returns the indicator block as a list of lines
# --------------------------------------------------------------------------------------------


def merged(rows: list[Row]) -> list[tuple[str, str, str, str]]:
    """Rows with repeated 一级/二级 blanked, as merged cells look after export."""
    out, last1, last2 = [], "", ""
    for row in rows:
        l1 = row.level1 if row.level1 != last1 else ""
        l2 = row.level2 if (row.level1, row.level2) != (last1, last2) else ""
        out.append((l1, l2, row.name, row.value))
        last1, last2 = row.level1, row.level2
    return out


def with_scores(rng: random.Random, cells: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [(*c, str(rng.choice((2, 3, 5, 5, 10)))) for c in cells]


def table_cells(rng: random.Random, rows: list[Row]) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    header: tuple[str, ...] = ("一级指标", "二级指标", "三级指标", "指标值")
    cells: list[tuple[str, ...]] = list(merged(rows))
    if rng.random() < 0.15:
        header, cells = (*header, "分值"), with_scores(rng, cells)
    return header, cells


def layout_tab(rng: random.Random, rows: list[Row]) -> list[str]:
    header, cells = table_cells(rng, rows)
    lead = rng.choice(("绩效指标", "年度绩效指标", ""))
    lines = ["\t".join(((lead,) if lead else ()) + header)]
    for cell in cells:
        lines.append("\t".join((("",) if lead else ()) + cell))
    return lines


def layout_pipe(rng: random.Random, rows: list[Row]) -> list[str]:
    header, cells = table_cells(rng, rows)
    lines = ["| " + " | ".join(header) + " |"]
    if rng.random() < 0.5:
        lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(cell) + " |" for cell in cells]
    return lines


def layout_cells(rng: random.Random, rows: list[Row]) -> list[str]:
    header, cells = table_cells(rng, rows)
    out: list[str] = []
    for cell in [header, *cells]:
        for text in cell:
            if text:
                out += [text, ""]
    return out


CN_NUM = "一二三四五六七八九十"


def inline(rng: random.Random, row: Row) -> str:
    value = row.value
    if value[0].isdigit():
        return row.name + rng.choice(("", "", "为", "：")) + value
    if value[0] in "≥≤>=<≧不":
        return row.name + rng.choice(("", "", "：")) + value
    prefix = "" if value.startswith(("达到", "实现")) else rng.choice(QUAL_PREFIX)
    return row.name + prefix + value


def grouped(rows: list[Row]) -> list[tuple[str, list[tuple[str, list[Row]]]]]:
    out: list[tuple[str, list[tuple[str, list[Row]]]]] = []
    for row in rows:
        if not out or out[-1][0] != row.level1:
            out.append((row.level1, []))
        subs = out[-1][1]
        if not subs or subs[-1][0] != row.level2:
            subs.append((row.level2, []))
        subs[-1][1].append(row)
    return out


def layout_numbered(rng: random.Random, rows: list[Row]) -> list[str]:
    paren = rng.choice((("(", ")"), ("（", "）")))
    end = rng.choice(("；", "。", "", ";"))
    parts: list[str] = []
    for i, (level1, subs) in enumerate(grouped(rows)):
        parts.append(f"{CN_NUM[i]}、{level1}")
        for j, (level2, items) in enumerate(subs):
            parts.append(f"{paren[0]}{CN_NUM[j]}{paren[1]}{level2}")
            parts += [f"{k}.{inline(rng, row)}{end}" for k, row in enumerate(items, 1)]
    if rng.random() < 0.3:
        return [" ".join(parts)]
    return parts


def layout_bracket(rng: random.Random, rows: list[Row]) -> list[str]:
    restart = rng.random() < 0.5
    colon = rng.choice(("：", ":"))
    out: list[str] = []
    k = 0
    for level1, subs in grouped(rows):
        for level2, items in subs:
            out.append(f"【{level1}-{level2}】")
            k = 0 if restart else k
            for row in items:
                k += 1
                out.append(f"指标{k}{colon}{row.name}（{row.value}）")
    return out


def layout_prose(rng: random.Random, rows: list[Row]) -> list[str]:
    clauses = []
    for _level1, subs in grouped(rows):
        for level2, items in subs:
            lead = rng.choice((f"{level2}：", f"{level2}方面，", f"在{level2}上，"))
            clauses.append(lead + "、".join(inline(rng, row) for row in items))
    intro = rng.choice(("年度绩效目标：", "绩效目标：通过项目实施，", "项目年度目标："))
    return [intro + "；".join(clauses) + "。"]


LAYOUT_FUNCS: dict[str, Callable[[random.Random, list[Row]], list[str]]] = {
    "tab": layout_tab,
    "pipe": layout_pipe,
    "cells": layout_cells,
    "numbered": layout_numbered,
    "bracket": layout_bracket,
    "prose": layout_prose,
}

# --------------------------------------------------------------------------------------------
# Document assembly
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    year: int
    county: str
    town: str
    bureau: str


def header_lines(rng: random.Random, ctx: Context, layout: str, project: str) -> list[str]:
    total = round(rng.uniform(5, 3000), 2)
    fiscal = round(total * rng.choice((1, 1, 0.8, 0.6)), 2)
    fields = [
        ("项目名称", f"{ctx.year}年{project}"),
        ("主管部门", f"{ctx.county}{ctx.bureau}"),
        ("实施单位", rng.choice((f"{ctx.county}{ctx.bureau}", f"{ctx.county}{ctx.town}人民政府"))),
        ("项目资金（万元）", f"年度资金总额：{total}  其中：财政拨款：{fiscal}"),
    ]
    if layout == "tab":
        return ["\t".join(pair) for pair in fields]
    if layout == "pipe":
        return ["| " + " | ".join(pair) + " |" for pair in fields]
    if layout == "cells":
        return [text for pair in fields for text in (*pair, "")]
    return [f"{key}：{value}" for key, value in fields]


def boilerplate(rng: random.Random, ctx: Context) -> list[str]:
    lines = []
    if rng.random() < 0.3:
        code = f"{rng.randint(10000000, 99999999)}/{ctx.year}-{rng.randint(10, 999):05d}"
        lines += [f"索引号：{code}", f"发布机构：{ctx.county}{ctx.bureau}"]
        lines.append(f"发布日期：{ctx.year}-0{rng.randint(1, 9)}-{rng.randint(10, 28)}")
    if rng.random() < 0.2:
        lines.append(f"{ctx.county[:2]}财预〔{ctx.year}〕{rng.randint(1, 99)}号")
    return lines


def footer(rng: random.Random, ctx: Context) -> list[str]:
    if rng.random() < 0.4:
        phone = f"1{rng.choice('35789')}{rng.randint(100000000, 999999999)}"
        return ["", f"填报人：{rng.choice('王李张刘陈杨赵黄')}某  联系电话：{phone}"]
    return []


def title(rng: random.Random, ctx: Context, project: str | None) -> str:
    if project is None:
        return f"{ctx.county}{ctx.bureau}{ctx.year}年部门项目支出绩效目标表（汇总）"
    forms = (
        f"{ctx.county}{ctx.bureau}{ctx.year}年项目支出绩效目标表",
        f"{ctx.year}年度{project}绩效目标申报表",
        f"{ctx.county}{ctx.town}{ctx.year}年项目支出绩效目标公开表",
        f"{ctx.county}{ctx.year}年{project}绩效目标批复表",
    )
    return rng.choice(forms)


def project_section(rng: random.Random, ctx: Context, layout: str, project: str) -> tuple[list[str], int]:
    rows = pick_rows(rng, rng.randint(10, 40), ctx.year)
    lines = header_lines(rng, ctx, layout, project)
    if layout != "prose":
        goal = rng.choice(GOALS).format(place=ctx.county + ctx.town)
        lines += ["", f"年度绩效目标：{goal}", ""]
    lines += LAYOUT_FUNCS[layout](rng, rows)
    return lines, len(rows)


def build_document(rng: random.Random, large: bool) -> tuple[str, str, int, int, int]:
    ctx = Context(
        year=rng.randint(2021, 2025),
        county=place(rng, COUNTY_SUFFIX),
        town=place(rng, TOWN_SUFFIX),
        bureau=rng.choice(BUREAUS),
    )
    layout = rng.choice(LAYOUTS)
    project = rng.choice(PROJECTS)
    lines = boilerplate(rng, ctx) + [title(rng, ctx, None if large else project), ""]
    target = LARGE_BYTES + rng.randint(0, 60_000) if large else 0
    size, total, projects = 0, 0, 0
    while True:
        section, count = project_section(rng, ctx, layout, project)
        lines += section + [""]
        size += len("\n".join(section).encode("utf-8"))
        total, projects = total + count, projects + 1
        if size >= target:
            break
        project = rng.choice(PROJECTS)
    text = "\n".join(lines + footer(rng, ctx)) + "\n"
    return text, layout, ctx.year, total, projects


def generate_one(out_dir: Path, index: int, seed: int) -> DocMeta:
    rng = random.Random(f"{seed}:{index}")
    large = index % 100 == 17
    encoding = "gb18030" if index % 25 == 3 else "utf-8"
    text, layout, year, total, projects = build_document(rng, large)
    data = text.encode(encoding)
    name = f"doc_{index:05d}.txt"
    (out_dir / name).write_bytes(data)
    return DocMeta(name, layout, encoding, year, total, projects, len(text), len(data))


def generate_corpus(out_dir: Path, n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[DocMeta]:
    out_dir.mkdir(parents=True, exist_ok=True)
    metas = [generate_one(out_dir, i, seed) for i in range(n)]
    with (out_dir / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for meta in metas:
            fh.write(json.dumps(asdict(meta), ensure_ascii=False) + "\n")
    return metas


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=DEFAULT_N)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    metas = generate_corpus(args.out_dir, args.n, args.seed)
    size = sum(m.bytes for m in metas)
    print(f"wrote {len(metas)} documents ({size / 1e6:.1f} MB) to {args.out_dir}")


if __name__ == "__main__":
    main()
