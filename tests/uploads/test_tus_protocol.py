"""tus 1.0 against the real server, driven by tuspy (an independent client) and plain HTTP.

The villager's draft is opened as a browser would (cookies, CSRF token from the page); each
test then sends a file the phone could not shrink, in chunks, as a weak line would."""
import base64
import hashlib
import io
import json
from datetime import datetime, timedelta

import pytest
import requests
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError

from tests.uploads.conftest import CAP_MB, camera_jpeg

CHUNK = 256 * 1024


def uploader(villager, data, url=None, **options):
    return tus.TusClient(villager.tus_url, headers=villager.headers()).uploader(
        file_stream=io.BytesIO(data), chunk_size=CHUNK, url=url, metadata={"filename": "anh-heic.jpg"},
        retries=0, **options)


def head(villager, url):
    return requests.head(url, headers={**villager.headers(), "Tus-Resumable": "1.0.0"}, timeout=30)


def patch(villager, url, body, offset, **headers):
    return requests.patch(url, data=body, timeout=30, headers={
        **villager.headers(), "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream", **headers})


def test_a_file_sent_in_part_is_resumed_from_the_server_offset_and_stored_once(villager):
    data = camera_jpeg()
    first = uploader(villager, data, upload_checksum=True)  # sha1 on every chunk
    first.upload(stop_at=CHUNK)  # creation, then one PATCH: the line drops here
    assert first.url.startswith(villager.tus_url.split("/nop-ho-so")[0] + "/nop-ho-so/tai-len-tiep/")
    answer = head(villager, first.url)
    assert answer.status_code == 200 and answer.headers["Upload-Offset"] == str(CHUNK)
    assert answer.headers["Upload-Length"] == str(len(data)) and "GMT" in answer.headers["Upload-Expires"]
    assert villager.pages() == 0  # nothing reaches the dossier before the last byte

    again = uploader(villager, data, url=first.url, upload_checksum=True)  # a new page, the same upload
    assert again.offset == CHUNK  # tuspy asked the server (HEAD), it does not start from zero
    again.upload()
    assert head(villager, first.url).headers["Upload-Offset"] == str(len(data))
    assert villager.pages() == 1
    outcome = requests.get(first.url, headers=villager.headers(), timeout=30)
    assert outcome.status_code == 200 and 'class="photo"' in outcome.text

    uploader(villager, data).upload()  # the same file sent again: the same page
    assert villager.pages() == 1


def test_a_patch_at_the_wrong_offset_is_refused_with_409_and_changes_nothing(villager):
    data = camera_jpeg(seed=2)
    upload = uploader(villager, data)
    upload.upload(stop_at=CHUNK)
    answer = patch(villager, upload.url, data[2 * CHUNK:3 * CHUNK], 2 * CHUNK)
    assert answer.status_code == 409 and answer.headers["Upload-Offset"] == str(CHUNK)
    assert "không khớp" in answer.text
    assert head(villager, upload.url).headers["Upload-Offset"] == str(CHUNK)


def test_a_chunk_damaged_on_the_way_is_refused_and_sent_again(villager):
    data = camera_jpeg(seed=3)
    upload = uploader(villager, data)
    upload.upload(stop_at=CHUNK)
    chunk = data[CHUNK:2 * CHUNK]
    wrong = "sha1 " + base64.b64encode(hashlib.sha1(b"another chunk").digest()).decode()
    answer = patch(villager, upload.url, chunk, CHUNK, **{"Upload-Checksum": wrong})
    assert answer.status_code == 460 and "lỗi trên đường truyền" in answer.text
    assert head(villager, upload.url).headers["Upload-Offset"] == str(CHUNK)  # the bad bytes were dropped
    right = "sha1 " + base64.b64encode(hashlib.sha1(chunk).digest()).decode()
    assert patch(villager, upload.url, chunk, CHUNK, **{"Upload-Checksum": right}).status_code == 204
    assert head(villager, upload.url).headers["Upload-Offset"] == str(2 * CHUNK)


