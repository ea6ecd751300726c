"""The 生育服务证: issuing it (PDF + signed QR token), regenerating and revoking it, what staff record
on it (birth, paper certificate), and verifying it (public QR view, full view, 证件核验).

Independent of the workflow (the IssueCertificate task calls ``issuance`` itself); used by the
citizen package (a modification revokes the old certificate); uses only ``shared`` (tokens, the
per-client attempt budget shared with 办件查询).
"""
