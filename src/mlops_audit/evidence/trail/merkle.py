"""RFC 9162 §2.1.1 Merkle Tree Hash (identical to RFC 6962 §2.1), SHA-256.

    MTH({})        = SHA-256()
    MTH({d0})      = SHA-256(0x00 || d0)
    MTH(D[0:n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k = largest power of two < n

The leaves of an audit trail are its canonical event lines (UTF-8, without the newline). The
tree size and root in the manifest are what make a truncated tail detectable: the hash chain alone
cannot tell a shortened trail from a complete one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    # n >= 2; the result k satisfies k < n <= 2k.
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves already hashed with `leaf_hash` (lets a writer keep 32 bytes per event)."""

    def subtree(start: int, end: int) -> bytes:
        size = end - start
        if size == 1:
            return hashes[start]
        split = start + _largest_power_of_two_below(size)
        return _node_hash(subtree(start, split), subtree(split, end))

    if not hashes:
        return hashlib.sha256(b"").digest()
    return subtree(0, len(hashes))


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """MTH over raw leaf data."""
    return root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])


def merkle_root_hex(leaves: Iterable[bytes]) -> str:
    return merkle_root(leaves).hex()
