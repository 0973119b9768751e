"""Resolution: from mentions and report facts to entities (first part: regions)."""

from __future__ import annotations

from kg.resolve.regions import LinkedRegion, link_region

__all__ = ["LinkedRegion", "link_region"]
