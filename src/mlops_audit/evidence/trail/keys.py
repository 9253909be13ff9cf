"""Ed25519 keys for signing run manifests: generate, save (PEM, PKCS#8) and load, with clear errors.

Private keys are written unencrypted with mode 0600; protect them as secrets (never commit them).
`cryptography` is imported inside the functions so that the trail stays importable without it.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_audit.errors import InputError
from mlops_audit.util.jsonio import atomic_write_bytes

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAX_KEY_FILE_BYTES = 64 * 1024


def generate_signing_key() -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 hex of the raw 32-byte public key (the `keyid` in a signed manifest)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def save_signing_key(path: str | os.PathLike[str], key: Ed25519PrivateKey, *, overwrite: bool = False) -> Path:
    """Write the private key as PEM (mode 0600) and its public key beside it as `<name>.pub`."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise InputError(f"{target}: already exists; refusing to overwrite a key")
    atomic_write_bytes(target, private_key_pem(key))
    os.chmod(target, 0o600)
    atomic_write_bytes(target.with_name(target.name + ".pub"), public_key_pem(key))
    return target


def _read_key_file(path: str | os.PathLike[str]) -> bytes:
    target = Path(path)
    try:
        size = target.stat().st_size
        if size > MAX_KEY_FILE_BYTES:
            raise InputError(f"{target}: {size} bytes is too large for a key file (limit {MAX_KEY_FILE_BYTES})")
        return target.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{target}: key file does not exist") from None
    except OSError as exc:
        raise InputError(f"{target}: cannot be read ({exc.strerror or exc})") from None


def load_signing_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load an unencrypted PEM (PKCS#8) Ed25519 private key; InputError naming the file otherwise."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = _read_key_file(path)
    try:
        key = load_pem_private_key(data, password=None)
    except TypeError:
        raise InputError(f"{path}: the private key is encrypted; give an unencrypted PEM Ed25519 key") from None
    except Exception as exc:  # cryptography raises ValueError or UnsupportedAlgorithm
        raise InputError(f"{path}: expected a PEM (PKCS#8) Ed25519 private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: expected an Ed25519 private key, found {type(key).__name__}")
    return key


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    """Load a PEM Ed25519 public key (or derive it from a PEM private key file)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    data = _read_key_file(path)
    if b"PRIVATE KEY" in data:
        return load_signing_key(path).public_key()
    try:
        key = load_pem_public_key(data)
    except Exception as exc:  # ValueError or UnsupportedAlgorithm
        raise InputError(f"{path}: expected a PEM Ed25519 public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path}: expected an Ed25519 public key, found {type(key).__name__}")
    return key
