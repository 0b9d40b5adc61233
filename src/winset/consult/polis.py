"""Polis conversations: reading and writing Polis's export format, and group-informed consensus.

A Polis export is a folder of CSV files: ``comments.csv`` (one row per statement), ``votes.csv``
(an event log: a later vote by the same voter on the same statement replaces the earlier one) and
``participants-votes.csv`` (one row per participant: the opinion group Polis assigned, blank when
not clustered, then the latest vote on every statement; so the open-data collection names it,
and Polis's own export ``participant-votes.csv``). Votes are 1 agree, -1 disagree, 0 pass.

Group-informed consensus of a statement (Polis's formula) is the product over opinion groups g of
(A_g + 1) / (S_g + 2): A_g the agrees in group g, S_g all its votes, passes included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, WinsetError
from ..opinion import consensus
from .cells import neutralised, restored

COMMENTS, VOTES, PARTICIPANTS = "comments.csv", "votes.csv", "participants-votes.csv"
POLIS_PARTICIPANTS = "participant-votes.csv"  # the name Polis's own export gives PARTICIPANTS
FILES = (COMMENTS, VOTES, PARTICIPANTS, POLIS_PARTICIPANTS)  # what an import reads (one of the last two)
TEXT = "comment-body"  # read as written: "NA", "None" or "42" is a statement, an empty field an empty one
VOTE_VALUES = (-1, 0, 1)
FIXED_PARTICIPANT_COLUMNS = ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
# a check of an export: file, table, column, its bad rows, the message of a bad value (a format or a function), fix
Check = tuple[str, pd.DataFrame, str, pd.Series, str | Callable[[object], str], str]


class PolisError(WinsetError):
    """A Polis export that cannot be read."""


@dataclass
class Conversation:
    """Statements, the vote event log and each participant's opinion group."""

    comments: pd.DataFrame  # comment-id, author-id, moderated, comment-body, ...
    votes: pd.DataFrame  # timestamp, comment-id, voter-id, vote (an event log)
    groups: pd.Series  # by voter-id: opinion group (NaN: not clustered)

    def latest(self) -> pd.DataFrame:
        """Each voter's latest vote on each statement (voters x statements; NaN: no vote)."""
        log = self.votes.sort_values("timestamp", kind="stable")
        last = log.drop_duplicates(["voter-id", "comment-id"], keep="last")
        matrix = last.pivot(index="voter-id", columns="comment-id", values="vote")
        voters = sorted(set(matrix.index) | set(self.groups.index), key=id_order)
        return matrix.reindex(index=voters, columns=self.comments["comment-id"]).astype(float)

    def moderated_out(self) -> set:
        """Statements Polis leaves out of its axes: moderated out (-1), or meta."""
        comments = self.comments.set_index("comment-id")
        out = set(comments.index[comments["moderated"] == -1]) if "moderated" in comments else set()
        if "is-meta" in comments:
            meta = comments["is-meta"].astype(str).str.strip().str.lower().isin(["true", "t", "1", "1.0", "yes"])
            out |= set(comments.index[meta])
        return out

    def consensus(self) -> pd.Series:
        """Group-informed consensus of every statement, by comment-id."""
        matrix = self.latest()
        groups = self.groups.reindex(matrix.index).to_numpy(dtype=float)
        return pd.Series(group_informed_consensus(matrix.to_numpy(), groups), index=matrix.columns)


def id_order(value: object) -> tuple[int, float, str]:
    """Ids in order: numbers by value, then any others as text."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def group_informed_consensus(votes: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Polis's group-informed consensus per statement.

    ``votes`` (voters, statements): 1 agree, -1 disagree, 0 pass, NaN no vote; ``groups`` (voters,)
    each voter's opinion group, NaN for voters in no group (they do not count)."""
    votes = np.asarray(votes, dtype=float)
    groups = np.asarray(groups, dtype=float)
    members = [votes[groups == group] for group in np.unique(groups[~np.isnan(groups)])]
    agrees = np.array([(m == 1).sum(axis=0) for m in members]).reshape(len(members), votes.shape[1])
    seen = np.array([(~np.isnan(m)).sum(axis=0) for m in members]).reshape(len(members), votes.shape[1])
    return consensus_of_counts(agrees, seen)


