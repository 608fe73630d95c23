"""Payment fixtures: the commune's receiving account, and dossiers that owe a fee."""
import pytest

from commune.extensions import db
from commune.payments.banks import bank_by_bin, save_account
from tests.factories import make_procedure, new_dossier

ACCOUNT_BIN = "970405"  # Agribank
ACCOUNT_NUMBER = "8888000012345"


@pytest.fixture
def account(app):
    """The commune's receiving account, as the admin enters it."""
    save_account(bank_by_bin(ACCOUNT_BIN), ACCOUNT_NUMBER, "UBND xã Mẫu")
    db.session.commit()


@pytest.fixture
def owing(app):
    """owing(fee=6000, status='received') -> a dossier that owes `fee` đồng (committed)."""

    def make(fee=6000, status="received", **values):
        procedure = make_procedure(name="Chứng thực bản sao thử", fee_vnd=2000, fee_unit="trang")
        dossier = new_dossier(procedure=procedure, status=status, fee_vnd=fee, **values)
        db.session.commit()
        return dossier

    return make
