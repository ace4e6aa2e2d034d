"""Command line of `indicators` (entry point `main`).

    indicators extract FILE... [--format jsonl|json|csv] [-o OUT] [--explain]
    indicators check FILE...   [--format text|jsonl|json|csv] [--select/--ignore CODES] …
    indicators tag PATH... -o OUTDIR
    indicators rules | rule CODE | fields
    indicators train [--corpus DIR] [--out DIR]

Records go to stdout (or -o); errors go to stderr, one line per input that could not be
read. Exit status: 0 when every input was read (and, for check, no finding reached
--fail-on), 1 when some input could not be read or --fail-on was met, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from extractor import __version__
from extractor.checks import Config, ConfigError, load_config
from extractor.checks.base import SEVERITIES, find_config
from extractor.errors import DocumentTimeout, ExtractorError, ReadError
from extractor.export import FINDING_WRITERS, WRITERS
from extractor.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from extractor.limits import MAX_FILE_BYTES as MAX_BYTES
from extractor.names import path_label
from extractor.pipeline import extract_sections
from extractor.records import DocumentResult, Finding
from extractor.report import write_explanation, write_statistics, write_text

_CHECKOUT = Path(__file__).resolve().parent.parent

DESCRIPTION = """\
Read Chinese budget performance-target tables (绩效目标表) and flag defective indicators.

  extract   one JSON/CSV record per indicator (category, operator, value, unit, deadline…)
  check     findings of the 50 rules, linter style (`indicators rules` lists them)
  tag       whole archives in parallel: jsonl streams and report.xlsx for reviewers
  rules     every finding code; `indicators rule CODE` explains one with an example
  fields    the record fields and their values, with Chinese labels

Shell completion: eval "$(indicators completion bash)"
"""
EPILOG = """\
examples:
  indicators extract 2024项目支出绩效目标表.xlsx --format csv -o 指标.csv
  indicators check 绩效目标表.docx                    # warnings and errors, exit 1 on an error
  indicators check *.xlsx --select numbers --statistics
  indicators tag /archive/2024 -o out/ --workers 4   # out/report.xlsx

