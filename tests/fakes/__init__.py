"""Fakes of the edges the services call (SMS, events, the workflow, document storage, signing);
the store's fakes live beside the store (``chalicelib/store/memory.py``)."""
