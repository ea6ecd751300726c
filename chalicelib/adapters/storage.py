"""Certificate documents in S3: encrypted at rest, handed out only as short presigned URLs."""

from __future__ import annotations

from chalicelib import config


def put_pdf(key: str, body: bytes) -> None:
    config.client("s3").put_object(
        Bucket=config.documents_bucket(),
        Key=key,
        Body=body,
        ContentType="application/pdf",
        ServerSideEncryption="AES256",
    )


def get_pdf(key: str) -> bytes:
    return config.client("s3").get_object(Bucket=config.documents_bucket(), Key=key)["Body"].read()


def _presigned_get(bucket: str, key: str, content_type: str, disposition: str) -> str:
    return config.client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": key, "ResponseContentType": content_type, "ResponseContentDisposition": disposition},
        ExpiresIn=config.presign_seconds(),
    )


def presigned_url(key: str, filename: str) -> str:
    return _presigned_get(config.documents_bucket(), key, "application/pdf", f'attachment; filename="{filename}"')


def presigned_upload_url(key: str, content_type: str) -> str:
    """A citizen's accepted proof document, shown inline in the reviewer's browser."""
    return _presigned_get(config.uploads_bucket(), key, content_type, "inline")
