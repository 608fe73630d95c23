"""The carrier's item number follows UPU S10, and a mistyped digit is caught."""
import pytest

from commune.postal import s10


@pytest.mark.parametrize("number", [
    "EB123456785VN", "RR473124829GB", "eb 123 456 785 vn", "CP000000005VN", "EE000000080VN"])
def test_well_formed_numbers_with_the_right_check_digit_are_accepted(number):
    assert s10.is_valid(number)


@pytest.mark.parametrize("number", [
    "EB123456784VN",   # wrong check digit
    "EB123456758VN",   # two digits swapped
    "EB12345678VN",    # a digit short
    "E1234567855VN",   # one service letter only
    "EB123456785V",    # one country letter only
    "",
])
def test_mistyped_numbers_are_refused(number):
    assert not s10.is_valid(number)


def test_check_digit_rules_for_ten_and_eleven():
    # 11 - sum % 11 == 11 -> 5 (sum divisible by 11); == 10 -> 0.
    assert s10.check_digit("00000000") == 5
    assert s10.check_digit("12345678") == 5
    assert s10.check_digit("47312482") == 9
    assert s10.check_digit("00000008") == 0  # 8*7 = 56, 56 % 11 = 1, 11 - 1 = 10 -> 0
    assert s10.is_valid("EE000000080VN")
