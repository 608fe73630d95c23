"""A commune that connects with a register already full: `flask sync queue-existing` sends every
earlier dossier with its history, once, and nothing the queue already holds twice."""
import sqlalchemy as sa

from commune.dossiers.states import Status
from commune.extensions import db
from commune.sync import send
from commune.sync.models import SyncRecord
from commune.sync.payload import official_code
from commune.sync.queue import queue_existing
from tests.sync.test_sync import move, received


def test_dossiers_received_before_the_sync_reach_the_province_with_their_history(app, province):
    before = received()
    move(before, Status.PROCESSING)
    db.session.execute(sa.delete(SyncRecord))  # as if the sync had been off until now
    db.session.commit()
    after = received()  # queued by its own events
    assert queue_existing() == 1  # only the dossier nobody had queued
    db.session.commit()
    assert queue_existing() == 0  # a second run queues nothing
    while send.send_due().get("sent"):
        pass
    code = official_code(before)
    assert province.creates.count(code) == 1 and official_code(after) in province.creates
    assert [row["TrangThai"] for row in province.history[code]] == ["1", "2", "4"]
    assert province.dossiers[code]["TrangThaiHoSo"] == "4"


def test_the_command_says_how_many(app, province):
    before = received()
    db.session.execute(sa.delete(SyncRecord))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["sync", "queue-existing"])
    assert result.exit_code == 0 and "1 earlier dossiers queued" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRecord).where(
        SyncRecord.dossier_id == before.id)) >= 2