def test_a_file_over_the_cap_is_refused_before_any_byte(villager, site):
    before = set((site.data_dir / "partial").glob("*")) if (site.data_dir / "partial").exists() else set()
    too_big = uploader(villager, b"\0" * (CAP_MB * 1024 * 1024 + 1))
    with pytest.raises(TusCommunicationError) as refused:
        too_big.upload()
    assert refused.value.status_code == 413
    assert f"tối đa {CAP_MB} MB" in refused.value.response_content.decode()
    after = set((site.data_dir / "partial").glob("*"))
    assert after == before  # nothing was created on the disk
    options = requests.options(villager.tus_url, timeout=30)
    assert options.headers["Tus-Max-Size"] == str(CAP_MB * 1024 * 1024)
    assert "checksum" in options.headers["Tus-Extension"] and "sha1" in options.headers["Tus-Checksum-Algorithm"]


def _expire(site, url):
    meta = site.data_dir / "partial" / f"{url.rsplit('/', 1)[1]}.json"
    record = json.loads(meta.read_text())
    record["expires_at"] = (datetime.utcnow() - timedelta(minutes=1)).isoformat()
    meta.write_text(json.dumps(record))
    return meta


def test_an_expired_upload_is_gone_and_purged(villager, site):
    data = camera_jpeg(seed=4)
    upload = uploader(villager, data)
    upload.upload(stop_at=CHUNK)
    meta = _expire(site, upload.url)
    part = meta.with_suffix(".part")
    assert part.exists()
    result = site.flask("drafts", "purge")
    assert "1 expired partial upload" in result.stdout
    assert not part.exists() and not meta.exists()
    answer = head(villager, upload.url)
    assert answer.status_code == 404  # purged: nothing left to resume
    later = uploader(villager, data)
    later.upload(stop_at=CHUNK)
    _expire(site, later.url)
    answer = patch(villager, later.url, data[CHUNK:2 * CHUNK], CHUNK)
    assert answer.status_code == 410 and "hết hạn" in answer.text
    assert villager.pages() == 0


def test_another_drafts_upload_url_is_denied(villager, neighbour):
    data = camera_jpeg(seed=5)
    upload = uploader(villager, data)
    upload.upload(stop_at=CHUNK)
    assert head(neighbour, upload.url).status_code == 404
    assert patch(neighbour, upload.url, data[CHUNK:2 * CHUNK], CHUNK).status_code == 404
    assert requests.get(upload.url, headers=neighbour.headers(), timeout=30).status_code == 404
    deleted = requests.delete(upload.url, headers={**neighbour.headers(), "Tus-Resumable": "1.0.0"}, timeout=30)
    assert deleted.status_code == 404
    stranger = requests.head(upload.url, headers={"Tus-Resumable": "1.0.0"}, timeout=30)  # no draft at all
    assert stranger.status_code == 404
    with pytest.raises(TusCommunicationError) as denied:  # tuspy on the neighbour's draft cannot resume it
        uploader(neighbour, data, url=upload.url).upload()
    assert denied.value.status_code == 404
    assert head(villager, upload.url).headers["Upload-Offset"] == str(CHUNK)  # untouched
    uploader(villager, data, url=upload.url).upload()
    assert villager.pages() == 1 and neighbour.pages() == 0


def test_termination_removes_the_partial_upload(villager, site):
    upload = uploader(villager, camera_jpeg(seed=6))
    upload.upload(stop_at=CHUNK)
    deleted = requests.delete(upload.url, headers={**villager.headers(), "Tus-Resumable": "1.0.0"}, timeout=30)
    assert deleted.status_code == 204
    assert head(villager, upload.url).status_code == 404
    assert not (site.data_dir / "partial" / f"{upload.url.rsplit('/', 1)[1]}.part").exists()


def test_without_csrf_token_nothing_is_created(villager):
    answer = requests.post(villager.tus_url, timeout=30, headers={
        "Cookie": villager.headers()["Cookie"], "Tus-Resumable": "1.0.0", "Upload-Length": "1000"})
    assert answer.status_code == 400 and "Location" not in answer.headers

