"""The inbox list: tabs with live counts, filters, accent-insensitive search, htmx, pages, bulk assign."""
import re
from datetime import timedelta

import sqlalchemy as sa

from commune.core.timeutil import local_today, utcnow
from commune.dossiers.models import Dossier
from commune.dossiers.search import fold, index_text, search_text
from commune.extensions import db
from commune.inbox.filtering import search_terms
from tests.factories import make_dossier, make_procedure, make_user


def count_of(html, tab_label):
    match = re.search(re.escape(tab_label) + r'\s*<span class="tab-count">(\d+)</span>', html)
    assert match, tab_label
    return int(match.group(1))


def indexed(dossier):
    dossier.search_text = search_text(dossier)
    return dossier


def test_tabs_show_live_counts_and_default_to_what_needs_the_clerk_now(client, login_as, procedure):
    login_as("clerk")
    today = local_today()
    late = indexed(make_dossier(procedure, "processing", due_date=today - timedelta(days=3),
                                applicant_name="Quá Hạn"))
    indexed(make_dossier(procedure, "received", due_date=today, applicant_name="Sắp Hạn"))
    indexed(make_dossier(procedure, "received", due_date=today + timedelta(days=30), applicant_name="Còn Lâu"))
    indexed(make_dossier(procedure, "submitted", applicant_name="Mới Nộp"))
    indexed(make_dossier(procedure, "needs_supplement", applicant_name="Chờ Bổ Sung"))
    indexed(make_dossier(procedure, "ready", applicant_name="Có Kết Quả"))
    indexed(make_dossier(procedure, "returned", applicant_name="Đã Trả"))
    indexed(make_dossier(procedure, "refused", applicant_name="Bị Từ Chối"))
    indexed(make_dossier(procedure, "withdrawn", applicant_name="Đã Rút"))
    make_dossier(procedure, "draft", applicant_name="Bản Nháp")
    db.session.commit()

    html = client.get("/hop-thu").get_data(as_text=True)
    assert count_of(html, "Chờ tiếp nhận") == 1
    assert count_of(html, "Đang xử lý") == 3
    assert count_of(html, "Chờ bổ sung") == 1
    assert count_of(html, "Sắp đến hạn") == 1
    assert count_of(html, "Quá hạn") == 1
    assert count_of(html, "Có kết quả") == 1
    assert count_of(html, "Đã trả") == 1
    assert count_of(html, "Từ chối / rút") == 2
    assert count_of(html, "Tất cả") == 9  # drafts are never in the inbox
    assert count_of(html, "Cần xử lý ngay") == 3
    # Most urgent first: the overdue one heads the default list.
    rows = re.findall(r'class="code">([^<]+)</a>', html)
    assert rows[0] == late.display_code
    assert "Còn Lâu" not in html and "Bản Nháp" not in html
    assert "row-overdue" in html and "row-soon" in html


def test_each_tab_lists_its_dossiers(client, login_as, procedure):
    login_as("clerk")
    indexed(make_dossier(procedure, "needs_supplement", applicant_name="Chờ Bổ Sung"))
    indexed(make_dossier(procedure, "returned", applicant_name="Đã Trả Xong"))
    db.session.commit()
    html = client.get("/hop-thu?tab=supplement").get_data(as_text=True)
    assert "Chờ Bổ Sung" in html and "Đã Trả Xong" not in html
    html = client.get("/hop-thu?tab=returned").get_data(as_text=True)
    assert "Đã Trả Xong" in html and "Chờ Bổ Sung" not in html


def test_search_ignores_accents_and_finds_code_phone_and_id(client, login_as, procedure):
    login_as("clerk")
    one = indexed(make_dossier(procedure, "submitted", applicant_name="Nguyễn Thị Hương",
                               applicant_phone="0987654321", applicant_id_number="001190012345", code="K7QMX2PDAF"))
    indexed(make_dossier(procedure, "submitted", applicant_name="Trần Văn Đức", applicant_phone="0911222333"))
    db.session.commit()
    for query in ("nguyen thi huong", "HƯƠNG", "huong", "0987 654 321", "001190012345", "k7qm-x2pd-af", "K7QM"):
        html = client.get("/hop-thu", query_string={"tab": "all", "q": query}).get_data(as_text=True)
        assert one.display_code in html and "Trần Văn Đức" not in html, query
    html = client.get("/hop-thu", query_string={"tab": "all", "q": "duc"}).get_data(as_text=True)
    assert "Trần Văn Đức" in html and "Nguyễn Thị Hương" not in html


