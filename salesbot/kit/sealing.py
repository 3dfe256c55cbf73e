"""Encryption at rest for small secrets a row must keep readable (e.g. authenticator seeds).

AES-256-GCM from `cryptography`, with a key derived from the app's secret key by HKDF-SHA256
under a purpose label, so each use has its own key and the secret key itself never touches the
data. The row's identity is bound in as associated data: a sealed value copied onto another row
does not open there. Sealed text is `v1:` + URL-safe base64 of nonce (12 bytes) + ciphertext.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
_NONCE = 12


class Unsealable(ValueError):
    """Not sealed by this key for this row (another secret key, another row, or tampered)."""


def _key(secret_key: str, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"salesbot:{purpose}".encode(),
    ).derive(secret_key.encode())


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(plain: str, *, secret_key: str, purpose: str, bound_to: str) -> str:
    nonce = os.urandom(_NONCE)
    data = AESGCM(_key(secret_key, purpose)).encrypt(nonce, plain.encode(), bound_to.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + data).decode()


def unseal(sealed: str, *, secret_key: str, purpose: str, bound_to: str) -> str:
    if not is_sealed(sealed):
        raise Unsealable("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
        plain = AESGCM(_key(secret_key, purpose)).decrypt(
            raw[:_NONCE], raw[_NONCE:], bound_to.encode()
        )
    except (InvalidTag, ValueError) as error:
        raise Unsealable("the value does not open with this key") from error
    return plain.decode()
