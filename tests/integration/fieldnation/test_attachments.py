"""Attachments: default and new folders, multipart upload with notes, download, edit, delete, size limit."""

from __future__ import annotations

import pytest

from fieldbridge.fieldnation import (
    BadRequestError,
    ConflictError,
    FieldNationClient,
    NotFoundError,
    PayloadTooLargeError,
)
from tests.integration.fieldnation.seeded import UPLOAD_LIMIT
from tests.support.emulators import FieldNationSim


def test_new_work_orders_have_documents_and_misc(client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Files"}).id
    folders = client.attachments.folders(wo)
    assert [(f.name, f.type, f.max_bytes) for f in folders] == [
        ("Documents", "document", UPLOAD_LIMIT),
        ("Misc", "document", UPLOAD_LIMIT),
    ]


def test_upload_download_edit_move_delete(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Files"}).id
    documents, misc = client.attachments.folders(wo)
    content = bytes(range(256)) * 4
    uploaded = client.attachments.upload(
        wo, documents.id, "scan.pdf", content, notes="Signed", content_type="application/pdf"
    )
    assert uploaded.file is not None
    assert (uploaded.file.name, uploaded.file.size) == ("scan.pdf", len(content))
    assert uploaded.file.mime == "application/pdf"
    assert uploaded.notes == "Signed"
    assert (
        uploaded.file.link
        == f"{fn_sim.url}/api/rest/v2/workorders/{wo}/attachments/{documents.id}/{uploaded.id}"
    )
    assert client.attachments.download(wo, documents.id, uploaded.id) == content
    moved = client.attachments.update(
        wo, documents.id, uploaded.id, notes="Countersigned", move_to_folder=misc.id
    )
    assert (moved.folder_id, moved.notes) == (misc.id, "Countersigned")
    assert [a.id for a in client.attachments.folders(wo)[1].results] == [uploaded.id]
    client.attachments.delete(wo, misc.id, uploaded.id)
    with pytest.raises(NotFoundError, match=f"Attachment {uploaded.id} was not found"):
        client.attachments.download(wo, misc.id, uploaded.id)
    assert "workorder.provider_upload" not in fn_sim.events(wo)  # a buyer's upload is not a provider upload


def test_new_folder(client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Files"}).id
    folder = client.attachments.create_folder(wo, "Site photos", type="slot")
    assert (folder.name, folder.type, folder.results) == ("Site photos", "slot", [])
    with pytest.raises(ConflictError, match="already has a folder named 'site photos'"):
        client.attachments.create_folder(wo, "site photos")


def test_oversize_upload_is_refused_with_the_limit(client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Files"}).id
    folder = client.attachments.folders(wo)[0]
    with pytest.raises(PayloadTooLargeError) as caught:
        client.attachments.upload(wo, folder.id, "big.bin", b"x" * (UPLOAD_LIMIT + 1))
    assert caught.value.status == 413
    assert (
        caught.value.message
        == f"The file is {UPLOAD_LIMIT + 1} bytes, over the upload limit of {UPLOAD_LIMIT} bytes"
    )
    assert client.attachments.folders(wo)[0].results == []
    exactly = client.attachments.upload(wo, folder.id, "ok.bin", b"x" * UPLOAD_LIMIT)
    assert exactly.file is not None
    assert exactly.file.size == UPLOAD_LIMIT


def test_upload_needs_multipart_with_a_file(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Files"}).id
    folder = client.attachments.folders(wo)[0]
    path = f"/api/rest/v2/workorders/{wo}/attachments/{folder.id}"
    token = {"access_token": fn_sim.token()}
    as_json = fn_sim.control.post(path, params=token, json={"file": "x"})
    assert as_json.status_code == 400
    assert "multipart/form-data" in as_json.json()["message"]
    no_file = fn_sim.control.post(path, params=token, data={"notes": "n"}, files={"other": ("a", b"a")})
    assert no_file.status_code == 400
    assert "'file' is missing" in no_file.json()["message"]


def test_unknown_folder_is_a_404(client: FieldNationClient) -> None:
    wo = client.workorders.create({"title": "Files"}).id
    with pytest.raises(NotFoundError, match="Attachment folder 1 was not found"):
        client.attachments.upload(wo, 1, "a.txt", b"a")
    with pytest.raises(BadRequestError, match="name"):
        client.attachments.create_folder(wo, "")
