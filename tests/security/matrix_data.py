"""A small, realistic commune for the security suites: staff of every role, dossiers in several
states with photos, a confirmed handover manifest, and the visitors of the issue's attack.

Used by test_access_matrix.py, test_csrf.py and test_fuzz.py (not a conftest: nothing here
changes a shared fixture).
"""
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from commune.catalog.referrals import Referral
from commune.core.timeutil import local_today, utcnow
from commune.dossiers.access import hash_token
from commune.dossiers.attachments import attach_file
from commune.dossiers.models import DossierFile, SupplementRequest
from commune.dossiers.workflow import record_event
from commune.extensions import db
from commune.inbox.ready_texts import ReadyText
from commune.payments.models import StatementImport
from commune.postal import services as postal
from commune.postal.models import ManifestItem, Round
from tests.conftest import make_app
from tests.factories import PASSWORD, make_dossier, make_procedure, make_user
from tests.photos import images

# The nine kinds of visitor of the issue (the deactivated one keeps a session opened before).
VISITORS = ("anonymous", "villager", "other_villager", "clerk", "officer", "leader",
            "postal_a", "postal_b", "admin", "deactivated")
STAFF_ROLES = {"clerk": "clerk", "officer": "officer", "leader": "leader", "postal_a": "postal",
               "postal_b": "postal", "admin": "admin", "deactivated": "clerk"}
DRAFT_TOKEN = "matrix-draft-token-0123456789abcdef"
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass
class World:
    """Ids and codes of what populate() made, for building URLs."""

    users: dict = field(default_factory=dict)        # visitor kind -> User id
    dossiers: dict = field(default_factory=dict)     # name -> dossier id
    codes: dict = field(default_factory=dict)        # name -> tracking code
    keys: dict = field(default_factory=dict)         # name -> lookup key
    files: dict = field(default_factory=dict)        # name -> DossierFile id
    procedure_id: int = 0
    procedure_slug: str = ""
    field_id: int = 0
    field_code: str = ""
    manifest_number: str = ""
    item_id: int = 0                                 # an item held by postal_a
    open_manifest_number: str = ""                   # a manifest not yet confirmed
    blank_id: int = 0                                # a blank form of the procedure
    referral_id: int = 0                             # a need handled by another office
    ready_text_id: int = 0                           # a ready-made refusal text
    statement_id: int = 0                            # an imported bank statement (payments)
    round_id: int = 0                                # a round postal_a ended (its hand-back sheet)


