"""S3 notification ``CheckUpload``: accept or delete each uploaded proof document, and each
material of a birth medical certificate claim (``births/`` keys, issue 16)."""

import urllib.parse

from functions._runtime import observed


@observed
def handler(event, context):
    from chalicelib.services.births import materials
    from chalicelib.services.citizen.uploads import check_uploaded_objects

    def is_birth(record) -> bool:
        key = urllib.parse.unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
        return key.startswith(materials.PREFIX)

    records = event.get("Records", [])
    births = [r for r in records if is_birth(r)]
    result = check_uploaded_objects({**event, "Records": [r for r in records if not is_birth(r)]})
    for record in births:
        s3 = record["s3"]
        key = urllib.parse.unquote_plus(s3["object"]["key"])
        result["results"].append(materials.check_object(s3["bucket"]["name"], key))
    return result
