"""Hostile files through every upload path (the one-shot upload, the plain form, the resumable tus
upload, the supplement answer and the counter): refused with their message or stored safely, nothing
left behind on disk, and the memory one upload takes bounded (the test process's own peak, from /proc)."""
import base64
import io
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from commune.dossiers.models import Dossier, DossierFile
from commune.extensions import db
from commune.files.storage import get_storage
from tests.factories import make_procedure
from tests.journeys import DETAILS, waiting_for_supplement
from tests.security.hostile_files import CASES, PAYLOAD

MEMORY_PER_UPLOAD_MB = 300


@cache
def _made(case):
    return CASES[case][0]()


def _status_mb():
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            name, value = line.split(":")
            values[name] = int(value.split()[0]) // 1024
    return values


def _reset_peak():
    """Start a new peak (Linux: writing 5 to clear_refs resets VmHWM to the current RSS)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:  # pragma: no cover - not Linux, or not allowed
        return False


def _draft_script(client, data, name):
    procedure = make_procedure(documents=("Giấy tờ",))
    db.session.commit()
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    return client.post("/nop-ho-so/anh-giay-to/0/tai-len", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"X-Requested-With": "XMLHttpRequest"})


def _draft_form(client, data, name):
    procedure = make_procedure(documents=("Giấy tờ",))
    db.session.commit()
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    return client.post("/nop-ho-so/anh-giay-to/0/tai-len", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _supplement(client, data, name):
    dossier, _request = waiting_for_supplement(client)
    return client.post(f"/ho-so/{dossier.code}/bo-sung/0/tai-len", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _counter(client, data, name, login_as):
    login_as("clerk")
    procedure = make_procedure(documents=("Tờ khai",))
    db.session.commit()
    form = {"c-channel": "counter", "a-full_name": "Hoàng Văn Quầy", "a-phone": "0912 345 678",
            "a-id_number": "001203004567", "a-village": "Thôn Đông", "a-address": "Xã Mẫu",
            "a-email": "", "r-result_method": "office", "doc-0": (io.BytesIO(data), name)}
    return client.post(f"/hop-thu/tiep-nhan-tai-quay?thu_tuc={procedure.id}", data=form,
                       content_type="multipart/form-data")


def _draft_resumable(client, data, name, chunk=256 * 1024):
    """What upload.js does with a file it cannot shrink: tus creation, PATCHes, then the outcome."""
    procedure = make_procedure(documents=("Giấy tờ",))
    db.session.commit()
    client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS)
    tus = {"Tus-Resumable": "1.0.0"}
    metadata = "filename " + base64.b64encode(name.encode()).decode()
    created = client.post("/nop-ho-so/anh-giay-to/0/tai-len-tiep",
                          headers={**tus, "Upload-Length": str(len(data)), "Upload-Metadata": metadata})
    if created.status_code != 201:
        return created
    url = created.headers["Location"]
    for offset in range(0, len(data), chunk):
        sent = client.patch(url, data=data[offset:offset + chunk], headers={
            **tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        if sent.status_code != 204:
            return sent
    return client.get(url, headers=tus)


PATHS = {"draft, upload script": _draft_script, "draft, plain form": _draft_form,
         "draft, resumable (tus)": _draft_resumable, "supplement answer": _supplement, "counter intake": _counter}


def _new_rows():
    """Rows the request added (the supplement's dossier already holds two pages)."""
    return db.session.scalars(sa.select(DossierFile).where(
        DossierFile.original_name.not_in(["to-khai.jpg", "chung-sinh-mo.jpg"]))).all()


def _files_on_disk(app):
    root = Path(app.config["COMMUNE_DATA_DIR"]) / "files"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _assert_nothing_left_behind(app):
    """Every file on disk belongs to a row; no temporary file stays."""
    on_disk = _files_on_disk(app)
    assert not [p for p in on_disk if p.name.startswith(".tmp")]
    keys = set()
    for row in db.session.scalars(sa.select(DossierFile)):
        keys |= {row.storage_key, row.thumb_key}
    assert {p.name for p in on_disk} <= keys


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", CASES)
def test_a_hostile_file_is_refused_with_its_message_or_stored_safely(app, client, login_as, path, case):
    _make, name, expected = CASES[case]
    data = _made(case)
    send = PATHS[path]
    args = (client, data, name, login_as) if path == "counter intake" else (client, data, name)
    db.session.commit()
    measured = _reset_peak()
    before = _status_mb()["VmRSS"]
    response = send(*args)
    peak = _status_mb()["VmHWM"]
    db.session.rollback()
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    new_rows = _new_rows()
    if expected is not None:
        assert response.status_code in (400, 413, 422), text[:500]
        assert expected in text
        assert new_rows == []
    else:
        assert response.status_code in (200, 201, 302), text[:500]
        assert len(new_rows) == 1
        row = new_rows[0]
        stored = get_storage().open(row.storage_key)
        if row.mime == "image/jpeg":
            assert PAYLOAD not in stored and stored.startswith(b"\xff\xd8")  # re-encoded, the payload left behind
        else:
            assert row.mime == "application/pdf" and stored == data
    if path == "counter intake" and expected is not None:
        assert "Hoàng Văn Quầy" in text  # what the clerk typed is kept
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 0
    _assert_nothing_left_behind(app)
    if measured:
        assert peak - before < MEMORY_PER_UPLOAD_MB, f"{case}: {peak - before} MB for one upload"


def test_a_stored_pdf_polyglot_is_served_inert(app, client):
    """A PDF that is also HTML: served as a PDF that no browser sniffs or runs, in a sandbox."""
    make, name, _expected = CASES["pdf that is also html"]
    assert _draft_script(client, make(), name).status_code == 201
    row = db.session.scalars(sa.select(DossierFile)).one()
    served = client.get(f"/tep/{row.id}")
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["draft, upload script", "draft, plain form", "supplement answer"])
def test_an_oversized_request_is_refused_with_its_message_and_nothing_stored(app, client, path):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = PATHS[path](client, b"\xff\xd8\xff\xe0" + b"\0" * (2 * 1024 * 1024), "anh.jpg")
    assert response.status_code == 413
    assert "tối đa 1 MB" in response.get_data(as_text=True)
    assert _new_rows() == []
    _assert_nothing_left_behind(app)