def consensus_of_counts(agrees: np.ndarray, votes: np.ndarray) -> np.ndarray:
    """Group-informed consensus per statement from the counts of each group: ``agrees`` and
    ``votes`` (groups, statements) are the agrees and all the votes, passes included, that each
    group's members cast on each statement (a group that did not vote on a statement counts 1/2)."""
    agrees = np.asarray(agrees, dtype=float)
    return consensus(agrees, np.zeros_like(agrees), votes, "polis")


# ------------------------------------------------------------------------------------- reading
def read_export(folder: str | Path) -> Conversation:
    """Read a Polis export folder; every problem is reported with its file and column."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise PolisError([Problem(str(folder), what, "name the folder of a Polis export")])
    comments = _read(folder / COMMENTS, ["comment-id"], text=TEXT)
    votes = _read(folder / VOTES, ["timestamp", "comment-id", "voter-id", "vote"])
    participants_file = _participants_file(folder)
    participants = _read(participants_file, ["participant", "group-id"])
    ids = comments["comment-id"]
    groups = pd.to_numeric(participants["group-id"], errors="coerce")
    checks: list[Check] = [
        (VOTES, votes, "vote", ~votes["vote"].isin(VOTE_VALUES), "vote {} is not -1, 0 or 1", "fix the vote"),
        (
            VOTES,
            votes,
            "comment-id",
            ~votes["comment-id"].isin(ids),
            f"statement {{}} is not in {COMMENTS}",
            "export the conversation again, or drop votes on deleted statements",
        ),
        (
            COMMENTS,
            comments,
            "comment-id",
            ids.duplicated(),
            lambda v: f"statement {v} is also on line {_line(ids == v)}",
            "give every statement its own comment-id, or export the conversation again",
        ),
        (
            participants_file.name,
            participants,
            "group-id",
            (groups.isna() & participants["group-id"].notna())
            | ~np.isfinite(groups.fillna(0))
            | (groups.fillna(0) % 1 != 0),
            "group {} is not a whole number",
            "give the opinion group Polis assigned (0, 1, ...), or leave it blank",
        ),
        (COMMENTS, comments, "comment-id", ids.isna(), "a statement has no comment-id", "give every statement its id"),
        (
            VOTES,
            votes,
            "timestamp",
            ~pd.Series(np.isfinite(pd.to_numeric(votes["timestamp"], errors="coerce").to_numpy(dtype=float))),
            "timestamp {!r} is not a number",
            "give each vote its time in milliseconds, as Polis exports it: the latest vote counts",
        ),
        (
            participants_file.name,
            participants,
            "participant",
            participants["participant"].isna(),
            "a participant has no id",
            "give every participant its id, or drop the row",
        ),
        (
            participants_file.name,
            participants,
            "participant",
            participants["participant"].duplicated() & participants["participant"].notna(),
            "participant {} is listed twice",
            "give every participant one row",
        ),
        (VOTES, votes, "voter-id", votes["voter-id"].isna(), "a vote has no voter-id", "give every vote its voter"),
        (
            VOTES,
            votes,
            "comment-id",
            votes["comment-id"].isna(),
            "a vote has no comment-id",
            "give every vote its statement",
        ),
        (
            COMMENTS,
            comments,
            TEXT,
            comments[TEXT].astype(str).str.contains("\x00", regex=False)
            if TEXT in comments
            else pd.Series(False, index=comments.index),
            "a statement holds a NUL character",
            "remove it: no database stores it",
        ),
    ]
    problems = []
    for name, table, column, bad, message, fix in checks:
        if bad.any():  # the first bad row
            line = _line(bad)
            value = table[column].iloc[line - 2]
            text = message(value) if callable(message) else message.format(value)
            problems.append(Problem(f"{name}, line {line}, column '{column}'", text, fix))
    if problems:
        raise PolisError(problems, source=folder)
    votes = votes.assign(timestamp=pd.to_numeric(votes["timestamp"]))
    return Conversation(comments, votes, pd.Series(groups.to_numpy(float), index=participants["participant"]))


def _line(rows: pd.Series) -> int:
    """The line of the file holding the first of ``rows`` (line 1 is the header)."""
    return int(np.flatnonzero(rows.to_numpy())[0]) + 2


def _participants_file(folder: Path) -> Path:
    """The participants' table: participants-votes.csv, as the open-data collection and this
    module write it, or participant-votes.csv, as Polis's own export does."""
    ours = folder / PARTICIPANTS
    return ours if ours.is_file() or not (folder / POLIS_PARTICIPANTS).is_file() else folder / POLIS_PARTICIPANTS


