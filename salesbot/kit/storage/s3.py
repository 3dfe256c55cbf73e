"""Storage in an S3-compatible bucket (AWS S3, MinIO, Supabase Storage) through boto3."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio
import boto3
from anyio import to_thread
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from salesbot.kit.storage.base import (
    CHUNK_SIZE,
    DEFAULT_PRESIGN_SECONDS,
    InvalidRange,
    ObjectNotFound,
    Source,
    Storage,
    StorageError,
    check_expiry,
    content_disposition,
    empty_stream,
    validate_key,
)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3 refuses smaller multipart parts (except the last)
DEFAULT_PART_SIZE = 8 * 1024 * 1024
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})

T = TypeVar("T")


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Storage(Storage):
    """Objects in one bucket; boto3's blocking calls run in worker threads."""

    list_page_size = 1000  # keys per ListObjectsV2 call (S3's maximum)

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        *,
        part_size: int = DEFAULT_PART_SIZE,
        chunk_size: int = CHUNK_SIZE,
        addressing_style: str | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        if part_size < MIN_PART_SIZE:
            raise ValueError("part_size must be at least 5 MiB")
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.bucket = bucket
        self._part_size = part_size
        self._chunk_size = chunk_size
        # MinIO, Supabase and other self-hosted endpoints expect path-style URLs.
        style = addressing_style or ("path" if endpoint_url else "auto")
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": style},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        )
        # boto3 clients are thread-safe; the session that makes them is not, so make our own.
        session = boto3.session.Session()
        self._client: Any = session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )
        self._transfer = TransferConfig(
            multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=4
        )

    async def _call(self, func: Callable[..., T], /, **kwargs: Any) -> T:
        try:
            return await to_thread.run_sync(functools.partial(func, **kwargs))
        except ClientError as exc:
            code = _error_code(exc)
            if code in _NOT_FOUND:
                raise ObjectNotFound("no stored object for this key") from exc
            if code == "InvalidRange":
                raise InvalidRange("byte range starts after the end of the object") from exc
            raise StorageError(f"the object storage refused the request ({code})") from exc
        except (BotoCoreError, Boto3Error) as exc:
            raise StorageError("the object storage could not be reached") from exc

    async def put(self, key: str, source: Source, content_type: str) -> None:
        validate_key(key)
        if isinstance(source, Path):
            # upload_file switches to a parallel multipart upload above the threshold.
            await self._call(
                self._client.upload_file,
                Filename=str(source),
                Bucket=self.bucket,
                Key=key,
                ExtraArgs={"ContentType": content_type},
                Config=self._transfer,
            )
        else:
            await self._put_stream(key, source, content_type)

    async def _put_stream(self, key: str, source: AsyncIterable[bytes], content_type: str) -> None:
        """Buffer at most one part in memory; go multipart once a full part has arrived."""
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in source:
                buffer += chunk
                while len(buffer) >= self._part_size:
                    if upload_id is None:
                        created = await self._call(
                            self._client.create_multipart_upload,
                            Bucket=self.bucket,
                            Key=key,
                            ContentType=content_type,
                        )
                        upload_id = str(created["UploadId"])
                    body = bytes(buffer[: self._part_size])
                    del buffer[: self._part_size]
                    parts.append(await self._upload_part(key, upload_id, len(parts) + 1, body))
            if upload_id is None:
                await self._call(
                    self._client.put_object,
                    Bucket=self.bucket,
                    Key=key,
                    Body=bytes(buffer),
                    ContentType=content_type,
                )
                return
            if buffer:
                parts.append(await self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer)))
            await self._call(
                self._client.complete_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            if upload_id is not None:
                # Shielded and bounded: a cancelled task must still release the parts.
                with anyio.move_on_after(30, shield=True):
                    await self._abort(key, upload_id)
            raise

    async def _upload_part(
        self, key: str, upload_id: str, number: int, body: bytes
    ) -> dict[str, Any]:
        result = await self._call(
            self._client.upload_part,
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
        )
        return {"ETag": result["ETag"], "PartNumber": number}

    async def _abort(self, key: str, upload_id: str) -> None:
        # Best effort: the original failure matters more than a failed clean-up,
        # and a bucket lifecycle rule collects whatever is left.
        with contextlib.suppress(Exception):
            await self._call(
                self._client.abort_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
            )

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        validate_key(key)
        if start < 0 or (end is not None and end < start):
            raise InvalidRange("invalid byte range")
        if end is not None and end == start:
            await self.size(key)  # still report a missing object
            return empty_stream()
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            # S3 ranges are inclusive at both ends.
            params["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            response = await self._call(self._client.get_object, **params)
        except InvalidRange:
            # S3 refuses any range starting at or after the end; a start exactly at the end
            # is an empty read here, as it is for LocalStorage.
            if start == await self.size(key):
                return empty_stream()
            raise
        return self._stream(response["Body"])

    async def _stream(self, body: Any) -> AsyncIterator[bytes]:
        try:
            while True:
                chunk: bytes = await to_thread.run_sync(body.read, self._chunk_size)
                if not chunk:
                    break
                yield chunk
        finally:
            body.close()

    async def size(self, key: str) -> int:
        validate_key(key)
        head = await self._call(self._client.head_object, Bucket=self.bucket, Key=key)
        return int(head["ContentLength"])

    async def modified_at(self, key: str) -> datetime:
        validate_key(key)
        head = await self._call(self._client.head_object, Bucket=self.bucket, Key=key)
        stamp: datetime = head["LastModified"]
        return stamp.astimezone(UTC)

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._call(self._client.delete_object, Bucket=self.bucket, Key=key)

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except ObjectNotFound:
            return False
        return True

    async def list_keys(self) -> AsyncIterator[str]:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Bucket": self.bucket, "MaxKeys": self.list_page_size}
            if token:
                params["ContinuationToken"] = token
            page = await self._call(self._client.list_objects_v2, **params)
            for item in page.get("Contents", []):
                yield str(item["Key"])
            if not page.get("IsTruncated"):
                return
            token = str(page["NextContinuationToken"])

    async def presigned_url(
        self,
        key: str,
        filename: str,
        content_type: str,
        expires_s: int = DEFAULT_PRESIGN_SECONDS,
    ) -> str | None:
        validate_key(key)
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(filename),
            "ResponseContentType": content_type,
        }
        url = await self._call(
            self._client.generate_presigned_url,
            ClientMethod="get_object",
            Params=params,
            ExpiresIn=check_expiry(expires_s),
        )
        return str(url)