def populate():
    """Make the commune (committed) and return a World describing it."""
    world = World()
    offices = {"postal_a": "Bưu điện xã Mẫu", "postal_b": "Bưu điện huyện"}
    for kind, role in STAFF_ROLES.items():
        user = make_user(role, username=f"m-{kind}")
        if kind in offices and hasattr(user, "post_office"):
            user.post_office = offices[kind]
        world.users[kind] = user.id
    procedure = make_procedure(name="Đăng ký khai sinh (ma trận)", documents=("Tờ khai", "Giấy chứng sinh"))
    world.procedure_id, world.procedure_slug = procedure.id, procedure.slug
    world.field_id, world.field_code = procedure.field_id, procedure.field.code

    def dossier(name, status, **values):
        row = make_dossier(procedure, status=status, applicant_phone=f"09123456{len(world.dossiers):02d}",
                           **values)
        world.dossiers[name], world.codes[name], world.keys[name] = row.id, row.code, row.lookup_key
        return row

    mine = dossier("mine", "received", received_at=utcnow())
    other = dossier("other", "processing", received_at=utcnow(),
                    applicant_name="Lò Thị Khác", applicant_id_number="001299999999")
    dossier("submitted", "submitted")
    dossier("supplement", "needs_supplement", received_at=utcnow())
    dossier("returned", "returned", received_at=utcnow(), finished_at=utcnow())
    draft = dossier("draft", "draft", submitted_at=None, draft_token_hash=hash_token(DRAFT_TOKEN))
    db.session.add(SupplementRequest(dossier_id=world.dossiers["supplement"], round=1,
                                     items=[{"document_index": 1, "label": "Giấy chứng sinh (ảnh mờ)"}],
                                     message="Chụp lại giấy chứng sinh"))
    for name, row in (("mine", mine), ("other", other), ("draft", draft)):
        world.files[name] = attach_file(row, images.jpeg(color=(10, 20, 30 + len(world.files))),
                                        "cccd.jpg", document_index=0).id
    for name, row in (("mine", mine), ("other", other)):  # an electronic result each (tracking/results.py)
        world.files[f"{name}_result"] = attach_file(row, images.jpeg(color=(90, 20, 30 + len(world.files))),
                                                    "ket-qua.jpg", round=-1, purpose="result").id

    clerk = db.session.get(_user_model(), world.users["clerk"])
    carrier = db.session.get(_user_model(), world.users["postal_a"])
    by_post = dict(result_method="post", ready_at=utcnow(), fee_vnd=20000, delivery_name="Lò Thị Mai",
                   delivery_phone="0987654321", delivery_address="Nhà số 12", delivery_village="Bản Na Hang")
    handed = [dossier(f"posted{i}", "ready", **by_post) for i in range(2)]
    manifest = postal.create_manifest(handed, clerk, **_office("Bưu điện xã Mẫu"))
    postal.confirm_manifest(manifest, carrier, {i.id: "" for i in manifest.items}, postal.new_token())
    world.manifest_number = manifest.number
    world.item_id = db.session.scalar(sa.select(ManifestItem.id).where(ManifestItem.manifest_id == manifest.id)
                                      .order_by(ManifestItem.position))
    item = db.session.get(ManifestItem, world.item_id)
    item.proof_file_id = attach_file(item.dossier, images.jpeg(color=(0, 90, 0)), "giao.jpg", round=-1,
                                     purpose="proof").id
    ended = Round(carrier_id=carrier.id, started_at=utcnow(), closed_at=utcnow(), summary={
        "cash": [], "cash_total": 0, "returned": [], "still_out": []})
    db.session.add(ended)
    db.session.flush()
    world.round_id = ended.id
    waiting = dossier("waiting", "ready", **by_post)
    world.open_manifest_number = postal.create_manifest([waiting], clerk, **_office("Bưu điện xã Mẫu")).number
    dossier("ready_office", "ready", ready_at=utcnow())
    refused = dossier("refused", "refused", received_at=utcnow(), finished_at=utcnow())
    withdrawn = dossier("withdrawn", "withdrawn", finished_at=utcnow())
    for row, values in ((refused, {"to_status": "refused"}), (withdrawn, {"to_status": "withdrawn"}),
                        (mine, {"kind": "apology"})):
        event = record_event(row, values.get("kind", "status"), clerk, note="Lý do ghi cho ma trận",
                             data={"new_due": "2030-01-02", "reason": "Chờ xác minh"})
        event.to_status = values.get("to_status")
    from commune.admin.catalog_services import attach_blank_form
    from commune.core.calendar import OFF, CalendarDay

    db.session.add(CalendarDay(day=date(2030, 1, 2), kind=OFF, note="Nghỉ bù"))

    admin = db.session.get(_user_model(), world.users["admin"])
    world.blank_id = attach_blank_form(admin, procedure, "Tờ khai mẫu", TINY_PDF, 5 * 1024 * 1024).id
    referral = Referral(key="tam-tru", phrases=["tạm trú"], office="Công an xã", sentence="Công an xã làm.")
    db.session.add(referral)
    db.session.flush()
    world.referral_id = referral.id
    text = ReadyText(kind="refuse", title="Nộp trùng", body="Hồ sơ trùng.")
    db.session.add(text)
    db.session.flush()
    world.ready_text_id = text.id
    statement = StatementImport(filename="sao-ke.csv", sha256="0" * 64, rows=[], uploaded_by_id=admin.id)
    db.session.add(statement)
    db.session.flush()
    world.statement_id = statement.id
    db.session.commit()
    return world


def _office(name):
    """create_manifest's post_office argument, where the code has post offices."""
    import inspect

    return {"post_office": name} if "post_office" in inspect.signature(postal.create_manifest).parameters else {}


def _user_model():
    from commune.accounts.models import User

    return User


def login(client, world, kind):
    """Put `client` in the shoes of visitor `kind` (staff log in through the real form)."""
    if kind == "anonymous":
        return client
    if kind in ("villager", "other_villager"):
        # Their own receipt's QR link (code + key): the full-access credential.
        response = client.get(f"/ho-so/{world.codes['mine']}?k={world.keys['mine']}")
        assert response.status_code in (200, 302), response.status_code
        return client
    username = f"m-{kind}"
    data = {"username": username, "password": PASSWORD}
    if client.application.config.get("WTF_CSRF_ENABLED"):
        data["csrf_token"] = csrf_token(client)
    response = client.post("/dang-nhap", data=data)
    assert response.status_code == 302, f"login of {username} failed"
    if kind == "deactivated":
        user = db.session.get(_user_model(), world.users[kind])
        user.active = False
        db.session.commit()
    return client


