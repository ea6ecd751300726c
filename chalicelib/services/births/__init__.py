"""The birth medical certificate (出生医学证明) e-licence of Guizhou, seed 003 parts 一 to 四 (issue 16):
the second process of the platform, beside the birth-service registration.

What belongs here, in the order of the journey:

- ``records``: loading a birth record for a caller -- an institution's staff see and write only
  their institution's births; a parent only the birth they claimed -- and the errors of the process.
- ``entry``: the midwifery institution enters and signs the newborn's and mother's data, corrects
  it as a new signed version, lists its births (003 一(一)1).
- ``claims``: a parent claims the record with ID numbers and an SMS code, names the newborn,
  confirms or completes the parents' details and signs (003 一(一)2, 二(一)1); face scan is out of
  scope. ``materials``: the required materials as presigned uploads, checked by CheckUpload.
- ``issuance``: the issuer's completeness review (one notice of everything missing, 003 三(三)),
  issuing and reissuing through the BirthCertificate machine (003 一(一)3, 四), the PDF.
- ``verification``: the stamp check before stamping (003 一(一)4) and the public QR check.

The rules themselves are in ``chalicelib/domain/births.py``; the table in ``store/births.py``.
"""