Exit status: 0 all read (and no finding at --fail-on), 1 an input unreadable or --fail-on
met, 2 bad usage. Configuration: --config FILE, else [tool.indicators] in pyproject.toml or
an indicators.toml found from the working directory upward.
"""


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written, and each option's default in --help (where it has one)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return f"{text} (default: %(default)s)" if text else "default: %(default)s"


def _codes(value: str) -> list[str]:
    """`--select a,b --select c` → [a, b, c]."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="indicators", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"indicators {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    kw = {"formatter_class": _HelpFormatter}
    ext = sub.add_parser("extract", help="one record per indicator (SCHEMA.md)", **kw)
    ext.add_argument("files", nargs="+", help="documents to read; - for standard input")
    ext.add_argument("--format", choices=sorted(WRITERS), default="jsonl",
                     help="csv adds Chinese-label columns after the record's own")
    ext.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    ext.add_argument("--explain", action="store_true",
                     help="also list, on stderr, the lines not taken as indicators and why")
    _limit_flags(ext)
    _check_parser(sub, kw)
    _tag_parser(sub, kw)
    _serve_parser(sub, kw)
    sub.add_parser("rules", help="list every finding code: Chinese name, severity, family", **kw)
    one = sub.add_parser("rule", help="explain one finding code, with an example and a better version",
                         **kw)
    one.add_argument("code", help="a code (truncated_text) or its RULES.md id (R05)")
    sub.add_parser("fields", help="the record fields and enum values, with Chinese labels", **kw)
    comp = sub.add_parser("completion", help="print a shell completion script", **kw)
    comp.add_argument("shell", choices=("bash",), help='eval "$(indicators completion bash)"')
    trn = sub.add_parser("train", help="rebuild models/ from corpus/ (needs the train extra)", **kw)
    trn.add_argument("--corpus", type=Path, default=_CHECKOUT / "corpus")
    trn.add_argument("--out", type=Path, default=_CHECKOUT / "models")
    return parser


def _check_parser(sub: argparse._SubParsersAction, kw: dict) -> None:
    chk = sub.add_parser("check", help="findings of the rules, linter style", **kw)
    chk.add_argument("files", nargs="+", help="documents to check; - for standard input")
    chk.add_argument("--format", choices=("text", "jsonl", "json", "csv"), default="text",
                     help="text: grouped report; jsonl/json: finding records; csv: with Chinese labels")
    chk.add_argument("--min-severity", choices=SEVERITIES,
                     help="report findings of this severity or worse (default: warning for the text "
                          "report, info for jsonl/json/csv and --statistics)")
    chk.add_argument("--fail-on", choices=SEVERITIES, default="error",
                     help="exit 1 when a finding of this severity or worse is reported")
    chk.add_argument("--exit-zero", action="store_true",
                     help="exit 0 even when findings reach --fail-on (unreadable inputs still give 1)")
    chk.add_argument("--select", type=_codes, action="extend", metavar="CODES",
                     help="only these codes or families (comma-separated; `indicators rules`)")
    chk.add_argument("--ignore", type=_codes, action="extend", metavar="CODES",
                     help="leave out these codes or families (comma-separated)")
    chk.add_argument("--statistics", action="store_true",
                     help="print the count per code instead of the findings")
    chk.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text report (auto: on a terminal, unless NO_COLOR is set; "
                          "FORCE_COLOR forces it)")
    chk.add_argument("--config", type=Path,
                     help="TOML file of thresholds, word lists, [rules] and [severity] (default: "
                          "[tool.indicators] in pyproject.toml or indicators.toml, searched upward)")
    chk.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    _limit_flags(chk)


def _tag_parser(sub: argparse._SubParsersAction, kw: dict) -> None:
    tag = sub.add_parser("tag", help="bulk-tag archives: jsonl streams and report.xlsx", **kw)
    tag.add_argument("paths", nargs="+", type=Path, help="files and folders (walked recursively)")
    tag.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    tag.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    tag.add_argument("--resume", action="store_true", help="keep finished documents, do the rest")
    tag.add_argument("--glob", help="only files whose name matches (e.g. '*.xlsx')")
    tag.add_argument("--dask", metavar="SCHEDULER", help="run on Dask: an address, or 'local'")
    _limit_flags(tag)
    tag.add_argument("--no-report", action="store_true", help="skip report.xlsx")
    tag.add_argument("--select", type=_codes, action="extend", metavar="CODES",
                     help="only these finding codes or families (as check --select)")
    tag.add_argument("--ignore", type=_codes, action="extend", metavar="CODES",
                     help="leave out these codes or families (as check --ignore)")
    tag.add_argument("--config", type=Path, help="TOML file for the checks (as check --config)")
    tag.add_argument("--force", action="store_true", help="start over in a folder an earlier run wrote")
    tag.add_argument("--follow-symlinks", action="store_true",
                     help="follow symbolic links in folders (by default each is skipped with a summary)")


def _serve_parser(sub: argparse._SubParsersAction, kw: dict) -> None:
    srv = sub.add_parser("serve", help="the reviewer's page and the HTTP API (needs the web extra)", **kw)
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback: this machine only)")
    srv.add_argument("--port", type=int, default=8000, help="port to listen on")
    srv.add_argument("--open", action="store_true", help="open the page in the default browser")
    srv.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)),
                     help="worker processes running documents")
    srv.add_argument("--queue", type=int, default=8, help="requests waiting for a worker; more get 503 busy")
    srv.add_argument("--timeout", type=float, default=60.0, help="seconds per document")
    srv.add_argument("--memory-mb", type=int, default=2048, help="memory guard per worker")
    srv.add_argument("--max-upload-mb", type=float, default=50.0, help="largest upload accepted (413 over it)")