def test_search_terms_are_folded_like_the_stored_text():
    assert fold("Đặng Thị Ánh") == "dang thi anh"
    assert search_terms("0912 345 678") == ["0912345678"]
    assert search_terms("K7QM-X2PD-AF") == ["k7qmx2pdaf"]
    assert search_terms("  ") == []


def test_filters_by_channel_procedure_field_assignee_and_dates(client, login_as, procedure):
    clerk = login_as("clerk")
    other = make_procedure(name="Chứng thực bản sao")
    officer = make_user("officer", full_name="Chuyên Viên Một")
    a = indexed(make_dossier(procedure, "received", channel="counter", applicant_name="Tại Quầy",
                             assignee_id=officer.id))
    b = indexed(make_dossier(other, "received", channel="online", applicant_name="Trực Tuyến",
                             submitted_at=utcnow() - timedelta(days=40)))
    c = indexed(make_dossier(procedure, "received", channel="post", applicant_name="Bưu Chính",
                             assignee_id=clerk.id))
    db.session.commit()

    def names(**args):
        html = client.get("/hop-thu", query_string={"tab": "all", **args}).get_data(as_text=True)
        return {n for n in ("Tại Quầy", "Trực Tuyến", "Bưu Chính") if n in html}

    assert names(channel="counter") == {"Tại Quầy"}
    assert names(procedure=str(other.id)) == {"Trực Tuyến"}
    assert names(field=str(procedure.field_id)) == {"Tại Quầy", "Trực Tuyến", "Bưu Chính"}
    assert names(assignee=str(officer.id)) == {"Tại Quầy"}
    assert names(assignee="none") == {"Trực Tuyến"}
    assert names(assignee="me") == {"Bưu Chính"}
    since = (local_today() - timedelta(days=7)).isoformat()
    assert names(date_from=since) == {"Tại Quầy", "Bưu Chính"}
    assert names(date_to=since) == {"Trực Tuyến"}
    # Nonsense in the query string is ignored, never an error.
    assert client.get("/hop-thu?date_from=31-31-2026&page=abc&tab=zzz&sort=x&field=y").status_code == 200
    assert a and b and c


def test_counts_follow_the_filters(client, login_as, procedure):
    login_as("clerk")
    indexed(make_dossier(procedure, "submitted", channel="online"))
    indexed(make_dossier(procedure, "submitted", channel="counter"))
    db.session.commit()
    html = client.get("/hop-thu?channel=online").get_data(as_text=True)
    assert count_of(html, "Chờ tiếp nhận") == 1


