"""S3 notification ``CheckUpload``: accept or delete each uploaded proof document."""

from functions._runtime import observed


@observed
def handler(event, context):
    from chalicelib.services.citizen.uploads import check_uploaded_objects

    return check_uploaded_objects(event)
