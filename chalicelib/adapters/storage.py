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


def presigned_url(key: str, filename: str) -> str:
    return config.client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": config.documents_bucket(),
            "Key": key,
            "ResponseContentType": "application/pdf",
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=config.presign_seconds(),
    )


def presigned_upload_url(key: str, content_type: str) -> str:
    """A citizen's accepted proof document, shown inline in the reviewer's browser."""
    return config.client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": config.uploads_bucket(),
            "Key": key,
            "ResponseContentType": content_type,
            "ResponseContentDisposition": "inline",
        },
        ExpiresIn=config.presign_seconds(),
    )
