"""Every limit that keeps one input from hanging, exhausting or corrupting a run, in one place
(README "Nothing is lost" says what each is and which flag raises it)."""

from __future__ import annotations

# per document, in `extract`, `check` and each `tag` worker (--timeout, --memory-mb)
DEFAULT_TIMEOUT = 120.0  # seconds
DEFAULT_MEMORY_MB = 2048  # address space of the process reading the document
# the pipeline needs about this many bytes of memory per byte of source text (UTF-8; measured:
# 20 MB of text → about 1 GB); a larger text is refused as soon as it is read, so it fails
# alone and early instead of at the memory guard, after minutes of work
MEMORY_PER_BYTE = 48
# a text longer than this many characters is read in sections of about this size, each ending
# where a new table begins (extractor.pipeline.extract_sections): a section costs about 200
# bytes of memory per character at its peak (layout candidates, records, findings), so 200,000
# characters keep the work near 40 MB, however large the document; the largest real document
# seen is far smaller, so every ordinary document is read whole
SECTION_CHARS = 200_000

# readers
MAX_FILE_BYTES = 200 * 2**20  # one input file (or standard input)
MAX_TABLE_CELLS = 2_000_000  # cells of one HTML table, colspan × rowspan included
MAX_SPAN = 1000  # one HTML cell's colspan or rowspan, one docx cell's gridSpan
MAX_MERGED_CELLS = 2_000_000  # cells covered by the merged ranges of one xlsx/xls workbook
MAX_PDF_STREAM_BYTES = 256 * 2**20  # one PDF stream, inflated

# ZIP archives (extractor.readers.archive)
ARCHIVE_MAX_BYTES = 500 * 2**20  # decompressed, all members of one archive together
ARCHIVE_MAX_MEMBERS = 10_000
ARCHIVE_MAX_RATIO = 100.0  # decompressed : compressed, for a member over 1 MB
ARCHIVE_NESTED_DEPTH = 1
