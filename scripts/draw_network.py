"""Draw a network exported by ``kg export`` (GraphML) as a PNG, the way a user would first see it.

    .venv/bin/pip install -e '.[docs]'        # matplotlib; and a CJK font, e.g. fonts-wqy-zenhei
    .venv/bin/kg export --view citations --format graphml --output citations.graphml
    .venv/bin/python scripts/draw_network.py citations.graphml docs/citations.png

Nodes are coloured by ``type`` and sized by degree; labels are the nodes' Chinese ``label``s
(documents' titles are cut to 14 characters). The layout is seeded, so the picture is the
same for the same export.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx

COLOURS = {
    "Region": "#1f77b4",
    "Report": "#2ca02c",
    "PolicyDocument": "#ff7f0e",
    "Institution": "#9467bd",
    "Program": "#8c564b",
}


def cjk_font() -> str:
    """kg plot's choice of an installed font with Chinese characters."""
    from kg.plot import PlotError
    from kg.plot import cjk_font as find

    try:
        return find()
    except PlotError as err:
        raise SystemExit(f"Error: {err}") from None


def draw(graph: nx.Graph, target: Path, title: str) -> None:
    font = cjk_font()
    plt.rcParams["font.family"] = font
    fig, ax = plt.subplots(figsize=(16, 12), dpi=110)
    pos = nx.spring_layout(graph, seed=7, k=4 / max(len(graph), 1) ** 0.5, iterations=300)
    types = nx.get_node_attributes(graph, "type")
    sizes = [80 + 60 * graph.degree(n) for n in graph]
    colours = [COLOURS.get(types.get(n, ""), "#7f7f7f") for n in graph]
    nx.draw_networkx_edges(graph, pos, ax=ax, alpha=0.35, width=0.8, arrows=False)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, node_color=colours, alpha=0.9)
    labels = {}
    for n, data in graph.nodes(data=True):
        label = str(data.get("label", ""))
        labels[n] = label if len(label) <= 14 else label[:13] + "…"
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=7, font_family=font)
    for kind, colour in COLOURS.items():
        if kind in types.values():
            ax.scatter([], [], c=colour, label=kind, s=60)
    ax.legend(loc="lower left", frameon=False)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphml", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument(
        "--title", default="policy-kg: regions, reports and the documents they cite"
    )
    args = parser.parse_args()
    draw(nx.read_graphml(args.graphml), args.png, args.title)


if __name__ == "__main__":
    main()
