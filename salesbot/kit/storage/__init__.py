"""Object storage: a local directory by default, any S3-compatible bucket in production.

`S3Storage` lives in `salesbot.kit.storage.s3` and is imported only when asked for, so the
local default does not pay for importing boto3.
"""

from __future__ import annotations

from pathlib import Path

from salesbot.kit.storage.base import (
    CHUNK_SIZE,
    DEFAULT_PRESIGN_SECONDS,
    MAX_PRESIGN_SECONDS,
    InvalidExpiry,
    InvalidKey,
    InvalidRange,
    ObjectNotFound,
    Source,
    Storage,
    StorageError,
    content_disposition,
    validate_key,
)
from salesbot.kit.storage.local import LocalStorage

__all__ = [
    "DEFAULT_PRESIGN_SECONDS",
    "MAX_PRESIGN_SECONDS",
    "InvalidExpiry",
    "InvalidKey",
    "InvalidRange",
    "LocalStorage",
    "ObjectNotFound",
    "Source",
    "Storage",
    "StorageError",
    "content_disposition",
    "make_storage",
    "validate_key",
]

_S3_TEXT_OPTIONS = ("endpoint_url", "region", "access_key", "secret_key", "addressing_style")
_S3_INT_OPTIONS = ("part_size", "chunk_size")


def make_storage(kind: str, **cfg: object) -> Storage:
    """Build a backend: `local` (root=...) or `s3` (bucket=..., endpoint_url=..., ...)."""
    if kind == "local":
        _refuse_unknown(cfg, {"root", "chunk_size"})
        root = cfg.get("root")
        if not isinstance(root, str | Path) or not str(root):
            raise ValueError("local storage needs a root directory")
        return LocalStorage(root, chunk_size=_int_option(cfg, "chunk_size") or CHUNK_SIZE)
    if kind == "s3":
        from salesbot.kit.storage.s3 import S3Storage

        _refuse_unknown(cfg, {"bucket", *_S3_TEXT_OPTIONS, *_S3_INT_OPTIONS})
        bucket = cfg.get("bucket")
        if not isinstance(bucket, str) or not bucket:
            raise ValueError("S3 storage needs a bucket name")
        text = {name: _text_option(cfg, name) for name in _S3_TEXT_OPTIONS}
        numbers = {name: value for name in _S3_INT_OPTIONS if (value := _int_option(cfg, name))}
        return S3Storage(
            bucket,
            endpoint_url=text["endpoint_url"],
            region=text["region"] or "us-east-1",
            access_key=text["access_key"],
            secret_key=text["secret_key"],
            addressing_style=text["addressing_style"],
            **numbers,
        )
    raise ValueError("storage kind must be 'local' or 's3'")


def _refuse_unknown(cfg: dict[str, object], allowed: set[str]) -> None:
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        # Names only: values may be secrets.
        raise ValueError(f"unknown storage options: {', '.join(unknown)}")


def _text_option(cfg: dict[str, object], name: str) -> str | None:
    value = cfg.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"storage option {name} must be text")
    return value


def _int_option(cfg: dict[str, object], name: str) -> int | None:
    value = cfg.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"storage option {name} must be a whole number")
    return value
