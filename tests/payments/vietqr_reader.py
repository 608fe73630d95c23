"""An EMVCo/VietQR reader of the tests' own, written apart from commune/payments/vietqr.py: what a banking
app would read from a payload, after checking its CRC with the standard library's CRC-CCITT."""
import binascii


def read_tlv(text):
    """{tag: value} of one EMVCo level; fails on a length that runs past the end."""
    fields, i = {}, 0
    while i < len(text):
        tag, length = text[i:i + 2], int(text[i + 2:i + 4])
        value = text[i + 4:i + 4 + length]
        assert len(value) == length, f"data object {tag} is cut short"
        fields[tag] = value
        i += 4 + length
    return fields


def decode(text):
    """The transfer a banking app would see, after checking the CRC (binascii's CRC-CCITT, start 0xFFFF)."""
    assert text[-8:-4] == "6304", "the CRC is the last data object"
    crc = binascii.crc_hqx(text[:-4].encode(), 0xFFFF)
    assert f"{crc:04X}" == text[-4:], "CRC-16/CCITT-FALSE does not match"
    top = read_tlv(text)
    merchant = read_tlv(top["38"])
    beneficiary = read_tlv(merchant["01"])
    return {"format": top["00"], "initiation": top["01"], "guid": merchant["00"], "service": merchant["02"],
            "bin": beneficiary["00"], "account": beneficiary["01"], "currency": top["53"],
            "amount": int(top["54"]), "country": top["58"], "content": read_tlv(top["62"])["08"]}