def _serve(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    if find_spec("fastapi") is None or find_spec("uvicorn") is None:
        print("indicators: serve needs the web extra: pip install 'indicators[web]'", file=sys.stderr)
        return 2
    from extractor.web.app import serve
    from extractor.web.worker import Settings

    config = find_config(Path.cwd())
    load_config(config)  # a bad configuration is a usage error now, not on the first upload
    serve(args.host, args.port, args.open, Settings(args.workers, args.queue, args.timeout, args.memory_mb,
                                                    args.max_upload_mb, str(config) if config else None))
    return 0


def _limit_flags(parser: argparse.ArgumentParser) -> None:
    """The per-document limits, the same for extract, check and tag (extractor/limits.py)."""
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds per document (default {DEFAULT_TIMEOUT:.0f})")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help=f"memory guard of the process reading a document (default {DEFAULT_MEMORY_MB})")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "check":
            return _check(args)
        if args.command == "tag":
            return _tag(args)
        if args.command == "train":
            return _train(args)
        if args.command == "serve":
            return _serve(args)
        if args.command in ("rules", "rule", "fields"):
            return _docs(args)
        if args.command == "completion":
            from extractor.completion import bash_script

            sys.stdout.write(bash_script(_parser()))
            return 0
    except (ConfigError, OutputError) as exc:
        print(f"indicators: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (`| head`) closed the pipe: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 2


def _tag(args: argparse.Namespace) -> int:
    from extractor import tag

    args.checks_config = _check_config(args)  # a bad config or code is a usage error (2)
    return tag.command(args)


def _train(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    if find_spec("sklearn") is None:  # training needs scikit-learn; running the model does not
        print("indicators: train needs scikit-learn: pip install 'indicators[train]'", file=sys.stderr)
        return 2
    from extractor.train import train

    if not (args.corpus / "phrases").is_dir():
        print(f"indicators: {args.corpus}: no phrases/ folder (run from a checkout or pass "
              "--corpus)", file=sys.stderr)
        return 2
    report = train(args.corpus, args.out)
    print(f"trained on {sum(a for a, _ in report.counts.values())} phrases, tested on "
          f"{sum(b for _, b in report.counts.values())}: macro-F1 {report.macro_f1:.3f}, "
          f"accuracy {report.accuracy:.3f}, temperature {report.temperature:.2f} → {args.out}")
    return 0


def _documents(names: list[str], config: Config | None = None,
               args: argparse.Namespace | None = None) -> Iterator[DocumentResult | None]:
    """Each input's results, one per section of a large text (extractor.pipeline.
    extract_sections), or None (after one line on stderr) when it cannot be read; each input
    under the time limit, the process under the memory guard (the same as `tag`'s)."""
    from extractor.tag import memory_guard

    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    memory_mb = getattr(args, "memory_mb", DEFAULT_MEMORY_MB)
    with memory_guard(memory_mb):
        yield from _each_document(names, config, timeout, memory_mb)


def _each_document(names: list[str], config: Config | None, timeout: float,
                   memory_mb: int) -> Iterator[DocumentResult | None]:
    for name in names:
        label = "-" if name == "-" else path_label(name)  # names.py: undecodable bytes as %XX
        try:
            yield from _guarded(name, label, config, timeout, memory_mb)
        except ExtractorError as exc:
            print(f"indicators: {exc}", file=sys.stderr)
            yield None
        except DocumentTimeout:
            print(f"indicators: {label}: gave up after {timeout:g} s (a very large document may need "
                  "a larger --timeout)", file=sys.stderr)
            yield None
        except MemoryError:
            print(f"indicators: {label}: over the {memory_mb} MB memory guard (a very large document "
                  "may need a larger --memory-mb)", file=sys.stderr)
            yield None
        except Exception as exc:  # one bad document never stops a batch
            print(f"indicators: {label}: internal error: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            yield None


def _guarded(name: str, label: str, config: Config | None, timeout: float,
             memory_mb: int) -> Iterator[DocumentResult]:
    """The sections' results; the time limit is the whole input's, and it is off while the
    caller writes a section's records."""
    from extractor.tag import time_limit

    if name != "-":
        source: Path | bytes = Path(name)
    else:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)  # /dev/zero as input must not fill memory
        if len(data) > MAX_BYTES:
            raise ReadError("-", f"standard input is over the {MAX_BYTES // 2**20} MB limit", "too_large")
        source, label = data, "-"
    sections = extract_sections(source, label, config, memory_mb)
    left = timeout
    while True:
        began = time.monotonic()
        with time_limit(max(left, 0.001)):  # 0 would turn the timer off
            result = next(sections, None)
        left -= time.monotonic() - began
        if result is None:
            return
        yield result


def _extract(args: argparse.Namespace) -> int:
    _writable(args.output)  # before the work: a bad -o is known at once
    failed = 0

    def records() -> Iterator[dict[str, Any]]:
        nonlocal failed
        for result in _documents(args.files, None, args):
            if result is None:
                failed += 1
                continue
            if args.explain:
                write_explanation(result, sys.stderr)
            yield from [r.to_dict() for r in result.indicators]

    # jsonl and csv write each section's records as they come; json gathers them
    with _output(args.output, args.format) as out:
        WRITERS[args.format](records(), out)
    return 1 if failed else 0


def _check(args: argparse.Namespace) -> int:
    config = _check_config(args)  # a bad config or code is a usage error: ConfigError → 2
    _writable(args.output)
    # the text report hides info findings unless asked; records and statistics count them all
    minimum = args.min_severity or ("warning" if args.format == "text" and not args.statistics else "info")
    floor = SEVERITIES.index(minimum)
    if args.format in ("jsonl", "csv") and not args.statistics:
        return _check_records(args, config, floor)
    results, failed, hidden = [], 0, 0
    for result in _documents(args.files, config, args):
        if result is None:
            failed += 1
            continue
        kept = [f for f in result.findings if SEVERITIES.index(f.severity) >= floor]
        hidden += len(result.findings) - len(kept)
        results.append((result, kept))
    found = [f for _, kept in results for f in kept]
    with _output(args.output, "csv" if args.format == "csv" else "text") as out:
        if args.statistics:
            write_statistics(found, out, args.format)
        elif args.format == "text":
            write_text(results, out, colour=_colour(args.color, args.output), hidden=hidden,
                       floor=minimum)
        else:
            FINDING_WRITERS[args.format]([f.to_dict() for f in found], out)
    return 1 if failed or (not args.exit_zero and _fails(found, args.fail_on)) else 0


def _check_records(args: argparse.Namespace, config: Config, floor: int) -> int:
    """`check --format jsonl|csv`: each section's finding records written as they come."""
    failed, fails = 0, False

    def records() -> Iterator[dict[str, Any]]:
        nonlocal failed, fails
        for result in _documents(args.files, config, args):
            if result is None:
                failed += 1
                continue
            kept = [f for f in result.findings if SEVERITIES.index(f.severity) >= floor]
            fails = fails or _fails(kept, args.fail_on)
            yield from [f.to_dict() for f in kept]

    with _output(args.output, "csv" if args.format == "csv" else "text") as out:
        FINDING_WRITERS[args.format](records(), out)
    return 1 if failed or (not args.exit_zero and fails) else 0


def _check_config(args: argparse.Namespace) -> Config:
    path = args.config or find_config(Path.cwd())
    config = load_config(path)
    if args.select is not None or args.ignore is not None:
        config = config.with_selection(args.select, args.ignore)
    return config


def _fails(found: list[Finding], fail_on: str) -> bool:
    return any(SEVERITIES.index(f.severity) >= SEVERITIES.index(fail_on) for f in found)


def _colour(choice: str, output: Path | None) -> bool:
    """--color, then the NO_COLOR / FORCE_COLOR conventions (no-color.org, force-color.org),
    then whether stdout is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return output is None and sys.stdout.isatty()


def _docs(args: argparse.Namespace) -> int:
    from extractor import ruledocs

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    if args.command == "rules":
        ruledocs.write_rules(sys.stdout)
    elif args.command == "fields":
        ruledocs.write_fields(sys.stdout)
    else:
        rule = ruledocs.find_rule(args.code)
        if rule is None:
            raise ConfigError(ruledocs.unknown_code_message(args.code))
        ruledocs.write_rule(rule, sys.stdout)
    return 0


class OutputError(ExtractorError):
    """-o names a place that cannot be written: said before any work is done."""


def _writable(path: Path | None) -> None:
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"-o {path}: is a folder; give a file name, such as {path / 'out.jsonl'}")
    if not folder.is_dir():
        raise OutputError(f"-o {path}: the folder {folder} does not exist; create it first "
                          f"(mkdir -p {folder}) or choose another")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"-o {path}: no permission to write there; choose a folder you can "
                          "write to")


@contextmanager
def _output(path: Path | None, fmt: str) -> Iterator[IO[str]]:
    if path is None:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        yield sys.stdout
        return
    try:
        handle = path.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
    except OSError as exc:
        raise OutputError(f"-o {path}: {exc.strerror}; choose another place") from exc
    try:
        with handle as out:
            yield out
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"-o {path}: the disk is full; free some space or write elsewhere "
                              f"(the file is incomplete)") from exc
        raise
