"""Attachments: folders, multipart upload (`file`, `notes`), download, edit and delete."""

from __future__ import annotations

from typing import Any, Literal

from fieldbridge.fieldnation.models import Attachment, AttachmentFolder, Listing
from fieldbridge.fieldnation.transport import Transport


class Attachments:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def folders(self, work_order_id: int) -> list[AttachmentFolder]:
        body = self._t.request("GET", f"/workorders/{work_order_id}/attachments").json()
        return Listing[AttachmentFolder].model_validate(body).results

    def create_folder(
        self, work_order_id: int, name: str, type: Literal["document", "slot"] = "document"
    ) -> AttachmentFolder:
        body = self._t.request(
            "POST", f"/workorders/{work_order_id}/attachments", json={"name": name, "type": type}
        )
        return AttachmentFolder.model_validate(body.json())

    def upload(
        self,
        work_order_id: int,
        folder_id: int,
        filename: str,
        content: bytes,
        notes: str = "",
        content_type: str = "application/octet-stream",
    ) -> Attachment:
        path = f"/workorders/{work_order_id}/attachments/{folder_id}"
        files = {"file": (filename, content, content_type)}
        response = self._t.request("POST", path, files=files, data={"notes": notes})
        return Attachment.model_validate(response.json())

    def download(self, work_order_id: int, folder_id: int, attachment_id: int) -> bytes:
        return self._t.request(
            "GET", f"/workorders/{work_order_id}/attachments/{folder_id}/{attachment_id}"
        ).content

    def update(
        self,
        work_order_id: int,
        folder_id: int,
        attachment_id: int,
        notes: str | None = None,
        move_to_folder: int | None = None,
    ) -> Attachment:
        body: dict[str, Any] = {}
        if notes is not None:
            body["notes"] = notes
        if move_to_folder is not None:
            body["folder_id"] = move_to_folder
        path = f"/workorders/{work_order_id}/attachments/{folder_id}/{attachment_id}"
        return Attachment.model_validate(self._t.request("PUT", path, json=body).json())

    def delete(self, work_order_id: int, folder_id: int, attachment_id: int) -> None:
        self._t.request("DELETE", f"/workorders/{work_order_id}/attachments/{folder_id}/{attachment_id}")