def csrf_token(client, path="/dang-nhap"):
    """The CSRF token a page gives this client's session."""
    import re

    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def row_counts():
    """{table: number of rows} for every table of the schema."""
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def table_fingerprint():
    """Row counts plus each dossier's (status, version) and each file's id: what a state change would touch."""
    from commune.dossiers.models import Dossier

    return (row_counts(),
            sorted(db.session.execute(sa.select(Dossier.id, Dossier.status, Dossier.version)).all()),
            sorted(db.session.scalars(sa.select(DossierFile.id)).all()))


# A real value for each URL argument, by its name: `target` is the dossier the visitor reaches
# for ("mine", or "other" for the villager reaching for another's dossier). A route with an
# argument not listed here fails the suites that build URLs: add it.
ARG_VALUES = {
    "code": lambda w, t: w.codes[t],
    "dossier_id": lambda w, t: w.dossiers[t],
    "file_id": lambda w, t: w.files[t],
    "item_id": lambda w, t: w.item_id,
    "number": lambda w, t: w.manifest_number,
    "user_id": lambda w, t: w.users["officer"],
    "procedure_id": lambda w, t: w.procedure_id,
    "field_id": lambda w, t: w.field_id,
    "blank_id": lambda w, t: w.blank_id,
    "referral_id": lambda w, t: w.referral_id,
    "text_id": lambda w, t: w.ready_text_id,
    "form_id": lambda w, t: w.blank_id,
    "slug": lambda w, t: w.procedure_slug,
    "key": lambda w, t: "note",
    "day": lambda w, t: "2030-01-02",
    "what": lambda w, t: "so-lieu",
    "fmt": lambda w, t: "csv",
    "filename": lambda w, t: "robots.txt",
    "version": lambda w, t: "0",
    "part": lambda w, t: "0",
    "token": lambda w, t: DRAFT_TOKEN,
    "item": lambda w, t: 0,
    "index": lambda w, t: 0,
    "batch": lambda w, t: "AbCdEfGhIjKlMnOpQrStUv",  # a counter batch nobody holds
    "upload_id": lambda w, t: "AbCdEfGhIjKlMnOpQrStUvWx",  # a resumable upload nobody created
    "year": lambda w, t: local_today().year + 1,  # a Tết the admin may confirm
    "statement_id": lambda w, t: w.statement_id,
    "round_id": lambda w, t: w.round_id,
    "direction": lambda w, t: "len",
}


# Where an endpoint needs another value than its argument's name suggests.
ENDPOINT_ARGS = {
    "catalog.field": lambda w, t: {"code": w.field_code},
    "set_language": lambda w, t: {"code": "vi"},
    "static": lambda w, t: {"filename": "css/base.css"},
    "inbox.print_supplement": lambda w, t: {"dossier_id": w.dossiers["supplement"]},
    "inbox.print_refusal": lambda w, t: {"dossier_id": w.dossiers["refused"]},
    "inbox.print_stop": lambda w, t: {"dossier_id": w.dossiers["withdrawn"]},
    "inbox.print_apology": lambda w, t: {"dossier_id": w.dossiers["mine"]},
    "tracking.result_file": lambda w, t: {"code": w.codes[t], "file_id": w.files[f"{t}_result"]},
    "inbox.print_many": lambda w, t: {"ids": [w.dossiers["mine"]]},
    "inbox.use_ready_text": lambda w, t: {"dossier_id": w.dossiers["mine"], "key": "refuse"},
}


def url_for_rule(rule, world, target="mine"):
    """The rule's URL with real values (raises KeyError naming a missing argument)."""
    values = dict(ENDPOINT_ARGS[rule.endpoint](world, target)) if rule.endpoint in ENDPOINT_ARGS else {}
    for name in rule.arguments:
        if name in values:
            continue
        if name not in ARG_VALUES:
            raise KeyError(f"no value for URL argument {name!r} of {rule.rule}: add it to matrix_data.ARG_VALUES")
        values[name] = ARG_VALUES[name](world, target)
    from flask import url_for

    return url_for(rule.endpoint, **values, _method=next(iter(rule.methods - {"HEAD", "OPTIONS"}), None))


@contextmanager
def populated_commune(tmp_path_factory, name, visitors):
    """A new app on the populated world, one logged-in client per visitor; (app, world, clients)."""
    tmp = tmp_path_factory.mktemp(name)
    os.environ.setdefault("COMMUNE_INSTANCE_PATH", str(tmp / "instance"))
    app = make_app(tmp)
    with app.app_context():
        world = populate()
        yield app, world, {kind: login(app.test_client(), world, kind) for kind in visitors}
        db.session.remove()
        db.engine.dispose()
