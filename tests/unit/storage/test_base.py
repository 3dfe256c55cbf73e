from pathlib import Path

import pytest

from salesbot.kit.storage import (
    InvalidKey,
    InvalidRange,
    LocalStorage,
    content_disposition,
    make_storage,
    validate_key,
)
from salesbot.kit.storage.base import resolve_range
from salesbot.kit.storage.s3 import S3Storage


@pytest.mark.parametrize(
    "key", ["a", "files/2025/01/0192-abc.pdf", "A_b-c.d/e", "x/y/z.tar.gz", "a" * 512]
)
def test_valid_keys_are_returned_unchanged(key):
    assert validate_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../etc/passwd",
        "a/../b",
        "a/..",
        "a..b",
        "/abs/path",
        "a//b",
        "a/",
        ".hidden",
        "a/.tmp/x",
        "./a",
        "a\\b",
        "a b",
        "caf\u00e9",
        "a\x00b",
        "a\nb",
        "C:x",
        "a" * 513,
    ],
)
def test_unsafe_keys_are_refused(key):
    with pytest.raises(InvalidKey):
        validate_key(key)


def test_resolve_range_clamps_and_refuses():
    assert resolve_range(0, None, 10) == (0, 10)
    assert resolve_range(2, 5, 10) == (2, 5)
    assert resolve_range(4, 99, 10) == (4, 10)
    assert resolve_range(10, None, 10) == (10, 10)
    for start, end in [(-1, None), (5, 4), (11, None)]:
        with pytest.raises(InvalidRange):
            resolve_range(start, end, 10)


def test_content_disposition_ascii_name():
    assert content_disposition("Proposal 2025.pdf") == (
        "attachment; filename=\"Proposal 2025.pdf\"; filename*=UTF-8''Proposal%202025.pdf"
    )


def test_content_disposition_non_ascii_and_hostile_names():
    header = content_disposition('Dubaï "Mall"\r\nSet-Cookie: x=1\u202e.pdf', "inline")
    assert header.startswith('inline; filename="Dubai _Mall_Set-Cookie_ x_1.pdf"; ')
    assert "\r" not in header
    assert "\n" not in header
    assert header.endswith("filename*=UTF-8''Duba%C3%AF%20%22Mall%22Set-Cookie%3A%20x%3D1.pdf")


def test_content_disposition_empty_and_path_names_fall_back():
    assert content_disposition("\u0645\u0644\u0641").startswith('attachment; filename="file"')
    assert "/" not in content_disposition("../../etc/passwd").split(";")[1]
    with pytest.raises(ValueError, match="disposition"):
        content_disposition("a.pdf", "form-data")


def test_make_storage_local(tmp_path: Path):
    storage = make_storage("local", root=tmp_path / "files")
    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "files").resolve()


def test_make_storage_s3_passes_options():
    storage = make_storage(
        "s3",
        bucket="b",
        endpoint_url="http://127.0.0.1:9",
        region="eu-west-1",
        access_key="k",
        secret_key="s",
        part_size=6 * 1024 * 1024,
    )
    assert isinstance(storage, S3Storage)
    assert storage.bucket == "b"


@pytest.mark.parametrize(
    ("kind", "cfg", "message"),
    [
        ("ftp", {}, "storage kind"),
        ("local", {}, "root directory"),
        ("local", {"root": "/x", "bucket": "b"}, "unknown storage options: bucket"),
        ("s3", {}, "bucket name"),
        ("s3", {"bucket": "b", "secret_key": 42}, "secret_key must be text"),
        ("s3", {"bucket": "b", "part_size": "big"}, "part_size must be a whole number"),
        ("s3", {"bucket": "b", "part_size": 1024}, "at least 5 MiB"),
    ],
)
def test_make_storage_refuses_bad_configuration(kind, cfg, message):
    with pytest.raises(ValueError, match=message):
        make_storage(kind, **cfg)


def test_make_storage_never_echoes_option_values():
    with pytest.raises(ValueError, match="unknown storage options: password") as info:
        make_storage("s3", bucket="b", password="hunter2")
    assert "hunter2" not in str(info.value)
