"""Command line.

    indicators extract FILE... [--format jsonl|json|csv] [-o OUT]
    indicators check FILE... [--format text|jsonl|json] [--min-severity S] [--fail-on S]
                             [--config FILE] [-o OUT]
    indicators train [--corpus DIR] [--out DIR]

Records go to stdout (or -o); errors go to stderr, one line per input that could not be
read. Exit status: 0 when every input was read (and, for check, no finding reached
--fail-on), 1 when some input could not be read or --fail-on was met, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from extractor import __version__
from extractor.checks import Config, ConfigError, load_config
from extractor.checks.base import SEVERITIES
from extractor.errors import DocumentTimeout, ExtractorError, ReadError
from extractor.export import WRITERS
from extractor.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from extractor.limits import MAX_FILE_BYTES as MAX_BYTES
from extractor.names import path_label
from extractor.pipeline import extract_document
from extractor.records import DocumentResult
from extractor.report import write_text

_CHECKOUT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="indicators", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="one record per indicator (SCHEMA.md)")
    ext.add_argument("files", nargs="+", help="documents to read; - for standard input")
    ext.add_argument("--format", choices=sorted(WRITERS), default="jsonl")
    ext.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    _limit_flags(ext)
    chk = sub.add_parser("check", help="findings of RULES.md, linter style")
    chk.add_argument("files", nargs="+", help="documents to check; - for standard input")
    chk.add_argument("--format", choices=("text", "jsonl", "json"), default="text")
    chk.add_argument("--min-severity", choices=SEVERITIES, default="info")
    chk.add_argument("--fail-on", choices=("error", "warning"),
                     help="exit 1 when a finding of this severity or worse is reported")
    chk.add_argument("--config", type=Path, help="TOML file overriding thresholds and word lists")
    chk.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    _limit_flags(chk)
    tag = sub.add_parser("tag", help="bulk-tag archives: jsonl streams and report.xlsx")
    tag.add_argument("paths", nargs="+", type=Path, help="files and folders (walked recursively)")
    tag.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    tag.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    tag.add_argument("--resume", action="store_true", help="keep finished documents, do the rest")
    tag.add_argument("--glob", help="only files whose name matches (e.g. '*.xlsx')")
    tag.add_argument("--dask", metavar="SCHEDULER", help="run on Dask: an address, or 'local'")
    _limit_flags(tag)
    tag.add_argument("--no-report", action="store_true", help="skip report.xlsx")
    tag.add_argument("--force", action="store_true", help="start over in a folder an earlier run wrote")
    tag.add_argument("--follow-symlinks", action="store_true",
                     help="follow symbolic links in folders (by default each is skipped with a summary)")
    trn = sub.add_parser("train", help="rebuild models/ from corpus/ (deterministic)")
    trn.add_argument("--corpus", type=Path, default=_CHECKOUT / "corpus")
    trn.add_argument("--out", type=Path, default=_CHECKOUT / "models")
    return parser


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
    except ConfigError as exc:
        print(f"indicators: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (`| head`) closed the pipe: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 2


def _tag(args: argparse.Namespace) -> int:
    from extractor import tag

    return tag.command(args)


def _train(args: argparse.Namespace) -> int:
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
    """Each input's result, or None (after one line on stderr) when it cannot be read; each
    under the time limit, the process under the memory guard (the same as `tag`'s)."""
    from extractor.tag import limit_memory

    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    memory_mb = getattr(args, "memory_mb", DEFAULT_MEMORY_MB)
    limit_memory(memory_mb)
    for name in names:
        label = "-" if name == "-" else path_label(name)  # names.py: undecodable bytes as %XX
        try:
            yield _guarded(name, label, config, timeout, memory_mb)
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


def _guarded(name: str, label: str, config: Config | None, timeout: float, memory_mb: int) -> DocumentResult:
    from extractor.tag import time_limit

    with time_limit(timeout):
        if name != "-":
            return extract_document(Path(name), label, config, memory_mb)
        data = sys.stdin.buffer.read(MAX_BYTES + 1)  # /dev/zero as input must not fill memory
        if len(data) > MAX_BYTES:
            raise ReadError("-", f"standard input is over the {MAX_BYTES // 2**20} MB limit", "too_large")
        return extract_document(data, "-", config, memory_mb)


def _extract(args: argparse.Namespace) -> int:
    records, failed = [], 0
    for result in _documents(args.files, None, args):
        if result is None:
            failed += 1
            continue
        records.extend(r.to_dict() for r in result.indicators)
    with _output(args.output, args.format) as out:
        WRITERS[args.format](records, out)
    return 1 if failed else 0


def _check(args: argparse.Namespace) -> int:
    config = load_config(args.config)  # a bad --config is a usage error: ConfigError → 2
    floor = SEVERITIES.index(args.min_severity)
    results, failed = [], 0
    for result in _documents(args.files, config, args):
        if result is None:
            failed += 1
            continue
        results.append((result, [f for f in result.findings
                                 if SEVERITIES.index(f.severity) >= floor]))
    with _output(args.output, args.format) as out:
        if args.format == "text":
            write_text(results, out, colour=args.output is None and sys.stdout.isatty())
        else:
            WRITERS[args.format]([f.to_dict() for _, found in results for f in found], out)
    failing = args.fail_on and any(SEVERITIES.index(f.severity) >= SEVERITIES.index(args.fail_on)
                                   for _, found in results for f in found)
    return 1 if failing or failed else 0


@contextmanager
def _output(path: Path | None, fmt: str) -> Iterator[IO[str]]:
    if path is None:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
        yield out
