"""Resolution: from mentions and report facts to entities (regions and cited documents so far)."""

from __future__ import annotations

from kg.resolve.documents import DocumentEntity, resolve_documents
from kg.resolve.regions import LinkedRegion, link_region

__all__ = ["DocumentEntity", "LinkedRegion", "link_region", "resolve_documents"]
