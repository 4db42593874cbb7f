"""GitHub's ``primaryLocationLineHash``, computed exactly as ``github/codeql-action`` does.

``upload-sarif`` fills this fingerprint in from the checked-out file when it is missing, and
logs a warning for every result whose existing value differs from its own. Computing the
same value here keeps uploads through the REST API (which computes nothing) and through the
action identical, and keeps the action quiet. The algorithm (``src/fingerprints.ts``): a
rolling hash over the first 100 non-blank characters from the start of each line, line
endings normalised to ``\\n``, over UTF-16 code units, with an occurrence counter for equal
hashes. Lines above a finding do not enter its hash, so inserting lines above keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator

BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_EOF = 65535
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
_FIRST_MOD = pow(_MOD, BLOCK_SIZE, 1 << 64)


def _code_units(text: str) -> Iterator[int]:
    # JavaScript's charCodeAt walks UTF-16 code units, so astral characters count twice.
    data = text.encode("utf-16-le", errors="surrogatepass")
    for index in range(0, len(data), 2):
        yield data[index] | (data[index + 1] << 8)


def line_hashes(text: str, upto: int | None = None) -> dict[int, str]:
    """``{line number: "hexhash:occurrence"}`` for the lines of ``text``.

    With ``upto``, stop once that line's hash is known (the rest of the file cannot change
    it), which keeps large files cheap when findings sit near the top.
    """
    window = [0] * BLOCK_SIZE
    line_numbers = [-1] * BLOCK_SIZE
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    rolling = index = line = 0
    line_start, prev_cr = True, False

    def emit(slot: int) -> int:
        value = format(rolling, "x")
        counts[value] = counts.get(value, 0) + 1
        number = line_numbers[slot]
        hashes[number] = f"{value}:{counts[value]}"
        line_numbers[slot] = -1
        return number

    for unit in _with_eof(text):
        if unit in (_SPACE, _TAB) or (prev_cr and unit == _LF):
            prev_cr = False
            continue
        if unit == _CR:
            unit, prev_cr = _LF, True
        else:
            prev_cr = False
        if line_numbers[index] != -1 and emit(index) == upto:
            return hashes
        if line_start:
            line_start = False
            line += 1
            line_numbers[index] = line
        if unit == _LF:
            line_start = True
        begin = window[index]
        window[index] = unit
        rolling = (_MOD * rolling + unit - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % BLOCK_SIZE
    for _ in range(BLOCK_SIZE):
        if line_numbers[index] != -1:
            emit(index)
        begin = window[index]
        window[index] = 0
        rolling = (_MOD * rolling - _FIRST_MOD * begin) & _MASK
        index = (index + 1) % BLOCK_SIZE
    return hashes


def _with_eof(text: str) -> Iterator[int]:
    yield from _code_units(text)
    yield _EOF