def test_htmx_gets_only_the_list_and_plain_requests_the_whole_page(client, login_as, procedure):
    login_as("clerk")
    indexed(make_dossier(procedure, "submitted", applicant_name="Một Người"))
    db.session.commit()
    fragment = client.get("/hop-thu?tab=waiting", headers={"HX-Request": "true"})
    assert "Một Người" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    full = client.get("/hop-thu?tab=waiting", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    page = client.get("/hop-thu?tab=waiting").get_data(as_text=True)
    assert 'hx-push-url="true"' in page and 'id="inbox-list"' in page


def test_pagination_and_sort(client, login_as, procedure):
    login_as("clerk")
    for i in range(55):
        indexed(make_dossier(procedure, "returned", applicant_name=f"Người {i:02d}",
                             received_at=utcnow() - timedelta(hours=i)))
    db.session.commit()
    first = client.get("/hop-thu?tab=returned&sort=received").get_data(as_text=True)
    assert "Người 00" in first and "Người 54" not in first and "Trang 1/2" in first
    second = client.get("/hop-thu?tab=returned&sort=received&page=2").get_data(as_text=True)
    assert "Người 54" in second and "Người 00" not in second
    assert client.get("/hop-thu?tab=returned&page=99").status_code == 200


def test_new_supplement_is_marked_in_the_list(client, login_as, procedure):
    login_as("clerk")
    indexed(make_dossier(procedure, "received", has_new_supplement=True))
    db.session.commit()
    assert "Mới bổ sung" in client.get("/hop-thu").get_data(as_text=True)


def test_bulk_assign_skips_rows_changed_meanwhile(client, login_as, procedure):
    login_as("clerk")
    officer = make_user("officer", full_name="Người Được Giao")
    a = make_dossier(procedure, "received")
    b = make_dossier(procedure, "received")
    c = make_dossier(procedure, "returned")
    db.session.commit()
    response = client.post("/hop-thu/giao-viec", data={
        "ids": [str(a.id), str(b.id), str(c.id)], "assignee": str(officer.id),
        f"v-{a.id}": str(a.version), f"v-{b.id}": str(b.version + 5), f"v-{c.id}": str(c.version),
        "back": "/hop-thu?tab=processing"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/hop-thu?tab=processing")
    assert db.session.get(Dossier, a.id).assignee_id == officer.id
    assert db.session.get(Dossier, b.id).assignee_id is None
    assert db.session.get(Dossier, c.id).assignee_id is None
    html = client.get("/hop-thu?tab=processing").get_data(as_text=True)
    assert "Đã giao 1 hồ sơ" in html and b.display_code in html


def test_leader_sees_inbox_but_cannot_receive(client, login_as, procedure):
    login_as("leader")
    dossier = make_dossier(procedure, "submitted")
    db.session.commit()
    assert client.get("/hop-thu").status_code == 200
    page = client.get(f"/hop-thu/ho-so/{dossier.id}").get_data(as_text=True)
    assert "thao-tac/receive" not in page and "thao-tac/note" in page


def test_ready_list_offers_hand_to_post(client, login_as, procedure):
    login_as("clerk")
    indexed(make_dossier(procedure, "ready", result_method="post"))
    db.session.commit()
    html = client.get("/hop-thu?tab=ready").get_data(as_text=True)
    assert "Bàn giao bưu chính" in html
    assert "Giao việc" in html


def test_cut_off_setting_of_the_admin_is_used_for_due_dates(app, dossier_in):
    from commune.core.settings import set_setting
    from commune.dossiers.rules import cutoff_text

    assert cutoff_text() == "15:00"
    set_setting("cutoff", "16:00")
    assert cutoff_text() == "16:00"
    set_setting("cutoff", "nonsense")
    assert cutoff_text() == "15:00"


def test_whole_code_or_phone_finds_the_dossier_directly(client, login_as, procedure):
    login_as("clerk")
    one = indexed(make_dossier(procedure, "processing", applicant_phone="0987000111", code="K7QMX2PDAF",
                               applicant_name="Người Cần Tìm"))
    indexed(make_dossier(procedure, "submitted", applicant_phone="0911000222", applicant_name="Người Khác"))
    db.session.commit()
    for query in ("K7QM-X2PD-AF", "0987 000 111"):
        html = client.get("/hop-thu", query_string={"q": query, "tab": "all"}).get_data(as_text=True)
        assert "Người Cần Tìm" in html and "Người Khác" not in html, query
        assert count_of(html, "Đang xử lý") == 1 and count_of(html, "Chờ tiếp nhận") == 0
    assert one


def search(client, query):
    return client.get("/hop-thu", query_string={"tab": "all", "q": query}).get_data(as_text=True)


def test_search_finds_the_start_of_any_word_and_a_numbers_last_digits(client, login_as, procedure):
    login_as("clerk")
    make_dossier(procedure, "processing", applicant_name="Hoàng Thị Hương", applicant_phone="0987654321",
                 applicant_id_number="001190012345")
    make_dossier(procedure, "processing", applicant_name="Trần Văn Đức", applicant_phone="0911222333",
                 applicant_id_number="001190099999")
    db.session.commit()
    for query in ("hoang huo", "HƯ", "thi", "4321", "654321", "0987", "12345"):
        html = search(client, query)
        assert "Hoàng Thị Hương" in html and "Trần Văn Đức" not in html, query
        assert count_of(html, "Tất cả") == 1, query
    html = search(client, "0011900")  # the start of both ID numbers
    assert "Hoàng Thị Hương" in html and "Trần Văn Đức" in html
    html = search(client, "hoang duc")  # every word must match the same dossier
    assert "Hoàng Thị Hương" not in html and "Trần Văn Đức" not in html


def test_a_name_typed_in_full_finds_those_words_and_word_starts_only_when_nothing_else(
        client, login_as, procedure):
    """"nguyen thi dung" finds Nguyễn Thị Dung, not Nguyễn Thịnh Dung; a shortened word before the
    last ("ng thi dung") still finds both, as word starts; the last word is always a start."""
    login_as("clerk")
    make_dossier(procedure, "processing", applicant_name="Nguyễn Thị Dung", applicant_phone="0987654321")
    make_dossier(procedure, "processing", applicant_name="Nguyễn Thịnh Dũng", applicant_phone="0911222333")
    db.session.commit()
    html = search(client, "nguyen thi dung")
    assert "Nguyễn Thị Dung" in html and "Nguyễn Thịnh Dũng" not in html
    assert count_of(html, "Tất cả") == 1 and count_of(html, "Đang xử lý") == 1
    html = search(client, "nguyen thi d")
    assert "Nguyễn Thị Dung" in html and "Nguyễn Thịnh Dũng" not in html
    for query in ("ng thi dung", "nguyen th dung", "nguyen th"):
        html = search(client, query)
        assert "Nguyễn Thị Dung" in html and "Nguyễn Thịnh Dũng" in html, query
        assert count_of(html, "Tất cả") == 2, query
    html = search(client, "nguyen thinh")
    assert "Nguyễn Thịnh Dũng" in html and "Nguyễn Thị Dung" not in html


def test_search_follows_a_corrected_name_and_forgets_the_old_one(client, login_as, procedure):
    login_as("clerk")
    dossier = make_dossier(procedure, "received", applicant_name="Lò Văn Sáu")
    db.session.commit()
    assert "Lò Văn Sáu" in search(client, "sau")
    dossier.applicant_name = "Lò Văn Bảy"
    dossier.search_text = search_text(dossier)
    db.session.commit()
    assert "Lò Văn Bảy" in search(client, "bay")
    assert "Lò Văn Bảy" not in search(client, "sau")


def test_dossiers_written_by_bulk_statements_are_found_at_once(client, login_as, procedure):
    """The full-text index is kept by the database itself: a bulk insert or an update written as
    SQL is found, and forgotten, in the same transaction."""
    login_as("clerk")
    row = {"code": "BULKAAAAAA", "procedure_id": procedure.id, "procedure_snapshot": {}, "status": "received",
           "channel": "counter", "applicant_name": "Đinh Thị Nhàn", "applicant_phone": "0977000111",
           "search_text": index_text("dinh thi nhan 0977000111 bulkaaaaaa"), "submitted_at": utcnow(),
           "form_data": {}, "version": 1}
    db.session.execute(sa.insert(Dossier), [row])  # no ORM object: no Python code sees it
    db.session.commit()
    assert "Đinh Thị Nhàn" in search(client, "nhan") and "Đinh Thị Nhàn" in search(client, "0111")
    db.session.execute(sa.update(Dossier).where(Dossier.code == "BULKAAAAAA")
                       .values(search_text=index_text("dinh thi hoa 0977000111 bulkaaaaaa")))
    db.session.commit()
    assert "Đinh Thị Nhàn" not in search(client, "nhan")
    db.session.execute(sa.delete(Dossier).where(Dossier.code == "BULKAAAAAA"))
    db.session.commit()
    assert "BULKAAAAAA" not in search(client, "0111")


def test_a_single_letter_or_two_digits_asks_for_more_instead_of_listing_everyone(client, login_as, procedure):
    login_as("clerk")
    make_dossier(procedure, "processing", applicant_name="Nguyễn Văn Nam", applicant_phone="0987654321")
    make_dossier(procedure, "processing", applicant_name="Trần Thị Lan", applicant_phone="0911222333")
    db.session.commit()
    for query in ("n", "09", "0 9"):
        html = search(client, query)
        assert "Nhập ít nhất 2 chữ cái hoặc 3 chữ số để tìm." in html, query
        assert "Nguyễn Văn Nam" in html and "Trần Thị Lan" in html, query  # the list is not filtered
    html = search(client, "nguyen v")  # beside a word, a lone letter narrows as usual
    assert "Nguyễn Văn Nam" in html and "Trần Thị Lan" not in html
    assert "Nhập ít nhất" not in html
    assert "Nhập ít nhất" not in search(client, "098")


def test_a_very_common_name_counts_only_the_open_tab_and_asks_for_more(client, login_as, procedure):
    """A third of a commune is called Nguyễn: counting every tab of 38,000 matches would be slow
    for nothing, so the open tab says "hơn 1.000", the others no number, and the clerk is asked
    to type more."""
    login_as("clerk")
    rows = [{"code": f"NG{n:08d}", "procedure_id": procedure.id, "procedure_snapshot": {}, "status": "received",
             "channel": "counter", "applicant_name": f"Nguyễn Văn {n}", "applicant_phone": f"09{n:08d}",
             "search_text": index_text(f"ng{n:08d} nguyen van {n} 09{n:08d}"), "submitted_at": utcnow(),
             "form_data": {}, "version": 1} for n in range(2100)]
    db.session.execute(sa.insert(Dossier), rows)
    db.session.commit()
    html = client.get("/hop-thu?tab=all&q=nguyen").get_data(as_text=True)
    assert "Hơn 1.000 hồ sơ" in html and "gõ thêm" in html
    assert re.search(r'Tất cả\s*<span class="tab-count">hơn 1.000</span>', html)
    assert not re.search(r'Đang xử lý\s*<span class="tab-count">', html)  # not counted
    assert html.count('name="ids"') >= 20  # the list itself is there
    narrow = client.get("/hop-thu?tab=all&q=nguyen+0900001234").get_data(as_text=True)
    assert count_of(narrow, "Tất cả") == 1 and "gõ thêm" not in narrow


def test_a_common_name_lists_its_newest_dossiers_page_by_page_among_others(client, login_as, procedure):
    """2,100 Nguyễn among 700 others submitted in between: "nguyen" in "Tất cả" lists the newest
    fifty Nguyễn first, newest first, and page 2 the fifty after them (PostgreSQL walks the
    newest-first index for this; SQLite joins its FTS table)."""
    login_as("clerk")
    start = utcnow() - timedelta(days=30)
    rows = []
    for n in range(2800):
        nguyen = n % 4 != 3
        name = f"Nguyễn Văn {n}" if nguyen else f"Trần Thị {n}"
        rows.append({"code": f"NG{n:08d}", "procedure_id": procedure.id, "procedure_snapshot": {},
                     "status": "received", "channel": "counter", "applicant_name": name,
                     "applicant_phone": f"09{n:08d}", "submitted_at": start + timedelta(minutes=n),
                     "search_text": index_text(f"ng{n:08d} {fold(name)} 09{n:08d}"), "form_data": {}, "version": 1})
    db.session.execute(sa.insert(Dossier), rows)
    db.session.commit()
    newest = [n for n in reversed(range(2800)) if n % 4 != 3]
    for page, expected in ((1, newest[:50]), (2, newest[50:100])):
        html = client.get(f"/hop-thu?tab=all&q=nguyen&page={page}").get_data(as_text=True)
        shown = [int(n) for n in re.findall(r"Nguyễn Văn (\d+)", html)]
        assert list(dict.fromkeys(shown)) == expected, page
        assert "Trần Thị" not in html


def test_a_common_name_in_a_small_tab_is_counted_exactly_beyond_the_first_hits(client, login_as, procedure):
    """The first 2,001 hits of "nguyen" are all received dossiers; the three waiting for a supplement
    come after them. In the "Chờ bổ sung" tab the count and the list show exactly those three."""
    login_as("clerk")
    rows = [{"code": f"NG{n:08d}", "procedure_id": procedure.id, "procedure_snapshot": {},
             "status": "needs_supplement" if n >= 2100 else "received", "channel": "counter",
             "applicant_name": f"Nguyễn Văn {n}", "applicant_phone": f"09{n:08d}",
             "search_text": index_text(f"ng{n:08d} nguyen van {n} 09{n:08d}"), "submitted_at": utcnow(),
             "form_data": {}, "version": 1} for n in range(2103)]
    db.session.execute(sa.insert(Dossier), rows)
    db.session.commit()
    html = client.get("/hop-thu?tab=supplement&q=nguyen").get_data(as_text=True)
    assert count_of(html, "Chờ bổ sung") == 3
    assert all(f"Nguyễn Văn {n}" in html for n in (2100, 2101, 2102))
    assert html.count('name="ids"') == 3
