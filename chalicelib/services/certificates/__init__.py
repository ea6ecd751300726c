"""The 生育服务证: issuing it (PDF + signed QR token), regenerating and revoking it, what staff record
on it (birth, paper certificate), and verifying it (public QR view, full view, 证件核验)."""
