"""Command line: `indicators extract FILE... [--format jsonl|json|csv] [-o OUT]`.

Records go to stdout (or -o); errors go to stderr, one line per input that could not be
read. Exit status: 0 when every input was read, 1 when some could not be, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from extractor import __version__
from extractor.errors import ExtractorError
from extractor.export import WRITERS
from extractor.pipeline import extract_document

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
    trn = sub.add_parser("train", help="rebuild models/ from corpus/ (deterministic)")
    trn.add_argument("--corpus", type=Path, default=_CHECKOUT / "corpus")
    trn.add_argument("--out", type=Path, default=_CHECKOUT / "models")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "train":
            return _train(args)
    except BrokenPipeError:  # the reader (`| head`) closed the pipe: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 2


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


def _extract(args: argparse.Namespace) -> int:
    records, failed = [], 0
    for name in args.files:
        try:
            if name == "-":
                result = extract_document(sys.stdin.buffer.read(), "-")
            else:
                result = extract_document(Path(name), name)
        except ExtractorError as exc:
            print(f"indicators: {exc}", file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:  # one bad document never stops a batch
            print(f"indicators: {name}: internal error: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            failed += 1
            continue
        records.extend(r.to_dict() for r in result.indicators)
    write = WRITERS[args.format]
    if args.output:
        with args.output.open("w", encoding="utf-8-sig" if args.format == "csv" else "utf-8",
                              newline="") as out:
            write(records, out)
    else:
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
        write(records, sys.stdout)
    return 1 if failed else 0
