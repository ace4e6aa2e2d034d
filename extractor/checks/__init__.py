"""`indicators check`: findings of RULES.md, one small rule unit each.

Families, one module each: structure (R01–R08, R49–R52), wording (R09–R20), classes
(R21–R24, R32–R33), years (R31, R34), numbers (R35–R45), projects (R25–R30, across
projects). `run(result, config)` applies every registered rule to one extracted document.
"""

from __future__ import annotations

from extractor.checks import classes, numbers, projects, structure, wording, years  # noqa: F401
from extractor.checks.base import RULES, VAGUE_CODES, Config, ConfigError, load_config, run

__all__ = ["RULES", "VAGUE_CODES", "Config", "ConfigError", "load_config", "run"]
