"""`belonging instruments list|show`: the built-in instrument registry."""

from __future__ import annotations

import sys

HELP = "list built-in instruments or show one (items, keys, subscales, citation, what is unconfirmed)"


def register(sub) -> None:
    p = sub.add_parser("instruments", help=HELP, description=HELP + ".")
    isub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    isub.add_parser("list", help="list built-in instruments", description="List built-in instruments.").set_defaults(func=run_list)
    show = isub.add_parser("show", help="show one instrument", description="Show one instrument: items, keys, subscales, scale, citation, what is unconfirmed.")
    show.add_argument("instrument", metavar="ID|PATH", help="built-in id or a TOML definition")
    show.set_defaults(func=run_show)


def run_list(args) -> int:
    from belonging.instruments import list_instruments

    table = list_instruments()[["id", "name", "items", "subscales", "scale", "method", "unconfirmed"]]
    sys.stdout.write(table.to_string(index=False) + "\n")
    return 0


def run_show(args) -> int:
    from belonging.instruments import load_instrument

    inst = load_instrument(args.instrument)
    rs = inst.response_scale
    out = [
        f"{inst.id}: {inst.name} (version {inst.version}; construct: {inst.construct})",
        f"citation: {inst.citation}",
    ]
    if inst.doi:
        out.append(f"doi: {inst.doi}")
    if inst.population:
        out.append(f"population: {inst.population}")
    if inst.licence:
        out.append(f"licence: {inst.licence}")
    out.append(f"response scale: {rs.min}-{rs.max}: " + "; ".join(f"{c} = {lab}" for c, lab in zip(rs.codes(), rs.labels)))
    how = "sum of items (prorated when items are missing)" if inst.scoring.method == "sum" else "mean of the answered items"
    out.append(f"scoring: {how}; a score needs >= {inst.scoring.min_answered:.0%} of a scale's items answered")
    if inst.subscales:
        out.append("subscales: " + "; ".join(f"{s.id} ({s.name}, {len(s.items)} items)" for s in inst.subscales))
    out.append(f"items ({len(inst.items)}; R = reverse-keyed):")
    for it in inst.items:
        flag = "R" if it.reverse else " "
        sub = f"  [{it.subscale}]" if it.subscale else ""
        out.append(f"  {it.id:<16} {flag} {it.display}{sub}")
    if inst.attention_checks:
        out.append("attention checks: " + "; ".join(f"{a.item} expects {list(a.expected)}" for a in inst.attention_checks))
    if inst.unconfirmed:
        out.append("UNCONFIRMED (not verified against a primary source):")
        out += [f"  - {u}" for u in inst.unconfirmed]
    elif inst.sources:
        out.append("unconfirmed: nothing declared; the facts are cited to the sources below")
    else:
        out.append("unconfirmed: nothing declared, but the definition names no sources: its facts are not verified here")
    if inst.sources:
        out.append("sources:")
        out += [f"  - {s}" for s in inst.sources]
    sys.stdout.write("\n".join(out) + "\n")
    return 0
