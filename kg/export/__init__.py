"""Exports: RDF serialisations of the store and network views for Gephi, Cytoscape, yEd and Neo4j."""  # noqa: E501
