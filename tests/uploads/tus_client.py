"""A villager's browser speaking tus to the app through Flask's test client (CSRF off, any address)."""
import json
from datetime import timedelta
from pathlib import Path

from commune.extensions import db
from tests.factories import make_procedure
from tests.journeys import DETAILS

TUS = {"Tus-Resumable": "1.0.0"}
CREATE_URL = "/nop-ho-so/anh-giay-to/0/tai-len-tiep"


def procedure_with_one_document():
    procedure = make_procedure(documents=("Giấy tờ",))
    db.session.commit()
    return procedure


def villager_at(app, procedure, address):
    """A new browser at `address` holding a draft of `procedure`, at its photo step."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert client.post(f"/thu-tuc/{procedure.slug}/nop-ho-so", data=DETAILS).status_code == 302
    return client


def create(client, length, url=CREATE_URL):
    return client.post(url, headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": "filename YS5qcGc="})


def patch(client, url, body, offset):
    return client.patch(url, data=body, headers={**TUS, "Upload-Offset": str(offset),
                                                 "Content-Type": "application/offset+octet-stream"})


def send_all(client, data, chunk=64 * 1024):
    """Create, then every chunk; returns the upload's URL."""
    created = create(client, len(data))
    assert created.status_code == 201, created.get_data(as_text=True)
    url = created.headers["Location"]
    for offset in range(0, len(data), chunk):
        assert patch(client, url, data[offset:offset + chunk], offset).status_code == 204
    return url


def partial_dir(app):
    return Path(app.config["COMMUNE_DATA_DIR"]) / "partial"


def everything_in(app):
    """Every file and folder under the data folder."""
    root = Path(app.config["COMMUNE_DATA_DIR"])
    return set(root.rglob("*")) if root.exists() else set()


def age(app, url, last_byte):
    """Pretend the upload's last byte came at `last_byte` (what its record says; no sleeping)."""
    meta = partial_dir(app) / f"{url.rsplit('/', 1)[1]}.json"
    record = json.loads(meta.read_text())
    record["expires_at"] = (last_byte + timedelta(hours=app.config["COMMUNE_RESUMABLE_HOURS"])).isoformat()
    meta.write_text(json.dumps(record))
    return meta
