"""R51 (indicator_copies_goal): the bound that rules a line out against a whole goal at once
must never hide a window the per-window loop would have scored."""

from __future__ import annotations

import random

from extractor.checks import projects


def test_the_whole_goal_bound_never_changes_the_best_ratio(monkeypatch) -> None:
    rule = projects.IndicatorCopiesGoal()
    windows = projects._goal_windows
    rng = random.Random(51)
    alphabet = "提高群众生活质量改善农村人居环境河道安全率"
    for _ in range(3000):
        goal = "，".join("".join(rng.choice(alphabet) for _ in range(rng.randint(3, 14)))
                        for _ in range(rng.randint(1, 5)))
        # a stretch of the goal with a few characters changed or added: near the bounds
        plain = goal.replace("，", "")
        start = rng.randrange(len(plain))
        mine = list(plain[start:start + rng.randint(10, 30)])
        for _ in range(rng.randint(0, 6)):
            mine.insert(rng.randrange(len(mine) + 1), rng.choice("甲乙丙丁"))
        mine = "".join(mine)
        if len(mine) < 10:
            continue
        fast = rule._best(mine, goal)
        # the same goal with every character of the line counted as the goal's: no line is
        # ruled out before the loop
        whole, found, counts, lengths, chars = windows(goal)
        monkeypatch.setattr(projects, "_goal_windows",
                            lambda g, t=(whole, found, {}, lengths, chars | set(mine)): t)
        assert rule._best(mine, goal) == fast, (mine, goal)
        monkeypatch.setattr(projects, "_goal_windows", windows)
