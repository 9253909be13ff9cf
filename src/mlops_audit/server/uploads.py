"""What an upload may be: size caps and a type decided from the bytes, never from the client's word.

Attachments are always served back as downloads (`Content-Disposition: attachment`, nosniff and a
sandboxing CSP), so even a file that looks like HTML is never rendered by the browser.
"""

from __future__ import annotations

from pathlib import PurePath

from mlops_audit.server.campaigns import ClientError

MAX_ATTACHMENT = 2 * 1024 * 1024
MAX_CAMPAIGN_FILE = 8 * 1024 * 1024  # collect JSON of a large repository, waivers, answer files
TEXT_SUFFIXES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
ZIP_SUFFIXES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
MAGIC = [
    (b"%PDF-", {".pdf"}, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", {".png"}, "image/png"),
    (b"\xff\xd8\xff", {".jpg", ".jpeg"}, "image/jpeg"),
]


def read_capped(stream, limit: int, what: str) -> bytes:  # noqa: ANN001
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ClientError(413, f"{what}: larger than {limit // (1024 * 1024)} MiB; refusing it")
    if not data:
        raise ClientError(422, f"{what}: the file is empty")
    return data


def attachment_type(filename: str, data: bytes) -> str:
    """The content type of an allowed attachment; 415 for anything else (HTML, SVG, scripts, ...)."""
    suffix = PurePath(filename or "").suffix.lower()
    for magic, suffixes, ctype in MAGIC:
        if data.startswith(magic):
            if suffix not in suffixes:
                break
            return ctype
    else:
        if suffix in ZIP_SUFFIXES and data.startswith(b"PK\x03\x04"):
            return ZIP_SUFFIXES[suffix]
        if suffix in TEXT_SUFFIXES:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ClientError(415, f"{filename}: a {suffix} attachment must be UTF-8 text") from None
            if "\x00" in text or text.lstrip()[:1] == "<":
                raise ClientError(415, f"{filename}: looks like markup, not plain text; attach a PDF instead")
            return TEXT_SUFFIXES[suffix]
    raise ClientError(
        415,
        f"{filename or '(no name)'}: not an allowed attachment; expected PDF, PNG, JPEG, .txt/.csv/.md text or "
        ".xlsx/.docx/.pptx whose content matches its name",
    )


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


MAX_RUN_UNPACKED = 256 * 1024 * 1024
MAX_RUN_MEMBERS = 20000


def safe_unzip(data: bytes, dest, what: str) -> None:  # noqa: ANN001
    """Unpack a zip of a run folder into `dest`, refusing anything that could land outside it
    (absolute names, '..', links), and bombs (member count, unpacked size)."""
    import io
    import stat
    import zipfile
    from pathlib import Path, PurePosixPath

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise ClientError(422, f"{what}: not a zip archive (zip the run folder: audit.jsonl, manifest.json, ...)") from None
    if len(members) > MAX_RUN_MEMBERS or sum(m.file_size for m in members) > MAX_RUN_UNPACKED:
        raise ClientError(413, f"{what}: more than {MAX_RUN_MEMBERS} files or {MAX_RUN_UNPACKED // (1024 * 1024)} MiB unpacked")
    root = Path(dest)
    for member in members:
        name = PurePosixPath(member.filename)
        mode = member.external_attr >> 16
        if name.is_absolute() or ".." in name.parts or "\\" in member.filename or stat.S_ISLNK(mode):
            raise ClientError(422, f"{what}: member '{member.filename}' is a link or points outside the folder; refusing the archive")
        target = root.joinpath(*name.parts)
        if member.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source:
            target.write_bytes(source.read(member.file_size + 1))  # bounded: a lying header cannot blow up memory
        if target.stat().st_size != member.file_size:
            raise ClientError(422, f"{what}: member '{member.filename}' does not unpack to its declared size")
