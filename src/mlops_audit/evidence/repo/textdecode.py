"""Bytes of a scanned file as text: one decoding rule for the index and the README readers.

Missing or binary data (a NUL early on) is None; UTF-8 with or without a byte-order mark is decoded,
undecodable bytes become U+FFFD; UTF-16 with a byte-order mark (what Windows PowerShell's redirection
writes) is decoded as such. Pure functions.
"""

from __future__ import annotations


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:8192]


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf16_as_utf8(data: bytes | None) -> bytes | None:
    """UTF-16 text with a byte-order mark (what Windows PowerShell's `pip freeze > requirements.txt`
    writes) as UTF-8 bytes; anything else unchanged. Without this its NULs read as a binary file."""
    if data is None or data[:2] not in _UTF16_BOMS:
        return data
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        return data
    return data if "\0" in text[:4096] else text.encode("utf-8", "surrogatepass")


def decode_text(data: bytes | None) -> str | None:
    """Text of a file's bytes: None for missing or binary (a NUL early on); undecodable bytes become U+FFFD.
    UTF-16 with a byte-order mark is decoded as such."""
    data = utf16_as_utf8(data)
    if data is None or is_binary(data):
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")
