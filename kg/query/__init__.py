"""Querying the graph: saved queries (:mod:`saved`), safe parameters (:mod:`params`), checks
made on the parsed query before it runs (:mod:`guard`), the evaluation process's lack of network
(:mod:`sandbox`), and running one with a time limit (:mod:`run`)."""
