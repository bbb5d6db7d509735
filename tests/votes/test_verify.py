"""The verifier (votes/verify.py, plain Python) and `manage.py verify_tally`:
the published file passes, any tampering is caught."""

import hashlib
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command

import pytest

from tests.votes.test_tally import cast, cast_many, closed_campaign, idea_in, voters
from votes import tally, verify
from votes.models import Vote

pytestmark = pytest.mark.django_db

VERIFY = Path(settings.BASE_DIR) / "votes" / "verify.py"


@pytest.fixture
def published(tmp_path, client):
    """A tallied campaign, and its receipt list as downloaded."""
    campaign = closed_campaign(slug="tallied")
    a, b, c = idea_in(campaign), idea_in(campaign), idea_in(campaign)
    cast_many(a, voters(4))
    cast_many(b, voters(2))
    cast(c)
    result = tally.tally_campaign(campaign_id=campaign.pk)
    response = client.get("/campaigns/tallied/tally/receipts.csv")
    path = tmp_path / "receipts.csv"
    path.write_bytes(b"".join(response.streaming_content))
    return campaign, result.tally, path, (a, b, c)


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write(path: Path, lines: list[bytes]) -> Path:
    tampered = path.with_name("tampered.csv")
    tampered.write_bytes(b"".join(lines))
    return tampered


def verdict(path: Path, digest: str | None = None) -> list[str]:
    return verify.problems(verify.recount_file(str(path)), digest=digest)


def test_the_published_file_verifies_and_recounts_the_tally(published):
    _campaign, stored, path, (a, b, c) = published
    result = verify.recount_file(str(path))
    assert verify.problems(result, digest=stored.digest) == []
    assert result.ranking() == [(a.pk, 4), (b.pk, 2), (c.pk, 1)]
    assert result.total == 7
    assert verify.main([str(path), "--digest", stored.digest, "--quiet"]) == 0


def test_an_empty_list_is_canonical():
    result = verify.recount([])
    assert verify.problems(result, digest=hashlib.sha256(b"").hexdigest()) == []


def test_a_changed_idea_id_is_caught_by_the_digest(published):
    _campaign, stored, path, (a, b, _c) = published
    lines = lines_of(path)
    index = next(i for i, line in enumerate(lines) if line.endswith(f",{b.pk}\n".encode()))
    lines[index] = lines[index].replace(f",{b.pk}\n".encode(), f",{a.pk}\n".encode())
    tampered = write(path, lines)

    assert verdict(tampered) == []  # still well formed: only the digest tells
    assert any("digest mismatch" in p for p in verdict(tampered, stored.digest))
    assert verify.main([str(tampered), "--digest", stored.digest, "--quiet"]) == 1


def test_a_duplicated_receipt_is_caught(published):
    path = published[2]
    lines = lines_of(path)
    lines.insert(3, lines[2])
    assert any("more than once" in p for p in verdict(write(path, lines)))


def test_a_removed_line_is_caught_by_the_digest(published):
    _campaign, stored, path, _ideas = published
    lines = lines_of(path)
    del lines[4]
    problems = verdict(write(path, lines), stored.digest)
    assert len(problems) == 1 and "digest mismatch" in problems[0]


def test_an_unsorted_list_is_caught(published):
    path = published[2]
    lines = lines_of(path)
    lines[1], lines[2] = lines[2], lines[1]
    assert any("out of order" in p for p in verdict(write(path, lines)))


def test_a_wrong_digest_is_caught(published):
    path = published[2]
    assert any("digest mismatch" in p for p in verdict(path, "0" * 64))
    assert any("not 64 hexadecimal" in p for p in verdict(path, "not-a-digest"))


@pytest.mark.parametrize(
    "line",
    [
        b"receipt,idea\n",  # a header
        b"ABCDEF" + b"0" * 58 + b",1\n",  # upper case
        b"0" * 63 + b",1\n",  # short receipt
        b"f" * 64 + b",x\n",  # not an id
        b"f" * 64 + b",0\n",  # not a positive id
        b"f" * 64 + b",1\r\n",  # Windows line end
        b"f" * 64 + b",1",  # no newline at the end
    ],
)
def test_a_line_out_of_canonical_form_is_caught(line):
    result = verify.recount([b"0" * 64 + b",1\n", line])
    assert result.problem_count == 1
    assert "line 2" in verify.problems(result)[0]


def test_problems_are_capped_but_counted():
    result = verify.recount([b"junk\n"] * 30)
    problems = verify.problems(result)
    assert len(problems) == verify.MAX_PROBLEMS_SHOWN + 1
    assert "10 more" in problems[-1]


def test_it_runs_as_a_plain_script_without_django(published, tmp_path):
    _campaign, stored, path, _ideas = published
    ok = subprocess.run(
        [sys.executable, "-I", str(VERIFY), str(path), "--digest", stored.digest],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout and stored.digest in ok.stdout

    lines = lines_of(path)
    tampered = write(path, lines[:-1])
    failed = subprocess.run(
        [sys.executable, "-I", str(VERIFY), str(tampered), "--digest", stored.digest], capture_output=True, text=True
    )
    assert failed.returncode == 1
    assert "NOT VERIFIED" in failed.stderr

    missing = subprocess.run([sys.executable, "-I", str(VERIFY), str(tmp_path / "nope.csv")], capture_output=True)
    assert missing.returncode == 2


def test_importing_it_imports_no_django():
    code = f"import sys; sys.path.insert(0, {str(VERIFY.parent)!r}); import verify; assert 'django' not in sys.modules"
    assert subprocess.run([sys.executable, "-I", "-c", code]).returncode == 0


# --- manage.py verify_tally -------------------------------------------------------------


def test_verify_tally_accepts_the_published_file(published):
    _campaign, stored, path, _ideas = published
    out = StringIO()
    call_command("verify_tally", str(path), "--campaign", "tallied", stdout=out)
    assert "OK" in out.getvalue()
    call_command("verify_tally", str(path), "--digest", stored.digest, stdout=StringIO())


def test_verify_tally_rejects_a_tampered_file(published):
    path = published[2]
    lines = lines_of(path)
    tampered = write(path, lines[:-1])
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_tally", str(tampered), "--campaign", "tallied", stdout=StringIO(), stderr=err)
    assert failed.value.returncode == 1
    assert "digest mismatch" in err.getvalue()
    assert "votes in the file" in err.getvalue()


def test_verify_tally_sees_rows_changed_after_the_tally(published, tmp_path, client):
    campaign, _stored, _path, (a, _b, _c) = published
    cast(a)  # a vote row appears after publication: the served list no longer matches
    fresh = tmp_path / "fresh.csv"
    fresh.write_bytes(b"".join(client.get("/campaigns/tallied/tally/receipts.csv").streaming_content))
    assert Vote.objects.filter(campaign=campaign).count() == 8
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_tally", str(fresh), "--campaign", "tallied", stdout=StringIO(), stderr=err)
    assert f"idea {a.pk}: 5 votes in the file, 4 in the stored tally" in err.getvalue()


def test_verify_tally_refuses_unknown_or_untallied_campaigns_and_missing_files(published, tmp_path):
    path = published[2]
    closed_campaign(slug="not-yet")
    with pytest.raises(CommandError, match="No campaign"):
        call_command("verify_tally", str(path), "--campaign", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="not been tallied"):
        call_command("verify_tally", str(path), "--campaign", "not-yet", stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_tally", str(tmp_path / "missing.csv"), stdout=StringIO())
