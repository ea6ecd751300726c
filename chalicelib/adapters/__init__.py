"""Edges: small interfaces in front of AWS services and external government systems."""
