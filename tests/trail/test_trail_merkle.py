"""RFC 9162 Merkle Tree Hash, pinned to the Certificate Transparency reference vectors."""

from __future__ import annotations

import hashlib

import pytest

from mlops_audit.evidence.trail.merkle import leaf_hash, merkle_root_hex, root_from_leaf_hashes

CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]


def test_ct_reference_vector_eight_leaves() -> None:
    leaves = [bytes.fromhex(leaf) for leaf in CT_LEAVES]
    assert merkle_root_hex(leaves) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_ct_reference_vector_one_empty_leaf() -> None:
    assert merkle_root_hex([b""]) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"


def test_empty_tree_is_hash_of_nothing() -> None:
    assert merkle_root_hex([]) == hashlib.sha256(b"").hexdigest()


def _reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 transcribed literally (slices, recursion), as an independent oracle."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _reference_mth(leaves[:k]) + _reference_mth(leaves[k:])).digest()


@pytest.mark.parametrize("size", [2, 3, 5, 7, 8, 9, 16, 17, 31, 33])
def test_matches_the_literal_definition_for_unbalanced_trees(size: int) -> None:
    leaves = [f"leaf {i}".encode() for i in range(size)]
    assert merkle_root_hex(leaves) == _reference_mth(leaves).hex()
    assert root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves]).hex() == _reference_mth(leaves).hex()


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    # A two-leaf tree's root must differ from a single leaf whose data is the two leaf hashes
    # concatenated (the second-preimage attack the 0x00/0x01 prefixes prevent).
    a, b = b"a", b"b"
    forged_leaf = leaf_hash(a) + leaf_hash(b)
    assert merkle_root_hex([a, b]) != merkle_root_hex([forged_leaf])
