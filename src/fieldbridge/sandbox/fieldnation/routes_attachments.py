"""REST v2 attachments: folders (Documents and Misc by default), multipart upload (`file`, `notes`),
download, edit and delete. Uploads over the emulator's limit get a 413 that says the limit."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from fieldbridge.sandbox.fieldnation import operations as op
from fieldbridge.sandbox.fieldnation.errors import ApiError
from fieldbridge.sandbox.fieldnation.payloads import AttachmentUpdate, FolderIn
from fieldbridge.sandbox.fieldnation.render import JSON
from fieldbridge.sandbox.fieldnation.routes_workorders import REST_PREFIX
from fieldbridge.sandbox.fieldnation.routing import WO, Actor, Emu

router = APIRouter(prefix=REST_PREFIX + "/workorders/{work_order_id}/attachments")


@router.get("")
async def folders(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().attachments(wo)


@router.post("", status_code=201)
async def add_folder(emu: Emu, actor: Actor, wo: WO, body: FolderIn) -> JSON:
    return emu.views().folder(wo, op.add_folder(emu, wo, body.name, body.type))


@router.post("/{folder_id}", status_code=201)
async def upload(request: Request, emu: Emu, actor: Actor, wo: WO, folder_id: int) -> JSON:
    folder = wo.folder(folder_id)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(
            400, "Upload a file as multipart/form-data with the field 'file' (and optional 'notes')"
        )
    # python-multipart spools large parts to disk, so reading the whole form is bounded in memory.
    async with request.form() as form:
        file, notes = form.get("file"), form.get("notes")
        if not isinstance(file, UploadFile):
            raise ApiError(400, "The multipart field 'file' is missing or is not a file")
        content = await file.read()
        attachment = op.upload(
            emu,
            wo,
            folder,
            file.filename or "",
            file.content_type or "application/octet-stream",
            content,
            notes if isinstance(notes, str) else "",
            actor,
            by_provider=False,
        )
    return emu.views().attachment(wo, attachment)


@router.get("/{folder_id}/{attachment_id}")
async def download(actor: Actor, wo: WO, folder_id: int, attachment_id: int) -> Response:
    found = wo.attachment(folder_id, attachment_id)
    disposition = f'attachment; filename="{found.name.replace(chr(34), "")}"'
    return Response(found.content, media_type=found.mime, headers={"Content-Disposition": disposition})


@router.put("/{folder_id}/{attachment_id}")
async def update(
    emu: Emu, actor: Actor, wo: WO, folder_id: int, attachment_id: int, body: AttachmentUpdate
) -> JSON:
    found = wo.attachment(folder_id, attachment_id)
    if body.folder_id is not None:
        found.folder_id = wo.folder(body.folder_id).id
    if body.notes is not None:
        found.notes = body.notes
    return emu.views().attachment(wo, found)


@router.delete("/{folder_id}/{attachment_id}", status_code=204)
async def delete(actor: Actor, wo: WO, folder_id: int, attachment_id: int) -> Response:
    wo.attachments.remove(wo.attachment(folder_id, attachment_id))
    return Response(status_code=204)
