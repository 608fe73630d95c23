"""English is a real second language: every marked string has a translation, and pages switch."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_marked_string_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and m.string
                  and all(m.string if isinstance(m.string, tuple) else [m.string])}
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} strings lack English (run `make translations`): {missing[:5]}"


def test_compiled_catalog_matches_the_po_file():
    """The committed .mo is what the site reads: it must be compiled from the current .po."""
    from babel.messages.mofile import read_mo

    def as_dict(catalog):
        return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalog if m.id and m.string}

    with PO.open("rb") as handle:
        source = as_dict(read_po(handle, locale="en"))
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = as_dict(read_mo(handle))
    assert compiled == source, "run `make translations` to recompile the catalog"


def test_english_visitors_read_english(client, catalog):
    client.get("/ngon-ngu/en?next=/")
    html = client.get("/").get_data(as_text=True)
    assert "<h1>Administrative procedures</h1>" in html
    assert "Thủ tục hành chính" not in html and "Tra cứu hồ sơ" not in html
    assert ">Track an application</a>" in html


def test_refused_photo_is_explained_in_the_visitors_language(app):
    import pytest
    from flask_babel import refresh

    from commune.files.photos import PhotoError, process_upload

    # The test keeps one app context, where Flask-Babel caches the locale: refresh it per request.
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        refresh()
        with pytest.raises(PhotoError) as refused:
            process_upload(b"", "anh.jpg")
    assert "The file is empty" in str(refused.value)
    with app.test_request_context("/"):
        refresh()
        with pytest.raises(PhotoError) as refused:
            process_upload(b"", "anh.jpg")
    assert "Tệp trống" in str(refused.value)
