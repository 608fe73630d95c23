"""A villager types what they need, with or without accents, and finds the procedure."""
import unicodedata

import pytest

from commune.catalog.search import query_terms, search
from commune.catalog.text import normalise
from commune.extensions import db
from tests.factories import make_procedure


@pytest.mark.parametrize("text, expected", [
    ("Đăng ký KHAI SINH", "dang ky khai sinh"),
    ("đ Đ d", "d d d"),
    (unicodedata.normalize("NFD", "Chứng thực"), "chung thuc"),
    ("  kết   hôn!? ", "ket hon"),
    ("1.001193", "1 001193"),
    ("", ""),
])
def test_text_is_normalised_without_accents_case_or_punctuation(text, expected):
    assert normalise(text) == expected


def names(result):
    return [p.name for p in result.procedures]


@pytest.mark.parametrize("query, first", [
    ("dang ky khai sinh", "Đăng ký khai sinh"),
    ("khai sinh", "Đăng ký khai sinh"),
    ("KHAI SINH", "Đăng ký khai sinh"),
    ("khai sinh", "Đăng ký khai sinh"),
    (unicodedata.normalize("NFD", "khai sinh"), "Đăng ký khai sinh"),
    ("Đăng ký khai sinh", "Đăng ký khai sinh"),
    ("đang ky khai sinh", "Đăng ký khai sinh"),
    ("sinh khai", "Đăng ký khai sinh"),
    ("ket hon", "Đăng ký kết hôn"),
    ("kết hôn", "Đăng ký kết hôn"),
    ("dang ky ket hon", "Đăng ký kết hôn"),
    ("khai tu", "Đăng ký khai tử"),
    ("chung thuc", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("chung thu", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("chứng thực chữ ký", "Chứng thực chữ ký trong giấy tờ, văn bản (kể cả điểm chỉ)"),
    ("di chuc", "Chứng thực di chúc"),
    ("kinh doanh", "Đăng ký thành lập hộ kinh doanh"),
    ("1.001193", "Đăng ký khai sinh"),
])
def test_search_finds_the_procedure_first(catalog, query, first):
    assert names(search(query))[0] == first


@pytest.mark.parametrize("query, expected", [
    ("làm giấy khai sinh", "Đăng ký khai sinh"),
    ("lam giay khai sinh", "Đăng ký khai sinh"),
    ("giấy đăng ký kết hôn", "Đăng ký kết hôn"),
    ("xac nhan doc than", "Cấp Giấy xác nhận tình trạng hôn nhân"),
    ("công chứng", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("sao y ban chinh", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("lam so do", "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận lần đầu cho hộ gia đình, cá nhân"),
    ("giay phep kinh doanh", "Đăng ký thành lập hộ kinh doanh"),
])
def test_synonyms_kept_in_the_catalog_data_lead_to_the_procedure(catalog, query, expected):
    assert any(name.startswith(expected) for name in names(search(query))[:3])


def test_filler_words_around_the_need_are_ignored(catalog):
    assert names(search("thủ tục kết hôn như thế nào"))[0] == "Đăng ký kết hôn"
    assert query_terms("thu tuc") == ["thu", "tuc"]  # nothing else left: keep the words


def test_matches_in_documents_rank_below_matches_in_the_name(catalog):
    result = search("giay khai sinh")
    assert "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh" in names(result)
    # A procedure that only asks for a birth certificate is found, below the name matches.
    assert result.mentions, "procedures asking for a Giấy khai sinh are listed too"
    assert not {p.slug for p in result.mentions} & {p.slug for p in result.procedures}


def test_a_word_only_in_the_documents_or_legal_basis_still_finds_the_procedure(catalog):
    result = search("so ho khau")
    assert "Đăng ký khai sinh" in [p.name for p in result.mentions]
    assert not result.procedures


def test_name_match_ranks_above_a_document_match_in_the_same_catalog(app):
    in_name = make_procedure(name="Cấp giấy xác nhận thu nhập")
    in_docs = make_procedure(name="Trợ giúp học phí", documents=("Giấy xác nhận thu nhập của gia đình",))
    db.session.commit()
    result = search("xac nhan thu nhap")
    assert [p.slug for p in result.procedures] == [in_name.slug]
    assert [p.slug for p in result.mentions] == [in_docs.slug]


def test_unknown_words_find_nothing(catalog):
    result = search("xyzzy qwerty")
    assert not result
    assert result.procedures == [] and result.mentions == []


def test_one_unknown_word_among_good_ones_gives_close_matches(catalog):
    result = search("khai sinh abcxyz")
    assert result.partial
    assert names(result)[0] == "Đăng ký khai sinh"


def test_matching_fields_are_suggested(catalog):
    result = search("ho tich")
    assert [f.code for f, _ in result.fields] == ["ho-tich"]


def test_inactive_procedures_are_not_found(catalog):
    from commune.catalog.queries import procedure_by_slug

    assert names(search("khai tu"))[0] == "Đăng ký khai tử"  # found while it is offered
    procedure_by_slug("dang-ky-khai-tu").active = False
    db.session.commit()
    after = names(search("khai tu"))
    assert "Đăng ký khai tử" not in after
    assert "Đăng ký khai sinh" in names(search("khai sinh"))  # the search itself still answers


def test_edits_are_searchable_at_once(catalog):
    from commune.catalog.queries import procedure_by_slug

    assert search("khai sinh")  # warms the cache
    procedure = procedure_by_slug("dang-ky-khai-tu")
    procedure.keywords = [*procedure.keywords, "giấy báo mất người thân"]
    procedure.documents[0].name = "Tờ khai đặc biệt zyxel"
    db.session.commit()
    assert names(search("bao mat nguoi than"))[0] == "Đăng ký khai tử"
    assert [p.name for p in search("zyxel").mentions] == ["Đăng ký khai tử"]


def test_search_columns_are_filled_when_the_catalog_is_loaded(catalog):
    from commune.catalog.queries import procedure_by_slug

    procedure = procedure_by_slug("dang-ky-ket-hon")
    assert procedure.search_name.startswith("dang ky ket hon ")
    assert "giay dang ky ket hon" in procedure.search_name
    assert "to khai dang ky ket hon" in procedure.search_body


def test_loading_the_catalog_indexes_rows_saved_before_the_search_columns(catalog):
    import sqlalchemy as sa

    from commune.catalog.loader import load_catalog, read_catalog
    from commune.catalog.models import Procedure

    db.session.execute(sa.update(Procedure).values(search_name="", search_body=""))
    db.session.commit()
    load_catalog(read_catalog())
    db.session.commit()
    assert names(search("xac nhan doc than"))[0] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert "Đăng ký khai sinh" in [p.name for p in search("so ho khau").mentions]
