"""S3 notification ``CheckUpload``: accept or delete each uploaded proof document."""

from functions._runtime import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    from chalicelib.services.uploads import check_uploaded_objects

    return check_uploaded_objects(event)
