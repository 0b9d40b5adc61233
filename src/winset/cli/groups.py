"""``winset groups EXPORT_DIR``: the opinion groups of a Polis conversation, as Polis finds them
(each participant's group, the groups' sizes and representative statements, and the statements'
group-informed consensus), with their agreement with the groups the export itself holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import print_json, stdout, user_errors
from .options import JsonOpt

if TYPE_CHECKING:
    import pandas as pd

    from ..opinion import OpinionGroups

TEXT = 90  # characters of a statement shown on a terminal


@user_errors
def groups_command(
    export: Annotated[
        Path,
        typer.Argument(
            metavar="EXPORT_DIR", help="A Polis export folder (comments.csv, votes.csv, participants-votes.csv)."
        ),
    ],
    groups: Annotated[
        int | None, typer.Option("--groups", min=2, help="Use this many groups instead of choosing by silhouette.")
    ] = None,
    max_groups: Annotated[int, typer.Option("--max-groups", min=2, help="The most groups tried (2 up to this).")] = 5,
    min_votes: Annotated[
        int, typer.Option("--min-votes", min=1, help="Votes a participant needs to be clustered.")
    ] = 7,
    starts: Annotated[
        int,
        typer.Option(
            "--starts",
            min=1,
            help="k-means starts per number of groups: Polis's own, and the rest k-means++ seeds (the tightest kept).",
        ),
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="The seed of the k-means++ starts.")] = 0,
    variant: Annotated[
        str,
        typer.Option(
            "--consensus", help="Consensus to rank statements by: polis, polis_disagree, geometric, effective."
        ),
    ] = "polis",
    as_json: JsonOpt = False,
) -> None:
    """Find a Polis conversation's opinion groups and what sets each apart."""
    from ..consult.polis import id_order, read_export
    from ..errors import OpinionError, Problem
    from ..opinion import VARIANTS, OpinionGroups

    if variant not in VARIANTS:
        raise OpinionError(
            [Problem("--consensus", f"no consensus variant {variant!r}", f"use one of {', '.join(VARIANTS)}")]
        )
    conversation = read_export(export)
    comments = conversation.comments.set_index("comment-id")
    votes = conversation.latest()
    votes = votes[sorted(votes.columns, key=id_order)]  # statements scanned in id order, as Polis numbers them
    model = OpinionGroups(min_votes=min_votes, max_groups=max_groups, groups=groups, n_init=starts, random_state=seed)
    model.fit(votes, conversation.moderated_out())
    document = _document(model, conversation.groups.reindex(votes.index), comments, variant, export)
    if as_json:
        print_json(document)
    else:
        _print(document)


def _document(
    model: OpinionGroups, exported: pd.Series, comments: pd.DataFrame, variant: str, export: Path
) -> dict[str, Any]:
    from pandas import isna
    from sklearn.metrics import adjusted_rand_score

    from ..opinion import VARIANTS

    texts = comments.get("comment-body")
    labels = model.labels_
    both = labels.notna() & exported.notna()
    agreement = None
    if both.any():
        agreement = {
            "adjusted_rand_index": float(adjusted_rand_score(exported[both].astype(int), labels[both].astype(int))),
            "participants": int(both.sum()),
            "export_groups": int(exported.dropna().nunique()),
        }
    consensus = {name: model.consensus(name) for name in VARIANTS}
    ranked = (
        consensus[variant].drop(list(model.moderated_out_), errors="ignore").sort_values(ascending=False, kind="stable")
    )
    return {
        "ok": True,
        "source": str(export),
        "participants": {str(_id(p)): (None if isna(g) else int(g)) for p, g in labels.items()},
        "clustered": int(model.in_conversation_.sum()),
        "statements": model.n_statements_,
        "moderated_out": sorted(model.moderated_out_),
        "k": model.k_,
        "silhouette": {str(k): s for k, s in model.silhouettes_.items()},
        "groups": [
            {
                "id": group,
                "participants": int(size),
                "representative": [
                    {**_row(row), "text": _text(texts, row["statement"])}
                    for row in model.repness_[model.repness_["group"] == group].to_dict("records")
                ],
            }
            for group, size in zip(model.sizes_.index.astype(int), model.sizes_.to_numpy(), strict=True)
        ],
        "agreement_with_export": agreement,
        "consensus": {
            "variant": variant,
            "statements": [
                {"statement": _id(s), "text": _text(texts, s), **{n: float(v[s]) for n, v in consensus.items()}}
                for s in ranked.index
            ],
        },
    }


def _row(row: dict) -> dict:
    keep = ["statement", "repful_for", "n_success", "n_trials", "p_success", "p_test", "repness", "repness_test"]
    out = {name: row[name] for name in keep}
    out["statement"] = _id(out["statement"])
    out["n_success"], out["n_trials"] = int(out["n_success"]), int(out["n_trials"])
    out["best_agree"], out["rank"] = bool(row["best_agree"]), int(row["rank"])
    return out


def _id(value: Any) -> Any:
    """A statement id as the export writes it (a whole number where it is one)."""
    try:
        return int(value) if float(value).is_integer() else value
    except (TypeError, ValueError):
        return value


def _text(texts: pd.Series | None, statement: Any) -> str | None:
    return None if texts is None or statement not in texts.index else str(texts[statement])


def _line_of(text: str | None) -> str:
    """A statement on one line of a terminal, cut at TEXT characters."""
    text = " ".join((text or "").split())
    return text if len(text) <= TEXT else text[: TEXT - 1] + "…"


def _print(document: dict[str, Any]) -> None:
    from rich.markup import escape

    from .text_tables import section

    out = stdout()
    silhouettes = ", ".join(f"{k}: {s:.3f}" for k, s in document["silhouette"].items())
    out.print(
        f"{escape(document['source'])}: {document['k']} opinion groups among {document['clustered']:,} of "
        f"{len(document['participants']):,} participants ({document['statements']:,} statements, "
        f"{len(document['moderated_out'])} moderated out); silhouette by number of groups: {silhouettes}",
        soft_wrap=True,
    )
    agreement = document["agreement_with_export"]
    if agreement:
        out.print(
            f"Agreement with the export's {agreement['export_groups']} groups: adjusted Rand index "
            f"{agreement['adjusted_rand_index']:.3f} over the {agreement['participants']:,} participants both cluster",
            soft_wrap=True,
        )
    members: dict[int, list[str]] = {}
    for participant, group in document["participants"].items():
        if group is not None:
            members.setdefault(group, []).append(participant)
    for group in document["groups"]:
        size = group["participants"]
        out.print(section(f"Group {group['id']}: {size:,} participant{'' if size == 1 else 's'}"))
        for row in group["representative"]:
            share = row["n_success"] / row["n_trials"] if row["n_trials"] else float("nan")
            text = _line_of(row["text"])
            out.print(
                f"  {row['statement']}: {row['n_success']} of {row['n_trials']} {row['repful_for']} ({share:.0%}), "
                f"{row['repness']:.2f} times the other groups' rate — {escape(text)}",
                soft_wrap=True,
            )
        out.print(f"  participants: {', '.join(members.get(group['id'], []))}", soft_wrap=True)
    consensus = document["consensus"]
    out.print(section(f"Most consensual statements ({consensus['variant']})"))
    for row in consensus["statements"][:5]:
        text = _line_of(row["text"])
        out.print(f"  {row['statement']}: {row[consensus['variant']]:.3f} — {escape(text)}", soft_wrap=True)
