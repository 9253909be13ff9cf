"""Same inputs give byte-identical runs; signatures are valid, invalid or absent, and say which."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from mlops_audit.evidence.trail import verify_run
from mlops_audit.evidence.trail.keys import (
    generate_signing_key,
    key_id,
    load_public_key,
    load_signing_key,
    save_signing_key,
)

TRAIL_FILES = ("audit.jsonl", "manifest.json", "statement.json")


def test_two_runs_with_the_same_clock_id_and_inputs_are_byte_identical(make_run) -> None:  # noqa: ANN001
    first, second = make_run(), make_run()
    for name in TRAIL_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_different_run_id_changes_every_hash(make_run) -> None:  # noqa: ANN001
    first, second = make_run(), make_run(run_id="run-test-0002")
    m1 = json.loads((first / "manifest.json").read_text())
    m2 = json.loads((second / "manifest.json").read_text())
    assert m1["head_hash"] != m2["head_hash"] and m1["merkle_root"] != m2["merkle_root"]


def test_statement_is_an_in_toto_v1_statement_over_artefacts_and_trail(run_dir: Path) -> None:
    statement = json.loads((run_dir / "statement.json").read_text())
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    names = [subject["name"] for subject in statement["subject"]]
    assert names == sorted(a["path"] for a in manifest["artifacts"]) + ["audit.jsonl"]
    for subject in statement["subject"]:
        assert set(subject["digest"]) == {"sha256"}
    assert statement["predicate"]["treeSize"] == 6
    assert statement["predicate"]["merkleRoot"] == manifest["merkle_root"]
    assert statement["predicate"]["headHash"] == manifest["head_hash"]
    assert "canonicalization" in statement["predicate"]


def test_signed_run_verifies_as_valid(make_run) -> None:  # noqa: ANN001
    key = generate_signing_key()
    run_dir = make_run(signing_key=key)
    result = verify_run(run_dir)
    assert result.ok and result.signature == "valid"
    assert result.signature_keyid == key_id(key)
    assert verify_run(run_dir, trusted_public_key=key.public_key()).signature == "valid"


def test_signatures_are_deterministic(make_run) -> None:  # noqa: ANN001 - Ed25519 is deterministic
    key = generate_signing_key()
    assert (make_run(signing_key=key) / "manifest.json").read_bytes() == (
        make_run(signing_key=key) / "manifest.json"
    ).read_bytes()


def test_manifest_edited_after_signing_is_invalid(make_run) -> None:  # noqa: ANN001
    run_dir = make_run(signing_key=generate_signing_key())
    path = run_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["closed"] = "2027-01-01T00:00:00Z"  # a field no other check looks at
    path.write_text(json.dumps(manifest))
    result = verify_run(run_dir)
    assert result.signature == "invalid" and not result.ok
    assert [f.kind for f in result.findings] == ["signature_invalid"]


def test_resigned_by_another_key_is_invalid_against_the_pinned_key(make_run) -> None:  # noqa: ANN001
    trusted = generate_signing_key()
    run_dir = make_run(signing_key=generate_signing_key())  # a forger's own key
    assert verify_run(run_dir).signature == "valid"  # self-consistent ...
    pinned = verify_run(run_dir, trusted_public_key=trusted.public_key())
    assert pinned.signature == "invalid" and "not by the trusted key" in pinned.problems[0]


def test_unsigned_run_reports_absent_and_can_be_required(run_dir: Path) -> None:
    assert verify_run(run_dir).signature == "absent"
    required = verify_run(run_dir, require_signature=True)
    assert not required.ok and [f.kind for f in required.findings] == ["signature_absent"]


def test_garbled_signature_is_invalid_not_a_crash(make_run) -> None:  # noqa: ANN001
    run_dir = make_run(signing_key=generate_signing_key())
    path = run_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["signature"]["public_key"] = "!!not base64!!"
    path.write_text(json.dumps(manifest))
    assert verify_run(run_dir).signature == "invalid"


def test_keys_round_trip_through_pem_files(tmp_path: Path) -> None:
    key = generate_signing_key()
    path = save_signing_key(tmp_path / "signing.pem", key)
    assert os.stat(path).st_mode & 0o777 == 0o600
    loaded = load_signing_key(path)
    assert key_id(loaded) == key_id(key)
    assert key_id(load_public_key(tmp_path / "signing.pem.pub")) == key_id(key)
    assert key_id(load_public_key(path)) == key_id(key)  # a private key file gives its public key
    with pytest.raises(InputError, match="already exists"):
        save_signing_key(path, key)


def test_bad_key_files_are_named(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    with pytest.raises(InputError, match="does not exist"):
        load_signing_key(tmp_path / "absent.pem")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(InputError, match="garbage.pem: expected a PEM"):
        load_signing_key(garbage)
    with pytest.raises(InputError, match="garbage.pem: expected a PEM Ed25519 public key"):
        load_public_key(garbage)
    ec = tmp_path / "ec.pem"
    ec.write_bytes(generate_private_key(SECP256R1()).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    with pytest.raises(InputError, match="expected an Ed25519 private key"):
        load_signing_key(ec)
