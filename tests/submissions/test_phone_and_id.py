"""Phone numbers and citizen ID numbers as villagers type them."""
import pytest

from commune.core.phone import format_phone, is_mobile, normalise_citizen_id, normalise_phone


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "+84 912 345 678", "84912345678",
                                   "0912.345.678", "0912-345-678", "912345678", "(+84) 912 345 678"])
def test_mobile_numbers_are_accepted_as_typed_and_stored_normalised(typed):
    assert normalise_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["", "12345", "0112345678", "091234567", "09123456789", "abc",
                                   "+1 202 555 0100", "0012345678"])
def test_wrong_phone_numbers_are_refused(typed):
    assert normalise_phone(typed) is None


def test_landlines_are_accepted_but_are_not_mobiles():
    assert normalise_phone("0200 3 800 000") == "02003800000"
    assert not is_mobile("02003800000") and is_mobile("0381234567")
    assert format_phone("0912345678") == "0912 345 678"


@pytest.mark.parametrize("typed,expected", [("001203004567", "001203004567"), ("0011 9500 4567", "001195004567"),
                                            ("079.088.001.234", "079088001234")])
def test_citizen_ids_are_checked_and_normalised(typed, expected):
    assert normalise_citizen_id(typed) == expected


@pytest.mark.parametrize("typed", ["00120300456", "0012030045678", "003203004567", "999203004567",
                                   "001299004567", "00120300456A"])
def test_wrong_citizen_ids_are_refused(typed):
    # too short, too long, unknown province 003 / 999, born in 2099, a letter
    assert normalise_citizen_id(typed) is None
