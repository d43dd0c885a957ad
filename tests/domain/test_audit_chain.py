"""The hash chain, pure: any change, removal or reorder breaks it at that entry."""

from __future__ import annotations

from ketenzicht.domain import audit_chain as ac

KEY = b"test-key"


def _chain(n: int) -> list[dict]:
    rows, prev = [], ac.GENESIS
    for i in range(1, n + 1):
        entry = {name: f"{name}-{i}" for name in ac.ENTRY_FIELDS}
        entry.update(id=i, fields=["signaal"], seq=i, prev_hash=prev)
        entry["entry_hash"] = ac.entry_hash(KEY, seq=i, prev_hash=prev, entry=entry)
        prev = entry["entry_hash"]
        rows.append(entry)
    return rows


def test_an_intact_chain_verifies() -> None:
    assert ac.check_entries(KEY, ac.Anchor(0, ac.GENESIS), _chain(5)) == (5, None)


def test_a_changed_entry_breaks_at_that_entry() -> None:
    rows = _chain(5)
    rows[2]["reason"] = "anders"
    checked, broken = ac.check_entries(KEY, ac.Anchor(0, ac.GENESIS), rows)
    assert checked == 2 and broken.entry_id == 3 and "gewijzigd" in broken.describe()


def test_a_removed_or_reordered_entry_breaks_the_chain() -> None:
    rows = _chain(5)
    _, broken = ac.check_entries(KEY, ac.Anchor(0, ac.GENESIS), rows[:2] + rows[3:])
    assert broken.entry_id == 4 and "ontbreekt" in broken.reason
    _, broken = ac.check_entries(KEY, ac.Anchor(0, ac.GENESIS), [rows[1], rows[0]])
    assert broken.entry_id == 2


def test_another_key_does_not_verify() -> None:
    _, broken = ac.check_entries(b"other", ac.Anchor(0, ac.GENESIS), _chain(2))
    assert broken.entry_id == 1


def test_tombstones_anchor_the_chain_and_must_be_signed() -> None:
    rows = _chain(5)
    stone = {"id": 1, "up_to_seq": 2, "last_hash": rows[1]["entry_hash"], "count": 2, "rule": "audit_entry: 10 jaar", "at": "2036-01-01T00:00:00+00:00"}
    stone["signature"] = ac.tombstone_signature(KEY, stone)
    anchor, broken = ac.check_tombstones(KEY, [stone])
    assert broken is None and anchor == ac.Anchor(2, rows[1]["entry_hash"])
    assert ac.check_entries(KEY, anchor, rows[2:]) == (3, None)
    forged = {**stone, "up_to_seq": 3}
    assert ac.check_tombstones(KEY, [forged])[1] is not None
