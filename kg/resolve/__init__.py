"""Resolution: from mentions and report facts to entities (regions and cited documents so far)."""

from __future__ import annotations

from kg.resolve.documents import DocumentEntity, resolve_documents
from kg.resolve.institutions import InstitutionEntity, resolve_institutions
from kg.resolve.programs import ProgramEntity, resolve_programs
from kg.resolve.regions import LinkedRegion, link_region

__all__ = ["DocumentEntity", "LinkedRegion", "link_region", "resolve_documents"]
__all__ += ["InstitutionEntity", "ProgramEntity", "resolve_institutions", "resolve_programs"]