def _read(path: Path, required: list[str], text: str | None = None) -> pd.DataFrame:
    """The CSV file's table; its column ``text``, if it has one, exactly as written (never NaN)."""
    if not path.is_file():
        also = f" (or {POLIS_PARTICIPANTS})" if path.name == PARTICIPANTS else ""
        raise PolisError(
            [Problem(str(path), "missing file of the Polis export", f"export the conversation with {path.name}{also}")]
        )
    try:
        frame = pd.read_csv(path)
        if text in frame.columns:  # exactly as written, less the apostrophe a safe export adds
            frame[text] = restored(pd.read_csv(path, usecols=[text], dtype=str, keep_default_na=False)[text])
    except UnicodeDecodeError as error:
        raise PolisError(
            [Problem(str(path), f"not UTF-8 ({error})", "save the file as UTF-8, as Polis writes it")]
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise PolisError(
            [Problem(str(path), f"not a readable CSV file ({error})", "export the conversation again")]
        ) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise PolisError(
            [Problem(str(path), f"missing columns {missing}", f"a Polis {path.name} has the columns {required}")]
        )
    return frame


# ------------------------------------------------------------------------------------- writing
def write_export(conversation: Conversation, folder: str | Path) -> None:
    """Write the conversation as a Polis export (comments, votes, participants-votes) into
    ``folder`` (made if missing); ``group-informed-consensus`` and the vote counts are recomputed.
    Text cells a spreadsheet would run as formulas get a leading apostrophe
    (:mod:`winset.consult.cells`), which :func:`read_export` removes again."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    comments = conversation.comments.copy()
    latest = conversation.latest()
    comments["agrees"] = (latest == 1).sum(axis=0).reindex(comments["comment-id"]).to_numpy()
    comments["disagrees"] = (latest == -1).sum(axis=0).reindex(comments["comment-id"]).to_numpy()
    comments["group-informed-consensus"] = conversation.consensus().reindex(comments["comment-id"]).to_numpy()
    neutralised(comments).to_csv(folder / COMMENTS, index=False)
    neutralised(conversation.votes.sort_values("timestamp", kind="stable")).to_csv(folder / VOTES, index=False)
    authored = conversation.comments.get("author-id", pd.Series(dtype=float)).value_counts()
    participants = pd.DataFrame(
        {
            "participant": latest.index,
            "xid": "",
            "group-id": conversation.groups.reindex(latest.index).to_numpy(),
            "n-comments": authored.reindex(latest.index).fillna(0).astype(int).to_numpy(),
            "n-votes": latest.notna().sum(axis=1).to_numpy(),
            "n-agree": (latest == 1).sum(axis=1).to_numpy(),
            "n-disagree": (latest == -1).sum(axis=1).to_numpy(),
        }
    )
    votes = latest.astype("Int64")
    votes.columns = [str(c) for c in votes.columns]
    table = pd.concat([participants, votes.reset_index(drop=True)], axis=1)
    neutralised(table).to_csv(folder / PARTICIPANTS, index=False)
