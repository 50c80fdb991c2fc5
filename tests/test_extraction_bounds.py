"""No file holds extraction up or gives a server error: each bad input is named
with a reason a person can act on, within the time bound."""
import io
import time
import zipfile
import zlib

import pytest
from pypdf import PdfWriter

from registry.ingest.bounded import BoundedExtractor
from registry.ingest.extractors import UnreadableDocument, extract


@pytest.fixture(scope="module")
def bounded():
    worker = BoundedExtractor(seconds=1.5)
    yield worker
    worker.close()


def pdf_with_stream(stream):
    """A one-page PDF whose content stream is `stream` (already deflated)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def refused(worker, data, name):
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument) as error:
        worker.extract(data, name)
    return str(error.value), time.perf_counter() - started


def test_nesting_bomb_is_stopped_at_the_bound_and_the_next_file_reads(bounded):
    message, seconds = refused(bounded, b"<div>" * 100_000 + b"x" + b"</div>" * 100_000, "nested.html")
    assert message.startswith("nested.html: reading it took longer than 1.5 seconds") and seconds < 4
    assert bounded.extract(b"<p>Next report</p>", "next.html") == ("Next report", "text/html")


def test_pdf_bomb_is_refused_quickly(bounded):
    bomb = pdf_with_stream(zlib.compress(b"BT /F1 12 Tf (a) Tj ET\n" * 20_000_000, 9))  # 460 MB inflated
    message, seconds = refused(bounded, bomb, "bomb.pdf")
    assert message.startswith("bomb.pdf: ") and seconds < 4


def test_pdf_of_twenty_thousand_pages_is_refused_by_its_page_count():
    """With the production bound (4 s): counting the pages can itself take over the
    other tests' 1.5 s on a loaded machine, and then the time limit answers instead."""
    writer = PdfWriter()
    for _ in range(20_000):
        writer.add_blank_page(100, 100)
    data = io.BytesIO()
    writer.write(data)
    worker = BoundedExtractor(seconds=4)
    try:
        message, seconds = refused(worker, data.getvalue(), "long.pdf")
    finally:
        worker.close()
    assert "the PDF has 20,000 pages" in message and seconds < 5


def test_nineteen_megabytes_of_text_read_within_the_bound(bounded):
    data = b"A line of a long report about reoffending and employment.\n" * 330_000  # 19 MB
    text, media_type = BoundedExtractor(seconds=4).extract(data, "long.txt")
    assert media_type == "text/plain" and len(text) > 18_000_000


@pytest.mark.parametrize("name, data, expected", [
    ("report.pdf", b"PK\x03\x04" + b"zip" * 100, "report.pdf: not a PDF"),
    ("report.txt", b"%PDF-1.4\n%binary", "report.txt: the name says text but the file is a PDF"),
    ("report.md", b"PK\x03\x04rest", "report.md: the name says text but the file is a zip file"),
    ("report.txt", b"text\x00with\x00nuls", "report.txt: not a text file"),
    ("report.pdf", b"%PDF-1.4 not really a pdf", "report.pdf: not a readable PDF"),
    ("report.pdf", b"", "report.pdf: the file is empty"),
    ("slides.pptx", b"PK\x03\x04", "slides.pptx: files of this type are not accepted"),
])
def test_misleading_files_are_named_with_a_reason(name, data, expected):
    with pytest.raises(UnreadableDocument) as error:
        extract(data, name)
    assert str(error.value).startswith(expected)


def test_a_real_zip_renamed_pdf(bounded):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    message, _ = refused(bounded, data.getvalue(), "report.pdf")
    assert message.startswith("report.pdf: not a PDF")
