"""Querying the graph: saved queries (:mod:`saved`), safe parameters (:mod:`params`), checks
made before any query runs (:mod:`guard`), and running one with a time limit (:mod:`run`)."""
