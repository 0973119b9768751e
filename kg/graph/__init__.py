"""The graph stage: deterministic IRIs (:mod:`iris`), one report's RDF (:mod:`writer`), and
N-Quads text for the store's transactional loads (:mod:`nquads`)."""
