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
# where a new table begins (extractor.pipeline.extract_sections), so that one section's work is
# in memory at once (measured on a 4.8 MB text, peak RSS: whole 348 MB; sections of 200,000
# characters 103 MB, of 100,000 80 MB, of 50,000 69 MB, over the 32 MB of a started process;
# smaller sections cut more tables' context); every ordinary document is far smaller, read whole
SECTION_CHARS = 100_000

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
