"""Uploaded files recognised by their content, not by the name or the type the browser claims."""

import zipfile

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODT = "application/vnd.oasis.opendocument.text"

SIGNATURES = {b"%PDF-": PDF, b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG}
# Office documents are zip archives: told apart by the part that names what they are.
OFFICE_PARTS = {"xl/workbook.xml": XLSX, "word/document.xml": DOCX}
EXTENSIONS = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    XLSX: "xlsx",
    DOCX: "docx",
    ODS: "ods",
    ODT: "odt",
}


def _office_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in (ODS, ODT) else None
            return next((t for part, t in OFFICE_PARTS.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None


def sniff(upload, allowed: frozenset[str] | set[str]) -> str | None:
    """The content type of `upload` when it is one of `allowed`, else None. Leaves the file
    at its start."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head:
        return None
    found = next((t for sig, t in SIGNATURES.items() if head.startswith(sig)), None)
    if found is None and head.startswith(b"PK\x03\x04"):
        found = _office_type(upload)
        upload.seek(0)
    return found if found in allowed else None
