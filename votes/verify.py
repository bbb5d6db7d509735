"""Recount a published receipt list and check it against its digest.

Plain Python (3.11+), standard library only, so that anyone can read it and
run it without installing Ideabox:

    python verify.py receipts.csv
    python verify.py receipts.csv --digest 3f5a...e1

The list is what `/campaigns/<slug>/tally/receipts.csv` serves: one line per
vote, `<receipt>,<idea id>` followed by a newline, sorted by receipt, in
UTF-8 (in fact ASCII), with no header. A receipt is 64 lowercase hexadecimal
characters and appears once; an idea id is a positive integer. The digest
the campaign publishes is the SHA-256 of the file's bytes, so
`sha256sum receipts.csv` gives it too.

The script prints the votes per idea (most votes first) and exits with 0
when the file is in canonical form (and matches the digest, when given), 1
when it is not (each problem is printed), 2 when the file cannot be read.
Ideabox's own `manage.py verify_tally` uses these same functions.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

LINE = re.compile(rb"([0-9a-f]{64}),([1-9][0-9]{0,18})\n")
DIGEST = re.compile(r"[0-9a-f]{64}")
# Enough to see what is wrong without flooding the terminal.
MAX_PROBLEMS_SHOWN = 20


def canonical_line(receipt: str, idea_id: int) -> str:
    """One vote as the published list writes it."""
    return f"{receipt},{idea_id}\n"


@dataclass
class Recount:
    """What a receipt list says: votes per idea, total, digest, and what is
    wrong with its form (empty when it is canonical)."""

    votes: Counter = field(default_factory=Counter)
    total: int = 0
    digest: str = ""
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_SHOWN:
            self.problems.append(message)

    def ranking(self) -> list[tuple[int, int]]:
        """(idea id, votes), most votes first, then by idea id."""
        return sorted(self.votes.items(), key=lambda item: (-item[1], item[0]))


def recount(lines: Iterable[bytes]) -> Recount:
    """Recount a receipt list given as its lines of bytes (newlines kept),
    streaming: only the previous receipt and the per-idea counts are held."""
    result = Recount()
    sha = hashlib.sha256()
    previous: bytes | None = None
    for number, line in enumerate(lines, start=1):
        sha.update(line)
        match = LINE.fullmatch(line)
        if match is None:
            shown = line[:100].decode("utf-8", "replace").rstrip("\r\n")
            result.problem(f"line {number}: not '<64 lowercase hex receipt>,<idea id>' and a newline: {shown!r}")
            continue
        receipt, idea = match.group(1), int(match.group(2))
        if previous is not None:
            if receipt == previous:
                result.problem(f"line {number}: receipt {receipt.decode()} appears more than once")
            elif receipt < previous:
                result.problem(f"line {number}: receipt {receipt.decode()} is out of order (the list is sorted)")
        previous = receipt
        result.votes[idea] += 1
        result.total += 1
    result.digest = sha.hexdigest()
    return result


def recount_file(path: str) -> Recount:
    with open(path, "rb") as handle:
        return recount(handle)


def problems(result: Recount, *, digest: str | None = None) -> list[str]:
    """Everything that makes this list differ from a canonical, untampered one."""
    found = list(result.problems)
    if result.problem_count > len(result.problems):
        found.append(f"... and {result.problem_count - len(result.problems)} more problems")
    if digest is not None:
        expected = digest.strip().lower()
        if not DIGEST.fullmatch(expected):
            found.append(f"the digest to check against is not 64 hexadecimal characters: {digest!r}")
        elif expected != result.digest:
            found.append(f"digest mismatch: the file's SHA-256 is {result.digest}, the published digest is {expected}")
    return found


def report(result: Recount) -> str:
    lines = [f"{'idea':>10}  {'votes':>8}"]
    lines += [f"{idea:>10}  {votes:>8}" for idea, votes in result.ranking()]
    lines.append(f"{len(result.votes)} ideas, {result.total} votes, sha256 {result.digest}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recount an Ideabox receipt list and check its digest.")
    parser.add_argument("file", help="the downloaded receipts.csv")
    parser.add_argument("--digest", help="the digest the campaign publishes (64 hexadecimal characters)")
    parser.add_argument("--quiet", action="store_true", help="print only the verdict")
    args = parser.parse_args(argv)

    try:
        result = recount_file(args.file)
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(report(result))
    found = problems(result, digest=args.digest)
    if found:
        print("NOT VERIFIED:", file=sys.stderr)
        for message in found:
            print(f"  - {message}", file=sys.stderr)
        return 1
    checked = " and matches the digest" if args.digest else ""
    print(f"OK: the list is canonical{checked}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
